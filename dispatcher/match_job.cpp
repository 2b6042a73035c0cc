// Matching a report: one context read, one batched on-call question to the scheduler (the
// region's role, its team leads, its physicians and its neighbours), one read of the
// candidates' loads, then one atomic step that stores the ranking and the ladder and fires the
// first step.
#include <date/tz.h>

#include <array>
#include <set>

#include "common/domain/states.hpp"
#include "common/local_time.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "dispatcher/ladder_steps.hpp"
#include "dispatcher/matching/ladder.hpp"
#include "dispatcher/service.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("dispatcher"); }

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& e : j[key])
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

// Local midnight of `now` in the region's zone: "today" for the case limit.
TimePoint local_day_start(TimePoint now, const std::string& time_zone) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    return now - std::chrono::hours(24);
  }
  const auto local = zone->to_local(now);
  const auto midnight = date::floor<date::days>(local);
  return std::chrono::time_point_cast<std::chrono::milliseconds>(zone->to_sys(midnight, date::choose::earliest));
}
// The workers the first step that alerts anyone will page.
std::vector<std::string> first_targets(const std::vector<LadderStep>& steps) {
  std::vector<std::string> out;
  for (const auto& step : steps) {
    for (const auto& t : step.targets) out.push_back(t.worker_id);
    if (!out.empty()) break;
  }
  return out;
}

// Holds a job's first picks in the shared count until the job is done, however it ends.
struct PicksInFlight {
  std::map<std::string, int>& counts;
  std::vector<std::string> workers;
  PicksInFlight(std::map<std::string, int>& c, std::vector<std::string> w) : counts(c), workers(std::move(w)) {
    for (const auto& worker : workers) ++counts[worker];
  }
  ~PicksInFlight() {
    for (const auto& worker : workers)
      if (--counts[worker] <= 0) counts.erase(worker);
  }
  PicksInFlight(const PicksInFlight&) = delete;
  PicksInFlight& operator=(const PicksInFlight&) = delete;
};
}  // namespace

