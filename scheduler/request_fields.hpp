#pragma once
// Small readers of request bodies shared by the scheduler's request handlers.
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.hpp"
#include "common/utf8.hpp"

namespace piket::scheduler {

// Who asks (the gateway sets "api"); at most 64 characters go into the audit trail.
inline std::string actor_of(const nlohmann::json& body) {
  if (body.contains("actor") && body["actor"].is_string())
    return utf8_prefix(body["actor"].get<std::string>(), 64);
  return "api";
}

inline std::string text_field(const nlohmann::json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string{};
}

// "force" from JSON (true/false) or from a query string ("true"/"false").
inline Result<bool> force_flag(const nlohmann::json& body) {
  if (!body.contains("force") || body["force"].is_null()) return false;
  const nlohmann::json& f = body["force"];
  if (f.is_boolean()) return f.get<bool>();
  if (f.is_string() && (f == "true" || f == "false")) return f == "true";
  return invalid("force", "must be true or false");
}

}  // namespace piket::scheduler
