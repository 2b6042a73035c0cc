#pragma once
// Matching v2: which of the workers on call fit a report, and in what order. Pure.
// Stage 1 filters (every exclusion kept with its reason), stage 2 a weighted score in which
// continuity with the family comes first; every term of a score is explained in words, so a
// team lead can see why one worker was called before another. Region is not a filter here: the
// scheduler's on-call list for the region already decides that, lent workers included.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/domain/duty.hpp"
#include "common/domain/places.hpp"
#include "common/domain/workers.hpp"
#include "common/domain/working_time.hpp"
#include "dispatcher/matching/matching_weights.hpp"
#include "dispatcher/matching/on_call_candidates.hpp"

namespace piket::dispatcher {

struct WorkerLoad {
  int cases_today = 0;
  std::vector<Interval> call_outs;      // accepted call-outs' work, recent ones
  std::int64_t last_dispatched_ms = 0;  // 0 = never
  int open_callouts = 0;  // alerted for other reports, not yet answered: weighs like a case
  TimePoint busy_until{};  // end of a visit they are on or have planned; epoch = free
};

// By car in and around towns at 40 km/h, at least 15 minutes: a rough and safe figure for when
// a worker can be at the family's door.
std::chrono::milliseconds travel_time(std::optional<double> km);

// The working-time rule a call-out must keep: the expected job (from `now`, at least the
// rule's minimum call-out) is added to the worker's duties and call-outs, and a violation it
// adds excludes the worker. Without limits or zone nothing is checked.
struct WorkingTimeCheck {
  const WorkingTimeLimits* limits = nullptr;
  const date::time_zone* zone = nullptr;
  TimePoint now{};
  std::chrono::minutes expected_job{30};
};

struct MatchRequest {
  std::string region, municipality;  // the on-call list's region; the family's municipality
  std::vector<std::string> required_skills, preferred_skills;
  int people_needed = 1;  // 1 or 2; the ladder takes this many per step, each is ranked alone
  std::vector<std::string> family_workers;  // continuity: workers who already work with the family
  std::vector<Candidate> on_call;           // from the scheduler, for the required role
  std::map<std::string, WorkerLoad> loads;  // absent = no load
  std::map<std::string, double> fairness;   // load score per worker, higher = more loaded
  std::set<std::string> exclude;            // workers who declined this report
  // The candidates' duties around now (from the scheduler), for the working-time check.
  std::map<std::string, std::vector<Shift>> duties;
  WorkingTimeCheck working_time;
  // When set: each candidate's earliest time on scene (free of other visits, then travel) is
  // ranked, and measured against `on_scene_by` (the class's first-contact target).
  std::optional<TimePoint> now;
  std::optional<TimePoint> on_scene_by;
};

struct RankedCandidate {
  std::string worker_id;
  int position = 0;  // the scheduler's
  double score = 0;
  std::optional<double> km;  // from the home base to the family's municipality
  bool continuity = false;
  std::vector<std::string> reasons;  // one per score term, with its points
  TimePoint shift_end{};
  TimePoint on_scene{};  // earliest, when the request has `now`
  bool late = false;     // cannot be on scene by the request's on_scene_by
};

struct Exclusion {
  std::string worker_id;
  std::string reason;
};

struct MatchResult {
  std::vector<RankedCandidate> ranked;  // best first
  std::vector<Exclusion> excluded;      // in the scheduler's order
  // Family workers who cannot be called out (not on call, or excluded): they get an
  // information notice instead. Unknown and inactive workers are left out.
  std::vector<std::string> informed;
  nlohmann::json to_json() const;
};

// Ties in score go to the better scheduler position, then to whoever was dispatched least
// recently, then to the lower worker id, so the same input always gives the same order.
// A worker whose distance is unknown (no base, or no places) counts as far as the farthest
// known candidate: a missing base never wins on distance.
MatchResult rank_candidates(const MatchRequest& request, const WorkerDirectory& workers,
                            const Places* places, const MatchingWeights& weights);

}  // namespace piket::dispatcher
