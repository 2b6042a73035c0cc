#include "scheduler/service.hpp"

#include <charconv>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/auth/access.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "scheduler/coverage/coverage.hpp"
#include "scheduler/coverage/gap_pages.hpp"
#include "common/crypto.hpp"
#include "scheduler/ical/ical_feed.hpp"
#include "scheduler/import/csv_import.hpp"
#include "scheduler/on_call_query.hpp"
#include "scheduler/request_fields.hpp"
#include "scheduler/roster/handoffs.hpp"
#include "scheduler/roster/roster_changes.hpp"
#include "scheduler/roster/roster_expander.hpp"
#include "scheduler/rules/fairness.hpp"
#include "scheduler/store/roster_codec.hpp"
#include "scheduler/store/roster_lua.hpp"
#include "scheduler/store/workers_lua.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("scheduler"); }

constexpr auto kWeek = std::chrono::hours(24 * 7);

// The notice for the incoming worker, with the links to their shifts and to acknowledge it.
json handoff_notice(const Handoff& h, const std::string& public_url) {
  return {{"alert_id", h.id},
          {"kind", "handoff"},
          {"worker", h.worker},
          {"outgoing", h.outgoing},
          {"region", h.region},
          {"role", h.role},
          {"duty", std::string(duty_name(h.duty))},
          {"start", format_utc(h.start)},
          {"end", format_utc(h.end)},
          {"link", public_url + "/api/v1/roster/shifts?worker=" + h.worker},
          {"acknowledge", public_url + "/api/v1/handoffs/" + h.id + "/acknowledge"}};
}

// Working-time rules look back and ahead of a change this far (the longest rule is 16 weeks).
constexpr auto kRuleReach = std::chrono::hours(24 * 7 * 16);
}  // namespace

