#include "dispatcher/access/report_access.hpp"

#include <algorithm>

#include "common/domain/states.hpp"

namespace piket::dispatcher {
using nlohmann::json;

ReportFacts report_facts_from_json(const json& j) {
  ReportFacts f;
  if (!j.is_object() || !j.value("exists", false)) return f;
  f.exists = true;
  f.region = j.value("region", std::string{});
  f.state = j.value("state", std::string{});
  f.kind = j.value("kind", std::string{});
  // (An empty list comes from Lua's cjson as {}.)
  if (j.contains("assignments") && j["assignments"].is_array())
    for (const auto& a : j["assignments"])
      f.assignments.push_back({a.value("id", std::string{}), a.value("worker", std::string{}),
                               a.value("state", std::string{})});
  if (j.contains("visit_workers") && j["visit_workers"].is_array())
    for (const auto& w : j["visit_workers"])
      if (w.is_string()) f.visit_workers.push_back(w.get<std::string>());
  return f;
}

ReportAccess decide_report_access(const auth::Principal& who, const ReportFacts& facts,
                                  ReportAction action, const std::string& assignment_id) {
  if (!facts.exists) return ReportAccess::refused;
  // An advice contact has no region until it is converted: only a desk for every region sees it.
  const bool desk = who.has_role(auth::kOperator) &&
                    (who.all_regions() || (!facts.region.empty() && who.in_region(facts.region)));
  if (desk && action != ReportAction::answer && action != ReportAction::checkin) return ReportAccess::desk;
  if (!who.has_role(auth::kWorker) || who.worker.empty()) return ReportAccess::refused;
  const auto assigned = [&](std::initializer_list<AssignmentState> states) {
    return std::any_of(facts.assignments.begin(), facts.assignments.end(), [&](const auto& a) {
      if (a.worker != who.worker) return false;
      return std::any_of(states.begin(), states.end(), [&](AssignmentState s) { return a.state == str(s); });
    });
  };
  const bool on_visit =
      std::find(facts.visit_workers.begin(), facts.visit_workers.end(), who.worker) != facts.visit_workers.end();
  switch (action) {
    case ReportAction::read:
      return assigned({AssignmentState::alerted, AssignmentState::accepted}) ? ReportAccess::own
                                                                             : ReportAccess::refused;
    case ReportAction::read_visit:
    case ReportAction::checkin:
      return on_visit ? ReportAccess::own : ReportAccess::refused;
    case ReportAction::answer:
      for (const auto& a : facts.assignments)
        if (a.id == assignment_id) return a.worker == who.worker ? ReportAccess::own : ReportAccess::refused;
      return ReportAccess::refused;
    case ReportAction::outcome:
      return assigned({AssignmentState::accepted}) ? ReportAccess::own : ReportAccess::refused;
    case ReportAction::desk_change:
      return ReportAccess::refused;
  }
  return ReportAccess::refused;
}

}  // namespace piket::dispatcher
