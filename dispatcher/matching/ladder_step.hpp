#pragma once
// Firing a step of a report's escalation ladder, decided on a snapshot. Pure: Redis applies the
// decision (piket_apply_step, or piket_start_ladder for the first step) only if the report is
// still where it was read.
//
// Steps keep their times from the ladder's start (the base + after_s), so a late tick (a
// restarted dispatcher) catches up in order; a step fired early (a decline, a skipped step)
// moves the base so the rest keep their spacing. A step whose targets were all alerted before
// (and did not need repeating) or declined is passed over at once with its reason. Past the
// last step the report waits `restart_after` for a late answer, then is matched again.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace piket::dispatcher {

struct AssignmentSeen {
  std::string id, worker, state;
  int round = 0;
};

struct StepSnapshot {
  nlohmann::json ladder = nlohmann::json::array();  // as stored: ladder_to_json with timing per target
  int round = 0;                                    // the report's matching round
  std::optional<std::int64_t> base_ms;              // the ladder's start; none = now
  std::int64_t restart_after_ms = 300000;
  std::vector<AssignmentSeen> assignments;
};

struct StepAlert {
  std::string worker, region, why;
  std::int64_t shift_end_ms = 0, travel_ms = 0;
  std::string repeat_of;  // the assignment alerted again; empty = a new assignment
};

struct SkippedStep {
  int step = 0;
  std::string target, why;
};

struct StepDecision {
  enum class Outcome { alerted, exhausted, restarted };
  Outcome outcome = Outcome::alerted;
  int step = 0;  // the step that alerts
  std::string target, channel;
  std::vector<SkippedStep> skipped;
  std::optional<std::int64_t> base_ms;  // moved when the step fired early
  std::vector<StepAlert> alerts;
  std::int64_t deadline_ms = 0;    // the alerts' answer-by time
  std::int64_t next_timer_ms = 0;  // when the next step (or the restart) is due
  int next_step = 0;
  bool last_step = false;
  int round = 0;
  std::int64_t restart_after_ms = 0;
  nlohmann::json to_json() const;  // what piket_apply_step writes
};

// Step k fires at now_ms; `on_schedule` when its timer came due (false: a decline or the
// start moved it forward).
StepDecision decide_step(const StepSnapshot& snapshot, int k, std::int64_t now_ms, bool on_schedule);

std::string_view outcome_name(StepDecision::Outcome outcome);

}  // namespace piket::dispatcher
