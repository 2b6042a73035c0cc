#include "common/auth/access.hpp"

#include <algorithm>

namespace piket::auth {
namespace {
constexpr Grant R = Grant::refused, O = Grant::own, A = Grant::allowed;

//                       operator worker team_lead manager admin privacy_officer
const std::vector<AccessRule> kRules = {
    // The dispatcher: reports, assignments, visits, the audit trail.
    {"report.submit", {A, R, R, R, R, R}, {"reports:create"}},
    {"report.list", {O, R, R, R, R, R}, {}},
    {"report.get", {O, O, R, R, R, R}, {}},
    {"report.triage_override", {O, R, R, R, R, R}, {}},
    {"report.outcome", {O, O, R, R, R, R}, {}},
    {"report.order_extend", {O, R, R, R, R, R}, {}},
    {"advice.convert", {O, R, R, R, R, R}, {}},
    {"assignment.accept", {R, O, R, R, R, R}, {}},
    {"assignment.decline", {R, O, R, R, R, R}, {}},
    {"visit.get", {O, O, R, R, R, R}, {}},
    {"visit.checkin", {R, O, R, R, R, R}, {}},
    {"audit.verify", {R, R, R, R, A, A}, {}},
    // The scheduler: who is on call, rosters, workers and teams.
    {"oncall.query", {A, R, A, A, R, R}, {"oncall:read"}},
    {"roster.shifts", {A, O, A, A, R, R}, {}},
    {"roster.coverage", {R, R, A, A, R, R}, {}},
    {"roster.violations", {R, R, A, A, R, R}, {}},
    {"roster.fairness", {R, R, A, A, R, R}, {}},
    {"roster.rotation.list", {R, R, A, A, R, R}, {}},
    {"roster.override.list", {R, R, A, A, R, R}, {}},
    {"roster.rotation.put", {R, R, R, O, R, R}, {}},
    {"roster.rotation.delete", {R, R, R, O, R, R}, {}},
    {"roster.override.create", {R, R, R, O, R, R}, {}},
    {"roster.override.delete", {R, R, R, O, R, R}, {}},
    {"roster.leave.create", {R, R, R, O, R, R}, {}},
    {"roster.leave.delete", {R, R, R, O, R, R}, {}},
    {"roster.import.assignments", {R, R, R, O, R, R}, {}},
    {"roster.swap.request", {R, O, R, R, R, R}, {}},
    {"roster.swap.accept", {R, O, R, R, R, R}, {}},
    {"roster.swap.approve", {R, R, O, R, R, R}, {}},
    {"roster.swap.reject", {R, O, O, R, R, R}, {}},
    {"roster.ical.create", {R, O, R, O, R, R}, {}},
    {"handoff.list", {A, R, A, A, R, R}, {}},
    {"handoff.acknowledge", {R, O, R, R, R, R}, {}},
    {"worker.list", {A, R, A, A, A, R}, {}},
    {"worker.get", {A, O, A, A, A, R}, {}},
    {"worker.put", {R, R, R, O, A, R}, {}},
    {"worker.import", {R, R, R, O, A, R}, {}},
    {"worker.delete", {R, R, R, O, A, R}, {}},
    {"worker.activate", {R, R, R, O, A, R}, {}},
    {"worker.deactivate", {R, R, R, O, A, R}, {}},
    // The notifier: a worker's contact methods and notification rules. A worker keeps their
    // own, a manager those of their regions' workers, an admin anyone's; only the worker enters
    // a verification code (it came to their phone).
    {"contact.list", {R, O, R, O, A, R}, {}},
    {"contact.add", {R, O, R, O, A, R}, {}},
    {"contact.delete", {R, O, R, O, A, R}, {}},
    {"contact.send_code", {R, O, R, O, A, R}, {}},
    {"contact.verify", {R, O, R, R, R, R}, {}},
    {"contact.test", {R, O, R, O, A, R}, {}},
    {"rules.get", {R, O, R, O, A, R}, {}},
    {"rules.put", {R, O, R, O, A, R}, {}},
    {"rules.delete", {R, O, R, O, A, R}, {}},
    {"team.list", {A, R, A, A, A, R}, {}},
    {"team.put", {R, R, R, O, A, R}, {}},
    {"team.delete", {R, R, R, O, A, R}, {}},
    // The gateway's own: the caller's session, the metrics page.
    {"session.get", {A, A, A, A, A, A}, {"*"}},
    {"session.delete", {A, A, A, A, A, A}, {"*"}},
    {"gateway.metrics", {R, R, R, R, A, R}, {"metrics:read"}},
};

const std::vector<std::string_view> kInternal = {"report.open", "oncall.query_many", "ping", "metrics"};
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
  return request == "roster.ical.feed" || request == "receipt.record";
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
