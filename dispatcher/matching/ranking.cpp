#include "dispatcher/matching/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace piket::dispatcher {

namespace {

// One decimal, without a trailing ".0": "12.3", "13".
std::string decimal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", std::round(value * 10) / 10);
  std::string text = buffer;
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  return text == "-0" ? "0" : text;
}

// Signed points for a reason: "(+1000)", "(-12.3)", "(0)".
std::string points(double value) {
  const std::string text = decimal(value);
  return "(" + (text == "0" || text[0] == '-' ? text : "+" + text) + ")";
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The common case, decided without running the rule: a worker with on-call duty only (no work
// shifts) whose call-outs, the job included, add up to no more work than the smallest limit on
// hours. With on-call duty only, call-outs count for the working-time rules through hours of
// work alone (in 24 h on call, per week, on average); every other rule looks at work shifts or
// at on-call days, which a call-out does not change. So nothing the job touches can break.
// (A rule that counts call-outs another way must be added here too; the ranking tests pin it.)
bool only_hours_can_break(const std::vector<Shift>& duties, const std::vector<Interval>& call_outs,
                          const WorkingTimeLimits& limits) {
  for (const Shift& d : duties)
    if (d.duty == DutyType::shift) return false;
  std::chrono::minutes work{0};
  for (const Interval& c : call_outs)
    work += std::max(std::chrono::duration_cast<std::chrono::minutes>(c.end - c.start), limits.min_call_out);
  return work <= std::min(limits.max_on_call_work_24h, limits.max_week);
}

// The violations the expected job would add to the worker's duties and call-outs, or make
// worse (the same rule and stretch with a higher figure), in words; empty when it keeps them
// within the rules. Violations the job does not touch (a forced roster) do not exclude.
std::string working_time_added(const MatchRequest& request, const std::string& worker_id,
                               const WorkerLoad& load) {
  const WorkingTimeCheck& check = request.working_time;
  if (!check.limits || !check.zone) return "";
  auto duties_it = request.duties.find(worker_id);
  const std::vector<Shift> duties = duties_it == request.duties.end() ? std::vector<Shift>{} : duties_it->second;
  const Interval job{check.now, check.now + std::max(check.expected_job, check.limits->min_call_out)};
  auto with_job = load.call_outs;
  with_job.push_back(job);
  if (only_hours_can_break(duties, with_job, *check.limits)) return "";
  const auto before = check_working_time(worker_id, duties, load.call_outs, *check.limits, *check.zone);
  std::string text;
  for (const auto& v : check_working_time(worker_id, duties, with_job, *check.limits, *check.zone)) {
    const bool touches_job = v.interval.start < job.end && job.start < v.interval.end;
    const bool as_before = std::any_of(before.begin(), before.end(), [&](const Violation& b) {
      return b.rule == v.rule && b.interval.start == v.interval.start && b.interval.end == v.interval.end &&
             b.figure == v.figure;
    });
    if (touches_job && !as_before) text += (text.empty() ? "" : ", ") + v.rule + " " + v.figure + " with this call-out";
  }
  return text;
}

// Every reason a worker cannot be called out, or none.
std::vector<std::string> hard_filter(const MatchRequest& request, const Worker& worker,
                                     const WorkerLoad& load) {
  std::vector<std::string> reasons;
  if (!worker.active) return {"inactive"};
  if (request.exclude.count(worker.id)) reasons.push_back("declined this report");
  std::vector<std::string> missing;
  for (const auto& skill : request.required_skills)
    if (!contains(worker.skills, skill)) missing.push_back(skill);
  if (!missing.empty())
    reasons.push_back((missing.size() == 1 ? "lacks skill " : "lacks skills ") + joined(missing));
  if (load.cases_today >= worker.daily_case_limit)
    reasons.push_back("today's case limit reached (" + std::to_string(load.cases_today) + " of " +
                      std::to_string(worker.daily_case_limit) + ")");
  if (auto added = working_time_added(request, worker.id, load); !added.empty())
    reasons.push_back("working time: " + added);
  return reasons;
}

// Minutes, rounded up: "busy 31 more min".
long minutes_of(std::chrono::milliseconds d) { return static_cast<long>((d.count() + 59999) / 60000); }

struct Eligible {
  const Worker* worker = nullptr;
  WorkerLoad load;
  RankedCandidate ranked;
};

std::string unknown_distance_why(const Worker& worker, const MatchRequest& request,
                                 const Places* places) {
  if (worker.base.empty()) return "no base on file";
  if (!places) return "no coordinates configured";
  if (!places->find(worker.base)) return "no coordinates for " + worker.base;
  return "no coordinates for " + request.municipality;
}

void score(Eligible& e, const MatchRequest& request, const Places* places,
           const MatchingWeights& weights, std::optional<double> farthest_km,
           std::optional<std::pair<double, double>> fairness_range) {
  RankedCandidate& r = e.ranked;
  double total = 0;
  auto term = [&](double value, std::string text) {
    total += value;
    r.reasons.push_back(std::move(text) + " " + points(value));
  };
  if (r.continuity) term(weights.continuity, "continuity: works with this family");
  for (const auto& skill : request.preferred_skills) {
    if (contains(e.worker->skills, skill))
      term(weights.preferred_skill, "has preferred skill " + skill);
    else
      term(0, "lacks preferred skill " + skill);
  }
  const int cases = e.load.cases_today;
  term(-weights.case_today * cases, cases == 0   ? std::string("no cases today")
                                    : cases == 1 ? std::string("1 case today")
                                                 : std::to_string(cases) + " cases today");
  if (e.load.open_callouts > 0)
    term(-weights.case_today * e.load.open_callouts,
         std::to_string(e.load.open_callouts) + " call-out(s) for other reports not yet answered");
  if (!e.worker->base.empty() && places)
    r.km = places->distance_km(e.worker->base, request.municipality);
  if (r.km) {
    term(-weights.km * *r.km, decimal(*r.km) + " km from base " + e.worker->base);
  } else {
    const std::string why =
        "distance unknown (" + unknown_distance_why(*e.worker, request, places) + ")";
    if (farthest_km)
      term(-weights.km * *farthest_km,
           why + ", counted as the farthest, " + decimal(*farthest_km) + " km");
    else
      term(0, why);
  }
  if (fairness_range) {
    const auto [low, high] = *fairness_range;
    auto it = request.fairness.find(r.worker_id);
    const double load = it == request.fairness.end() ? 0 : it->second;
    // Scaled to the candidates at hand, so the score's units (hours, nights) do not matter.
    const double share = high > low ? (load - low) / (high - low) : 0;
    term(-weights.fairness * share, "load score " + decimal(load) + ", candidates range " +
                                        decimal(low) + " to " + decimal(high));
  }
  if (request.now) {
    // When they can be at the door: after the visit they are on (or have planned), then travel.
    const TimePoint free = std::max(*request.now, e.load.busy_until);
    const auto waiting = std::chrono::duration_cast<std::chrono::milliseconds>(free - *request.now);
    if (waiting.count() > 0)
      term(-weights.waiting_minute * minutes_of(waiting),
           "on another visit for " + std::to_string(minutes_of(waiting)) + " more min");
    r.on_scene = free + travel_time(r.km ? r.km : farthest_km);
    if (request.on_scene_by && r.on_scene > *request.on_scene_by) {
      r.late = true;
      term(-weights.late, "cannot be on scene in time (" +
                              std::to_string(minutes_of(r.on_scene - *request.on_scene_by)) +
                              " min after the target)");
    }
  }
  term(-weights.position * r.position, r.position == 0
                                           ? std::string("primary on call")
                                           : "backup " + std::to_string(r.position) + " on call");
  // Rounded so that equal terms in another order still compare equal.
  r.score = std::round(total * 1e6) / 1e6;
}

}  // namespace

std::chrono::milliseconds travel_time(std::optional<double> km) {
  constexpr double kKmPerHour = 40;
  const auto by_distance =
      std::chrono::milliseconds(static_cast<std::int64_t>(km.value_or(0) / kKmPerHour * 3600 * 1000));
  return std::max<std::chrono::milliseconds>(by_distance, std::chrono::minutes(15));
}

MatchResult rank_candidates(const MatchRequest& request, const WorkerDirectory& workers,
                            const Places* places, const MatchingWeights& weights) {
  MatchResult out;
  std::vector<Eligible> eligible;
  std::set<std::string> seen;
  for (const Candidate& c : request.on_call) {
    if (!seen.insert(c.worker_id).second) continue;  // the first (best) entry counts
    const Worker* worker = workers.find(c.worker_id);
    if (!worker) {
      out.excluded.push_back({c.worker_id, "unknown worker"});
      continue;
    }
    auto load_it = request.loads.find(c.worker_id);
    const WorkerLoad load = load_it == request.loads.end() ? WorkerLoad{} : load_it->second;
    auto reasons = hard_filter(request, *worker, load);
    if (!reasons.empty()) {
      std::string text;
      for (const auto& reason : reasons) text += (text.empty() ? "" : "; ") + reason;
      out.excluded.push_back({c.worker_id, text});
      continue;
    }
    Eligible e{worker, load, {}};
    e.ranked.worker_id = c.worker_id;
    e.ranked.position = c.position;
    e.ranked.shift_end = c.shift_end;
    e.ranked.continuity = contains(request.family_workers, c.worker_id);
    eligible.push_back(std::move(e));
  }

  std::optional<double> farthest_km;
  std::optional<std::pair<double, double>> fairness_range;
  for (const Eligible& e : eligible) {
    if (!e.worker->base.empty() && places)
      if (auto km = places->distance_km(e.worker->base, request.municipality))
        farthest_km = std::max(farthest_km.value_or(0.0), *km);
    if (!request.fairness.empty()) {
      auto it = request.fairness.find(e.ranked.worker_id);
      const double load = it == request.fairness.end() ? 0 : it->second;
      fairness_range = fairness_range ? std::pair{std::min(fairness_range->first, load),
                                                  std::max(fairness_range->second, load)}
                                      : std::pair{load, load};
    }
  }
  for (Eligible& e : eligible) score(e, request, places, weights, farthest_km, fairness_range);

  std::sort(eligible.begin(), eligible.end(), [](const Eligible& a, const Eligible& b) {
    if (a.ranked.score != b.ranked.score) return a.ranked.score > b.ranked.score;
    if (a.ranked.position != b.ranked.position) return a.ranked.position < b.ranked.position;
    if (a.load.last_dispatched_ms != b.load.last_dispatched_ms)
      return a.load.last_dispatched_ms < b.load.last_dispatched_ms;
    return a.ranked.worker_id < b.ranked.worker_id;
  });
  for (Eligible& e : eligible) out.ranked.push_back(std::move(e.ranked));

  std::set<std::string> noticed;
  for (const auto& id : request.family_workers) {
    const Worker* worker = workers.find(id);
    if (!worker || !worker->active || !noticed.insert(id).second) continue;
    const bool ranked = std::any_of(out.ranked.begin(), out.ranked.end(),
                                    [&](const RankedCandidate& r) { return r.worker_id == id; });
    if (!ranked) out.informed.push_back(id);
  }
  return out;
}

nlohmann::json MatchResult::to_json() const {
  nlohmann::json out{{"ranked", nlohmann::json::array()},
                     {"excluded", nlohmann::json::array()},
                     {"informed", informed}};
  for (const auto& r : ranked) {
    nlohmann::json entry{{"worker_id", r.worker_id},   {"position", r.position},
                         {"score", r.score},           {"km", nullptr},
                         {"continuity", r.continuity}, {"reasons", r.reasons},
                         {"shift_end", nullptr}};
    if (r.km) entry["km"] = std::round(*r.km * 10) / 10;
    if (r.shift_end != TimePoint{}) entry["shift_end"] = format_utc(r.shift_end);
    if (r.on_scene != TimePoint{}) entry["on_scene"] = format_utc(r.on_scene);
    if (r.late) entry["late"] = true;
    out["ranked"].push_back(std::move(entry));
  }
  for (const auto& e : excluded)
    out["excluded"].push_back({{"worker_id", e.worker_id}, {"reason", e.reason}});
  return out;
}

}  // namespace piket::dispatcher
