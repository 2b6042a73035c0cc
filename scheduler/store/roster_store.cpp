#include "scheduler/store/roster_store.hpp"

#include <charconv>

#include "common/keys.hpp"
#include "common/log.hpp"
#include "scheduler/store/roster_codec.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;
using redis::args;

namespace {
std::string ms(TimePoint t) { return std::to_string(to_unix_ms(t)); }

// HGETALL's [id, json, ...] parsed by `parse`; an entry that no longer parses (the directory
// changed under it) is skipped with a warning rather than stopping the scheduler.
template <typename T, typename Parse>
std::vector<T> parse_all(const redis::Value& flat, const std::string& what, Parse parse) {
  std::vector<T> out;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    auto j = nlohmann::json::parse(flat.elements[i + 1].str, nullptr, false);
    auto parsed = parse(j);
    if (parsed.ok())
      out.push_back(std::move(parsed).value());
    else
      logger("scheduler.store")->warn("event=stored_entry_skipped kind={} id={} reason=\"{}\"", what,
                                      flat.elements[i].str, parsed.error().to_string());
  }
  return out;
}
}  // namespace

asio::awaitable<Result<StoredRoster>> RosterStore::load() {
  StoredRoster roster;
  auto rotations = co_await client_.command(args("HGETALL", keys::roster_rotations()));
  auto overrides = co_await client_.command(args("HGETALL", keys::roster_overrides()));
  auto leave = co_await client_.command(args("HGETALL", keys::roster_leave()));
  auto swaps = co_await client_.command(args("HGETALL", keys::roster_swaps()));
  auto version = co_await client_.command(args("GET", keys::roster_version()));
  for (const auto* r : {&rotations, &overrides, &leave, &swaps, &version})
    if (!r->ok()) co_return r->error();
  roster.rotations = parse_all<Rotation>(*rotations, "rotation", [&](const nlohmann::json& j) {
    return rotation_from_json(j, regions_, workers_);
  });
  roster.overrides = parse_all<Override>(*overrides, "override", [&](const nlohmann::json& j) {
    return override_from_json(j, regions_, workers_);
  });
  roster.leave = parse_all<Leave>(*leave, "leave", [&](const nlohmann::json& j) {
    return leave_from_json(j, workers_);
  });
  roster.swaps = parse_all<SwapRequest>(*swaps, "swap", [&](const nlohmann::json& j) {
    return swap_from_json(j, regions_, workers_);
  });
  if (!version->is_nil())
    std::from_chars(version->str.data(), version->str.data() + version->str.size(), roster.version);
  co_return roster;
}

