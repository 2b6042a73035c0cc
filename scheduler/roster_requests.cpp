// The scheduler's roster changes: rotations, overrides, leave, swaps and CSV imports, each
// decided against the current roster and stored through apply(), the one writer (see
// service.hpp). The roster is also re-read here when another scheduler moved its version.
#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "common/log.hpp"
#include "scheduler/import/csv_import.hpp"
#include "scheduler/request_fields.hpp"
#include "scheduler/roster/swap_steps.hpp"
#include "scheduler/service.hpp"
#include "scheduler/store/roster_codec.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("scheduler.roster"); }

constexpr auto kWeek = std::chrono::hours(24 * 7);
// Call-outs only weigh in the on-call rule's 24 h windows: two days back reach every window
// a change from now on can touch.
constexpr auto kCallOutReach = std::chrono::hours(48);
// A change decided on a stale copy is decided again on a fresh one this many times at most.
constexpr int kAttempts = 5;
// The version key is read this often, so another scheduler's change is followed within a
// second, at one GET per check.
constexpr auto kFollowEvery = std::chrono::milliseconds(500);

std::set<std::string> workers_of(const Override& o) {
  std::set<std::string> workers{o.worker_id, o.replaced_worker_id};
  workers.erase("");
  return workers;
}

template <typename T>
const T* find_id(const std::vector<T>& entries, const std::string& id) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const T& e) { return e.id == id; });
  return it == entries.end() ? nullptr : &*it;
}

Error no_such_entry() { return make_error(ErrorCode::not_found, "id", "no such entry"); }
}  // namespace

SchedulerService::Reply SchedulerService::apply(Decide decide) {
  auto turn = co_await turns_.take();
  for (int attempt = 1;; ++attempt) {
    if (!roster_loaded_)
      co_return make_error(ErrorCode::unavailable, "", "the roster store is not reachable");
    // Call-outs of the last two days count in the working-time check beside the duties.
    auto recent = co_await store_.call_outs(clock_.now() - kCallOutReach);
    if (!recent.ok()) co_return recent.error();
    call_outs_ = std::move(*recent);
    auto decided = decide(roster_);
    if (!decided.ok()) co_return decided.error();
    // Pages for the gaps it opens go with the change, in the same step: never one without the other.
    decided->change.pages = gap_pages(decided->report);
    auto stored = co_await store_.write(decided->change, version_, clock_.now());
    if (stored.ok()) {
      roster_ = applied(std::move(roster_), decided->change);
      version_ = *stored;
      reslice();
      publish_gaps(decided->report, decided->kind, decided->cause);
      co_return std::move(decided->report);
    }
    if (stored.error().code != ErrorCode::conflict || attempt == kAttempts)
      co_return stored.error();
    log()->info("event=roster_conflict kind={} cause={} attempt={} version={}", decided->kind,
                decided->cause, attempt, version_);
    if (auto loaded = co_await load_roster(); !loaded.ok()) co_return loaded.error();
  }
}

asio::awaitable<Status> SchedulerService::load_roster() {
  for (int attempt = 1;; ++attempt) {
    auto stored = co_await store_.load();
    if (!stored.ok()) co_return stored.error();
    if (stored->rotations.empty() && !data_.rotations.empty()) {
      // The first start on this Redis: config/'s rotations become the stored ones.
      RosterChange seed;
      seed.rotations = data_.rotations;
      seed.action = "roster.rotations.seeded";
      seed.actor = "config";
      seed.detail = "entries=" + std::to_string(data_.rotations.size());
      auto seeded = co_await store_.write(seed, stored->version, clock_.now());
      if (!seeded.ok() && seeded.error().code == ErrorCode::conflict && attempt < kAttempts)
        continue;  // another scheduler seeded (or changed) it first: read that
      if (!seeded.ok()) co_return seeded.error();
      stored->rotations = data_.rotations;
      stored->version = *seeded;
      log()->info("event=rotations_seeded count={}", data_.rotations.size());
    }
    roster_.rotations = std::move(stored->rotations);
    roster_.overrides = std::move(stored->overrides);
    roster_.leave = std::move(stored->leave);
    roster_.swaps = std::move(stored->swaps);
    version_ = stored->version;
    roster_loaded_ = true;
    reslice();
    log()->info("event=roster_loaded version={} rotations={} overrides={} leave={} swaps={}",
                version_, roster_.rotations.size(), roster_.overrides.size(), roster_.leave.size(),
                roster_.swaps.size());
    co_return ok_status();
  }
}

