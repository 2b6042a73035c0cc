// The scheduler's workers and teams: stored in Redis (seeded from config/ at the first start),
// changed through the API, each change checked against the rest of the plan. A worker's active
// state is part of the roster: deactivating one takes them off every duty at once and reports
// the coverage gaps that leaves.
#include <algorithm>
#include <set>

#include "common/domain/worker_codec.hpp"
#include "common/log.hpp"
#include "scheduler/import/csv_import.hpp"
#include "scheduler/request_fields.hpp"
#include "scheduler/service.hpp"
#include "scheduler/workers/worker_changes.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("scheduler.workers"); }

// `all` with `changed` put in (replacing entries with the same id), in id order.
template <typename T>
std::vector<T> merged(std::vector<T> all, const std::vector<T>& changed) {
  for (const T& c : changed) {
    auto it = std::find_if(all.begin(), all.end(), [&](const T& e) { return e.id == c.id; });
    if (it == all.end())
      all.push_back(c);
    else
      *it = c;
  }
  std::sort(all.begin(), all.end(), [](const T& a, const T& b) { return a.id < b.id; });
  return all;
}

template <typename T>
std::vector<T> without(std::vector<T> all, const std::string& id) {
  std::erase_if(all, [&](const T& e) { return e.id == id; });
  return all;
}

// The request without what the gateway adds: what is left is the record.
json record_of(const json& body) {
  json record = body;
  record.erase("actor");
  return record;
}

json team_json(const Team& team, const WorkerDirectory& workers) {
  json out = to_json(team);
  out["members"] = json::array();
  for (const Worker& w : workers.workers())
    if (w.team == team.id) out["members"].push_back(w.id);
  return out;
}

Error store_not_ready() {
  return make_error(ErrorCode::unavailable, "", "the worker store is not reachable");
}
}  // namespace

asio::awaitable<Status> SchedulerService::reload_workers() {
  auto stored = co_await worker_store_.load();
  if (!stored.ok()) co_return stored.error();
  if (!stored->seeded) {
    auto seeded = co_await worker_store_.seed(data_.workers, data_.teams, clock_.now());
    if (!seeded.ok()) co_return seeded.error();
    if (*seeded) {  // config/'s, as in memory already
      log()->info("event=workers_seeded workers={} teams={}", data_.workers.workers().size(),
                  data_.teams.teams().size());
      co_return ok_status();
    }
    stored = co_await worker_store_.load();  // another scheduler stored them first
    if (!stored.ok()) co_return stored.error();
  }
  use_workers(WorkerDirectory(merged<Worker>({}, stored->workers)));
  data_.teams = TeamDirectory(merged<Team>({}, stored->teams));
  log()->info("event=workers_loaded workers={} teams={}", data_.workers.workers().size(),
              data_.teams.teams().size());
  co_return ok_status();
}

void SchedulerService::use_workers(WorkerDirectory workers) {
  data_.workers = std::move(workers);
  roster_.inactive = data_.workers.inactive_ids();
  reslice();
}

SchedulerService::Reply SchedulerService::save_workers(std::vector<Worker> changed,
                                                       const Envelope& request,
                                                       const std::string& action) {
  std::set<std::string> ids;
  for (const Worker& w : changed) ids.insert(w.id);
  Roster planned = roster_;
  planned.inactive = WorkerDirectory(merged(data_.workers.workers(), changed)).inactive_ids();
  json report;
  const Interval ahead{
      clock_.now(), clock_.now() + std::chrono::hours(24 * 7) * config_.scheduler.coverage_weeks};
  // Activity only takes duty away or gives back what the rotations planned: no working-time
  // refusal here; the violations report shows what an activation brings back.
  if (auto checked = check_change(roster_, planned, ids, ahead, json::object(), report, /*adds_duty=*/false);
      !checked.ok())
    co_return checked.error();
  auto stored = co_await worker_store_.put(changed, clock_.now(), actor_of(request), action);
  if (!stored.ok()) co_return stored.error();
  // Merged into what is in memory now: another change may have landed while this one was stored.
  use_workers(WorkerDirectory(merged(data_.workers.workers(), changed)));
  publish_gaps(report, "worker", changed.size() == 1 ? changed.front().id : action);
  // The workers are stored: their gaps page the team leads now (ids make a repeat harmless).
  if (auto pages = gap_pages(report); !pages.empty())
    if (auto queued = co_await store_.page(pages); !queued.ok())
      log()->error("event=gap_pages_failed count={} error={}", pages.size(), queued.error().to_string());
  co_return report;
}