SchedulerService::SchedulerService(asio::io_context& io, const PiketConfig& config,
                                   const Clock& clock, SchedulerData data)
    : config_(config),
      clock_(clock),
      data_(std::move(data)),
      turns_(io.get_executor()),
      zone_(date::locate_zone(config.data.time_zone)),
      redis_(io, config.redis, "scheduler"),
      store_(redis_, data_.regions, data_.workers),
      worker_store_(redis_, data_.regions),
      server_(io, config.zmq.scheduler_rpc, clock),
      dispatcher_(io, config.zmq.dispatcher_rpc_peers,
                  zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                    config.zmq.request_retries},
                  clock),
      io_(io),
      handoff_sleep_(io.get_executor(), clock) {
  if (!config.zmq.scheduler_events.empty())
    events_ = std::make_unique<zmqio::Publisher>(io, config.zmq.scheduler_events, clock);
  roster_.rotations = data_.rotations;
  roster_.minimums = data_.minimums;
  roster_.inactive = data_.workers.inactive_ids();
  reslice();
  // Every request from a person or an API client carries a principal the access table lets
  // make it; the handlers decide on the data (regions, teams, the worker's own).
  server_.guard([](const Envelope& e) { return auth::gate(e.principal ? &*e.principal : nullptr, e.type); });
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, roster_library()); });
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, workers_library()); });
  redis_.on_connect([this]() { return reload(); });
  auto bind = [this](std::string_view type, Reply (SchedulerService::*method)(const Envelope&)) {
    server_.on(type, [this, method](const Envelope& e) { return (this->*method)(e); });
  };
  bind(msg::kOnCallQuery, &SchedulerService::on_call);
  bind(msg::kOnCallQueryMany, &SchedulerService::on_call_many);
  bind(msg::kRosterShifts, &SchedulerService::shifts);
  bind(msg::kRosterCoverage, &SchedulerService::coverage);
  bind(msg::kRosterViolations, &SchedulerService::violations);
  bind(msg::kRosterFairness, &SchedulerService::fairness);
  bind(msg::kHandoffAcknowledge, &SchedulerService::acknowledge_handoff);
  bind(msg::kHandoffList, &SchedulerService::list_handoffs);
  bind(msg::kRosterOverrideList, &SchedulerService::list_overrides);
  bind(msg::kRosterRotationList, &SchedulerService::list_rotations);
  bind(msg::kRosterRotationPut, &SchedulerService::put_rotation);
  bind(msg::kRosterRotationDelete, &SchedulerService::delete_rotation);
  bind(msg::kRosterOverrideCreate, &SchedulerService::create_override);
  bind(msg::kRosterOverrideDelete, &SchedulerService::delete_override);
  bind(msg::kRosterLeaveCreate, &SchedulerService::create_leave);
  bind(msg::kRosterLeaveDelete, &SchedulerService::delete_leave);
  bind(msg::kRosterSwapRequest, &SchedulerService::request_swap);
  bind(msg::kRosterImportAssignments, &SchedulerService::import_assignments);
  bind(msg::kRosterIcalCreate, &SchedulerService::create_ical_feed);
  bind(msg::kRosterIcalFeed, &SchedulerService::ical_feed);
  bind(msg::kRosterIcalList, &SchedulerService::list_ical_feeds);
  bind(msg::kRosterIcalDelete, &SchedulerService::revoke_ical_feed);
  bind(msg::kWorkerList, &SchedulerService::list_workers);
  bind(msg::kWorkerGet, &SchedulerService::get_worker);
  bind(msg::kWorkerPut, &SchedulerService::put_worker);
  bind(msg::kWorkerDelete, &SchedulerService::delete_worker);
  bind(msg::kWorkerImport, &SchedulerService::import_workers);
  bind(msg::kTeamList, &SchedulerService::list_teams);
  bind(msg::kTeamPut, &SchedulerService::put_team);
  bind(msg::kTeamDelete, &SchedulerService::delete_team);
  server_.on(msg::kWorkerActivate, [this](const Envelope& e) { return set_worker_active(e, true); });
  server_.on(msg::kWorkerDeactivate, [this](const Envelope& e) { return set_worker_active(e, false); });
  for (auto [type, step] : {std::pair{msg::kRosterSwapAccept, "accept"},
                            std::pair{msg::kRosterSwapApprove, "approve"},
                            std::pair{msg::kRosterSwapReject, "reject"}})
    server_.on(type, [this, name = std::string(step)](const Envelope& e) { return step_swap(e, name); });
  server_.on(msg::kMetrics, [this](const Envelope&) -> Reply {
    co_return json{{"content_type", "text/plain; version=0.0.4"}, {"text", metrics_.render()}};
  });
  metrics_.describe("piket_oncall_query_duration_seconds", MetricType::histogram, "Who-is-on-call answers");
  metrics_.describe("piket_roster_changes_total", MetricType::counter, "Roster changes stored, by kind");
  metrics_.describe("piket_handoffs_total", MetricType::counter, "Hand-off notices queued");
  server_.on(msg::kPing, [this](const Envelope&) -> Reply {
    co_return json{{"service", "scheduler"}, {"redis", redis_.connected()}, {"roster_loaded", roster_loaded_}};
  });
}

Status SchedulerService::start() {
  if (auto bound = server_.bind(); !bound.ok()) return bound;
  if (events_)
    if (auto bound = events_->bind(); !bound.ok()) return bound;
  running_ = true;
  server_.start();
  dispatcher_.start();
  redis_.start();
  asio::co_spawn(io_, handoff_loop(), asio::detached);
  asio::co_spawn(io_, follow_roster_loop(), asio::detached);
  log()->info("event=started regions={} workers={} rotations={}", data_.regions.regions().size(),
              data_.workers.workers().size(), data_.rotations.size());
  return ok_status();
}

void SchedulerService::stop() {
  running_ = false;
  handoff_sleep_.cancel();
  server_.stop();
  dispatcher_.stop();
  if (events_) events_->stop();
  redis_.stop();
}

asio::awaitable<Status> SchedulerService::reload() {
  // Workers first: the stored roster is checked against them.
  if (auto workers = co_await reload_workers(); !workers.ok()) co_return workers.error();
  auto turn = co_await turns_.take();
  co_return co_await load_roster();
}