asio::awaitable<Result<std::int64_t>> RosterStore::put_json(const std::string& hash,
                                                            const std::string& id,
                                                            const std::string& json, TimePoint now,
                                                            const std::string& actor,
                                                            const std::string& action) {
  std::vector<std::string> command{"FCALL", "piket_roster_put", "3", hash, keys::roster_version(),
                                   keys::audit_stream(), id, json, ms(now), actor, action,
                                   "id=" + id};
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> RosterStore::put(const Rotation& r, TimePoint now, const std::string& actor) {
  co_return co_await put_json(keys::roster_rotations(), r.id, to_json(r).dump(), now, actor, "roster.rotation");
}

asio::awaitable<Result<std::int64_t>> RosterStore::seed_rotations(const std::vector<Rotation>& rotations,
                                                                  TimePoint now) {
  std::vector<std::string> command{"FCALL", "piket_roster_put_many", "3", keys::roster_rotations(),
                                   keys::roster_version(), keys::audit_stream(), ms(now), "config",
                                   "roster.rotations.seeded"};
  for (const auto& r : rotations) {
    command.push_back(r.id);
    command.push_back(to_json(r).dump());
  }
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> RosterStore::remove_rotation(const std::string& id, TimePoint now,
                                                                   const std::string& actor) {
  std::vector<std::string> command{"FCALL", "piket_roster_remove", "3", keys::roster_rotations(),
                                   keys::roster_version(), keys::audit_stream(), id, ms(now), actor,
                                   "roster.rotation.removed"};
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> RosterStore::put(const Override& o, TimePoint now, const std::string& actor) {
  co_return co_await put_json(keys::roster_overrides(), o.id, to_json(o).dump(), now, actor, "roster.override");
}

asio::awaitable<Result<std::int64_t>> RosterStore::put(const Leave& l, TimePoint now, const std::string& actor) {
  co_return co_await put_json(keys::roster_leave(), l.id, to_json(l).dump(), now, actor, "roster.leave");
}

asio::awaitable<Result<std::int64_t>> RosterStore::put(const SwapRequest& s, TimePoint now, const std::string& actor) {
  co_return co_await put_json(keys::roster_swaps(), s.id, to_json(s).dump(), now, actor, "roster.swap." + s.state);
}

asio::awaitable<Result<std::int64_t>> RosterStore::put_overrides(
    const std::vector<std::pair<std::string, std::string>>& id_json, TimePoint now,
    const std::string& actor) {
  std::vector<std::string> command{"FCALL", "piket_roster_put_many", "3", keys::roster_overrides(),
                                   keys::roster_version(), keys::audit_stream(), ms(now), actor,
                                   "roster.import"};
  for (const auto& [id, json] : id_json) {
    command.push_back(id);
    command.push_back(json);
  }
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> RosterStore::remove_override(const std::string& id, TimePoint now, const std::string& actor) {
  std::vector<std::string> command{"FCALL", "piket_roster_remove", "3", keys::roster_overrides(),
                                   keys::roster_version(), keys::audit_stream(), id, ms(now), actor,
                                   "roster.override.removed"};
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> RosterStore::remove_leave(const std::string& id, TimePoint now, const std::string& actor) {
  std::vector<std::string> command{"FCALL", "piket_roster_remove", "3", keys::roster_leave(),
                                   keys::roster_version(), keys::audit_stream(), id, ms(now), actor,
                                   "roster.leave.removed"};
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::vector<int>>> RosterStore::sequences(
    const std::vector<std::pair<std::string, std::string>>& uid_fingerprints) {
  std::vector<std::string> command{"FCALL", "piket_roster_sequences", "1", keys::ical_sequences()};
  for (const auto& [uid, fingerprint] : uid_fingerprints) {
    command.push_back(uid);
    command.push_back(fingerprint);
  }
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  std::vector<int> out;
  for (const auto& e : reply->elements) out.push_back(static_cast<int>(e.integer));
  co_return out;
}

asio::awaitable<Result<std::string>> RosterStore::handoffs_until() {
  auto reply = co_await client_.command(args("GET", keys::handoffs_checked_until()));
  if (!reply.ok()) co_return reply.error();
  co_return reply->is_nil() ? std::string{} : reply->str;
}

asio::awaitable<Result<bool>> RosterStore::acknowledge_handoff(const std::string& id,
                                                               const std::string& worker,
                                                               TimePoint now) {
  auto reply = co_await client_.command(args("FCALL", "piket_handoff_ack", 0, id, worker, ms(now)));
  if (!reply.ok()) co_return reply.error();
  co_return reply->elements.size() == 2 && reply->elements[1].integer == 1;
}

asio::awaitable<Result<std::vector<nlohmann::json>>> RosterStore::handoffs_since(TimePoint since,
                                                                                 int limit) {
  auto reply = co_await client_.command(args("FCALL_RO", "piket_handoff_list", 0, ms(since), limit));
  if (!reply.ok()) co_return reply.error();
  std::vector<nlohmann::json> out;
  for (const auto& flat : reply->elements) {
    nlohmann::json h = nlohmann::json::object();
    for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) h[flat.elements[i].str] = flat.elements[i + 1].str;
    out.push_back(std::move(h));
  }
  co_return out;
}

asio::awaitable<Result<std::int64_t>> RosterStore::announce_handoffs(
    const std::string& expected, TimePoint until, const std::vector<std::string>& notices) {
  std::vector<std::string> command{"FCALL", "piket_roster_handoffs", "2",
                                   keys::handoffs_checked_until(), keys::alert_stream(), expected,
                                   ms(until)};
  command.insert(command.end(), notices.begin(), notices.end());
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::string>> RosterStore::ical_token_target(const std::string& token) {
  auto reply = co_await client_.command(args("HGET", keys::ical_tokens(), token));
  if (!reply.ok()) co_return reply.error();
  if (reply->is_nil()) co_return make_error(ErrorCode::not_found, "token", "no such feed");
  co_return reply->str;
}

asio::awaitable<Status> RosterStore::put_ical_token(const std::string& token, const std::string& target) {
  auto reply = co_await client_.command(args("HSET", keys::ical_tokens(), token, target));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

}  // namespace piket::scheduler
