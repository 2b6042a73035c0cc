// A missed check-in goes to the team leads on call and is repeated at the policy's interval
// until someone checks in; a finished visit escalates nothing.
#include <catch.hpp>

#include "dispatcher/visits/checkin_escalation.hpp"

using namespace std::chrono_literals;
using piket::VisitState;
using piket::dispatcher::CheckinSnapshot;
using piket::dispatcher::decide_checkin_escalation;

TEST_CASE("a missed check-in is escalated to the team leads and reminded at the policy's interval",
          "[unit][visits]") {
  const piket::TimePoint now = piket::from_unix_ms(1796212800000);
  struct Row {
    const char* what;
    VisitState state;
    std::vector<std::string> leads;
    std::chrono::seconds reminder;
    bool escalate;
    std::vector<std::string> notify;
    const char* note_has;
  };
  const std::vector<Row> rows{
      {"planned, never arrived", VisitState::planned, {"w-lead"}, 900s, true, {"w-lead"}, "escalated to team lead w-lead"},
      {"in progress, silent", VisitState::in_progress, {"w-lead", "w-lead-2"}, 600s, true, {"w-lead", "w-lead-2"}, "w-lead,w-lead-2"},
      {"already overdue: reminded again", VisitState::overdue, {"w-lead"}, 300s, true, {"w-lead"}, "w-lead"},
      {"no team lead on call", VisitState::in_progress, {}, 900s, true, {}, "no team lead was on call"},
      {"completed: nothing", VisitState::completed, {"w-lead"}, 900s, false, {}, ""},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto d = decide_checkin_escalation(CheckinSnapshot{row.state, {"w-a"}, row.leads}, now, row.reminder);
    CHECK(d.escalate == row.escalate);
    CHECK(d.notify == row.notify);
    CHECK(d.note.find(row.note_has) != std::string::npos);
    if (row.escalate) CHECK(d.remind_at == now + row.reminder);
  }
}
