#pragma once
// Need to know for reports, decided here, by the daemon that owns them: the desk (an operator
// of the report's region) sees and handles the case; a worker sees and acts on it only while it
// is theirs (an assignment for them, a visit they are on). Pure: the facts come from
// piket_report_access_facts, a read that logs nothing.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/auth/principal.hpp"

namespace piket::dispatcher {

struct ReportFacts {
  bool exists = false;
  std::string region, state, kind;
  struct Assignment {
    std::string id, worker, state;
  };
  std::vector<Assignment> assignments;
  std::vector<std::string> visit_workers;
};
ReportFacts report_facts_from_json(const nlohmann::json& j);

enum class ReportAction {
  read,         // the case's details (GET /reports/{id})
  read_visit,   // the visit with the case as the professional needs it
  answer,       // accept or decline an assignment
  checkin,      // a check-in during the visit
  outcome,      // the outcome of the contact
  desk_change,  // triage override, restraining order extension, advice conversion
};

enum class ReportAccess {
  refused,  // answered as if the report did not exist, and logged
  desk,     // the operator's view: everything
  own,      // the worker's view: their own case, without the reporter
};

// `assignment_id` names the assignment for ReportAction::answer.
ReportAccess decide_report_access(const auth::Principal& who, const ReportFacts& facts,
                                  ReportAction action, const std::string& assignment_id = "");

}  // namespace piket::dispatcher
