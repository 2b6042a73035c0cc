#pragma once
// A missed check-in on a visit (lone-worker safety): whom to tell and when to remind again.
// Pure: the store gives the visit as it is, this decides, the store applies it only if the
// visit has not moved (a check-in that arrived in between wins).
#include <chrono>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/domain/states.hpp"

namespace piket::dispatcher {

struct CheckinSnapshot {
  VisitState state = VisitState::planned;
  std::vector<std::string> workers;     // on the visit
  std::vector<std::string> team_leads;  // on call for the report's region when it was matched
};

struct CheckinEscalation {
  bool escalate = false;                // false: the visit is done, nothing to do
  std::vector<std::string> notify;      // who is alerted now
  TimePoint remind_at{};                // when it is checked again, until someone checks in
  std::string note;                     // for the report's timeline
};

// `reminder` is the escalation policy's checkin_reminder_s for the report's region.
CheckinEscalation decide_checkin_escalation(const CheckinSnapshot& visit, TimePoint now,
                                            std::chrono::seconds reminder);

}  // namespace piket::dispatcher
