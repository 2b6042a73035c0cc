#include "dispatcher/visits/visit_slot.hpp"

#include <algorithm>

namespace piket::dispatcher {

std::optional<TimePoint> find_visit_slot(std::vector<BusyInterval> busy, TimePoint earliest,
                                         std::chrono::milliseconds length,
                                         std::chrono::milliseconds horizon) {
  std::sort(busy.begin(), busy.end(), [](const BusyInterval& a, const BusyInterval& b) { return a.start < b.start; });
  TimePoint start = earliest;
  // In order of start, each visit that overlaps the candidate pushes it to its end; the first
  // visit that begins after the candidate ends leaves it free (every later one begins later).
  for (const auto& b : busy) {
    if (b.start >= start + length) break;
    if (b.end > start) start = b.end;
  }
  if (start + length > earliest + horizon) return std::nullopt;
  return start;
}

}  // namespace piket::dispatcher
