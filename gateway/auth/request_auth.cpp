#include "gateway/auth/request_auth.hpp"

#include <cctype>

namespace piket::gateway {
namespace {
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_folded(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

RequestCredentials request_credentials(const HttpRequest& request) {
  RequestCredentials out;
  const std::string authorization = header(request, "authorization");
  if (!authorization.empty()) {
    std::string_view value = trimmed(authorization);
    if (starts_with_folded(value, "bearer ")) out.bearer = std::string(trimmed(value.substr(7)));
    if (out.bearer.empty()) out.malformed_authorization = true;
  }
  // Cookie: a=1; piket_session=...; b=2 (several Cookie headers arrive joined by ", ").
  const std::string cookie_header = header(request, "cookie");
  std::string_view cookies = cookie_header;
  while (!cookies.empty()) {
    const auto end = cookies.find_first_of(";,");
    std::string_view pair = trimmed(cookies.substr(0, end));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == kSessionCookie)
      out.session = std::string(trimmed(pair.substr(eq + 1)));
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return out;
}

std::string client_address(const std::string& remote) {
  const auto colon = remote.rfind(':');
  if (colon == std::string::npos || colon == 0) return remote.empty() ? "unknown" : remote;
  return remote.substr(0, colon);
}

bool changes_state(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string session_cookie(const std::string& value, std::chrono::seconds max_age, bool secure) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string cleared_session_cookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

}  // namespace piket::gateway
