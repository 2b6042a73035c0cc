#pragma once
// Headers every answer of the gateway carries, API and console alike: the console runs only
// its own scripts and styles (no inline ones, so an injected <script> cannot run), is never
// framed, and sends no referrer; nothing is cached unless the answer says how.
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace piket::gateway {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// Sets the security headers that `headers` does not already have.
inline void add_security_headers(std::map<std::string, std::string>& headers) {
  static const std::array<std::pair<std::string_view, std::string_view>, 7> kHeaders{{
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
  }};
  for (const auto& [name, value] : kHeaders) headers.try_emplace(std::string(name), std::string(value));
}

}  // namespace piket::gateway
