#include "common/auth/principal.hpp"

#include <algorithm>

namespace piket::auth {
namespace {
bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::optional<Error> read_list(const nlohmann::json& j, const char* key, std::vector<std::string>& out) {
  if (!j.contains(key)) return std::nullopt;
  if (!j[key].is_array() || j[key].size() > 200)
    return make_error(ErrorCode::invalid_field, std::string("principal.") + key, "must be a list of strings");
  for (const auto& item : j[key]) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > 128)
      return make_error(ErrorCode::invalid_field, std::string("principal.") + key, "must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return std::nullopt;
}

std::optional<Error> read_text(const nlohmann::json& j, const char* key, std::string& out) {
  if (!j.contains(key)) return std::nullopt;
  if (!j[key].is_string() || j[key].get_ref<const std::string&>().size() > 128)
    return make_error(ErrorCode::invalid_field, std::string("principal.") + key, "must be a short string");
  out = j[key].get<std::string>();
  return std::nullopt;
}
}  // namespace

const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> kRoles{std::string(kOperator), std::string(kWorker),
                                               std::string(kTeamLead), std::string(kManager),
                                               std::string(kAdmin),    std::string(kPrivacyOfficer)};
  return kRoles;
}

bool is_known_role(std::string_view role) { return contains(known_roles(), role); }

std::string_view kind_name(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::user: return "user";
    case PrincipalKind::client: return "client";
    case PrincipalKind::service: return "service";
  }
  return "user";
}

bool Principal::has_role(std::string_view role) const {
  return kind == PrincipalKind::user && contains(roles, role);
}
bool Principal::has_scope(std::string_view scope) const {
  return kind == PrincipalKind::client && contains(scopes, scope);
}
bool Principal::all_regions() const { return contains(regions, kAllRegions); }
bool Principal::in_region(std::string_view region) const {
  return !region.empty() && (all_regions() || contains(regions, region));
}
bool Principal::leads_team(std::string_view team) const {
  return !team.empty() && has_role(kTeamLead) && contains(teams, team);
}
std::string Principal::via() const {
  if (!session.empty()) return "session " + session;
  if (!token.empty()) return "token " + token;
  return std::string(kind_name(kind));
}

nlohmann::json to_json(const Principal& p) {
  nlohmann::json j{{"kind", kind_name(p.kind)}, {"id", p.id}, {"roles", p.roles}};
  if (!p.worker.empty()) j["worker"] = p.worker;
  if (!p.teams.empty()) j["teams"] = p.teams;
  if (!p.regions.empty()) j["regions"] = p.regions;
  if (!p.scopes.empty()) j["scopes"] = p.scopes;
  if (!p.session.empty()) j["session"] = p.session;
  if (!p.token.empty()) j["token"] = p.token;
  return j;
}

Result<Principal> principal_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(ErrorCode::invalid_field, "principal", "must be an object");
  Principal p;
  std::string kind;
  if (auto e = read_text(j, "kind", kind)) return *e;
  if (kind == "user") p.kind = PrincipalKind::user;
  else if (kind == "client") p.kind = PrincipalKind::client;
  else if (kind == "service") p.kind = PrincipalKind::service;
  else return make_error(ErrorCode::invalid_field, "principal.kind", "must be user, client or service");
  if (auto e = read_text(j, "id", p.id)) return *e;
  if (p.id.empty()) return make_error(ErrorCode::invalid_field, "principal.id", "is required");
  for (auto [key, list] : {std::pair{"roles", &p.roles}, std::pair{"teams", &p.teams},
                           std::pair{"regions", &p.regions}, std::pair{"scopes", &p.scopes}})
    if (auto e = read_list(j, key, *list)) return *e;
  for (auto [key, text] : {std::pair{"worker", &p.worker}, std::pair{"session", &p.session},
                           std::pair{"token", &p.token}})
    if (auto e = read_text(j, key, *text)) return *e;
  return p;
}

Principal service_principal(std::string name) {
  Principal p;
  p.kind = PrincipalKind::service;
  p.id = std::move(name);
  return p;
}

}  // namespace piket::auth
