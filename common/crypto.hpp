#pragma once
// Hashes and signatures through libsodium.
#include <string>
#include <string_view>

namespace piket {

std::string sha256_hex(std::string_view data);
// HMAC-SHA256 of `message` under `key`, as lower-case hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace piket