void SchedulerService::publish_gaps(const json& report, const std::string& kind,
                                    const std::string& cause) {
  metrics_.count("piket_roster_changes_total", {{"kind", kind}});
  if (!events_ || !report.contains("gaps_created")) return;
  for (auto gap : report["gaps_created"]) {
    gap["cause"] = cause;
    log()->warn("event=coverage_gap_created region={} start={} end={} staffed={} minimum={} cause={}",
                gap.value("region", ""), gap.value("start", ""), gap.value("end", ""),
                gap.value("staffed", 0), gap.value("minimum", 0), cause);
    events_->publish(msg::kEventRosterGap, gap);
  }
}

std::vector<std::string> SchedulerService::gap_pages(const json& report) {
  std::vector<std::string> out;
  if (!report.contains("gaps_created")) return out;
  const TimePoint now = clock_.now();
  auto leads_of = [&](const std::string& region) {
    std::vector<std::string> leads;
    json query{{"region", region}, {"role", kRoleTeamLead}, {"at", format_utc(now)}};
    auto answer = answer_on_call_query(query, now, data_.regions, data_.workers, roster_);
    if (answer.ok())
      for (const auto& c : (*answer)["on_call"]) leads.push_back(c.value("worker_id", ""));
    return leads;
  };
  for (const auto& page : coverage_gap_pages(report["gaps_created"], now,
                                             std::chrono::hours(config_.scheduler.gap_page_hours),
                                             leads_of, config_.gateway.public_url))
    out.push_back(page.dump());
  return out;
}

// Every few seconds: the duties that started since the last look get a hand-off notice for the
// incoming worker (through the alert stream, so the notifier delivers it durably) and an event.
asio::awaitable<void> SchedulerService::handoff_loop() {
  const auto poll = std::chrono::milliseconds(config_.scheduler.handoff_poll_ms);
  while (running_) {
    // A moved test clock wakes this at once; otherwise it looks every poll.
    co_await handoff_sleep_.sleep_until(clock_.now() + poll, poll);
    if (!running_ || !roster_loaded_ || !redis_.connected()) continue;
    auto seen = co_await store_.handoffs_until();
    if (!seen.ok()) continue;
    const TimePoint now = clock_.now();
    std::vector<std::string> notices;
    std::vector<json> announced;
    std::int64_t seen_ms = 0;
    const bool readable = !seen->empty() && std::from_chars(seen->data(), seen->data() + seen->size(), seen_ms).ec == std::errc{};
    if (!seen->empty() && !readable)
      log()->error("event=handoff_marker_unreadable value_length={}; starting again from now", seen->size());
    if (readable) {
      // After a long outage, announce the last hour only: older hand-offs are history.
      TimePoint from = std::max(from_unix_ms(seen_ms), now - std::chrono::hours(1));
      for (const Handoff& h : handoffs_between(slices_, from, now))
        announced.push_back(handoff_notice(h, config_.gateway.public_url));
      // The incoming worker learns which cases are open in the region (ids only). Without an
      // answer from the dispatcher the notice still goes, saying the list is unknown.
      std::map<std::string, json> open_cases;
      for (auto& n : announced) {
        const std::string region = n["region"];
        if (!open_cases.count(region)) {
          json query{{"region", region}};
          auto open = co_await dispatcher_.call(msg::kReportsOpen, std::move(query));
          open_cases[region] = open.ok() ? (*open)["reports"] : json();
        }
        n["open_cases"] = open_cases[region];
        n["open_cases_known"] = !open_cases[region].is_null();
        notices.push_back(n.dump());
      }
    }
    auto done = co_await store_.announce_handoffs(*seen, now, notices);
    if (!done.ok() || *done < 0) continue;  // another scheduler announced them
    for (const auto& n : announced) {
      metrics_.count("piket_handoffs_total");
      log()->info("event=handoff region={} role={} incoming={} outgoing={}", n.value("region", ""),
                  n.value("role", ""), n.value("worker", ""), n.value("outgoing", ""));
      if (events_) events_->publish(msg::kEventRosterHandoff, n);
    }
  }
}

