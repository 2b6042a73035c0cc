// Notification rules as data: the API's JSON and the role defaults' TOML, every problem named.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"

#include "notifier/rules/notification_rules.hpp"

namespace {
using namespace piket::notifier;
using nlohmann::json;
using piket::test::listed;
using piket::test::problem_for;
const std::string kDemoRules = std::string(PIKET_SOURCE_DIR) + "/config/demo/notification_rules.toml";
}  // namespace

TEST_CASE("notification rules from the API round-trip and fall back to default", "[unit][notifier][rules]") {
  const json body = json::parse(R"({"T1": [{"channel": "sms", "after_s": 0}, {"channel": "voice", "after_s": 60}],
                                    "default": [{"channel": "email"}]})");
  auto rules = rules_from_json(body);
  REQUIRE(rules.ok());
  REQUIRE(rules->steps_for("T1") != nullptr);
  CHECK(rules->steps_for("T1")->at(1) == RuleStep{ChannelKind::voice, 60});
  CHECK(rules->steps_for("T3")->at(0) == RuleStep{ChannelKind::email, 0});
  CHECK(rules_from_json(to_json(*rules)).value() == *rules);
}

TEST_CASE("bad notification rules are refused naming the field", "[unit][notifier][rules]") {
  struct Row {
    const char* body;
    const char* field;
  };
  const std::vector<Row> rows{
      {R"([])", "rules"},
      {R"({})", "rules"},
      {R"({"T1": []})", "rules.T1"},
      {R"({"T1": {"channel": "sms"}})", "rules.T1"},
      {R"({"T1": [{"channel": "fax"}]})", "rules.T1[0].channel"},
      {R"({"T1": [{"after_s": 0}]})", "rules.T1[0].channel"},
      {R"({"T1": [{"channel": "sms", "after_s": -1}]})", "rules.T1[0].after_s"},
      {R"({"T1": [{"channel": "sms", "after_s": 99999}]})", "rules.T1[0].after_s"},
      {R"({"T1": [{"channel": "sms", "after_s": "soon"}]})", "rules.T1[0].after_s"},
      {R"({"T1": [{"channel": "sms", "after_s": 60}, {"channel": "email", "after_s": 0}]})", "rules.T1[1].after_s"},
      {R"({"T1": [{"channel": "sms", "name": "Jan"}]})", "rules.T1[0].name"},
      {R"({"T 1": [{"channel": "sms"}]})", "rules.T 1"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    auto rules = rules_from_json(json::parse(row.body));
    REQUIRE_FALSE(rules.ok());
    CHECK(rules.error().field == row.field);
  }
}

TEST_CASE("the demo's notification rule defaults load, and a role's own come before the fallback",
          "[unit][notifier][rules][config]") {
  std::vector<piket::ConfigProblem> problems;
  const auto defaults = load_rule_defaults(kDemoRules, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  piket::Worker worker;
  worker.roles = {"crisis_worker"};
  const auto* t1 = defaults.for_worker(worker).steps_for("T1");
  REQUIRE(t1 != nullptr);
  CHECK(t1->at(2) == RuleStep{ChannelKind::voice, 60});
  worker.roles = {"behavioural_scientist"};
  CHECK(defaults.for_worker(worker).steps_for("T1") == defaults.fallback.steps_for("default"));
}

TEST_CASE("bad notification rule defaults list every problem at once", "[unit][notifier][rules][config]") {
  std::vector<piket::ConfigProblem> problems;
  parse_rule_defaults("rules.toml", R"(
colour = "red"
[defaults]
T1 = [{channel = "sms", after_s = 0}]
[roles.crisis_worker]
T1 = [{channel = "pager", after_s = 0}]
T2 = [{channel = "sms", after_s = 30}, {channel = "email", after_s = 10}]
[roles.astronaut]
T1 = [{channel = "sms"}]
)", problems);
  INFO(listed(problems));
  CHECK(problem_for(problems, "colour"));
  CHECK(problem_for(problems, "defaults.default"));
  CHECK(problem_for(problems, "roles.crisis_worker.T1[0].channel"));
  CHECK(problem_for(problems, "roles.crisis_worker.T2[1].after_s"));
  CHECK(problem_for(problems, "roles.astronaut"));
}
