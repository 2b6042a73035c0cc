#include "scheduler/store/worker_store.hpp"

#include "common/domain/worker_codec.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;
using redis::args;

namespace {
std::string ms(TimePoint t) { return std::to_string(to_unix_ms(t)); }

// HGETALL's [id, json, ...] parsed by `parse`; an entry that no longer parses is skipped with
// a warning rather than stopping the scheduler.
template <typename T, typename Parse>
std::vector<T> parse_all(const redis::Value& flat, const char* what, Parse parse) {
  std::vector<T> out;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    auto parsed = parse(nlohmann::json::parse(flat.elements[i + 1].str, nullptr, false));
    if (parsed.ok())
      out.push_back(std::move(parsed).value());
    else
      logger("scheduler.store")
          ->warn("event=stored_entry_skipped kind={} id={} reason=\"{}\"", what,
                 flat.elements[i].str, parsed.error().to_string());
  }
  return out;
}
}  // namespace

asio::awaitable<Result<StoredWorkers>> WorkerStore::load() {
  auto version = co_await client_.command(args("GET", keys::workers_version()));
  auto workers = co_await client_.command(args("HGETALL", keys::workers()));
  auto teams = co_await client_.command(args("HGETALL", keys::teams()));
  for (const auto* r : {&version, &workers, &teams})
    if (!r->ok()) co_return r->error();
  StoredWorkers out;
  out.seeded = !version->is_nil();
  out.workers = parse_all<Worker>(
      *workers, "worker", [&](const nlohmann::json& j) { return worker_from_json(j, regions_); });
  out.teams = parse_all<Team>(*teams, "team",
                              [&](const nlohmann::json& j) { return team_from_json(j, regions_); });
  co_return out;
}

asio::awaitable<Result<bool>> WorkerStore::seed(const WorkerDirectory& workers,
                                                const TeamDirectory& teams, TimePoint now) {
  std::vector<std::string> command{"FCALL",
                                   "piket_workers_seed",
                                   "4",
                                   keys::workers(),
                                   keys::teams(),
                                   keys::workers_version(),
                                   keys::audit_stream(),
                                   ms(now),
                                   std::to_string(workers.workers().size())};
  for (const Worker& w : workers.workers()) {
    command.push_back(w.id);
    command.push_back(to_json(w).dump());
  }
  for (const Team& t : teams.teams()) {
    command.push_back(t.id);
    command.push_back(to_json(t).dump());
  }
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer > 0;
}

asio::awaitable<Result<std::int64_t>> WorkerStore::call(std::vector<std::string> command) {
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer;
}

asio::awaitable<Result<std::int64_t>> WorkerStore::put(const std::vector<Worker>& workers,
                                                       TimePoint now, const std::string& actor,
                                                       const std::string& action) {
  std::vector<std::string> command{"FCALL",
                                   "piket_workers_put",
                                   "3",
                                   keys::workers(),
                                   keys::workers_version(),
                                   keys::audit_stream(),
                                   ms(now),
                                   actor,
                                   action};
  for (const Worker& w : workers) {
    command.push_back(w.id);
    command.push_back(to_json(w).dump());
  }
  co_return co_await call(std::move(command));
}

asio::awaitable<Result<std::int64_t>> WorkerStore::put(const Team& team, TimePoint now,
                                                       const std::string& actor) {
  // Named, not a brace list: GCC 12 cannot keep brace-list temporaries in a coroutine.
  std::vector<std::string> command{"FCALL",
                                   "piket_workers_put",
                                   "3",
                                   keys::teams(),
                                   keys::workers_version(),
                                   keys::audit_stream(),
                                   ms(now),
                                   actor,
                                   "team.saved",
                                   team.id,
                                   to_json(team).dump()};
  co_return co_await call(std::move(command));
}

asio::awaitable<Result<std::int64_t>> WorkerStore::remove_worker(const std::string& id,
                                                                 TimePoint now,
                                                                 const std::string& actor) {
  std::vector<std::string> command{"FCALL",
                                   "piket_workers_remove",
                                   "3",
                                   keys::workers(),
                                   keys::workers_version(),
                                   keys::audit_stream(),
                                   id,
                                   ms(now),
                                   actor,
                                   "worker.removed"};
  co_return co_await call(std::move(command));
}

asio::awaitable<Result<std::int64_t>> WorkerStore::remove_team(const std::string& id, TimePoint now,
                                                               const std::string& actor) {
  std::vector<std::string> command{"FCALL",
                                   "piket_workers_remove",
                                   "3",
                                   keys::teams(),
                                   keys::workers_version(),
                                   keys::audit_stream(),
                                   id,
                                   ms(now),
                                   actor,
                                   "team.removed"};
  co_return co_await call(std::move(command));
}

}  // namespace piket::scheduler
