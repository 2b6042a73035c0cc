// First triage with the demo rules (config/demo/triage.toml), and the triage file's checks.
#include <catch.hpp>

#include <string>
#include <vector>

#include "dispatcher/triage/triage.hpp"

namespace {

using piket::ConfigProblem;
using piket::dispatcher::TriageRules;

const std::string kTriageFile = std::string(PIKET_SOURCE_DIR) + "/config/demo/triage.toml";

std::string listed(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

const ConfigProblem* problem_for(const std::vector<ConfigProblem>& problems, const std::string& key) {
  for (const auto& p : problems)
    if (p.key == key) return &p;
  return nullptr;
}

TriageRules demo_rules() {
  std::vector<ConfigProblem> problems;
  auto rules = piket::dispatcher::load_triage_rules(kTriageFile, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  return rules;
}

std::vector<std::string> fired_ids(const piket::dispatcher::TriageResult& result) {
  std::vector<std::string> ids;
  for (const auto* r : result.fired) ids.push_back(r->id);
  return ids;
}

const char* kTwoClasses = R"(
default_class = "LOW"

[[classes]]
id = "HIGH"
name = "high"
dispatch = true
accept_within_s = 60

[[classes]]
id = "LOW"
name = "low"
dispatch = false
)";

}  // namespace

TEST_CASE("a report with a weapon is T1 acute with five minutes to accept", "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage({"weapon"});
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T1");
  CHECK(result.acute());

  const auto j = result.to_json();
  CHECK(j["class"] == "T1");
  CHECK(j["acute"] == true);
  CHECK(j["accept_within_s"] == 300);
  REQUIRE(j["rules_fired"].size() == 1);
  CHECK(j["rules_fired"][0]["rule"] == "weapon");
  CHECK(j["rules_fired"][0]["indicator"] == "weapon");
  CHECK(j["rules_fired"][0]["class"] == "T1");
  CHECK(j["rules_fired"][0]["reason"] == "a weapon is involved");
}

TEST_CASE("a report without indicators gets the default class T3, not acute, no rules",
          "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage({});
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T3");
  CHECK_FALSE(result.acute());
  CHECK(result.fired.empty());
  const auto j = result.to_json();
  CHECK(j["acute"] == false);
  CHECK(j["rules_fired"].empty());
  CHECK(j["accept_within_s"] == 0);
}

TEST_CASE("with several indicators the most urgent class wins and every fired rule is listed",
          "[unit][triage]") {
  const auto rules = demo_rules();
  SECTION("T2, T0 and T4 give T0") {
    const auto result = rules.triage({"restraining_order", "violence_now", "advice_only"});
    REQUIRE(result.triage_class != nullptr);
    CHECK(result.triage_class->id == "T0");
    CHECK(result.acute());
    CHECK(fired_ids(result) ==
          std::vector<std::string>{"violence-now", "restraining-order", "advice"});
  }
  SECTION("T4 and T2 give T2 whatever order they come in") {
    for (const auto& indicators : {std::vector<std::string>{"advice_only", "hard_event_within_24h"},
                                   std::vector<std::string>{"hard_event_within_24h", "advice_only"}}) {
      const auto result = rules.triage(indicators);
      REQUIRE(result.triage_class != nullptr);
      CHECK(result.triage_class->id == "T2");
      CHECK(result.triage_class->accept_within.count() == 900);
      CHECK(fired_ids(result).size() == 2);
    }
  }
  SECTION("two T1 indicators give T1 with both rules") {
    const auto result = rules.triage({"threat_to_kill", "child_alone"});
    REQUIRE(result.triage_class != nullptr);
    CHECK(result.triage_class->id == "T1");
    CHECK(fired_ids(result) == std::vector<std::string>{"threat-to-kill", "child-alone"});
  }
}

TEST_CASE("only a less urgent indicator than the default lowers the class below it",
          "[unit][triage]") {
  const auto rules = demo_rules();
  const auto result = rules.triage({"advice_only"});
  REQUIRE(result.triage_class != nullptr);
  CHECK(result.triage_class->id == "T4");
  CHECK_FALSE(result.acute());
}

TEST_CASE("the demo rules know their indicators and nothing else", "[unit][triage]") {
  const auto rules = demo_rules();
  CHECK(rules.knows_indicator("weapon"));
  CHECK(rules.knows_indicator("violence_now"));
  CHECK_FALSE(rules.knows_indicator("Weapon"));
  CHECK_FALSE(rules.knows_indicator("violence-now"));  // a rule id, not an indicator
  CHECK_FALSE(rules.knows_indicator(""));
  CHECK(rules.indicators().size() == 11);
}

TEST_CASE("a triage file with a rule naming an unknown class is refused naming the key",
          "[unit][triage]") {
  const std::string text = std::string(kTwoClasses) + R"(
[[rules]]
id = "ok"
indicator = "a"
class = "HIGH"
reason = "fine"

[[rules]]
id = "bad"
indicator = "b"
class = "MEDIUM"
reason = "no such class"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "rules[1].class");
  CHECK(problems[0].reason.find("MEDIUM") != std::string::npos);
  CHECK(problems[0].file == "triage.toml");
}

TEST_CASE("a dispatched class without accept_within_s is refused naming the key",
          "[unit][triage]") {
  const std::string text = R"(
default_class = "A"

[[classes]]
id = "A"
name = "acute"
dispatch = true

[[rules]]
id = "r"
indicator = "x"
class = "A"
reason = "x"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "classes[0].accept_within_s");
}

TEST_CASE("a triage file with duplicate ids is refused naming the second one", "[unit][triage]") {
  std::string text;
  std::string key;
  SECTION("duplicate rule ids") {
    text = std::string(kTwoClasses) + R"(
[[rules]]
id = "same"
indicator = "a"
class = "HIGH"
reason = "one"

[[rules]]
id = "same"
indicator = "b"
class = "LOW"
reason = "two"
)";
    key = "rules[1].id";
  }
  SECTION("duplicate class ids") {
    text = std::string(kTwoClasses) + R"(
[[classes]]
id = "HIGH"
name = "again"

[[rules]]
id = "r"
indicator = "a"
class = "HIGH"
reason = "x"
)";
    key = "classes[2].id";
  }
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == key);
  CHECK(problems[0].reason.find("duplicate") != std::string::npos);
}

TEST_CASE("a triage file with an unknown default class is refused naming default_class",
          "[unit][triage]") {
  std::string text = std::string(kTwoClasses) + R"(
[[rules]]
id = "r"
indicator = "a"
class = "HIGH"
reason = "x"
)";
  text.replace(text.find("\"LOW\""), 5, "\"NONE\"");
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "default_class");
  CHECK(problems[0].reason.find("NONE") != std::string::npos);
}

TEST_CASE("a triage file with several faults lists them all", "[unit][triage]") {
  const std::string text = R"(
[[classes]]
id = "A"
dispatch = "yes"

[[rules]]
indicator = "x"
class = "B"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  for (const char* key : {"classes[0].name", "classes[0].dispatch", "rules[0].id", "rules[0].class",
                          "rules[0].reason", "default_class"}) {
    CAPTURE(key);
    CHECK(problem_for(problems, key) != nullptr);
  }
}
