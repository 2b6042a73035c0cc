#pragma once
// Small readers of request bodies shared by the scheduler's request handlers.
#include <nlohmann/json.hpp>
#include <string>

#include "common/auth/principal.hpp"
#include "common/envelope.hpp"
#include "common/request_fields.hpp"
#include "common/result.hpp"
#include "common/utf8.hpp"

namespace piket::scheduler {

// Who asks, for the audit trail: the verified principal's id (never a name from the body).
inline std::string actor_of(const Envelope& request) {
  return request.principal ? request.principal->actor() : std::string{"scheduler"};
}

// Whether `who` plans the roster (rotations, overrides, leave, imports) of `region`.
inline bool manages_region(const auth::Principal& who, const std::string& region) {
  return who.has_role(auth::kManager) && who.in_region(region);
}
// Workers and teams of `region`: its manager, or an administrator.
inline bool keeps_workers_of(const auth::Principal& who, const std::string& region) {
  return who.has_role(auth::kAdmin) || manages_region(who, region);
}
inline Error not_your_region(const std::string& region) {
  return make_error(ErrorCode::forbidden, "region", "you do not manage region " + region.substr(0, 64));
}
// Only a worker's own: a principal whose only way in is the worker role.
inline bool only_own_as_worker(const auth::Principal& who, std::initializer_list<std::string_view> wider) {
  for (auto role : wider)
    if (who.has_role(role)) return false;
  return true;
}

// Body fields are read with common/request_fields.hpp (read_text, read_token, ...): a wrong
// type is an error naming the field, never a silent "".
using piket::read_bool;
using piket::read_choice;
using piket::read_text;
using piket::read_token;

// A CSV import's text; the gateway's body limit is the real bound.
inline constexpr std::size_t kMaxCsvBytes = 16 * 1024 * 1024;

// The region whose roster slice answers an on-call question; only picks the slice, the
// question's own reader checks the field.
inline std::string slice_key(const nlohmann::json& query) {
  if (!query.is_object() || !query.contains("region") || !query["region"].is_string()) return {};
  return query["region"].get<std::string>();
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
