#pragma once
// Hashes and signatures through libsodium.
#include <string>
#include <string_view>

namespace piket {

std::string sha256_hex(std::string_view data);
// HMAC-SHA256 of `message` under `key`, as lower-case hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// Compares in constant time (for signatures).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace piket