SchedulerService::Reply SchedulerService::list_workers(const Envelope& request) {
  std::string region, team;
  if (auto e = read_text(request.body, "region", false, 200, region)) co_return *e;
  if (auto e = read_text(request.body, "team", false, 200, team)) co_return *e;
  json out{{"workers", json::array()}};
  for (const Worker& w : data_.workers.workers())
    if ((region.empty() || w.region == region) && (team.empty() || w.team == team))
      out["workers"].push_back(to_json(w));
  co_return out;
}

SchedulerService::Reply SchedulerService::get_worker(const Envelope& request) {
  const auth::Principal& who = *request.principal;
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  // A worker reads their own record only.
  if (only_own_as_worker(who, {auth::kOperator, auth::kTeamLead, auth::kManager, auth::kAdmin}) && id != who.worker)
    co_return make_error(ErrorCode::forbidden, "id", "a worker reads their own record only");
  const Worker* w = data_.workers.find(id);
  if (!w) co_return make_error(ErrorCode::not_found, "id", "unknown worker");
  co_return json{{"worker", to_json(*w)}};
}

// Creates a worker, or replaces the one with the same id (every field: what is left out takes
// its default).
SchedulerService::Reply SchedulerService::put_worker(const Envelope& request) {
  if (!roster_loaded_) co_return store_not_ready();
  auto w = worker_from_json(record_of(request.body), data_.regions);
  if (!w.ok()) co_return w.error();
  if (auto e = check_worker(*w, data_.teams, roster_.rotations)) co_return *e;
  if (!keeps_workers_of(*request.principal, w->region)) co_return not_your_region(w->region);
  if (const Worker* before = data_.workers.find(w->id); before && !keeps_workers_of(*request.principal, before->region))
    co_return not_your_region(before->region);
  const bool created = data_.workers.find(w->id) == nullptr;
  std::vector<Worker> changed{*w};
  auto report = co_await save_workers(std::move(changed), request,
                                      created ? "worker.created" : "worker.saved");
  if (!report.ok()) co_return report.error();
  log()->info("event=worker_saved id={} region={} active={} created={}", w->id, w->region,
              w->active, created);
  (*report)["worker"] = to_json(*w);
  (*report)["created"] = created;
  co_return report;
}

// A deactivated worker stays in their rotations (so the gap shows) and is off every duty.
SchedulerService::Reply SchedulerService::set_worker_active(const Envelope& request, bool active) {
  if (!roster_loaded_) co_return store_not_ready();
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  const Worker* found = data_.workers.find(id);
  if (!found) co_return make_error(ErrorCode::not_found, "id", "unknown worker");
  if (!keeps_workers_of(*request.principal, found->region)) co_return not_your_region(found->region);
  Worker next = *found;
  if (next.active == active)
    co_return json{{"worker", to_json(next)},
                   {"changed", false},
                   {"violations", json::array()},
                   {"gaps_created", json::array()}};
  next.active = active;
  std::vector<Worker> changed{next};
  auto report = co_await save_workers(std::move(changed), request,
                                      active ? "worker.activated" : "worker.deactivated");
  if (!report.ok()) co_return report.error();
  log()->info("event=worker_{} id={} gaps_created={}", active ? "activated" : "deactivated",
              next.id, (*report)["gaps_created"].size());
  (*report)["worker"] = to_json(next);
  (*report)["changed"] = true;
  co_return report;
}

