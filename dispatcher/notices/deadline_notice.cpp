#include "dispatcher/notices/deadline_notice.hpp"

#include <algorithm>

namespace piket::dispatcher {
namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (std::find(to.begin(), to.end(), n) == to.end()) to.push_back(n);
}
}  // namespace

NoticeDecision decide_deadline_notice(std::string_view label, const NoticeSnapshot& report) {
  NoticeDecision out;
  if (report.state == ReportState::closed || report.state == ReportState::referred) return out;
  out.record = true;
  const bool first_contact = label.starts_with("first_contact_");
  if (first_contact && report.first_contact_made) {
    // The family has been seen: on record, nobody needs waking for it.
    out.note = "first contact already made; nobody paged";
    return out;
  }
  // The case's own professionals hear of its deadlines; without them the team lead on call
  // does. A missed first contact goes to both: the lead must step in.
  add_unique(out.page, report.owners);
  if (out.page.empty() || label == "first_contact_due") add_unique(out.page, report.team_leads);
  if (out.page.empty())
    out.note = "nobody on the case and no team lead on call to page";
  else
    out.note = "paged " + joined(out.page);
  return out;
}

}  // namespace piket::dispatcher