asio::awaitable<void> SchedulerService::follow_roster_loop() {
  asio::steady_timer tick{io_};
  while (running_) {
    tick.expires_after(kFollowEvery);
    boost::system::error_code ec;
    co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!running_ || !roster_loaded_ || !redis_.connected()) continue;
    auto stored = co_await store_.version();
    if (!stored.ok() || *stored == version_) continue;
    auto turn = co_await turns_.take();
    if (*stored == version_) continue;  // this scheduler's own change got there meanwhile
    if (auto loaded = co_await load_roster(); !loaded.ok())
      log()->warn("event=roster_follow_failed reason=\"{}\"", loaded.error().to_string());
  }
}

Result<SchedulerService::Decision> SchedulerService::removal(const Roster& current, RosterPart part,
                                                             const std::string& id,
                                                             const std::set<std::string>& workers,
                                                             Interval changed, std::string kind,
                                                             std::string action,
                                                             std::string actor) const {
  Decision d;
  d.change.removals = {{part, id}};
  d.change.action = std::move(action);
  d.change.actor = std::move(actor);
  d.change.detail = "id=" + id;
  d.kind = std::move(kind);
  d.cause = id;
  // Taking duty away breaks no working-time rule, so this check cannot refuse.
  (void)check_change(current, applied(current, d.change), workers, changed, json::object(),
                     d.report, /*adds_duty=*/false);
  d.report["deleted"] = id;
  return d;
}

// Creates a rotation, or replaces the one with the same id; checked like any change.
SchedulerService::Reply SchedulerService::put_rotation(const Envelope& request) {
  auto r = rotation_from_json(request.body, data_.regions, data_.workers);
  if (!r.ok()) co_return r.error();
  if (!manages_region(*request.principal, r->region)) co_return not_your_region(r->region);
  bool replaced = false;
  auto report = co_await apply([&](const Roster& current) -> Result<Decision> {
    Decision d;
    d.change.rotations = {*r};
    d.change.action = "roster.rotation";
    d.change.actor = actor_of(request);
    d.change.detail = "id=" + r->id;
    d.kind = "rotation";
    d.cause = r->id;
    std::set<std::string> affected(r->participants.begin(), r->participants.end());
    const Rotation* existing = find_id(current.rotations, r->id);
    replaced = existing != nullptr;
    if (existing && !manages_region(*request.principal, existing->region)) return not_your_region(existing->region);
    if (existing) affected.insert(existing->participants.begin(), existing->participants.end());
    const Interval ahead{clock_.now(), clock_.now() + kWeek * config_.scheduler.coverage_weeks};
    if (auto checked = check_change(current, applied(current, d.change), affected, ahead,
                                    request.body, d.report);
        !checked.ok())
      return checked.error();
    d.report["rotation"] = to_json(*r);
    d.report["created"] = !replaced;
    return d;
  });
  if (report.ok())
    log()->info("event=rotation_saved id={} region={} replaced={}", r->id, r->region, replaced);
  co_return report;
}

SchedulerService::Reply SchedulerService::delete_rotation(const Envelope& request) {
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  co_return co_await apply([&](const Roster& current) -> Result<Decision> {
    const Rotation* r = find_id(current.rotations, id);
    if (!r) return no_such_entry();
    if (!manages_region(*request.principal, r->region)) return not_your_region(r->region);
    return removal(current, RosterPart::rotations, id,
                   std::set<std::string>(r->participants.begin(), r->participants.end()),
                   {clock_.now(), clock_.now() + kWeek * config_.scheduler.coverage_weeks},
                   "rotation", "roster.rotation.removed", actor_of(request));
  });
}