const std::map<std::string, double>& SchedulerService::fairness_figures(const std::string& region) {
  constexpr auto kFresh = std::chrono::minutes(15);
  const TimePoint now = clock_.now();
  auto& figures = fairness_figures_[region];
  if (!figures.by_worker.empty() && figures.computed_at <= now && now - figures.computed_at < kFresh)
    return figures.by_worker;
  figures = FairnessFigures{now, {}};
  auto slice = slices_.find(region);
  if (slice == slices_.end()) return figures.by_worker;
  const Interval last_weeks{now - kWeek * 4, now};
  for (const auto& row : fairness_report(expand(slice->second, "", last_weeks), last_weeks, data_.holidays, zone()))
    figures.by_worker[row.worker_id] = load_score(row);
  return figures.by_worker;
}

const std::map<std::string, json>& SchedulerService::duties_around_now(const std::string& region) {
  const TimePoint now = clock_.now();
  const std::int64_t minute = to_unix_ms(now) / 60000;
  RegionDuties& cached = duties_[region];
  if (cached.minute == minute) return cached.by_worker;
  cached = RegionDuties{minute, {}};
  const TimePoint from = from_unix_ms(minute * 60000);
  const Interval around{from - std::chrono::hours(24), from + std::chrono::hours(26)};
  auto slice = slices_.find(region);
  for (const auto& shift : expand(slice == slices_.end() ? roster_ : slice->second, region, around))
    cached.by_worker[shift.worker_id].push_back(
        {{"start", format_utc(shift.start)}, {"end", format_utc(shift.end)}, {"duty", duty_name(shift.duty)}});
  return cached.by_worker;
}

void SchedulerService::reslice() {
  duties_.clear();
  fairness_figures_.clear();  // the roster changed
  slices_.clear();
  for (const auto& region : data_.regions.regions()) slices_[region.id] = slice(roster_, region.id);
}

Result<Interval> SchedulerService::period(const json& body, std::chrono::hours default_length) const {
  Interval p{clock_.now(), clock_.now() + default_length};
  for (auto [key, target] : {std::pair{"from", &p.start}, std::pair{"to", &p.end}}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_string() || !parse_utc(body[key].get<std::string>(), *target))
      return invalid(key, "must be an RFC 3339 time such as 2026-03-02T09:00:00Z");
  }
  if (p.end <= p.start) return invalid("to", "must be after from");
  if (p.end - p.start > std::chrono::hours(24 * 400)) return invalid("to", "the period may be at most 400 days");
  return p;
}

