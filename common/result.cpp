#include "common/result.hpp"

#include <array>

namespace piket {
namespace {
struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int http_status;
};
constexpr std::array kCodes = {
    CodeInfo{ErrorCode::invalid_field, "invalid_field", 400},
    CodeInfo{ErrorCode::invalid_json, "invalid_json", 400},
    CodeInfo{ErrorCode::unknown_region, "unknown_region", 422},
    CodeInfo{ErrorCode::unavailable, "unavailable", 503},
    CodeInfo{ErrorCode::conflict, "conflict", 409},
    CodeInfo{ErrorCode::not_found, "not_found", 404},
    CodeInfo{ErrorCode::forbidden, "forbidden", 403},
    CodeInfo{ErrorCode::too_large, "too_large", 413},
    CodeInfo{ErrorCode::internal, "internal", 500},
    CodeInfo{ErrorCode::unauthenticated, "unauthenticated", 401},
    CodeInfo{ErrorCode::too_many_requests, "too_many_requests", 429},
};
}  // namespace

std::string_view error_code_name(ErrorCode code) {
  for (const auto& info : kCodes)
    if (info.code == code) return info.name;
  return "internal";
}

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const auto& info : kCodes)
    if (info.name == name) return info.code;
  return std::nullopt;
}

int http_status_for(ErrorCode code) {
  for (const auto& info : kCodes)
    if (info.code == code) return info.http_status;
  return 500;
}

std::string Error::to_string() const {
  std::string out{error_code_name(code)};
  if (!field.empty()) out += " (" + field + ")";
  out += ": " + message;
  return out;
}

}  // namespace piket
