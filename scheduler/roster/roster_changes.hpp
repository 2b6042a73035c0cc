#pragma once
// What a planned change does to the roster: the working-time violations and coverage gaps it
// would add. Pure: the scheduler compares the roster before and after, then refuses (or warns).
#include <map>
#include <set>
#include <string>
#include <vector>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "scheduler/coverage/coverage.hpp"
#include "scheduler/model/roster.hpp"
#include "common/domain/working_time.hpp"

namespace piket::scheduler {

// The regions whose duties name any of `workers` (rotations, overrides, swaps): a change that
// touches those workers is checked there and nowhere else.
std::set<std::string> regions_of(const Roster& roster, const std::set<std::string>& workers);

// Violations of `workers` over `window`, from the roster expanded in `regions` only, with
// their accepted call-outs.
std::vector<Violation> violations_for(const Roster& roster, const std::set<std::string>& workers,
                                      const std::set<std::string>& regions, Interval window,
                                      const std::map<std::string, std::vector<Interval>>& call_outs,
                                      const WorkingTimeLimits& limits, const date::time_zone& zone);
// The gaps a change opens or deepens: the parts of each gap in `after` where staffing is lower
// than in `before` (where `before` had no gap, it was at its minimum). Parts that were already
// as low are left out, so a change that eases or narrows a gap reports nothing.
std::vector<Gap> added_gaps(const std::vector<Gap>& before, const std::vector<Gap>& after);

nlohmann::json to_json(const Violation& v);
nlohmann::json to_json(const Gap& g, const date::time_zone& zone);

}  // namespace piket::scheduler
