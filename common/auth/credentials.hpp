#pragma once
// Passwords (argon2id through libsodium's crypto_pwhash_str) and the random secrets of sessions
// and API tokens. A secret is handed out once as "<id>.<secret>"; Redis keeps only the id and a
// hash of the secret, so a copy of Redis (or its AOF) signs no one in.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace piket::auth {

struct PasswordCost {
  std::uint64_t opslimit = 2;          // crypto_pwhash_OPSLIMIT_INTERACTIVE
  std::size_t memlimit = 64u << 20;    // bytes; crypto_pwhash_MEMLIMIT_INTERACTIVE
};

struct PasswordPolicy {
  std::size_t min_length = 12;  // characters (code points)
};
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Why the password may not be used, or nullopt: too short, too long, one of the common
// passwords (case folded), or the user's own id.
std::optional<std::string> password_problem(std::string_view password, std::string_view user_id,
                                            const PasswordPolicy& policy);
// The argon2id string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), or internal when libsodium
// could not get the memory.
Result<std::string> hash_password(std::string_view password, const PasswordCost& cost);
bool verify_password(const std::string& stored, std::string_view password);
// A stored hash made with other parameters than `cost` (re-hashed at the next sign-in).
bool password_needs_rehash(const std::string& stored, const PasswordCost& cost);

// A new secret: a public id (prefix + 20 characters) and 40 random characters (about 198 bits).
struct IssuedSecret {
  std::string id;
  std::string secret;
  std::string text() const { return id + "." + secret; }  // what the client keeps
};
IssuedSecret issue_secret(std::string_view prefix);
// "<id>.<secret>" -> {id, secret}; nullopt when it does not have that shape.
std::optional<IssuedSecret> parse_secret(std::string_view text);
// What Redis keeps of a secret: SHA-256 hex (the secret is random, so no salt or stretching).
std::string secret_hash(std::string_view secret);
// Compares two hashes in constant time.
bool same_hash(std::string_view a, std::string_view b);

}  // namespace piket::auth