SchedulerService::Reply SchedulerService::create_override(const Envelope& request) {
  auto force = force_flag(request.body);
  if (!force.ok()) co_return force.error();
  json body = request.body;
  body.erase("forced");  // stored, not taken from a request: "force" says it
  body.erase("force_reason");
  auto o = override_from_json(body, data_.regions, data_.workers);
  if (!o.ok()) co_return o.error();
  if (!manages_region(*request.principal, o->region)) co_return not_your_region(o->region);
  o->id = new_id("o");
  o->created_by = actor_of(request);
  o->forced = *force;
  if (auto e = read_text(request.body, "force_reason", false, 500, o->force_reason)) co_return *e;
  auto report = co_await apply([&](const Roster& current) -> Result<Decision> {
    Decision d;
    d.change.overrides = {*o};
    d.change.action = "roster.override";
    d.change.actor = o->created_by;
    d.change.detail = "id=" + o->id;
    d.kind = "override";
    d.cause = o->id;
    if (auto checked = check_change(current, applied(current, d.change), workers_of(*o),
                                    o->interval, request.body, d.report);
        !checked.ok())
      return checked.error();
    d.report["override"] = to_json(*o);
    d.report["created"] = true;
    return d;
  });
  if (report.ok())
    log()->info("event=override_created id={} kind={} region={} forced={}", o->id,
                request.body.value("kind", std::string{}), o->region, o->forced);
  co_return report;
}

// Taking an override away can open a gap (an added stand-in leaves); the answer says where.
SchedulerService::Reply SchedulerService::delete_override(const Envelope& request) {
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  auto report = co_await apply([&](const Roster& current) -> Result<Decision> {
    const Override* o = find_id(current.overrides, id);
    if (!o) return no_such_entry();
    if (!manages_region(*request.principal, o->region)) return not_your_region(o->region);
    return removal(current, RosterPart::overrides, id, workers_of(*o), o->interval, "override",
                   "roster.override.removed", actor_of(request));
  });
  if (report.ok())
    log()->info("event=override_removed id={} gaps_created={}", id,
                (*report)["gaps_created"].size());
  co_return report;
}

SchedulerService::Reply SchedulerService::create_leave(const Envelope& request) {
  auto l = leave_from_json(request.body, data_.workers);
  if (!l.ok()) co_return l.error();
  if (const Worker* w = data_.workers.find(l->worker_id); !w || !manages_region(*request.principal, w->region))
    co_return not_your_region(w ? w->region : std::string{});
  l->id = new_id("l");
  auto report = co_await apply([&](const Roster& current) -> Result<Decision> {
    Decision d;
    d.change.leave = {*l};
    d.change.action = "roster.leave";
    d.change.actor = actor_of(request);
    d.change.detail = "id=" + l->id;
    d.kind = "leave";
    d.cause = l->id;
    // Leave takes duties away, so it breaks no working-time rule; what it does to coverage is
    // the point.
    if (auto checked = check_change(current, applied(current, d.change), {l->worker_id},
                                    l->interval, request.body, d.report, /*adds_duty=*/false);
        !checked.ok())
      return checked.error();
    d.report["leave"] = to_json(*l);
    d.report["created"] = true;
    return d;
  });
  if (report.ok())
    log()->info("event=leave_created id={} worker={} gaps_created={}", l->id, l->worker_id,
                (*report)["gaps_created"].size());
  co_return report;
}

// Answered like creating leave, with the gaps it opens: a worker back on duty never lowers
// staffing, so in this model the list stays empty; it is computed all the same, so the answer
// keeps one shape and stays true if the rules ever change.
SchedulerService::Reply SchedulerService::delete_leave(const Envelope& request) {
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  co_return co_await apply([&](const Roster& current) -> Result<Decision> {
    const Leave* l = find_id(current.leave, id);
    if (!l) return no_such_entry();
    if (const Worker* w = data_.workers.find(l->worker_id); !w || !manages_region(*request.principal, w->region))
      return not_your_region(w ? w->region : std::string{});
    return removal(current, RosterPart::leave, id, {l->worker_id}, l->interval, "leave",
                   "roster.leave.removed", actor_of(request));
  });
}