Status SchedulerService::check_change(const Roster& current, const Roster& planned,
                                      const std::set<std::string>& workers, Interval changed,
                                      const json& request, json& report, bool adds_duty) const {
  // Only the regions where the affected workers have duties, before or after, are expanded:
  // a change in one region does not re-check the whole country.
  std::set<std::string> regions = regions_of(current, workers);
  regions.merge(regions_of(planned, workers));
  const Interval reach{changed.start - kRuleReach, changed.end + kRuleReach};
  ViolationChange violations;
  if (adds_duty)
    violations = compare_violations(
        violations_for(current, workers, regions, reach, call_outs_, data_.limits, zone()),
        violations_for(planned, workers, regions, reach, call_outs_, data_.limits, zone()));
  const Interval ahead{clock_.now(), clock_.now() + kWeek * config_.scheduler.coverage_weeks};
  std::vector<Gap> gaps;
  for (const auto& region : regions) {
    // The current roster's slices are kept; another one is sliced here.
    auto cached = &current == &roster_ ? slices_.find(region) : slices_.end();
    auto before = find_gaps(cached == slices_.end() ? slice(current, region) : cached->second, ahead);
    auto found = added_gaps(before, find_gaps(slice(planned, region), ahead));
    gaps.insert(gaps.end(), found.begin(), found.end());
  }
  const auto& added = violations.added;
  report["violations"] = json::array();
  for (const auto& v : added) report["violations"].push_back(to_json(v));
  report["violations_remaining"] = json::array();
  for (const auto& v : violations.remaining) report["violations_remaining"].push_back(to_json(v));
  report["gaps_created"] = json::array();
  for (const auto& g : gaps) report["gaps_created"].push_back(to_json(g, zone()));
  auto force = force_flag(request);
  if (!force.ok()) return force.error();
  const bool forced = *force;
  if (!added.empty() && !forced) {
    std::string remaining;
    if (!violations.remaining.empty())
      remaining = " (" + std::to_string(violations.remaining.size()) +
                  " violation(s) that were there before remain and do not count)";
    return make_error(ErrorCode::conflict, "working_time",
                      std::to_string(added.size()) + " new working-time violation(s): " +
                          added[0].worker_id + " " + added[0].rule + " " + added[0].figure +
                          remaining + "; a team lead may force it with force=true and a force_reason");
  }
  std::string reason;
  if (auto e = read_text(request, "force_reason", false, 500, reason)) return *e;
  if (!added.empty() && reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid("force_reason", "is required when forcing a change that breaks working-time rules");
  return ok_status();
}

SchedulerService::Reply SchedulerService::on_call(const Envelope& request) {
  const auto started = std::chrono::steady_clock::now();
  auto slice = slices_.find(slice_key(request.body));
  const Roster& roster = slice == slices_.end() ? roster_ : slice->second;
  auto answer = answer_on_call_query(request.body, clock_.now(), data_.regions, data_.workers, roster);
  if (answer.ok()) (*answer)["roster_complete"] = roster_loaded_;
  metrics_.observe("piket_oncall_query_duration_seconds", {},
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  co_return answer;
}

// Several on-call questions in one request (the dispatcher asks for the region's crisis
// workers, team leads, physicians and the neighbouring regions at once), with each worker's
// fairness figure over the last four weeks for the matching's ranking.
SchedulerService::Reply SchedulerService::on_call_many(const Envelope& request) {
  const auto started = std::chrono::steady_clock::now();
  if (!request.body.contains("queries") || !request.body["queries"].is_array() ||
      request.body["queries"].empty() || request.body["queries"].size() > 32)
    co_return invalid("queries", "must be an array of 1 to 32 on-call questions");
  json answers = json::array();
  std::map<std::string, std::set<std::string>> workers_by_region;
  for (const auto& query : request.body["queries"]) {
    const std::string region = slice_key(query);
    auto slice = slices_.find(region);
    const Roster& roster = slice == slices_.end() ? roster_ : slice->second;
    auto answer = answer_on_call_query(query, clock_.now(), data_.regions, data_.workers, roster);
    if (!answer.ok()) {
      answers.push_back({{"error", error_to_json(answer.error())}});
      continue;
    }
    for (const auto& e : (*answer)["on_call"]) workers_by_region[region].insert(e.value("worker_id", ""));
    answers.push_back(*answer);
  }
  json fairness = json::object();
  std::set<std::string> everyone;
  for (const auto& [region, workers] : workers_by_region) {
    everyone.insert(workers.begin(), workers.end());
    for (const auto& [worker, score] : fairness_figures(region))
      if (workers.count(worker)) fairness[worker] = score;
  }
  // Each candidate's duties around now, wherever they are, for the dispatcher's working-time
  // check of a call-out (any 24 h with the job in it lies within this window).
  json duties = json::object();
  for (const auto& region : regions_of(roster_, everyone))
    for (const auto& [worker, list] : duties_around_now(region)) {
      if (!everyone.count(worker)) continue;
      json& mine = duties[worker];
      for (const auto& d : list) mine.push_back(d);
    }
  metrics_.observe("piket_oncall_query_duration_seconds", {},
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  co_return json{{"answers", answers},
                 {"fairness", fairness},
                 {"duties", duties},
                 {"roster_complete", roster_loaded_}};
}

// The incoming worker confirms the hand-off notice (and with it the open cases it named).
SchedulerService::Reply SchedulerService::acknowledge_handoff(const Envelope& request) {
  std::string id;
  if (auto e = read_text(request.body, "id", false, 200, id)) co_return *e;
  const std::string worker = request.principal->worker;
  if (id.empty() || id.size() > 200) co_return make_error(ErrorCode::not_found, "id", "no such hand-off");
  if (request.body.contains("worker"))
    co_return invalid("worker", "is not taken: the hand-off is acknowledged by the signed-in worker");
  auto changed = co_await store_.acknowledge_handoff(id, worker, clock_.now());
  if (!changed.ok()) co_return changed.error();
  co_return json{{"id", id}, {"worker", worker}, {"state", "acknowledged"}, {"changed", *changed}};
}

// Hand-offs of the last `days` (default 2), newest first; `region` and `state` (sent or
// acknowledged) narrow the list, so a team lead sees who has not confirmed yet.
SchedulerService::Reply SchedulerService::list_handoffs(const Envelope& request) {
  std::string region, state;
  if (auto e = read_text(request.body, "region", false, 200, region)) co_return *e;
  if (auto e = read_text(request.body, "state", false, 200, state)) co_return *e;
  if (!region.empty() && !data_.regions.find(region))
    co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
  if (!state.empty() && state != "sent" && state != "acknowledged")
    co_return invalid("state", "must be sent or acknowledged");
  auto stored = co_await store_.handoffs_since(clock_.now() - std::chrono::hours(48), 1000);
  if (!stored.ok()) co_return stored.error();
  json out{{"handoffs", json::array()}};
  for (auto& h : *stored) {
    if (!region.empty() && h.value("region", "") != region) continue;
    if (!state.empty() && h.value("state", "") != state) continue;
    if (h.contains("acknowledged_at"))
      h["acknowledged_at"] = format_utc(from_unix_ms(std::strtoll(h["acknowledged_at"].get<std::string>().c_str(), nullptr, 10)));
    out["handoffs"].push_back(h);
  }
  co_return out;
}

SchedulerService::Reply SchedulerService::shifts(const Envelope& request) {
  auto p = period(request.body, kWeek);
  if (!p.ok()) co_return p.error();
  std::string worker;
  if (auto e = read_text(request.body, "worker", false, 200, worker)) co_return *e;
  std::string region;
  if (auto e = read_text(request.body, "region", false, 200, region)) co_return *e;
  // A worker sees their own shifts.
  if (only_own_as_worker(*request.principal, {auth::kOperator, auth::kTeamLead, auth::kManager})) {
    if (!worker.empty() && worker != request.principal->worker)
      co_return make_error(ErrorCode::forbidden, "worker", "a worker sees their own shifts");
    worker = request.principal->worker;
  }
  if (!worker.empty() && !data_.workers.find(worker)) co_return make_error(ErrorCode::not_found, "worker", "unknown worker");
  if (!region.empty() && !data_.regions.find(region)) co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
  json out{{"from", format_utc(p->start)}, {"to", format_utc(p->end)}, {"shifts", json::array()}};
  for (const auto& s : expand(roster_, region, *p))
    if (worker.empty() || s.worker_id == worker) out["shifts"].push_back(to_json(s, zone()));
  co_return out;
}

SchedulerService::Reply SchedulerService::coverage(const Envelope& request) {
  auto p = period(request.body, kWeek * config_.scheduler.coverage_weeks);
  if (!p.ok()) co_return p.error();
  json out{{"from", format_utc(p->start)}, {"to", format_utc(p->end)}, {"gaps", json::array()}};
  for (const auto& g : find_gaps(roster_, *p)) out["gaps"].push_back(to_json(g, zone()));
  co_return out;
}

SchedulerService::Reply SchedulerService::violations(const Envelope& request) {
  auto p = period(request.body, kWeek * 4);
  if (!p.ok()) co_return p.error();
  std::set<std::string> everyone;
  for (const auto& w : data_.workers.workers()) everyone.insert(w.id);
  json out{{"from", format_utc(p->start)}, {"to", format_utc(p->end)}, {"violations", json::array()}};
  std::set<std::string> regions;
  for (const auto& r : data_.regions.regions()) regions.insert(r.id);
  // With the call-outs made in the period (and the day before, whose windows reach into it).
  auto call_outs = co_await store_.call_outs(p->start - std::chrono::hours(24));
  if (!call_outs.ok()) co_return call_outs.error();
  for (const auto& v : violations_for(roster_, everyone, regions, *p, *call_outs, data_.limits, zone()))
    out["violations"].push_back(to_json(v));
  co_return out;
}

SchedulerService::Reply SchedulerService::fairness(const Envelope& request) {
  auto p = period(request.body, kWeek * 4);
  if (!p.ok()) co_return p.error();
  json out{{"from", format_utc(p->start)}, {"to", format_utc(p->end)}, {"workers", json::array()}};
  for (const auto& row : fairness_report(expand(roster_, "", *p), *p, data_.holidays, zone()))
    out["workers"].push_back({{"worker_id", row.worker_id}, {"duties", row.duties},
                              {"nights", row.nights}, {"weekend_duties", row.weekend_duties},
                              {"holiday_duties", row.holiday_duties},
                              {"on_call_hours", row.on_call_hours}, {"shift_hours", row.shift_hours},
                              {"load_score", load_score(row)}});
  co_return out;
}

SchedulerService::Reply SchedulerService::list_overrides(const Envelope&) {
  json out{{"overrides", json::array()}, {"leave", json::array()}, {"swaps", json::array()}};
  for (const auto& o : roster_.overrides) out["overrides"].push_back(to_json(o));
  for (const auto& l : roster_.leave) out["leave"].push_back(to_json(l));
  for (const auto& s : roster_.swaps) out["swaps"].push_back(to_json(s));
  co_return out;
}

SchedulerService::Reply SchedulerService::list_rotations(const Envelope&) {
  json out{{"rotations", json::array()}};
  for (const auto& r : roster_.rotations) out["rotations"].push_back(to_json(r));
  co_return out;
}

// Whether `who` may see or revoke a feed of `target`: their own, or one of a region they
// manage (the region's or one of its workers').
bool SchedulerService::may_keep_feed(const auth::Principal& who, const std::string& target) const {
  if (!who.worker.empty() && target == "worker:" + who.worker) return true;
  if (!who.has_role(auth::kManager)) return false;
  if (target.rfind("region:", 0) == 0) return manages_region(who, target.substr(7));
  if (target.rfind("worker:", 0) == 0) {
    const Worker* w = data_.workers.find(target.substr(7));
    return w && manages_region(who, w->region);
  }
  return false;
}

SchedulerService::Reply SchedulerService::create_ical_feed(const Envelope& request) {
  const auth::Principal& who = *request.principal;
  std::string worker;
  if (auto e = read_text(request.body, "worker", false, 200, worker)) co_return *e;
  std::string region;
  if (auto e = read_text(request.body, "region", false, 200, region)) co_return *e;
  bool rotate = false;
  if (auto e = read_bool(request.body, "rotate", false, rotate)) co_return *e;
  // A worker makes a feed of their own shifts; a manager one of their region or its workers.
  if (!who.has_role(auth::kManager)) {
    if (!region.empty() || (!worker.empty() && worker != who.worker))
      co_return make_error(ErrorCode::forbidden, worker.empty() ? "region" : "worker",
                           "a worker makes a feed of their own shifts only");
    worker = who.worker;
  }
  if (worker.empty() == region.empty()) co_return invalid("worker", "name either a worker or a region");
  const Worker* feed_worker = worker.empty() ? nullptr : data_.workers.find(worker);
  if (!worker.empty() && !feed_worker) co_return make_error(ErrorCode::not_found, "worker", "unknown worker");
  if (!region.empty() && !data_.regions.find(region)) co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
  if (who.has_role(auth::kManager) && worker != who.worker) {
    const std::string of = feed_worker ? feed_worker->region : region;
    if (!manages_region(who, of)) co_return not_your_region(of);
  }
  const std::string token = new_id("f") + new_id("");  // about 200 bits: the URL is the secret
  RosterStore::IcalFeed feed;
  feed.target = worker.empty() ? "region:" + region : "worker:" + worker;
  feed.id = "f" + sha256_hex(token).substr(0, 12);
  feed.created_at = format_utc(clock_.now());
  feed.created_by = actor_of(request);
  auto revoked = co_await store_.put_ical_feed(token, feed, rotate, clock_.now());
  if (!revoked.ok()) co_return revoked.error();
  co_return json{{"url", "/ical/" + token + ".ics"}, {"id", feed.id},     {"for", feed.target},
                 {"created", true},                  {"revoked", *revoked}};
}

// The feeds the caller may keep: ids and targets, never the secret URL (shown once, at making).
SchedulerService::Reply SchedulerService::list_ical_feeds(const Envelope& request) {
  auto feeds = co_await store_.ical_feeds();
  if (!feeds.ok()) co_return feeds.error();
  json out = json::array();
  for (const auto& f : *feeds)
    if (may_keep_feed(*request.principal, f.target))
      out.push_back({{"id", f.id}, {"for", f.target}, {"created_at", f.created_at}, {"created_by", f.created_by}});
  co_return json{{"feeds", out}};
}

// A revoked feed's URL answers 404 from then on. Someone else's feed is not found either.
SchedulerService::Reply SchedulerService::revoke_ical_feed(const Envelope& request) {
  std::string id;
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  auto feeds = co_await store_.ical_feeds();
  if (!feeds.ok()) co_return feeds.error();
  for (const auto& f : *feeds) {
    if (f.id != id || !may_keep_feed(*request.principal, f.target)) continue;
    auto revoked = co_await store_.revoke_ical_feed(f, clock_.now(), actor_of(request));
    if (!revoked.ok()) co_return revoked.error();
    co_return json{{"id", id}, {"for", f.target}, {"revoked", true}};
  }
  co_return make_error(ErrorCode::not_found, "id", "no such feed");
}

SchedulerService::Reply SchedulerService::ical_feed(const Envelope& request) {
  std::string token;
  if (auto e = read_text(request.body, "id", false, 200, token)) co_return *e;
  auto target = co_await store_.ical_token_target(token);
  if (!target.ok()) co_return target.error();
  const bool is_region = target->rfind("region:", 0) == 0;
  const std::string who = target->substr(target->find(':') + 1);
  // Duties that start in the feed's window, whole: the expansion reaches a month further on
  // each side, so no duty in the feed is cut at an edge (which would change its UID or end
  // from one fetch to the next).
  const auto month = std::chrono::hours(24 * 31);
  const Interval window{clock_.now() - std::chrono::hours(24 * 30), clock_.now() + std::chrono::hours(24 * 120)};
  std::vector<Shift> shifts;
  for (auto& s : expand(roster_, is_region ? who : "", {window.start - month, window.end + month}))
    if ((is_region || s.worker_id == who) && window.contains(s.start)) shifts.push_back(std::move(s));
  // A changed event (end, position) keeps its UID and gets a higher SEQUENCE.
  std::vector<std::pair<std::string, std::string>> fingerprints;
  for (const auto& s : shifts)
    fingerprints.emplace_back(event_uid(s), format_utc(s.end) + "|" + std::to_string(s.position) + "|" + s.worker_id);
  auto sequences = co_await store_.sequences(fingerprints);
  if (!sequences.ok()) co_return sequences.error();
  std::map<std::string, int> sequence_of;
  for (std::size_t i = 0; i < fingerprints.size() && i < sequences->size(); ++i)
    sequence_of[fingerprints[i].first] = (*sequences)[i];
  IcalOptions options;
  options.calendar_name = "Piket " + who;
  options.time_zone = config_.data.time_zone;
  options.now = clock_.now();
  options.sequence_of = [&](const std::string& uid) {
    auto it = sequence_of.find(uid);
    return it == sequence_of.end() ? 0 : it->second;
  };
  for (const auto& r : data_.regions.regions()) options.region_names[r.id] = r.name;
  co_return json{{"content_type", "text/calendar; charset=utf-8"}, {"text", render_ical(shifts, options)}};
}

}  // namespace piket::scheduler
