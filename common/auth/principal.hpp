#pragma once
// Who is asking, as the gateway verified it: a user signed in with a session, a user or an
// integration client with an API token, or one of the daemons asking another. It travels in the
// envelope of every request (never in a body), and the daemon that owns the data decides with it.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace piket::auth {

// The roles a user may hold (a user may hold several).
inline constexpr std::string_view kOperator = "operator";          // the crisis desk
inline constexpr std::string_view kWorker = "worker";              // linked to a worker id
inline constexpr std::string_view kTeamLead = "team_lead";         // of teams
inline constexpr std::string_view kManager = "manager";            // of regions
inline constexpr std::string_view kAdmin = "admin";                // users, tokens, operations
inline constexpr std::string_view kPrivacyOfficer = "privacy_officer";
inline constexpr std::string_view kAllRegions = "*";               // in `regions`: every region

bool is_known_role(std::string_view role);
const std::vector<std::string>& known_roles();

enum class PrincipalKind { user, client, service };
std::string_view kind_name(PrincipalKind kind);

struct Principal {
  PrincipalKind kind = PrincipalKind::user;
  std::string id;                    // user id, client id, or the daemon's name
  std::vector<std::string> roles;    // users
  std::string worker;                // the worker id a `worker` user is
  std::vector<std::string> teams;    // a team lead's teams
  std::vector<std::string> regions;  // a manager's or operator's regions; "*" = all
  std::vector<std::string> scopes;   // an integration client's token scopes
  std::string session;               // the session's public id (never its secret)
  std::string token;                 // the API token's public id (never its secret)

  bool has_role(std::string_view role) const;
  bool has_scope(std::string_view scope) const;
  bool in_region(std::string_view region) const;
  bool all_regions() const;
  bool leads_team(std::string_view team) const;
  // The name in the audit and access logs: the user's (or client's) id.
  const std::string& actor() const { return id; }
  // "session s-…" or "token t-…", for the access log.
  std::string via() const;
};

nlohmann::json to_json(const Principal& p);
Result<Principal> principal_from_json(const nlohmann::json& j);
// A daemon asking another on its own behalf (hand-offs, matching): never from the gateway.
Principal service_principal(std::string name);

}  // namespace piket::auth
