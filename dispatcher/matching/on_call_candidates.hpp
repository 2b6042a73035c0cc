#pragma once
// The scheduler's on-call answer as matching candidates. Pure.
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

// Candidates from the scheduler's oncall.query answer; malformed entries are skipped.
std::vector<Candidate> candidates_from_on_call(const nlohmann::json& answer);

}  // namespace piket::dispatcher
