#include "common/auth/credentials.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "common/crypto.hpp"
#include "common/envelope.hpp"

namespace piket::auth {
namespace {
// The passwords every guessing list starts with (and their Dutch cousins). Compared case
// folded; a password of the required length that is one of these is refused.
constexpr std::array<std::string_view, 32> kCommonPasswords = {
    "password1234", "password12345", "password123456", "passwordpassword", "123456789012",
    "1234567890123", "12345678901234", "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234",
    "welkom123456", "welkomwelkom", "wachtwoord12", "wachtwoord123", "wachtwoord1234",
    "wachtwoordwachtwoord", "welkom01welkom", "zomer2026zomer", "winter2026winter",
    "letmein12345", "administrator", "admin1234567", "changeme1234", "piketpiket12",
    "piket1234567", "veiligthuis1", "veiligthuis12", "veiligthuis123", "000000000000",
    "111111111111", "abcdefghijkl", "aaaaaaaaaaaa"};

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string folded(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// `length` characters of the id alphabet, about 4.95 bits each (new_id's, without a prefix).
std::string random_text(int length) {
  std::string out;
  while (static_cast<int>(out.size()) < length) out += new_id("");
  out.resize(static_cast<std::size_t>(length));
  return out;
}
}  // namespace

std::optional<std::string> password_problem(std::string_view password, std::string_view user_id,
                                            const PasswordPolicy& policy) {
  if (password.size() > kMaxPasswordBytes)
    return "is too long (at most " + std::to_string(kMaxPasswordBytes) + " bytes)";
  if (code_points(password) < policy.min_length)
    return "is too short (at least " + std::to_string(policy.min_length) + " characters)";
  const std::string f = folded(password);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), f) != kCommonPasswords.end())
    return "is one of the most common passwords";
  if (!user_id.empty() && f.find(folded(user_id)) != std::string::npos && f.size() < user_id.size() + 6)
    return "is too close to the user's id";
  return std::nullopt;
}

Result<std::string> hash_password(std::string_view password, const PasswordCost& cost) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.opslimit, cost.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error(ErrorCode::internal, "password", "could not hash the password (out of memory?)");
  return std::string(out.data());
}

bool verify_password(const std::string& stored, std::string_view password) {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& stored, const PasswordCost& cost) {
  return crypto_pwhash_str_needs_rehash(stored.c_str(), cost.opslimit, cost.memlimit) != 0;
}

IssuedSecret issue_secret(std::string_view prefix) { return {new_id(prefix), random_text(40)}; }

std::optional<IssuedSecret> parse_secret(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 64 || text.size() - dot - 1 != 40) return std::nullopt;
  IssuedSecret s{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  auto printable = [](const std::string& t) {
    return std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
  };
  if (!printable(s.id) || !printable(s.secret)) return std::nullopt;
  return s;
}

std::string secret_hash(std::string_view secret) { return sha256_hex(secret); }

bool same_hash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace piket::auth
