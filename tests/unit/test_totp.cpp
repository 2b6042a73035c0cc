// TOTP against RFC 6238's own test vectors, and the recovery codes.
#include <catch.hpp>

#include <set>

#include "common/auth/totp.hpp"

namespace {
piket::TimePoint at_unix(std::int64_t seconds) { return piket::from_unix_ms(seconds * 1000); }
// "12345678901234567890" (RFC 6238 appendix B's SHA-1 seed) as base32.
const std::string kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
}  // namespace

TEST_CASE("TOTP codes match RFC 6238's vectors (the last six digits)", "[unit][totp]") {
  CHECK(piket::auth::totp_code(kRfcSecret, at_unix(59)) == "287082");
  CHECK(piket::auth::totp_code(kRfcSecret, at_unix(1111111109)) == "081804");
  CHECK(piket::auth::totp_code(kRfcSecret, at_unix(1234567890)) == "005924");
  CHECK(piket::auth::totp_code(kRfcSecret, at_unix(2000000000)) == "279037");
}

TEST_CASE("a code is accepted one step either side and names its step, and others are not",
          "[unit][totp]") {
  const auto t = at_unix(1111111109);  // step 37037036
  CHECK(piket::auth::totp_step(kRfcSecret, t, "081804") == 37037036);
  CHECK(piket::auth::totp_step(kRfcSecret, at_unix(1111111109 + 30), "081804") == 37037036);
  CHECK(piket::auth::totp_step(kRfcSecret, at_unix(1111111109 - 30), "081804") == 37037036);
  CHECK_FALSE(piket::auth::totp_step(kRfcSecret, at_unix(1111111109 + 90), "081804"));
  CHECK_FALSE(piket::auth::totp_step(kRfcSecret, t, "081805"));
  CHECK_FALSE(piket::auth::totp_step(kRfcSecret, t, "08180"));
  CHECK_FALSE(piket::auth::totp_step(kRfcSecret, t, "08180a"));
  CHECK_FALSE(piket::auth::totp_step("not base32 !", t, "081804"));
}

TEST_CASE("new secrets and recovery codes are fresh each time", "[unit][totp]") {
  const std::string a = piket::auth::new_totp_secret(), b = piket::auth::new_totp_secret();
  CHECK(a.size() == 32);  // 20 bytes
  CHECK(a != b);
  CHECK(piket::auth::totp_code(a, at_unix(59)).has_value());
  const auto codes = piket::auth::new_recovery_codes();
  CHECK(codes.size() == 10);
  CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == 10);
  for (const auto& c : codes) CHECK((c.size() == 11 && c[5] == '-'));
  CHECK(piket::auth::recovery_code_hash("ABCDE-FGHJK") == piket::auth::recovery_code_hash("abcdefghjk"));
  CHECK(piket::auth::recovery_code_hash("abcde-fghjk") != piket::auth::recovery_code_hash("abcde-fghjm"));
}
