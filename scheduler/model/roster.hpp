#pragma once
// The roster a manager plans: rotations plus overrides, leave and approved swaps, and the
// minimum staffing they must meet. Plain structs, shared by the pure modules of the scheduler
// (roster/ expansion, coverage/, rules/, ical/, import/). All instants are UTC; local time
// lives in the rotations' definitions and at the edges.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "scheduler/roster/rotation.hpp"

namespace piket::scheduler {

// DutyType, Interval and Shift (one concrete duty of one worker, after rotations, overrides,
// swaps and leave are applied) come from common/domain/duty.hpp through rotation.hpp.

struct Override {
  enum class Kind { replace, add, remove };
  std::string id;
  Kind kind = Kind::replace;
  std::string region;
  std::string role = kRoleCrisisWorker;
  DutyType duty = DutyType::on_call;
  std::string worker_id;           // who is added, or who replaces
  std::string replaced_worker_id;  // replace/remove: who is taken off
  Interval interval;
  std::string created_by;
  std::string reason;        // free text from the team lead; no personal data
  bool forced = false;       // created despite a working-time violation
  std::string force_reason;  // required when forced
};

struct Leave {
  std::string id;
  std::string worker_id;
  Interval interval;
  std::string category;  // holiday, sick, training, other: never the reason's details
};

struct SwapStep {
  std::string state;  // requested, accepted, approved, rejected, cancelled
  std::string by;     // worker or team lead id
  TimePoint at;
};

struct SwapRequest {
  std::string id;
  std::string requester_id;  // gives the shift away
  std::string peer_id;       // takes it
  std::string region;
  std::string role = kRoleCrisisWorker;
  Interval interval;  // the part of the requester's duty that moves to the peer
  std::string state = "requested";
  std::vector<SwapStep> history;
};

struct StaffingMinimum {
  std::string region;
  std::string role;
  DutyType duty = DutyType::on_call;
  int minimum = 1;
};

struct Roster {
  std::vector<Rotation> rotations;
  std::vector<Override> overrides;
  std::vector<Leave> leave;
  std::vector<SwapRequest> swaps;  // only approved ones change who is on duty
  std::vector<StaffingMinimum> minimums;
  // Workers who are not active: off every duty, as if on leave without end, so the rotations
  // that name them show the gap they leave.
  std::set<std::string> inactive;
};

}  // namespace piket::scheduler
