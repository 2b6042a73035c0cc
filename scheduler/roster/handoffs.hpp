#pragma once
// Shift hand-offs, pure: the primary duties that started in a stretch of time, each with the
// worker who had the duty just before (the outgoing one). A new piece of the same worker's duty
// (the next night of their turn) is no hand-off.
#include <map>
#include <string>
#include <vector>

#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

struct Handoff {
  std::string id;        // stable: "h-<region>-<role>-<duty>-<start ms>", so a notice is sent once
  std::string worker;    // incoming
  std::string outgoing;  // "" when nobody had the duty just before
  std::string region;
  std::string role;
  DutyType duty = DutyType::on_call;
  TimePoint start;
  TimePoint end;
};

// Hand-offs whose duty started in (from, until], from the roster sliced per region.
std::vector<Handoff> handoffs_between(const std::map<std::string, Roster>& slices, TimePoint from,
                                      TimePoint until);

}  // namespace piket::scheduler
