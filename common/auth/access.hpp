#pragma once
// Who may make which request at all: per request type, what each role is granted (allowed,
// only their own, or refused) and which token scopes allow it. Pure. The daemon that owns the
// data applies it first (the gate) and then decides "own" with its data: the worker assigned,
// the manager's regions, the team lead's teams. docs/security.md is this table as a matrix;
// tests/e2e/test_access_matrix.cpp walks it against the running stack.
#include <string>
#include <string_view>
#include <vector>

#include "common/auth/principal.hpp"
#include "common/result.hpp"

namespace piket::auth {

enum class Grant { refused, own, allowed };
std::string_view grant_name(Grant grant);

struct AccessRule {
  std::string_view request;  // the request type, as the gateway's router names it
  // Per role, in the order of known_roles(): operator, worker, team_lead, manager, admin,
  // privacy_officer.
  std::vector<Grant> roles;
  std::vector<std::string_view> scopes;  // integration tokens with one of these may call it ("*": any)
};

const std::vector<AccessRule>& access_rules();
const AccessRule* access_rule(std::string_view request);

// Requests between the daemons (hand-offs' open cases, matching's on-call questions, health,
// metrics): not reachable through the gateway's router, so they need no principal.
bool is_internal_request(std::string_view request);
// Requests anyone may make: the secret iCal feed URLs (the token in the URL is the secret).
bool is_public_request(std::string_view request);

// The best grant any of the principal's roles (or a client's scopes, as `allowed`) has.
Grant grant_for(const Principal& principal, std::string_view request);
Grant grant_for_role(std::string_view role, std::string_view request);

// The gate every daemon applies before a handler runs: unauthenticated when a request that
// needs a principal comes without one, forbidden when no role or scope of it may make the
// request at all.
Status gate(const Principal* principal, std::string_view request);

// The scopes an integration token may carry.
const std::vector<std::string>& known_scopes();
bool is_known_scope(std::string_view scope);

}  // namespace piket::auth
