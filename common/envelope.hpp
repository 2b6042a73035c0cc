#pragma once
// The one envelope of every ZeroMQ message and stream entry: {v, type, id, correlation_id,
// sent_at, seq?, source?, principal?, body}. Readers reject an unknown version. The principal
// (who asks, as the gateway verified it) sits beside the body, never in it: a request body can
// not name its actor.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/auth/principal.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"

namespace piket {

inline constexpr int kEnvelopeVersion = 1;

struct Envelope {
  int v = kEnvelopeVersion;
  std::string type;
  std::string id;
  std::string correlation_id;
  TimePoint sent_at{};
  std::optional<std::uint64_t> seq;
  std::string source;  // which process sent it (for event sequence tracking)
  std::optional<auth::Principal> principal;  // requests from people and API clients
  nlohmann::json body = nlohmann::json::object();
};

std::string encode_envelope(const Envelope& envelope);
Result<Envelope> decode_envelope(std::string_view text);

// Replies carry either {"ok": body} or {"error": {code, field, message}}.
nlohmann::json error_to_json(const Error& error);
std::optional<Error> error_from_json(const nlohmann::json& j);

// The characters of generated ids: no look-alikes (i, l, o, 0, 1).
inline constexpr std::string_view kIdAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";
// A random identifier: prefix + 20 characters of kIdAlphabet (about 99 bits) from libsodium.
std::string new_id(std::string_view prefix);

}  // namespace piket
