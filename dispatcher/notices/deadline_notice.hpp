#pragma once
// A report's deadline notice (first contact due or near, a restraining order's clocks) fired:
// who is paged. Pure: the store gives the report as it is, this decides, the store applies it
// only if the report has not moved since the read.
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/states.hpp"

namespace piket::dispatcher {

struct NoticeSnapshot {
  ReportState state = ReportState::queued;
  bool first_contact_made = false;      // someone is or was at the family's door
  std::vector<std::string> owners;      // accepted professionals and those on the visit
  std::vector<std::string> team_leads;  // on call for the report's region now
};

struct NoticeDecision {
  bool record = false;              // false: the report is closed or referred, nothing to say
  std::vector<std::string> page;    // who is alerted now (may be empty: then `note` says why)
  std::string note;                 // for the report's timeline and the audit trail
};

// `label` is the notice's name: first_contact_due, first_contact_warning_<n>,
// order_address_due, order_ends_in_24h, order_ends (others are paged as a warning).
NoticeDecision decide_deadline_notice(std::string_view label, const NoticeSnapshot& report);

}  // namespace piket::dispatcher