SchedulerService::Reply SchedulerService::delete_worker(const Envelope& request) {
  if (!roster_loaded_) co_return store_not_ready();
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  const Worker* found = data_.workers.find(id);
  if (!found) co_return make_error(ErrorCode::not_found, "id", "unknown worker");
  if (!keeps_workers_of(*request.principal, found->region)) co_return not_your_region(found->region);
  if (auto e = check_worker_removal(id, roster_, data_.teams)) co_return *e;
  auto removed = co_await worker_store_.remove_worker(id, clock_.now(), actor_of(request));
  if (!removed.ok()) co_return removed.error();
  use_workers(WorkerDirectory(without(data_.workers.workers(), id)));
  log()->info("event=worker_removed id={}", id);
  co_return json{{"deleted", id}};
}

// New workers from a CSV file, all or nothing.
SchedulerService::Reply SchedulerService::import_workers(const Envelope& request) {
  if (!roster_loaded_) co_return store_not_ready();
  std::string csv;
  if (auto e = read_text(request.body, "csv", false, kMaxCsvBytes, csv)) co_return *e;
  if (csv.empty()) co_return invalid("body", "send the CSV file as the request body");
  auto imported = import_workers_csv(csv, data_.regions, data_.workers, data_.teams);
  if (!imported.ok()) co_return import_error(imported.problems);
  for (const Worker& w : imported.rows)
    if (!keeps_workers_of(*request.principal, w.region)) co_return not_your_region(w.region);
  json ids = json::array();
  for (const Worker& w : imported.rows) ids.push_back(w.id);
  const std::size_t count = imported.rows.size();
  auto report = co_await save_workers(std::move(imported.rows), request, "workers.imported");
  if (!report.ok()) co_return report.error();
  log()->info("event=workers_imported count={}", count);
  (*report)["imported"] = count;
  (*report)["workers"] = ids;
  (*report)["created"] = true;
  co_return report;
}

SchedulerService::Reply SchedulerService::list_teams(const Envelope& request) {
  std::string region;
  if (auto e = read_text(request.body, "region", false, 200, region)) co_return *e;
  json out{{"teams", json::array()}};
  for (const Team& t : data_.teams.teams())
    if (region.empty() || t.region == region) out["teams"].push_back(team_json(t, data_.workers));
  co_return out;
}

// Creates a team, or replaces the one with the same id.
SchedulerService::Reply SchedulerService::put_team(const Envelope& request) {
  if (!roster_loaded_) co_return store_not_ready();
  auto t = team_from_json(record_of(request.body), data_.regions);
  if (!t.ok()) co_return t.error();
  if (auto e = check_team(*t, data_.workers)) co_return *e;
  if (!keeps_workers_of(*request.principal, t->region)) co_return not_your_region(t->region);
  if (const Team* before = data_.teams.find(t->id); before && !keeps_workers_of(*request.principal, before->region))
    co_return not_your_region(before->region);
  const bool created = data_.teams.find(t->id) == nullptr;
  auto stored = co_await worker_store_.put(*t, clock_.now(), actor_of(request));
  if (!stored.ok()) co_return stored.error();
  data_.teams = TeamDirectory(merged(data_.teams.teams(), std::vector<Team>{*t}));
  log()->info("event=team_saved id={} region={} created={}", t->id, t->region, created);
  co_return json{{"team", team_json(*t, data_.workers)}, {"created", created}};
}

SchedulerService::Reply SchedulerService::delete_team(const Envelope& request) {
  if (!roster_loaded_) co_return store_not_ready();
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  const Team* team = data_.teams.find(id);
  if (!team) co_return make_error(ErrorCode::not_found, "id", "unknown team");
  if (!keeps_workers_of(*request.principal, team->region)) co_return not_your_region(team->region);
  if (auto e = check_team_removal(id, data_.workers)) co_return *e;
  auto removed = co_await worker_store_.remove_team(id, clock_.now(), actor_of(request));
  if (!removed.ok()) co_return removed.error();
  data_.teams = TeamDirectory(without(data_.teams.teams(), id));
  co_return json{{"deleted", id}};
}

}  // namespace piket::scheduler
