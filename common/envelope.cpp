#include "common/envelope.hpp"

#include <sodium.h>

#include "common/utf8.hpp"

namespace piket {

std::string encode_envelope(const Envelope& e) {
  nlohmann::json j{{"v", e.v},
                   {"type", e.type},
                   {"id", e.id},
                   {"correlation_id", e.correlation_id},
                   {"sent_at", format_utc(e.sent_at)},
                   {"body", e.body}};
  if (e.seq) j["seq"] = *e.seq;
  if (!e.source.empty()) j["source"] = e.source;
  if (e.principal) j["principal"] = auth::to_json(*e.principal);
  return j.dump();
}

namespace {
Error bad(std::string field, std::string message) {
  return make_error(ErrorCode::invalid_field, std::move(field), std::move(message));
}
}  // namespace

Result<Envelope> decode_envelope(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::invalid_json, "", "envelope is not valid JSON");
  if (!j.is_object()) return bad("", "envelope must be a JSON object");
  Envelope e;
  if (!j.contains("v") || !j["v"].is_number_integer()) return bad("v", "must be an integer");
  e.v = j["v"].get<int>();
  if (e.v != kEnvelopeVersion)
    return bad("v", "unsupported envelope version " + std::to_string(e.v));
  if (!j.contains("type") || !j["type"].is_string() || j["type"].get<std::string>().empty())
    return bad("type", "must be a non-empty string");
  e.type = j["type"].get<std::string>();
  if (!j.contains("id") || !j["id"].is_string()) return bad("id", "must be a string");
  e.id = j["id"].get<std::string>();
  if (j.contains("correlation_id")) {
    if (!j["correlation_id"].is_string()) return bad("correlation_id", "must be a string");
    e.correlation_id = j["correlation_id"].get<std::string>();
  }
  if (!j.contains("sent_at") || !j["sent_at"].is_string() ||
      !parse_utc(j["sent_at"].get<std::string>(), e.sent_at))
    return bad("sent_at", "must be an RFC 3339 time");
  if (j.contains("seq")) {
    if (!j["seq"].is_number_unsigned()) return bad("seq", "must be a non-negative integer");
    e.seq = j["seq"].get<std::uint64_t>();
  }
  if (j.contains("source")) {
    if (!j["source"].is_string()) return bad("source", "must be a string");
    e.source = j["source"].get<std::string>();
  }
  if (j.contains("principal")) {
    auto principal = auth::principal_from_json(j["principal"]);
    if (!principal.ok()) return principal.error();
    e.principal = std::move(*principal);
  }
  if (j.contains("body")) e.body = std::move(j["body"]);
  return e;
}

// Field names and messages may quote input: repaired here, an error can always be sent.
nlohmann::json error_to_json(const Error& error) {
  return {{"code", std::string(error_code_name(error.code))},
          {"field", utf8_repaired(error.field)},
          {"message", utf8_repaired(error.message)}};
}

std::optional<Error> error_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("code") || !j["code"].is_string()) return std::nullopt;
  auto code = error_code_from_name(j["code"].get<std::string>());
  if (!code) return std::nullopt;
  Error e;
  e.code = *code;
  if (j.contains("field") && j["field"].is_string()) e.field = j["field"].get<std::string>();
  if (j.contains("message") && j["message"].is_string())
    e.message = j["message"].get<std::string>();
  return e;
}

// One request for random bytes per id, not one per character: libsodium asks the kernel on
// every call (a getrandom system call), and ids are made for every message. A byte below the
// largest multiple of the alphabet's size maps to a character without bias; the rest are
// skipped (about 3 %), and a second read follows in the rare case 32 bytes were not enough.
std::string new_id(std::string_view prefix) {
  constexpr std::size_t kLength = 20;
  const auto size = static_cast<unsigned>(kIdAlphabet.size());
  const unsigned limit = 256 - 256 % size;
  std::string out{prefix};
  out.reserve(prefix.size() + kLength);
  unsigned char bytes[32];
  std::size_t next = sizeof bytes;
  while (out.size() < prefix.size() + kLength) {
    if (next == sizeof bytes) {
      randombytes_buf(bytes, sizeof bytes);
      next = 0;
    }
    const unsigned b = bytes[next++];
    if (b < limit) out += kIdAlphabet[b % size];
  }
  return out;
}

}  // namespace piket
