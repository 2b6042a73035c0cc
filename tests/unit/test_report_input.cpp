// A crisis report as the desk submits it: validated field by field and routed to a region.
#include <catch.hpp>

#include <algorithm>

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/domain/regions.hpp"
#include "dispatcher/intake/report_input.hpp"
#include "dispatcher/triage/triage.hpp"

namespace {

using nlohmann::json;
using piket::ConfigProblem;
using piket::ErrorCode;

const std::string kDemo = std::string(PIKET_SOURCE_DIR) + "/config/demo/";

piket::TimePoint utc(const std::string& text) {
  piket::TimePoint t;
  if (!piket::parse_utc(text, t)) throw std::invalid_argument("not RFC 3339: " + text);
  return t;
}

// The desk's clock for every parse here.
const piket::TimePoint kNow = utc("2026-10-20T12:00:00Z");

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
  return piket::dispatcher::parse_report_input(body, demo().regions, demo().triage, kNow);
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

TEST_CASE("a report is of kind report unless it says advice", "[unit][intake]") {
  auto result = parse(valid_report());
  REQUIRE(result.ok());
  CHECK(result->kind == "report");
  CHECK_FALSE(result->advice());
  CHECK(result->to_json()["kind"] == "report");

  auto body = valid_report();
  body["kind"] = "advice";
  result = parse(body);
  REQUIRE(result.ok());
  CHECK(result->advice());
  CHECK(result->region == "eemland");  // a municipality that is given still routes
}

TEST_CASE("an unknown kind is refused naming kind", "[unit][intake]") {
  auto body = valid_report();
  SECTION("a word") { body["kind"] = "complaint"; }
  SECTION("a number") { body["kind"] = 1; }
  auto error = refused(body, "kind");
  CHECK(error.message.find("advice") != std::string::npos);
}

TEST_CASE("an anonymous advice contact needs only a source", "[unit][intake]") {
  auto result = parse(json{{"kind", "advice"}, {"source", "citizen"}});
  REQUIRE(result.ok());
  CHECK(result->advice());
  CHECK(result->municipality.empty());
  CHECK(result->region.empty());
  CHECK(result->indicators.empty());
  CHECK_FALSE(result->reporter.has_value());
  const json j = result->to_json();
  CHECK(j["kind"] == "advice");
  CHECK(j["region"] == "");

  json again = j;
  again.erase("region");
  auto second = parse(again);  // a blank municipality is no municipality
  REQUIRE(second.ok());
  CHECK(second->to_json() == j);
}

TEST_CASE("an advice contact's municipality and indicators are checked when given",
          "[unit][intake]") {
  json body{{"kind", "advice"}, {"source", "citizen"}};
  SECTION("a municipality outside every region") {
    body["municipality"] = "Zwolle";
    refused(body, "municipality", ErrorCode::unknown_region);
  }
  SECTION("a municipality that is not a string") {
    body["municipality"] = 42;
    refused(body, "municipality");
  }
  SECTION("an unknown indicator") {
    body["indicators"] = json::array({"concern", "dragons"});
    refused(body, "indicators[1]");
  }
  SECTION("indicators that are not an array") {
    body["indicators"] = "concern";
    refused(body, "indicators");
  }
}

TEST_CASE("a report, unlike advice, still needs its municipality and indicators",
          "[unit][intake]") {
  refused(json{{"source", "citizen"}, {"indicators", json::array()}}, "municipality");
  refused(json{{"source", "citizen"}, {"municipality", "Houten"}}, "indicators");
}

TEST_CASE("a restraining order cannot be advice", "[unit][intake]") {
  json body{{"kind", "advice"},
            {"source", "restraining_order"},
            {"restraining_order", {{"imposed_at", "2026-10-20T10:00:00Z"}}}};
  auto error = refused(body, "kind");
  CHECK(error.message.find("report") != std::string::npos);
}

namespace {
json restraining_order_report(const json& order) {
  json body{{"source", "restraining_order"},
            {"municipality", "Utrecht"},
            {"indicators", json::array()},
            {"restraining_order", order}};
  if (order.is_null()) body.erase("restraining_order");
  return body;
}
}  // namespace

TEST_CASE("a report from a restraining order carries when it was imposed", "[unit][intake]") {
  auto result = parse(restraining_order_report({{"imposed_at", "2026-10-20T10:00:00+02:00"}}));
  REQUIRE(result.ok());
  REQUIRE(result->restraining_order.has_value());
  CHECK(result->restraining_order->imposed_at == utc("2026-10-20T08:00:00Z"));
  CHECK(result->to_json()["restraining_order"] ==
        json{{"imposed_at", "2026-10-20T08:00:00.000Z"}});

  json again = result->to_json();
  again.erase("region");
  auto second = parse(again);
  REQUIRE(second.ok());
  CHECK(second->to_json() == result->to_json());
}

TEST_CASE("another source may name a restraining order too, and need not", "[unit][intake]") {
  auto body = valid_report();
  CHECK_FALSE(parse(body)->restraining_order.has_value());
  CHECK_FALSE(parse(body)->to_json().contains("restraining_order"));
  body["restraining_order"] = {{"imposed_at", "2026-10-19T22:00:00Z"}};
  auto result = parse(body);
  REQUIRE(result.ok());
  CHECK(result->restraining_order->imposed_at == utc("2026-10-19T22:00:00Z"));
}

TEST_CASE("a restraining order without a valid imposed_at is refused naming it",
          "[unit][intake]") {
  std::string field = "restraining_order.imposed_at";
  std::string words;
  json body;
  SECTION("missing entirely") {
    body = restraining_order_report(nullptr);
    words = "required";
  }
  SECTION("an empty object") {
    body = restraining_order_report(json::object());
    words = "required";
  }
  SECTION("not a time") {
    body = restraining_order_report({{"imposed_at", "yesterday"}});
    words = "RFC 3339";
  }
  SECTION("a number") {
    body = restraining_order_report({{"imposed_at", 1792476000000}});
    words = "required";
  }
  SECTION("more than 5 minutes ahead of the desk's clock") {
    body = restraining_order_report({{"imposed_at", "2026-10-20T12:05:01Z"}});
    words = "future";
  }
  SECTION("more than 28 days ago") {
    body = restraining_order_report({{"imposed_at", "2026-09-22T11:59:59Z"}});
    words = "28 days";
  }
  SECTION("an unknown field beside it") {
    body = restraining_order_report({{"imposed_at", "2026-10-20T10:00:00Z"}, {"until", "x"}});
    field = "restraining_order.until";
    words = "unknown";
  }
  SECTION("not an object") {
    body = restraining_order_report("2026-10-20T10:00:00Z");
    field = "restraining_order";
    words = "object";
  }
  auto error = refused(body, field);
  CHECK(error.message.find(words) != std::string::npos);
}

TEST_CASE("imposed_at at the edges of the allowed span is accepted", "[unit][intake]") {
  for (const char* at : {"2026-10-20T12:05:00Z", "2026-09-22T12:00:00Z"}) {
    CAPTURE(at);
    auto result = parse(restraining_order_report({{"imposed_at", at}}));
    REQUIRE(result.ok());
    CHECK(result->restraining_order->imposed_at == utc(at));
  }
}

TEST_CASE("the people, their ages and injuries are what triage reads", "[unit][intake]") {
  auto body = valid_report();
  body["people"] = json::array({{{"role", "child"}, {"age", 4}},
                                {{"role", "child"}},
                                {{"role", "parent"}, {"age", 40}, {"injured", true}},
                                {{"role", "other"}, {"age", 2}, {"injured", false}}});
  auto result = parse(body);
  REQUIRE(result.ok());
  const auto facts = result->triage_facts(kNow, "Europe/Amsterdam");
  REQUIRE(facts.people.size() == 4);
  CHECK(facts.people[0].role == "child");
  CHECK(facts.people[0].age == 4);
  CHECK(facts.people[1].age == -1);
  CHECK(facts.people[2].injured);
  CHECK_FALSE(facts.people[3].injured);
  // Someone marked injured brings the injury indicator.
  CHECK(std::find(facts.indicators.begin(), facts.indicators.end(), "injury") != facts.indicators.end());
  // Stored and read back for a later triage, the facts are the same.
  const auto again = piket::dispatcher::stored_triage_facts(result->to_json(), kNow, "Europe/Amsterdam");
  REQUIRE(again.people.size() == 4);
  CHECK(again.people[2].injured);
  CHECK(again.indicators == facts.indicators);
}

TEST_CASE("an injured flag that is not true or false is refused naming it", "[unit][intake]") {
  auto body = valid_report();
  body["people"] = json::array({{{"role", "child"}, {"age", 4}, {"injured", "yes"}}});
  auto result = parse(body);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().field == "people[0].injured");
}

TEST_CASE("a hard event is a time ahead, within 28 days, and triage reads it", "[unit][intake]") {
  auto body = valid_report();
  SECTION("school ends this afternoon") {
    body["hard_event_at"] = "2026-10-20T15:00:00+02:00";
    auto result = parse(body);
    REQUIRE(result.ok());
    REQUIRE(result->hard_event_at);
    CHECK(*result->hard_event_at == utc("2026-10-20T13:00:00Z"));
    CHECK(result->to_json()["hard_event_at"] == "2026-10-20T13:00:00.000Z");
    CHECK(result->triage_facts(kNow, "Europe/Amsterdam").hard_event_at == result->hard_event_at);
  }
  struct Case {
    json value;
    const char* words;
  };
  for (const auto& c : std::vector<Case>{{"tomorrow", "RFC 3339"},
                                         {42, "RFC 3339"},
                                         {"2026-10-20T11:00:00Z", "past"},
                                         {"2026-11-20T12:00:00Z", "28 days"}}) {
    CAPTURE(c.value.dump());
    body["hard_event_at"] = c.value;
    auto result = parse(body);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().field == "hard_event_at");
    CHECK(result.error().message.find(c.words) != std::string::npos);
  }
}
