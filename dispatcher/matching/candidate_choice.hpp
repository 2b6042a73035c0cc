#pragma once
// Which on-call worker to alert next for a report. Pure.
// The scheduler's order (primary, backups) ranks them; a worker already alerted for this report
// (declined or silent) goes behind those not yet tried, so a decline moves on at once and, once
// everyone was tried, the round starts again with the primary rather than stopping.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace piket::dispatcher {

struct Candidate {
  std::string worker_id;
  int position = 0;  // 0 = primary
  std::string reason;  // from the scheduler
  TimePoint shift_end{};  // end of the duty the scheduler names; epoch when it gave none
};

struct Choice {
  std::size_t index = 0;
  int times_alerted_before = 0;
  std::string reason;
};

std::optional<Choice> choose_candidate(const std::vector<Candidate>& on_call,
                                       const std::vector<std::string>& already_alerted);

// Candidates from the scheduler's oncall.query answer; malformed entries are skipped.
std::vector<Candidate> candidates_from_on_call(const nlohmann::json& answer);

}  // namespace piket::dispatcher
