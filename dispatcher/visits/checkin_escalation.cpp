#include "dispatcher/visits/checkin_escalation.hpp"

namespace piket::dispatcher {
namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}
}  // namespace

CheckinEscalation decide_checkin_escalation(const CheckinSnapshot& visit, TimePoint now,
                                            std::chrono::seconds reminder) {
  CheckinEscalation out;
  if (visit.state == VisitState::completed) return out;
  out.escalate = true;
  out.remind_at = now + reminder;
  out.notify = visit.team_leads;
  // Without a team lead on call nobody can be alerted now; the reminder keeps it on record
  // and tries again, so it is never silently dropped.
  if (visit.team_leads.empty())
    out.note = "workers=" + joined(visit.workers) + " no team lead was on call to escalate to; reminder repeats";
  else
    out.note = "workers=" + joined(visit.workers) + " escalated to team lead " + joined(visit.team_leads);
  return out;
}

}  // namespace piket::dispatcher
