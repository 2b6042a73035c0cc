// UTF-8 at the edges: the check, the cut on a character boundary, the repair, and the gateway's
// readers that refuse bad bytes naming the field.
#include <catch.hpp>
#include <string>

#include <nlohmann/json.hpp>

#include "common/envelope.hpp"
#include "common/utf8.hpp"
#include "gateway/api/request_input.hpp"
#include "scheduler/import/csv_import.hpp"

using nlohmann::json;
using piket::ErrorCode;

namespace {
const std::string e_acute = "\xc3\xa9";  // é
}

TEST_CASE("well-formed UTF-8 is accepted and every kind of broken sequence is refused", "[utf8]") {
  CHECK(piket::valid_utf8(""));
  CHECK(piket::valid_utf8("Amersfoort"));
  CHECK(piket::valid_utf8("Utr" + e_acute + "cht \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  CHECK_FALSE(piket::valid_utf8("\xff"));                   // never a UTF-8 byte
  CHECK_FALSE(piket::valid_utf8("a\xc3"));                  // cut after the lead byte
  CHECK_FALSE(piket::valid_utf8("\xc3\x28"));               // bad continuation
  CHECK_FALSE(piket::valid_utf8("\xc0\xaf"));               // overlong '/'
  CHECK_FALSE(piket::valid_utf8("\xe0\x80\xaf"));           // overlong, three bytes
  CHECK_FALSE(piket::valid_utf8("\xed\xa0\x80"));           // a surrogate
  CHECK_FALSE(piket::valid_utf8("\xf4\x90\x80\x80"));       // above U+10FFFF
  CHECK_FALSE(piket::valid_utf8("caf\xe9"));                // Latin-1 é
}

TEST_CASE("an error text is cut before a character that does not fit, never inside it", "[utf8]") {
  const std::string municipality = std::string(99, 'a') + e_acute;  // 101 bytes
  const std::string cut = piket::utf8_prefix(municipality, 100);
  CHECK(cut == std::string(99, 'a'));
  CHECK(piket::valid_utf8(cut));
  CHECK(piket::utf8_prefix(municipality, 101) == municipality);
  const std::string indicator = std::string(63, 'a') + e_acute;
  CHECK(piket::utf8_prefix(indicator, 64) == std::string(63, 'a'));
  CHECK(piket::utf8_prefix("\xf0\x9f\x98\x80", 3).empty());
}

TEST_CASE("an error that quotes broken bytes still encodes as JSON, the bytes replaced", "[utf8]") {
  const auto error = piket::invalid("municipality\xc3", "no region serves " + std::string(99, 'a') + "\xc3");
  std::string encoded;
  REQUIRE_NOTHROW(encoded = json{{"error", piket::error_to_json(error)}}.dump());
  const json back = json::parse(encoded);
  CHECK(back["error"]["field"] == "municipality\xef\xbf\xbd");
  CHECK(back["error"]["message"] == "no region serves " + std::string(99, 'a') + "\xef\xbf\xbd");
}

TEST_CASE("the first string of a JSON value that is not UTF-8 is found by its path", "[utf8]") {
  json value = {{"reporter", {{"name", "ok"}}}, {"people", json::array({json::object(), json::object()})}};
  CHECK_FALSE(piket::first_invalid_utf8(value));
  value["people"][1]["role"] = std::string("chi\xffld");
  CHECK(piket::first_invalid_utf8(value) == "people[1].role");
}

TEST_CASE("a query parameter that decodes to bytes that are not UTF-8 is refused by name", "[utf8]") {
  auto ok = piket::gateway::read_query("/api/v1/reports/r-1?purpose=caf%C3%A9");
  REQUIRE(ok.ok());
  CHECK(ok->at("purpose") == "caf" + e_acute);
  auto bad = piket::gateway::read_query("/api/v1/reports/r-1?purpose=%ff");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::invalid_field);
  CHECK(bad.error().field == "purpose");
  CHECK_FALSE(piket::gateway::read_query("/x?%ff=1").ok());
  CHECK(piket::gateway::check_target("/api/v1/reports/r-\xff").error().field == "path");
  CHECK(piket::gateway::check_target("/api/v1/reports?purpose=%ff").ok());  // read_query's job
}

TEST_CASE("a JSON body with bytes that are not UTF-8 is refused naming the member that holds them",
          "[utf8]") {
  using piket::gateway::read_json_body;
  auto named = read_json_body(R"({"source":"police","reporter":{"name":"Jan )" + std::string("\xe9") +
                                  R"("},"indicators":[]})",
                              true);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().code == ErrorCode::invalid_field);
  CHECK(named.error().field == "reporter.name");

  auto in_array = read_json_body("{\"indicators\":[\"weapon\",\"x\xff\"]}", true);
  REQUIRE_FALSE(in_array.ok());
  CHECK(in_array.error().field == "indicators[1]");

  // A replacement character sent as such is text, not a bad byte.
  auto sent = read_json_body("{\"a\":\"\xef\xbf\xbd\",\"b\":\"\xff\"}", true);
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().field == "b");

  auto broken = read_json_body("{\"a\":", true);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ErrorCode::invalid_json);
  CHECK(read_json_body("[1]", true).error().code == ErrorCode::invalid_json);
  CHECK(read_json_body("{\"name\":\"Utr" + e_acute + "cht\"}", true).ok());
}

TEST_CASE("a CSV file that is not UTF-8 is refused naming the first line that shows it", "[utf8]") {
  const std::string latin1 = "id,name\nw-1,Jos\nw-2,Jos\xe9\n";
  auto text = piket::gateway::check_text_body(latin1);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().field == "body");
  CHECK(text.error().message.find("line 3") != std::string::npos);

  auto csv = piket::scheduler::read_csv(latin1);
  REQUIRE_FALSE(csv.ok());
  CHECK(csv.problems.front().line == 3);
  CHECK(csv.problems.front().reason.find("UTF-8") != std::string::npos);
}
