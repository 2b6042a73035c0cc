// The message envelope, the error codes every reply carries, and random identifiers.
#include <catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/envelope.hpp"
#include "common/result.hpp"

namespace {

using piket::Envelope;
using piket::Error;
using piket::ErrorCode;
using nlohmann::json;

constexpr ErrorCode kEveryCode[] = {
    ErrorCode::invalid_field, ErrorCode::invalid_json, ErrorCode::unknown_region,
    ErrorCode::unavailable,   ErrorCode::conflict,     ErrorCode::not_found,
    ErrorCode::forbidden,     ErrorCode::too_large,    ErrorCode::internal,
};

// A valid envelope as JSON, so each case can break exactly one thing.
json valid_envelope() {
  return json{{"v", 1},
              {"type", "report.submit"},
              {"id", "q123"},
              {"correlation_id", "c9"},
              {"sent_at", "2026-11-26T04:02:44.123Z"},
              {"body", json::object()}};
}

}  // namespace

TEST_CASE("an envelope survives encode and decode with every field intact", "[unit][envelope]") {
  Envelope e;
  e.type = "assignment.accepted";
  e.id = "e4k7m";
  e.correlation_id = "q-abc";
  e.sent_at = piket::from_unix_ms(1795665764123);
  e.seq = 42;
  e.source = "sxyz";
  e.body = json{{"report_id", "r1"}, {"people", json::array({1, 2})}, {"acute", true}};

  auto decoded = piket::decode_envelope(piket::encode_envelope(e));
  REQUIRE(decoded.ok());
  CHECK(decoded->v == piket::kEnvelopeVersion);
  CHECK(decoded->type == e.type);
  CHECK(decoded->id == e.id);
  CHECK(decoded->correlation_id == e.correlation_id);
  CHECK(decoded->sent_at == e.sent_at);
  REQUIRE(decoded->seq.has_value());
  CHECK(*decoded->seq == 42);
  CHECK(decoded->source == "sxyz");
  CHECK(decoded->body == e.body);
}

TEST_CASE("an envelope without seq or source decodes without them", "[unit][envelope]") {
  Envelope e;
  e.type = "oncall.query";
  e.id = "q1";
  e.sent_at = piket::from_unix_ms(0);

  auto decoded = piket::decode_envelope(piket::encode_envelope(e));
  REQUIRE(decoded.ok());
  CHECK_FALSE(decoded->seq.has_value());
  CHECK(decoded->source.empty());
  CHECK(decoded->body == json::object());
}

TEST_CASE("an envelope of another version is refused naming the field v", "[unit][envelope]") {
  auto j = valid_envelope();
  SECTION("version 2") { j["v"] = 2; }
  SECTION("version 0") { j["v"] = 0; }
  SECTION("version as a string") { j["v"] = "1"; }
  SECTION("no version") { j.erase("v"); }
  auto decoded = piket::decode_envelope(j.dump());
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::invalid_field);
  CHECK(decoded.error().field == "v");
}

TEST_CASE("an envelope without a type is refused naming the field type", "[unit][envelope]") {
  auto j = valid_envelope();
  SECTION("missing") { j.erase("type"); }
  SECTION("empty") { j["type"] = ""; }
  SECTION("not a string") { j["type"] = 7; }
  auto decoded = piket::decode_envelope(j.dump());
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::invalid_field);
  CHECK(decoded.error().field == "type");
}

TEST_CASE("an envelope with a sent_at that is not an RFC 3339 time is refused", "[unit][envelope]") {
  auto j = valid_envelope();
  SECTION("missing") { j.erase("sent_at"); }
  SECTION("a date only") { j["sent_at"] = "2026-11-26"; }
  SECTION("words") { j["sent_at"] = "yesterday"; }
  SECTION("unix milliseconds") { j["sent_at"] = 1795665764123; }
  auto decoded = piket::decode_envelope(j.dump());
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::invalid_field);
  CHECK(decoded.error().field == "sent_at");
}

TEST_CASE("an envelope with a negative or fractional seq is refused naming seq", "[unit][envelope]") {
  auto j = valid_envelope();
  SECTION("negative") { j["seq"] = -1; }
  SECTION("fractional") { j["seq"] = 1.5; }
  auto decoded = piket::decode_envelope(j.dump());
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().field == "seq");
}

TEST_CASE("an envelope that is JSON but not an object is refused", "[unit][envelope]") {
  std::string text;
  SECTION("an array") { text = "[1,2,3]"; }
  SECTION("a string") { text = "\"hello\""; }
  SECTION("null") { text = "null"; }
  auto decoded = piket::decode_envelope(text);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::invalid_field);
  CHECK(decoded.error().field.empty());
}

