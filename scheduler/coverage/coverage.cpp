#include "scheduler/coverage/coverage.hpp"

#include "scheduler/roster/roster_expander.hpp"

namespace piket::scheduler {

std::vector<Gap> find_gaps(const Roster& roster, Interval window) {
  std::vector<Gap> out;
  if (window.start >= window.end) return out;
  for (const StaffingMinimum& m : roster.minimums) {
    if (m.minimum <= 0) continue;
    // staffing() already merges neighbours with an equal count, so each understaffed stretch
    // is one maximal gap of its count.
    for (const StaffedStretch& s : staffing(roster, m.region, m.role, m.duty, window))
      if (s.staffed < m.minimum)
        out.push_back({m.region, m.role, m.duty, s.interval, s.staffed, m.minimum});
  }
  return out;
}

}  // namespace piket::scheduler
