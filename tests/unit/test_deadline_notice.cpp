// A report's deadline notices page the professionals on the case, or the team lead on call
// when nobody is; a missed first contact reaches both; closed reports and families already
// seen page nobody.
#include <catch.hpp>

#include "dispatcher/notices/deadline_notice.hpp"

using piket::ReportState;
using piket::dispatcher::decide_deadline_notice;
using piket::dispatcher::NoticeSnapshot;

TEST_CASE("a deadline notice pages the case's professionals or else the team lead on call",
          "[unit][notices]") {
  struct Row {
    const char* what;
    const char* label;
    ReportState state;
    bool seen;
    std::vector<std::string> owners, leads;
    bool record;
    std::vector<std::string> page;
    const char* note_has;
  };
  const std::vector<Row> rows{
      {"T3 warning on the day team's queue", "first_contact_warning_1", ReportState::queued, false, {}, {"w-lead"},
       true, {"w-lead"}, "paged w-lead"},
      {"warning with an accepted professional", "first_contact_warning_2", ReportState::accepted, false, {"w-a"},
       {"w-lead"}, true, {"w-a"}, "paged w-a"},
      {"first contact missed: both", "first_contact_due", ReportState::visit_planned, false, {"w-a", "w-b"},
       {"w-lead", "w-a"}, true, {"w-a", "w-b", "w-lead"}, "paged w-a,w-b,w-lead"},
      {"family already seen", "first_contact_due", ReportState::visit_planned, true, {"w-a"}, {"w-lead"},
       true, {}, "first contact already made"},
      {"order clocks go to the case even after the visit", "order_ends_in_24h", ReportState::visit_planned, true,
       {"w-a"}, {"w-lead"}, true, {"w-a"}, "paged w-a"},
      {"order address due with nobody on the case", "order_address_due", ReportState::unassigned, false, {},
       {"w-lead", "w-lead-2"}, true, {"w-lead", "w-lead-2"}, "w-lead,w-lead-2"},
      {"nobody to page is said", "order_ends", ReportState::queued, false, {}, {}, true, {},
       "no team lead on call"},
      {"closed: nothing", "first_contact_due", ReportState::closed, false, {"w-a"}, {"w-lead"}, false, {}, ""},
      {"referred: nothing", "order_ends", ReportState::referred, false, {"w-a"}, {"w-lead"}, false, {}, ""},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto d = decide_deadline_notice(row.label, NoticeSnapshot{row.state, row.seen, row.owners, row.leads});
    CHECK(d.record == row.record);
    CHECK(d.page == row.page);
    CHECK(d.note.find(row.note_has) != std::string::npos);
  }
}
