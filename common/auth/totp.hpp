#pragma once
// The second factor: TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, as every
// authenticator app reads it) through liboath, and one-time recovery codes. Pure functions;
// the account store keeps the secret, the last step used (a code is good once) and the
// hashes of the recovery codes left.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace piket::auth {

inline constexpr int kTotpDigits = 6;
inline constexpr int kTotpStepSeconds = 30;
inline constexpr int kRecoveryCodeCount = 10;

// A new secret: 20 random bytes, as base32 (what the otpauth URI and the store hold).
std::string new_totp_secret();
// otpauth://totp/Piket:<account>?secret=...&issuer=Piket&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(const std::string& account, const std::string& secret_base32);
// The code for `at` (for tests and for the enrolment check).
std::optional<std::string> totp_code(const std::string& secret_base32, TimePoint at);
// The time step `code` belongs to when it is right at `at`, one step either side allowed for
// clocks a little apart; nullopt when wrong. The caller refuses a step not after the last used.
std::optional<std::int64_t> totp_step(const std::string& secret_base32, TimePoint at,
                                      const std::string& code);

// Ten codes of ten characters ("abcde-fghjk"), each good once; the store keeps their SHA-256.
std::vector<std::string> new_recovery_codes();
// What the store compares: the SHA-256 of the code with case and dashes ignored.
std::string recovery_code_hash(const std::string& code);

}  // namespace piket::auth
