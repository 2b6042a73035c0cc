#pragma once
// Minimum staffing: where, inside a window, fewer distinct workers are on duty than a
// StaffingMinimum asks for. Pure; uses the same expansion as roster/roster_expander.hpp, so
// overrides, approved swaps, leave and layers count exactly as they do for who is on call.
#include <string>
#include <vector>

#include "scheduler/model/roster.hpp"
#include "scheduler/roster/rotation.hpp"

namespace piket::scheduler {

struct Gap {
  std::string region, role;
  DutyType duty = DutyType::on_call;
  Interval interval;  // [start, end), exact instants
  int staffed = 0;    // distinct workers on duty throughout the interval
  int minimum = 0;
};

// For every StaffingMinimum (in roster order), every maximal interval inside `window` where
// fewer distinct workers than the minimum are on that region, role and duty. Neighbouring
// understaffed stretches are one Gap while the staffed count stays the same, and two Gaps
// where it changes (they then share their boundary instant). Gaps of one minimum are in time
// order. A minimum of 0 or less never has a gap. Cost: a sweep over the sorted boundary
// instants of the group (rotation windows, overrides, swaps, leave), never per minute.
std::vector<Gap> find_gaps(const Roster& roster, Interval window);

}  // namespace piket::scheduler
