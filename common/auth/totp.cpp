#include "common/auth/totp.hpp"

#include <liboath/oath.h>
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "common/crypto.hpp"
#include "common/envelope.hpp"

namespace piket::auth {
namespace {

void init_oath() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

// The raw secret bytes of a base32 text; empty when it is not base32.
std::string decoded(const std::string& secret_base32) {
  init_oath();
  char* raw = nullptr;
  size_t length = 0;
  if (oath_base32_decode(secret_base32.data(), secret_base32.size(), &raw, &length) != OATH_OK) return {};
  std::unique_ptr<char, decltype(&std::free)> owned(raw, &std::free);
  return std::string(raw, length);
}

std::time_t unix_seconds(TimePoint at) { return static_cast<std::time_t>(to_unix_ms(at) / 1000); }

}  // namespace

std::string new_totp_secret() {
  init_oath();
  unsigned char raw[20];
  randombytes_buf(raw, sizeof raw);
  char* text = nullptr;
  size_t length = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof raw, &text, &length) != OATH_OK) return {};
  std::unique_ptr<char, decltype(&std::free)> owned(text, &std::free);
  std::string out(text, length);
  while (!out.empty() && out.back() == '=') out.pop_back();  // apps take it without padding
  return out;
}

std::string otpauth_uri(const std::string& account, const std::string& secret_base32) {
  // Account ids are [a-z0-9._-] (valid_name), so nothing here needs escaping.
  return "otpauth://totp/Piket:" + account + "?secret=" + secret_base32 +
         "&issuer=Piket&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
}

std::optional<std::string> totp_code(const std::string& secret_base32, TimePoint at) {
  const std::string secret = decoded(secret_base32);
  if (secret.empty()) return std::nullopt;
  char code[kTotpDigits + 1] = {};
  if (oath_totp_generate(secret.data(), secret.size(), unix_seconds(at), kTotpStepSeconds,
                         OATH_TOTP_DEFAULT_START_TIME, kTotpDigits, code) != OATH_OK)
    return std::nullopt;
  return std::string(code);
}

std::optional<std::int64_t> totp_step(const std::string& secret_base32, TimePoint at,
                                      const std::string& code) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
  for (unsigned char c : code)
    if (!std::isdigit(c)) return std::nullopt;
  const std::string secret = decoded(secret_base32);
  if (secret.empty()) return std::nullopt;
  int position = 0;
  std::uint64_t counter = 0;
  const int found = oath_totp_validate3(secret.data(), secret.size(), unix_seconds(at), kTotpStepSeconds,
                                        OATH_TOTP_DEFAULT_START_TIME, 1, &position, &counter, code.c_str());
  if (found < 0) return std::nullopt;
  return static_cast<std::int64_t>(counter);
}

std::vector<std::string> new_recovery_codes() {
  std::vector<std::string> out;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    const std::string letters = new_id("").substr(0, 10);
    out.push_back(letters.substr(0, 5) + "-" + letters.substr(5));
  }
  return out;
}

std::string recovery_code_hash(const std::string& code) {
  std::string plain;
  for (unsigned char c : code)
    if (c != '-' && c != ' ') plain.push_back(static_cast<char>(std::tolower(c)));
  return sha256_hex(plain);
}

}  // namespace piket::auth
