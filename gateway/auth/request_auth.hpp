#pragma once
// What a request carries to say who sends it, read from its headers; and the session cookie
// the gateway sets. Pure.
#include <chrono>
#include <string>
#include <string_view>

#include "gateway/http/http_types.hpp"

namespace piket::gateway {

inline constexpr std::string_view kSessionCookie = "piket_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";

struct RequestCredentials {
  std::string bearer;   // from "Authorization: Bearer <token>"
  std::string session;  // the piket_session cookie's value
  bool malformed_authorization = false;  // an Authorization header that is not a bearer token
};

RequestCredentials request_credentials(const HttpRequest& request);

// The client's address without its port ("192.0.2.1", "[2001:db8::1]"): sign-in limits count per address.
std::string client_address(const std::string& remote);

// POST, PUT, PATCH and DELETE change something: from a cookie session they need the CSRF token.
bool changes_state(const std::string& method);

// The Set-Cookie value of a new session: HttpOnly, SameSite=Strict, Path=/, Max-Age, and Secure
// unless `secure` is off (the loopback demo on plain HTTP).
std::string session_cookie(const std::string& value, std::chrono::seconds max_age, bool secure);
// The Set-Cookie value that removes it.
std::string cleared_session_cookie(bool secure);

}  // namespace piket::gateway