asio::awaitable<bool> DispatcherService::handle_match_job(const redis::StreamEntry& entry) {
  auto report_it = entry.fields.find("report");
  if (report_it == entry.fields.end() || !valid_report_id(report_it->second)) {
    log()->error("event=bad_match_job entry={}", entry.id);
    co_return (co_await store_.drop_job(entry.id)).ok();
  }
  const std::string& report_id = report_it->second;
  const auto started = std::chrono::steady_clock::now();
  auto context = co_await store_.match_context(report_id);
  if (!context.ok()) co_return false;  // Redis trouble: stays pending, retried
  const auto state = parse_report_state(context->state);
  if (!context->exists || (state != ReportState::matching && state != ReportState::unassigned))
    co_return (co_await store_.drop_job(entry.id)).ok();

  const TimePoint now = clock_.now();
  const Region* region = data_.regions.find(context->region);
  if (!region) co_return (co_await store_.drop_job(entry.id)).ok();
  const json& triage = context->triage;
  const bool physician = triage.value("physician", false);

  // One batched question: [0] the region's crisis workers, [1] its team leads, [2] its
  // physicians, then each neighbour's crisis workers.
  json queries = json::array();
  // A named array, not a brace list: GCC 12 cannot keep brace-list temporaries in a coroutine.
  const std::array<const char*, 3> roles{kRoleCrisisWorker, kRoleTeamLead, kRolePhysician};
  for (const char* role : roles) {
    json q{{"region", region->id}, {"role", role}, {"at", format_utc(now)}};
    queries.push_back(q);
  }
  for (const auto& neighbour : region->neighbours) {
    json q{{"region", neighbour}, {"role", kRoleCrisisWorker}, {"at", format_utc(now)}};
    queries.push_back(q);
  }
  json question{{"queries", queries}};
  auto on_call = co_await scheduler_.call(msg::kOnCallQueryMany, std::move(question));
  if (!on_call.ok() && on_call.error().code == ErrorCode::unavailable) {
    log()->warn("event=scheduler_unavailable report={} retry=true", report_id);
    co_return false;
  }
  json answers = on_call.ok() ? on_call->value("answers", json::array()) : json::array();
  auto answer = [&](std::size_t i) { return i < answers.size() ? answers[i] : json::object(); };
  std::map<std::string, double> fairness;
  if (on_call.ok() && on_call->contains("fairness") && (*on_call)["fairness"].is_object())
    for (const auto& [worker, score] : (*on_call)["fairness"].items())
      if (score.is_number()) fairness[worker] = score.get<double>();
  std::map<std::string, std::vector<Shift>> duties;
  if (on_call.ok()) duties = duties_from_on_call(on_call->value("duties", json::object()));

  MatchRequest request;
  request.region = region->id;
  request.municipality = context->municipality;
  request.required_skills = strings(triage, "skills");
  request.people_needed = std::clamp(context->needed, 1, 2);
  request.family_workers = context->family_workers;
  request.on_call = candidates_from_on_call(answer(0));
  request.fairness = fairness;
  request.exclude.insert(context->declined.begin(), context->declined.end());
  request.duties = std::move(duties);
  request.now = now;
  if (TimePoint by; triage.contains("first_contact_by") && triage["first_contact_by"].is_string() &&
                    parse_utc(triage["first_contact_by"].get<std::string>(), by))
    request.on_scene_by = by;
  request.working_time.limits = &data_.limits;
  request.working_time.zone = find_zone(region->time_zone);
  request.working_time.now = now;
  // The job a call-out means: every report matched is acute and gets a home visit.
  request.working_time.expected_job = std::chrono::minutes(config_.dispatcher.visit_minutes);
  std::vector<std::pair<std::string, std::vector<Candidate>>> neighbour_on_call;
  for (std::size_t i = 0; i < region->neighbours.size(); ++i)
    neighbour_on_call.emplace_back(region->neighbours[i], candidates_from_on_call(answer(3 + i)));

  // Loads of everyone who could be asked, in one read.
  std::set<std::string> everyone;
  for (const auto& c : request.on_call) everyone.insert(c.worker_id);
  for (const auto& [name, list] : neighbour_on_call)
    for (const auto& c : list) everyone.insert(c.worker_id);
  std::vector<std::string> worker_ids(everyone.begin(), everyone.end());
  if (!worker_ids.empty()) {
    // Call-outs from two days back: any 24 h the rule looks at around now starts after that.
    auto loads = co_await store_.worker_loads(worker_ids, local_day_start(now, region->time_zone),
                                              now - std::chrono::hours(24), now - std::chrono::hours(48), now);
    if (!loads.ok()) co_return false;
    for (auto& row : *loads)
      request.loads[row.worker_id] = WorkerLoad{row.cases_today, std::move(row.call_outs), row.last_ms,
                                                row.open_callouts, from_unix_ms(row.busy_until_ms)};
  }
  const auto workers = co_await workers_.current();
  // Jobs matched at the same time read the same loads: the picks of those still being stored
  // count too, so simultaneous reports spread out. (No co_await from here to the reservation
  // below, so no other job can pick in between.)
  for (auto& [worker, load] : request.loads) {
    auto picked = picks_in_flight_.find(worker);
    if (picked != picks_in_flight_.end()) load.open_callouts += picked->second;
  }
  LadderInput ladder_input;
  ladder_input.region = region->id;
  ladder_input.people_needed = request.people_needed;
  ladder_input.local = rank_candidates(request, *workers, &data_.places, data_.weights);
  for (auto& [name, list] : neighbour_on_call) {
    MatchRequest n = request;
    n.region = name;
    n.family_workers.clear();
    n.on_call = std::move(list);
    ladder_input.neighbours.emplace_back(name, rank_candidates(n, *workers, &data_.places, data_.weights));
  }
  for (const auto& c : candidates_from_on_call(answer(1))) ladder_input.team_leads.push_back(c.worker_id);
  const EscalationPolicy& policy = data_.escalation.for_region(region->id);
  const auto steps = build_ladder(policy, ladder_input);
  PicksInFlight picks{picks_in_flight_, first_targets(steps)};

  // Each target carries what the visit planning needs later: shift end and travel time.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> timing;  // worker -> (shift end, travel)
  auto note_timing = [&](const MatchResult& result) {
    for (const auto& c : result.ranked)
      timing.emplace(c.worker_id, std::make_pair(to_unix_ms(c.shift_end) > 0 ? to_unix_ms(c.shift_end) : 0,
                                                 travel_time(c.km).count()));
  };
  note_timing(ladder_input.local);
  for (const auto& [name, result] : ladder_input.neighbours) note_timing(result);
  json ladder = ladder_to_json(steps);
  std::size_t targets = 0;
  for (auto& step : ladder)
    for (auto& t : step["targets"]) {
      ++targets;
      auto found = timing.find(t.value("worker", ""));
      t["shift_end_ms"] = found == timing.end() ? 0 : found->second.first;
      t["travel_ms"] = found == timing.end() ? travel_time(std::nullopt).count() : found->second.second;
    }

  if (targets == 0) {
    std::string why = on_call.ok() ? "nobody on call who may take this report in " + region->id
                                   : "scheduler refused: " + on_call.error().to_string();
    log()->warn("event=coverage_gap report={} region={}", report_id, region->id);
    metrics_.count("piket_coverage_failures_total");
    auto retry_at = now + std::chrono::milliseconds(config_.dispatcher.rematch_delay_ms);
    co_return (co_await store_.no_candidate(report_id, entry.id, retry_at, now, why)).ok();
  }

  // The alert names no one and tells nothing: a reference, the urgency, where, and a link.
  json alert_template{{"reference", report_id},
                      {"urgency", triage.value("class", std::string{})},
                      {"municipality", context->municipality},
                      {"region", region->id},
                      {"link", config_.gateway.public_url + "/api/v1/reports/" + report_id}};
  json informed = json::array();
  for (const auto& worker : ladder_input.local.informed) {
    json notice{{"alert_id", report_id + "-info-" + worker}, {"kind", "info"}, {"worker", worker},
                {"reference", report_id}, {"urgency", triage.value("class", std::string{})},
                {"region", region->id},
                {"message", "a family you work with has a new crisis report; the on-call professional goes"}};
    informed.push_back({{"worker", worker}, {"alert", notice}});
  }
  const auto& top = ladder_input.local.ranked;
  std::string summary = std::to_string(top.size()) + " eligible, " +
                        std::to_string(ladder_input.local.excluded.size()) + " excluded";
  if (!top.empty()) summary += ", first " + top.front().worker_id;
  std::string physician_id;
  if (physician) {
    auto physicians = candidates_from_on_call(answer(2));
    if (!physicians.empty()) physician_id = physicians.front().worker_id;
  }
  json plan{{"report", report_id},
            {"now", to_unix_ms(now)},
            {"entry", entry.id},
            {"ladder", ladder},
            {"ranking", ladder_input.local.to_json()},
            {"alert_template", alert_template},
            {"restart_after_ms", std::chrono::duration_cast<std::chrono::milliseconds>(policy.restart_after).count()},
            {"informed", informed},
            {"team_leads", ladder_input.team_leads},
            {"physician", physician_id},
            {"summary", summary},
            {"actor", "dispatcher"}};
  add_first_step(plan, *context, now);
  auto stored = co_await store_.start_ladder(plan);
  if (!stored.ok()) co_return false;
  wake_timers();  // the next step's deadline may come before the one the loop sleeps towards
  metrics_.observe("piket_match_duration_seconds", {},
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  if (*stored != "skipped") {
    metrics_.count("piket_alerts_queued_total");
    log()->info("event=ladder_started report={} outcome={} {}", report_id, *stored, summary);
    events_.publish(msg::kEventAssignmentCreated, {{"report", report_id}, {"ladder", *stored}});
  }
  co_return true;
}

}  // namespace piket::dispatcher
