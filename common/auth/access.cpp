#include "common/auth/access.hpp"

#include <algorithm>

#include "common/message_types.hpp"

namespace piket::auth {
namespace {
constexpr Grant R = Grant::refused, O = Grant::own, A = Grant::allowed;

//                       operator worker team_lead manager admin privacy_officer
const std::vector<AccessRule> kRules = {
    // The dispatcher: reports, assignments, visits, the audit trail.
    {msg::kReportSubmit, {A, R, R, R, R, R}, {"reports:create"}},
    {msg::kReportList, {O, R, R, R, R, R}, {}},
    {msg::kReportGet, {O, O, R, R, R, R}, {}},
    {msg::kReportBreakGlass, {A, R, A, A, R, R}, {}},
    {msg::kAccessFlaggedList, {R, R, R, R, R, A}, {}},
    {msg::kAccessFlaggedClose, {R, R, R, R, R, A}, {}},
    {msg::kReportTriageOverride, {O, R, R, R, R, R}, {}},
    {msg::kReportOutcome, {O, O, R, R, R, R}, {}},
    {msg::kOrderExtend, {O, R, R, R, R, R}, {}},
    {msg::kAdviceConvert, {O, R, R, R, R, R}, {}},
    {msg::kAssignmentAccept, {R, O, R, R, R, R}, {}},
    {msg::kAssignmentDecline, {R, O, R, R, R, R}, {}},
    {msg::kVisitGet, {O, O, R, R, R, R}, {}},
    {msg::kVisitCheckin, {R, O, R, R, R, R}, {}},
    {msg::kAssignmentMine, {R, O, R, R, R, R}, {}},
    {msg::kEventsRead, {O, O, R, R, R, R}, {}},
    {msg::kAuditVerify, {R, R, R, R, A, A}, {}},
    // The scheduler: who is on call, rosters, workers and teams.
    {msg::kOnCallQuery, {A, R, A, A, R, R}, {"oncall:read"}},
    {msg::kRosterShifts, {A, O, A, A, R, R}, {}},
    {msg::kRosterCoverage, {R, R, A, A, R, R}, {}},
    {msg::kRosterViolations, {R, R, A, A, R, R}, {}},
    {msg::kRosterFairness, {R, R, A, A, R, R}, {}},
    {msg::kRosterRotationList, {R, R, A, A, R, R}, {}},
    {msg::kRosterOverrideList, {R, R, A, A, R, R}, {}},
    {msg::kRosterRotationPut, {R, R, R, O, R, R}, {}},
    {msg::kRosterRotationDelete, {R, R, R, O, R, R}, {}},
    {msg::kRosterOverrideCreate, {R, R, R, O, R, R}, {}},
    {msg::kRosterOverrideDelete, {R, R, R, O, R, R}, {}},
    {msg::kRosterLeaveCreate, {R, R, R, O, R, R}, {}},
    {msg::kRosterLeaveDelete, {R, R, R, O, R, R}, {}},
    {msg::kRosterImportAssignments, {R, R, R, O, R, R}, {}},
    {msg::kRosterSwapRequest, {R, O, R, R, R, R}, {}},
    {msg::kRosterSwapAccept, {R, O, R, R, R, R}, {}},
    {msg::kRosterSwapApprove, {R, R, O, R, R, R}, {}},
    {msg::kRosterSwapReject, {R, O, O, R, R, R}, {}},
    {msg::kRosterIcalCreate, {R, O, R, O, R, R}, {}},
    {msg::kRosterIcalList, {R, O, R, O, R, R}, {}},
    {msg::kRosterIcalDelete, {R, O, R, O, R, R}, {}},
    {msg::kHandoffList, {A, R, A, A, R, R}, {}},
    {msg::kHandoffAcknowledge, {R, O, R, R, R, R}, {}},
    {msg::kWorkerList, {A, R, A, A, A, R}, {}},
    {msg::kWorkerGet, {A, O, A, A, A, R}, {}},
    {msg::kWorkerPut, {R, R, R, O, A, R}, {}},
    {msg::kWorkerImport, {R, R, R, O, A, R}, {}},
    {msg::kWorkerDelete, {R, R, R, O, A, R}, {}},
    {msg::kWorkerActivate, {R, R, R, O, A, R}, {}},
    {msg::kWorkerDeactivate, {R, R, R, O, A, R}, {}},
    // The notifier: a worker's contact methods and notification rules. A worker keeps their
    // own, a manager those of their regions' workers, an admin anyone's; only the worker enters
    // a verification code (it came to their phone).
    {msg::kContactList, {R, O, R, O, A, R}, {}},
    {msg::kContactAdd, {R, O, R, O, A, R}, {}},
    {msg::kContactDelete, {R, O, R, O, A, R}, {}},
    {msg::kContactSendCode, {R, O, R, O, A, R}, {}},
    {msg::kContactVerify, {R, O, R, R, R, R}, {}},
    {msg::kContactTest, {R, O, R, O, A, R}, {}},
    {msg::kRulesGet, {R, O, R, O, A, R}, {}},
    {msg::kRulesPut, {R, O, R, O, A, R}, {}},
    {msg::kRulesDelete, {R, O, R, O, A, R}, {}},
    {msg::kTeamList, {A, R, A, A, A, R}, {}},
    {msg::kTeamPut, {R, R, R, O, A, R}, {}},
    {msg::kTeamDelete, {R, R, R, O, A, R}, {}},
    // The gateway's own: the caller's session, the metrics page.
    {msg::kSessionGet, {A, A, A, A, A, A}, {"*"}},
    {msg::kSessionDelete, {A, A, A, A, A, A}, {"*"}},
    {msg::kSessionTotpBegin, {A, A, A, A, A, A}, {}},  // users only: a client has no sign-in
    {msg::kSessionTotpConfirm, {A, A, A, A, A, A}, {}},
    {msg::kGatewayMetrics, {R, R, R, R, A, R}, {"metrics:read"}},
};

const std::vector<std::string_view> kInternal = {msg::kReportsOpen, msg::kOnCallQueryMany, "ping", "metrics"};
}  // namespace

std::string_view grant_name(Grant grant) {
  switch (grant) {
    case Grant::refused: return "refused";
    case Grant::own: return "own";
    case Grant::allowed: return "allowed";
  }
  return "refused";
}

const std::vector<AccessRule>& access_rules() { return kRules; }

const AccessRule* access_rule(std::string_view request) {
  for (const auto& rule : kRules)
    if (rule.request == request) return &rule;
  return nullptr;
}

bool is_internal_request(std::string_view request) {
  return std::find(kInternal.begin(), kInternal.end(), request) != kInternal.end();
}

// And a provider's delivery receipt: the notifier checks its shared secret or signature.
bool is_public_request(std::string_view request) {
  return request == msg::kRosterIcalFeed || request == msg::kReceiptRecord;
}

Grant grant_for_role(std::string_view role, std::string_view request) {
  const AccessRule* rule = access_rule(request);
  if (!rule) return Grant::refused;
  const auto& roles = known_roles();
  for (std::size_t i = 0; i < roles.size() && i < rule->roles.size(); ++i)
    if (roles[i] == role) return rule->roles[i];
  return Grant::refused;
}

Grant grant_for(const Principal& principal, std::string_view request) {
  const AccessRule* rule = access_rule(request);
  if (!rule) return Grant::refused;
  Grant best = Grant::refused;
  if (principal.kind == PrincipalKind::user)
    for (const auto& role : principal.roles) best = std::max(best, grant_for_role(role, request));
  if (principal.kind == PrincipalKind::client)
    for (const auto& scope : rule->scopes)
      if (scope == "*" || principal.has_scope(scope)) best = Grant::allowed;
  return best;
}

Status gate(const Principal* principal, std::string_view request) {
  if (is_internal_request(request) || is_public_request(request)) return ok_status();
  if (!principal)
    return make_error(ErrorCode::unauthenticated, "", "sign in first (a session or an API token)");
  if (grant_for(*principal, request) == Grant::refused)
    return make_error(ErrorCode::forbidden, "", "your roles do not allow " + std::string(request));
  return ok_status();
}

const std::vector<std::string>& known_scopes() {
  static const std::vector<std::string> kScopes{"reports:create", "oncall:read", "metrics:read"};
  return kScopes;
}

bool is_known_scope(std::string_view scope) {
  const auto& scopes = known_scopes();
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace piket::auth
