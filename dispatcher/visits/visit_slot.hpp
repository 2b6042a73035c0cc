#pragma once
// Where the same-day visit goes: the first time, after the workers can be there, when none of
// them is on another visit. Pure: the store reads the workers' visits, this decides, the store
// writes the visit only if those visits are still as read.
#include <chrono>
#include <optional>
#include <vector>

#include "common/clock.hpp"

namespace piket::dispatcher {

struct BusyInterval {
  TimePoint start, end;  // [start, end)
};

// The first start at or after `earliest` where a visit of `length` overlaps none of `busy`
// (the visits of every worker of the visit, in any order), ending within `horizon` of
// `earliest`; nullopt when the horizon holds no such slot.
std::optional<TimePoint> find_visit_slot(std::vector<BusyInterval> busy, TimePoint earliest,
                                         std::chrono::milliseconds length,
                                         std::chrono::milliseconds horizon);

}  // namespace piket::dispatcher