TEST_CASE("an envelope that is not JSON at all is refused as invalid_json", "[unit][envelope]") {
  std::string text;
  SECTION("truncated") { text = R"({"v":1,"type":)"; }
  SECTION("empty") { text = ""; }
  SECTION("plain text") { text = "hello"; }
  auto decoded = piket::decode_envelope(text);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == ErrorCode::invalid_json);
}

TEST_CASE("an error survives error_to_json and error_from_json", "[unit][envelope]") {
  for (ErrorCode code : kEveryCode) {
    Error original = piket::make_error(code, "people[0].age", "must be 0 to 120");
    auto j = piket::error_to_json(original);
    CHECK(j["code"] == std::string(piket::error_code_name(code)));
    auto back = piket::error_from_json(j);
    REQUIRE(back.has_value());
    CHECK(back->code == code);
    CHECK(back->field == "people[0].age");
    CHECK(back->message == "must be 0 to 120");
  }
}

TEST_CASE("an error reply with an unknown or missing code is not taken for an error", "[unit][envelope]") {
  json j;
  SECTION("unknown code") { j = {{"code", "exploded"}, {"message", "x"}}; }
  SECTION("no code") { j = {{"field", "f"}, {"message", "x"}}; }
  SECTION("code is a number") { j = {{"code", 404}}; }
  SECTION("not an object") { j = json::array({"not_found"}); }
  CHECK_FALSE(piket::error_from_json(j).has_value());
}

TEST_CASE("a new id is the prefix and 20 characters without look-alikes", "[unit][envelope]") {
  const std::string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  for (const std::string prefix : {"r", "auto-", ""}) {
    const std::string id = piket::new_id(prefix);
    CAPTURE(prefix, id);
    REQUIRE(id.size() == prefix.size() + 20);
    CHECK(id.compare(0, prefix.size(), prefix) == 0);
    CHECK(id.find_first_not_of(alphabet, prefix.size()) == std::string::npos);
  }
}

TEST_CASE("a thousand new ids are all different", "[unit][envelope]") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(piket::new_id("r"));
  CHECK(ids.size() == 1000);
}

TEST_CASE("every character of the id alphabet comes up equally often (no modulo bias)",
          "[unit][envelope]") {
  const std::string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  std::map<char, int> seen;
  constexpr int kIds = 20000;
  for (int i = 0; i < kIds; ++i)
    for (char c : piket::new_id("")) ++seen[c];
  const double expected = kIds * 20.0 / static_cast<double>(alphabet.size());  // 12,903
  REQUIRE(seen.size() == alphabet.size());
  // About 114 is one standard deviation: 5 % (645) is more than five of them.
  for (auto [c, n] : seen) {
    CAPTURE(c, n);
    CHECK(std::abs(n - expected) < expected * 0.05);
  }
}

TEST_CASE("every error code has a stable name that maps back to it", "[unit][result]") {
  std::set<std::string> names;
  for (ErrorCode code : kEveryCode) {
    const std::string name{piket::error_code_name(code)};
    CAPTURE(name);
    names.insert(name);
    auto back = piket::error_code_from_name(name);
    REQUIRE(back.has_value());
    CHECK(*back == code);
  }
  CHECK(names.size() == std::size(kEveryCode));
  CHECK(piket::error_code_name(ErrorCode::unknown_region) == "unknown_region");
  CHECK_FALSE(piket::error_code_from_name("Not_Found").has_value());
  CHECK_FALSE(piket::error_code_from_name("").has_value());
}

TEST_CASE("every error code maps to the HTTP status a client expects", "[unit][result]") {
  CHECK(piket::http_status_for(ErrorCode::invalid_field) == 400);
  CHECK(piket::http_status_for(ErrorCode::invalid_json) == 400);
  CHECK(piket::http_status_for(ErrorCode::unknown_region) == 422);
  CHECK(piket::http_status_for(ErrorCode::unavailable) == 503);
  CHECK(piket::http_status_for(ErrorCode::conflict) == 409);
  CHECK(piket::http_status_for(ErrorCode::not_found) == 404);
  CHECK(piket::http_status_for(ErrorCode::forbidden) == 403);
  CHECK(piket::http_status_for(ErrorCode::too_large) == 413);
  CHECK(piket::http_status_for(ErrorCode::internal) == 500);
}

TEST_CASE("an error reads as code, field and message", "[unit][result]") {
  CHECK(piket::make_error(ErrorCode::not_found, "id", "no such report").to_string() ==
        "not_found (id): no such report");
  CHECK(piket::make_error(ErrorCode::internal, "", "boom").to_string() == "internal: boom");
}
