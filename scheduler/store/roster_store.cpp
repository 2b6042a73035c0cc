#include "scheduler/store/roster_store.hpp"

#include <charconv>

#include "common/crypto.hpp"
#include "common/domain/call_outs.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/redis/functions.hpp"
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
  auto reply = co_await client_.command(
      args("FCALL_RO", "piket_roster_snapshot", 5, keys::roster_version(), keys::roster_rotations(),
           keys::roster_overrides(), keys::roster_leave(), keys::roster_swaps()));
  if (!reply.ok()) co_return reply.error();
  if (reply->elements.size() != 5)
    co_return make_error(ErrorCode::internal, "", "the roster snapshot has an unexpected shape");
  const auto& parts = reply->elements;
  StoredRoster roster;
  roster.version = parts[0].integer;
  roster.rotations = parse_all<Rotation>(parts[1], "rotation", [&](const nlohmann::json& j) {
    return rotation_from_json(j, regions_, workers_);
  });
  roster.overrides = parse_all<Override>(parts[2], "override", [&](const nlohmann::json& j) {
    return override_from_json(j, regions_, workers_);
  });
  roster.leave = parse_all<Leave>(parts[3], "leave", [&](const nlohmann::json& j) {
    return leave_from_json(j, workers_);
  });
  roster.swaps = parse_all<SwapRequest>(parts[4], "swap", [&](const nlohmann::json& j) {
    return swap_from_json(j, regions_, workers_);
  });
  co_return roster;
}

asio::awaitable<Result<std::int64_t>> RosterStore::version() {
  auto reply = co_await client_.command(args("GET", keys::roster_version()));
  if (!reply.ok()) co_return reply.error();
  std::int64_t v = 0;
  if (!reply->is_nil()) std::from_chars(reply->str.data(), reply->str.data() + reply->str.size(), v);
  co_return v;
}

asio::awaitable<Result<std::map<std::string, std::vector<Interval>>>> RosterStore::call_outs(TimePoint from) {
  auto reply = co_await client_.command(
      args("ZRANGEBYSCORE", keys::call_outs(), std::to_string(to_unix_ms(from)), "+inf", "WITHSCORES"));
  if (!reply.ok()) co_return reply.error();
  co_return call_outs_by_worker(*reply);
}

asio::awaitable<Result<std::int64_t>> RosterStore::write(const RosterChange& change,
                                                         std::int64_t expected, TimePoint now) {
  std::vector<std::string> command{"FCALL", "piket_roster_change", "7", keys::roster_version(),
                                   keys::audit_stream(), keys::roster_rotations(),
                                   keys::roster_overrides(), keys::roster_leave(),
                                   keys::roster_swaps(), keys::alert_stream(), std::to_string(expected), ms(now),
                                   change.actor, change.action, change.detail};
  auto put = [&](RosterPart part, const std::string& id, const nlohmann::json& j) {
    command.insert(command.end(), {"put", std::to_string(static_cast<int>(part)), id, j.dump()});
  };
  for (const auto& r : change.rotations) put(RosterPart::rotations, r.id, to_json(r));
  for (const auto& o : change.overrides) put(RosterPart::overrides, o.id, to_json(o));
  for (const auto& l : change.leave) put(RosterPart::leave, l.id, to_json(l));
  for (const auto& s : change.swaps) put(RosterPart::swaps, s.id, to_json(s));
  for (const auto& [part, id] : change.removals)
    command.insert(command.end(), {"del", std::to_string(static_cast<int>(part)), id, ""});
  for (const auto& page : change.pages) command.insert(command.end(), {"page", "0", "", page});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Status> RosterStore::page(const std::vector<std::string>& alerts) {
  std::vector<std::string> command{"FCALL", "piket_roster_page", "1", keys::alert_stream()};
  command.insert(command.end(), alerts.begin(), alerts.end());
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
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
  auto reply = co_await client_.command(args("HGET", keys::ical_tokens(), sha256_hex(token)));
  if (!reply.ok()) co_return reply.error();
  if (reply->is_nil()) co_return make_error(ErrorCode::not_found, "token", "no such feed");
  auto feed = nlohmann::json::parse(reply->str, nullptr, false);
  if (feed.is_object() && feed.contains("for") && feed["for"].is_string())
    co_return feed["for"].get<std::string>();
  co_return reply->str;  // a bare target
}

asio::awaitable<Result<std::int64_t>> RosterStore::put_ical_feed(const std::string& token,
                                                                 const IcalFeed& feed, bool rotate,
                                                                 TimePoint now) {
  const nlohmann::json stored{{"id", feed.id},
                              {"for", feed.target},
                              {"created_at", feed.created_at},
                              {"created_by", feed.created_by}};
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = redis::fcall("piket_ical_feed_put",
                                     {keys::ical_tokens(), keys::audit_stream()},
                                     {sha256_hex(token), stored.dump(), feed.target, rotate ? "1" : "0",
                                      std::to_string(to_unix_ms(now)), feed.created_by});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::vector<RosterStore::IcalFeed>>> RosterStore::ical_feeds() {
  auto reply = co_await client_.command(args("HGETALL", keys::ical_tokens()));
  if (!reply.ok()) co_return reply.error();
  std::vector<IcalFeed> out;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    IcalFeed f;
    f.token_hash = reply->elements[i].str;
    auto j = nlohmann::json::parse(reply->elements[i + 1].str, nullptr, false);
    if (j.is_object()) {
      f.id = j.value("id", "");
      f.target = j.value("for", "");
      f.created_at = j.value("created_at", "");
      f.created_by = j.value("created_by", "");
    } else {
      f.target = reply->elements[i + 1].str;
    }
    if (f.id.empty()) f.id = "f" + f.token_hash.substr(0, 12);
    out.push_back(std::move(f));
  }
  co_return out;
}

asio::awaitable<Status> RosterStore::revoke_ical_feed(const IcalFeed& feed, TimePoint now,
                                                      const std::string& actor) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = redis::fcall("piket_ical_feed_revoke",
                                     {keys::ical_tokens(), keys::audit_stream()},
                                     {feed.token_hash, std::to_string(to_unix_ms(now)), actor});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

}  // namespace piket::scheduler
