#pragma once
// The weights of matching's ranking (DOMAIN.md, stage 2), from matching.toml so a region's
// practice is tuned without a new build.
#include <string>
#include <vector>

#include "common/config_reader.hpp"

namespace piket::dispatcher {

struct MatchingWeights {
  double continuity = 1000;
  double preferred_skill = 50;  // per preferred skill held
  double case_today = 30;       // per case already taken today
  double km = 1;                // per km from the home base
  double fairness = 10;         // for the most loaded candidate; the least loaded gets 0
  double position = 5;          // per place behind the scheduler's primary
  double waiting_minute = 1;    // per minute still on another visit before setting off
  double late = 2000;           // cannot be on scene by the class's target: after continuity
};

// matching.toml: one [weights] table; every key optional (the defaults above), each a number
// from 0 to 100000. Unknown keys are problems, so a typo cannot silently keep a default.
MatchingWeights load_matching_weights(const std::string& file, std::vector<ConfigProblem>& problems);
MatchingWeights parse_matching_weights(const std::string& file, std::string_view text,
                                       std::vector<ConfigProblem>& problems);

}  // namespace piket::dispatcher
