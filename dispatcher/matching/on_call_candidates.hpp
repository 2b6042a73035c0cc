#pragma once
// The scheduler's on-call answer as matching candidates. Pure.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/domain/duty.hpp"

namespace piket::dispatcher {

struct Candidate {
  std::string worker_id;
  int position = 0;  // 0 = primary
  std::string reason;  // from the scheduler
  TimePoint shift_end{};  // end of the duty the scheduler names; epoch when it gave none
};

// Candidates from the scheduler's oncall.query answer; malformed entries are skipped.
std::vector<Candidate> candidates_from_on_call(const nlohmann::json& answer);

// The "duties" of an oncall.query_many answer ({worker: [{"start", "end", "duty"}]}: each
// candidate's shifts and on-call duties around the question's time), for the working-time
// check; malformed entries are skipped.
std::map<std::string, std::vector<Shift>> duties_from_on_call(const nlohmann::json& duties);

}  // namespace piket::dispatcher