SchedulerService::Reply SchedulerService::request_swap(const Envelope& request) {
  // The requester is the signed-in worker; a body that names one is refused.
  if (request.body.contains("requester_id"))
    co_return invalid("requester_id", "is not taken: the requester is the signed-in worker");
  json body = request.body;
  body.erase("state");
  body.erase("history");
  body["requester_id"] = request.principal->worker;
  auto asked = swap_from_json(body, data_.regions, data_.workers);
  if (!asked.ok()) co_return asked.error();
  const std::string id = new_id("s");
  const TimePoint at = clock_.now();
  co_return co_await apply([&](const Roster& current) -> Result<Decision> {
    auto s = new_swap(*asked, current, id, at);
    if (!s.ok()) return s.error();
    Decision d;
    d.change.swaps = {*s};
    d.change.action = "roster.swap.requested";
    d.change.actor = s->requester_id;
    d.change.detail = "id=" + id;
    d.kind = "swap";
    d.cause = id;
    d.report = {{"swap", to_json(*s)}, {"created", true}};
    return d;
  });
}

SchedulerService::Reply SchedulerService::step_swap(const Envelope& request,
                                                    const std::string& step) {
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  if (request.body.contains("by"))
    co_return invalid("by", "is not taken: the step is the signed-in user's");
  const TimePoint at = clock_.now();
  co_return co_await apply([&](const Roster& current) -> Result<Decision> {
    const SwapRequest* swap = find_id(current.swaps, id);
    if (!swap) return make_error(ErrorCode::not_found, "id", "no such swap request");
    const SwapActor actor = swap_actor(*request.principal, *swap, data_.workers);
    auto next = next_swap_step(*swap, step, actor, at);
    if (!next.ok()) return next.error();
    Decision d;
    d.change.swaps = {*next};
    d.change.action = "roster.swap." + next->state;
    d.change.actor = actor.by;
    d.change.detail = "id=" + id;
    d.kind = "swap";
    d.cause = id;
    // Only an approved swap changes who is on duty, so only approval is checked.
    if (next->state == "approved")
      if (auto checked =
              check_change(current, applied(current, d.change), {next->requester_id, next->peer_id},
                           next->interval, request.body, d.report);
          !checked.ok())
        return checked.error();
    d.report["swap"] = to_json(*next);
    return d;
  });
}

SchedulerService::Reply SchedulerService::import_assignments(const Envelope& request) {
  std::string csv;
  if (auto e = read_text(request.body, "csv", false, kMaxCsvBytes, csv)) co_return *e;
  if (csv.empty()) co_return invalid("body", "send the CSV file as the request body");
  auto imported = import_roster_csv(csv, data_.regions, data_.workers, zone());
  if (!imported.ok()) co_return import_error(imported.problems);
  for (const auto& row : imported.rows)
    if (!manages_region(*request.principal, row.region)) co_return not_your_region(row.region);
  std::set<std::string> affected;
  Interval span = imported.rows.front().interval;
  for (auto& o : imported.rows) {
    o.id = new_id("o");
    o.created_by = actor_of(request);
    affected.insert(o.worker_id);
    span.start = std::min(span.start, o.interval.start);
    span.end = std::max(span.end, o.interval.end);
  }
  co_return co_await apply([&](const Roster& current) -> Result<Decision> {
    Decision d;
    d.change.overrides = imported.rows;  // all or nothing, in one step
    d.change.action = "roster.import";
    d.change.actor = actor_of(request);
    d.change.detail = "entries=" + std::to_string(imported.rows.size());
    d.kind = "import";
    d.cause = "import";
    if (auto checked = check_change(current, applied(current, d.change), affected, span,
                                    request.body, d.report);
        !checked.ok())
      return checked.error();
    d.report["imported"] = imported.rows.size();
    d.report["created"] = true;
    return d;
  });
}

}  // namespace piket::scheduler
