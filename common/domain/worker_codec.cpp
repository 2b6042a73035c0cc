#include "common/domain/worker_codec.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "common/utf8.hpp"

namespace piket {
namespace {
using nlohmann::json;


std::optional<Error> unknown_fields(const json& j, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : j.items())
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
      return invalid(utf8_prefix(key, 64), "unknown field");
  return std::nullopt;
}

std::optional<Error> text(const json& j, const char* key, bool required, std::size_t max,
                          std::string& out) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return invalid(key, "is required");
    return std::nullopt;
  }
  if (!j[key].is_string()) return invalid(key, "must be a string");
  out = j[key].get<std::string>();
  if (required && fold_case(out).empty()) return invalid(key, "must not be empty");
  if (out.size() > max)
    return invalid(key, "must be at most " + std::to_string(max) + " characters");
  return std::nullopt;
}

std::optional<Error> id(const json& j, std::string& out) {
  if (auto e = text(j, "id", true, 64, out)) return e;
  if (auto why = id_problem(out); !why.empty()) return invalid("id", why);
  return std::nullopt;
}

// An array of distinct, non-empty strings.
std::optional<Error> list(const json& j, const char* key, bool required,
                          std::vector<std::string>& out) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return invalid(key, "is required: an array of strings");
    return std::nullopt;
  }
  if (!j[key].is_array() || j[key].size() > 32)
    return invalid(key, "must be an array of at most 32 strings");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j[key].size(); ++i) {
    const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    const json& item = j[key][i];
    if (!item.is_string() || item.get<std::string>().empty() || item.get<std::string>().size() > 64)
      return invalid(at, "must be a string of 1 to 64 characters");
    if (!seen.insert(item.get<std::string>()).second)
      return invalid(at, "\"" + item.get<std::string>() + "\" is listed twice");
    out.push_back(item.get<std::string>());
  }
  return std::nullopt;
}
}  // namespace

json to_json(const Worker& w) {
  return {{"id", w.id},
          {"name", w.name},
          {"region", w.region},
          {"roles", w.roles},
          {"skills", w.skills},
          {"base", w.base},
          {"contract_hours_per_week", w.contract_hours_per_week},
          {"daily_case_limit", w.daily_case_limit},
          {"team", w.team},
          {"active", w.active},
          {"webhook_url", w.webhook_url}};
}

json to_json(const Team& t) {
  return {{"id", t.id}, {"name", t.name}, {"region", t.region}, {"team_lead", t.team_lead}};
}

Result<Worker> worker_from_json(const json& j, const RegionDirectory& regions) {
  if (!j.is_object()) return invalid("", "the worker must be a JSON object");
  if (auto e = unknown_fields(
          j, {"id", "name", "region", "roles", "skills", "base", "contract_hours_per_week",
              "daily_case_limit", "team", "active", "webhook_url"}))
    return *e;
  Worker w;
  if (auto e = id(j, w.id)) return *e;
  if (auto e = text(j, "name", true, 100, w.name)) return *e;
  if (auto e = text(j, "region", true, 64, w.region)) return *e;
  if (!regions.find(w.region))
    return make_error(ErrorCode::unknown_region, "region", "unknown region \"" + w.region + "\"");
  if (auto e = list(j, "roles", true, w.roles)) return *e;
  if (w.roles.empty()) return invalid("roles", "must name at least one role");
  for (std::size_t i = 0; i < w.roles.size(); ++i)
    if (!is_known_role(w.roles[i]))
      return invalid("roles[" + std::to_string(i) + "]",
                     "unknown role \"" + w.roles[i] +
                         "\" (known: crisis_worker, behavioural_scientist, "
                         "confidential_physician, team_lead)");
  if (auto e = list(j, "skills", false, w.skills)) return *e;
  if (auto e = text(j, "base", false, 100, w.base)) return *e;
  if (!w.base.empty()) {
    auto canonical = regions.canonical_municipality(w.base);
    if (!canonical)
      return invalid("base",
                     "unknown municipality \"" + w.base + "\" (not in any configured region)");
    w.base = *canonical;
  }
  if (j.contains("contract_hours_per_week") && !j["contract_hours_per_week"].is_null()) {
    const json& hours = j["contract_hours_per_week"];
    if (!hours.is_number() || hours.get<double>() < 0 || hours.get<double>() > kMaxContractHours)
      return invalid("contract_hours_per_week", "must be a number from 0 to 60");
    w.contract_hours_per_week = hours.get<double>();
  }
  if (j.contains("daily_case_limit") && !j["daily_case_limit"].is_null()) {
    const json& limit = j["daily_case_limit"];
    if (!limit.is_number_integer() || limit.get<long long>() < kMinDailyCaseLimit ||
        limit.get<long long>() > kMaxDailyCaseLimit)
      return invalid("daily_case_limit", "must be a whole number from 1 to 20");
    w.daily_case_limit = static_cast<int>(limit.get<long long>());
  }
  if (auto e = text(j, "team", false, 64, w.team)) return *e;
  if (j.contains("active") && !j["active"].is_null()) {
    if (!j["active"].is_boolean()) return invalid("active", "must be true or false");
    w.active = j["active"].get<bool>();
  }
  if (auto e = text(j, "webhook_url", true, 500, w.webhook_url)) return *e;
  if (!is_webhook_url(w.webhook_url))
    return invalid("webhook_url", "must start with http:// or https://, without spaces");
  return w;
}

Result<Team> team_from_json(const json& j, const RegionDirectory& regions) {
  if (!j.is_object()) return invalid("", "the team must be a JSON object");
  if (auto e = unknown_fields(j, {"id", "name", "region", "team_lead"})) return *e;
  Team t;
  if (auto e = id(j, t.id)) return *e;
  if (auto e = text(j, "name", true, 100, t.name)) return *e;
  if (auto e = text(j, "region", true, 64, t.region)) return *e;
  if (!regions.find(t.region))
    return make_error(ErrorCode::unknown_region, "region", "unknown region \"" + t.region + "\"");
  if (auto e = text(j, "team_lead", false, 64, t.team_lead)) return *e;
  return t;
}

}  // namespace piket
