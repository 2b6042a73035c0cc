// A crisis report as the desk submits it: validated field by field and routed to a region.
#include <catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/domain/regions.hpp"
#include "dispatcher/intake/report_input.hpp"
#include "dispatcher/triage/triage.hpp"

namespace {

using nlohmann::json;
using piket::ConfigProblem;
using piket::ErrorCode;

const std::string kDemo = std::string(PIKET_SOURCE_DIR) + "/config/demo/";

struct Demo {
  piket::RegionDirectory regions;
  piket::dispatcher::TriageRules triage;
};

const Demo& demo() {
  static const Demo d = [] {
    std::vector<ConfigProblem> problems;
    Demo out{piket::load_regions(kDemo + "regions.toml", problems),
             piket::dispatcher::load_triage_rules(kDemo + "triage.toml", problems)};
    if (!problems.empty()) throw std::runtime_error("demo data: " + problems[0].to_string());
    return out;
  }();
  return d;
}

json valid_report() {
  return json{{"source", "police"},
              {"municipality", "Amersfoort"},
              {"address", "Langestraat 1"},
              {"family_reference", "case-2026-0042"},
              {"indicators", json::array({"weapon", "child_alone"})},
              {"narrative", "Neighbours heard shouting; a knife was seen."},
              {"reporter", {{"name", "Agent Jansen"}, {"phone", "+31 6 12345678"},
                            {"organisation", "Politie Midden-Nederland"}}},
              {"people", json::array({{{"role", "child"}, {"age", 4}}, {{"role", "parent"}}})}};
}

piket::Result<piket::dispatcher::ReportInput> parse(const json& body) {
  return piket::dispatcher::parse_report_input(body, demo().regions, demo().triage);
}

// Parses and expects a refusal with `code` naming `field`.
piket::Error refused(const json& body, const std::string& field,
                     ErrorCode code = ErrorCode::invalid_field) {
  auto result = parse(body);
  REQUIRE_FALSE(result.ok());
  INFO(result.error().to_string());
  CHECK(result.error().code == code);
  CHECK(result.error().field == field);
  return result.error();
}

}  // namespace

TEST_CASE("a valid report is routed to the region that serves its municipality",
          "[unit][intake]") {
  auto body = valid_report();
  SECTION("as typed") { body["municipality"] = "Amersfoort"; }
  SECTION("with a trailing space and small letters") { body["municipality"] = "amersfoort "; }
  SECTION("in capitals with spaces around") { body["municipality"] = "  AMERSFOORT\t"; }
  auto result = parse(body);
  REQUIRE(result.ok());
  CHECK(result->region == "eemland");
  CHECK(result->municipality == "Amersfoort");
  CHECK(result->source == "police");
  CHECK(result->indicators == std::vector<std::string>{"weapon", "child_alone"});
  REQUIRE(result->reporter.has_value());
  CHECK(result->reporter->name == "Agent Jansen");
  REQUIRE(result->people.size() == 2);
  CHECK(result->people[0].role == "child");
  CHECK(result->people[0].age == 4);
  CHECK(result->people[1].age == -1);
}

TEST_CASE("a report with only the required fields is accepted", "[unit][intake]") {
  auto result = parse(json{{"source", "citizen"}, {"municipality", "Houten"},
                           {"indicators", json::array()}});
  REQUIRE(result.ok());
  CHECK(result->region == "lekstroom");
  CHECK(result->indicators.empty());
  CHECK_FALSE(result->reporter.has_value());
  CHECK(result->people.empty());
  CHECK(result->narrative.empty());
}

TEST_CASE("an indicator named twice is kept once", "[unit][intake]") {
  auto body = valid_report();
  body["indicators"] = json::array({"weapon", "weapon", "concern"});
  auto result = parse(body);
  REQUIRE(result.ok());
  CHECK(result->indicators == std::vector<std::string>{"weapon", "concern"});
}

TEST_CASE("a report without a known source is refused naming source", "[unit][intake]") {
  auto body = valid_report();
  SECTION("missing") { body.erase("source"); }
  SECTION("unknown") { body["source"] = "neighbour"; }
  SECTION("not a string") { body["source"] = 3; }
  auto error = refused(body, "source");
  CHECK(error.message.find("police") != std::string::npos);  // the options are listed
}

TEST_CASE("a report without a municipality is refused naming municipality", "[unit][intake]") {
  auto body = valid_report();
  SECTION("missing") { body.erase("municipality"); }
  SECTION("empty") { body["municipality"] = ""; }
  SECTION("not a string") { body["municipality"] = json::array({"Utrecht"}); }
  refused(body, "municipality");
}

TEST_CASE("a report from a municipality outside every region is refused naming the municipality",
          "[unit][intake]") {
  auto body = valid_report();
  body["municipality"] = "Zwolle";
  auto error = refused(body, "municipality", ErrorCode::unknown_region);
  CHECK(error.message.find("Zwolle") != std::string::npos);
}

TEST_CASE("indicators that are not an array are refused naming indicators", "[unit][intake]") {
  auto body = valid_report();
  SECTION("missing") { body.erase("indicators"); }
  SECTION("a single string") { body["indicators"] = "weapon"; }
  SECTION("an object") { body["indicators"] = json{{"weapon", true}}; }
  refused(body, "indicators");
}

TEST_CASE("an unknown indicator is refused naming its position", "[unit][intake]") {
  auto body = valid_report();
  body["indicators"] = json::array({"weapon", "dragons"});
  auto error = refused(body, "indicators[1]");
  CHECK(error.message.find("dragons") != std::string::npos);
}

TEST_CASE("an indicator that is not a string is refused naming its position", "[unit][intake]") {
  auto body = valid_report();
  body["indicators"] = json::array({"weapon", "concern", 7});
  refused(body, "indicators[2]");
}

TEST_CASE("an age outside 0 to 120 is refused naming the person", "[unit][intake]") {
  auto body = valid_report();
  SECTION("negative") { body["people"][0]["age"] = -1; }
  SECTION("too old") { body["people"][0]["age"] = 121; }
  SECTION("not an integer") { body["people"][0]["age"] = 4.5; }
  SECTION("a string") { body["people"][0]["age"] = "4"; }
  refused(body, "people[0].age");
}

TEST_CASE("the ages 0 and 120 are accepted", "[unit][intake]") {
  auto body = valid_report();
  body["people"][0]["age"] = 0;
  body["people"][1]["age"] = 120;
  auto result = parse(body);
  REQUIRE(result.ok());
  CHECK(result->people[0].age == 0);
  CHECK(result->people[1].age == 120);
}

TEST_CASE("a person with a wrong or unknown role or field is refused naming it", "[unit][intake]") {
  auto body = valid_report();
  std::string field;
  SECTION("unknown role") {
    body["people"][1]["role"] = "uncle";
    field = "people[1].role";
  }
  SECTION("no role") {
    body["people"][1].erase("role");
    field = "people[1].role";
  }
  SECTION("an extra field") {
    body["people"][1]["name"] = "Piet";
    field = "people[1].name";
  }
  SECTION("not an object") {
    body["people"][1] = "parent";
    field = "people[1]";
  }
  refused(body, field);
}

TEST_CASE("an unknown top-level field is refused naming it", "[unit][intake]") {
  auto body = valid_report();
  body["priority"] = "high";
  auto error = refused(body, "priority");
  CHECK(error.message == "unknown field");
}

TEST_CASE("a national ID number is refused with a message saying it is not stored",
          "[unit][intake]") {
  auto body = valid_report();
  std::string field;
  SECTION("bsn") { field = "bsn"; }
  SECTION("national_id") { field = "national_id"; }
  body[field] = "123456782";
  auto error = refused(body, field);
  CHECK(error.message.find("national ID") != std::string::npos);
  CHECK(error.message.find("family_reference") != std::string::npos);
}

TEST_CASE("a narrative over 20000 characters is refused naming narrative", "[unit][intake]") {
  auto body = valid_report();
  body["narrative"] = std::string(20001, 'x');
  auto error = refused(body, "narrative");
  CHECK(error.message.find("20000") != std::string::npos);

  body["narrative"] = std::string(20000, 'x');
  CHECK(parse(body).ok());
}

TEST_CASE("a reporter field of the wrong type is refused naming it", "[unit][intake]") {
  auto body = valid_report();
  std::string field;
  SECTION("name is a number") {
    body["reporter"]["name"] = 42;
    field = "reporter.name";
  }
  SECTION("phone is an object") {
    body["reporter"]["phone"] = json::object();
    field = "reporter.phone";
  }
  SECTION("the reporter is a string") {
    body["reporter"] = "Agent Jansen";
    field = "reporter";
  }
  SECTION("an unknown reporter field") {
    body["reporter"]["email"] = "a@b.nl";
    field = "reporter.email";
  }
  refused(body, field);
}

TEST_CASE("a body that is not an object is refused", "[unit][intake]") {
  refused(json::array({valid_report()}), "");
}

TEST_CASE("a parsed report written as JSON keeps every field", "[unit][intake]") {
  auto body = valid_report();
  body["municipality"] = " amersfoort";
  auto result = parse(body);
  REQUIRE(result.ok());
  const json j = result->to_json();
  CHECK(j["source"] == "police");
  CHECK(j["municipality"] == "Amersfoort");
  CHECK(j["region"] == "eemland");
  CHECK(j["address"] == "Langestraat 1");
  CHECK(j["family_reference"] == "case-2026-0042");
  CHECK(j["indicators"] == json::array({"weapon", "child_alone"}));
  CHECK(j["narrative"] == body["narrative"]);
  CHECK(j["reporter"] == body["reporter"]);
  CHECK(j["people"] == json::array({{{"role", "child"}, {"age", 4}}, {{"role", "parent"}}}));
}

TEST_CASE("a report written as JSON parses back to the same report", "[unit][intake]") {
  auto first = parse(valid_report());
  REQUIRE(first.ok());
  json j = first->to_json();
  j.erase("region");  // derived, not an input field
  auto second = parse(j);
  REQUIRE(second.ok());
  CHECK(second->to_json() == first->to_json());
}

TEST_CASE("a report without a reporter is written without one", "[unit][intake]") {
  auto body = valid_report();
  body.erase("reporter");
  auto result = parse(body);
  REQUIRE(result.ok());
  CHECK_FALSE(result->to_json().contains("reporter"));
}

TEST_CASE("an age too large for an int is refused, not wrapped into the allowed range",
          "[unit][intake]") {
  for (long long age : {4294967326LL, -4294967266LL}) {
    json body = valid_report();
    body["people"] = json::array({{{"role", "child"}, {"age", age}}});
    refused(body, "people[0].age", ErrorCode::invalid_field);
  }
}

TEST_CASE("text limits count characters, so accented names fit as written", "[unit][intake]") {
  json body = valid_report();
  std::string accented;
  for (int i = 0; i < 15000; ++i) accented += "\xc3\xa9";  // é: 15000 characters, 30000 bytes
  body["narrative"] = accented;
  REQUIRE(parse(body).ok());
  CHECK(parse(body)->narrative == accented);
}
