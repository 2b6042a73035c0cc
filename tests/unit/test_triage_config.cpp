// The triage file's checks: every problem names its key, all problems are listed at once.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"
#include <string>
#include <vector>

#include "dispatcher/triage/triage.hpp"

namespace {

using piket::test::listed;
using piket::test::problem_for;

using piket::ConfigProblem;



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

TEST_CASE("class deadlines and routes are checked naming their keys", "[unit][triage]") {
  const std::string text = R"(
default_class = "A"

[[classes]]
id = "A"
name = "both deadlines"
first_contact_within_s = 3600
first_contact_working_days = 5
route = "prison"

[[classes]]
id = "B"
name = "warnings at or after the deadline"
first_contact_working_days = 5
warn_at_working_days = [3, 5, 0, "4"]

[[classes]]
id = "C"
name = "warnings without working days"
warn_at_working_days = [1]
first_contact_within_s = 0
colour = "red"

[[rules]]
id = "r"
indicator = "x"
class = "A"
reason = "x"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"classes[0].first_contact_working_days", "either"},
      {"classes[0].route", "prison"},
      {"classes[1].warn_at_working_days[1]", "before the deadline"},
      {"classes[1].warn_at_working_days[2]", "before the deadline"},
      {"classes[1].warn_at_working_days[3]", "integer"},
      {"classes[2].warn_at_working_days", "first_contact_working_days"},
      {"classes[2].first_contact_within_s", "between 1"},
      {"classes[2].colour", "unknown key"},
  };
  for (const auto& [key, words] : expected) {
    CAPTURE(key);
    const ConfigProblem* p = problem_for(problems, key);
    REQUIRE(p != nullptr);
    CHECK(p->reason.find(words) != std::string::npos);
  }
  CHECK(problems.size() == expected.size());
}

TEST_CASE("rule conditions and requirements are checked naming their keys", "[unit][triage]") {
  const std::string text = std::string(kTwoClasses) + R"(
[[rules]]
id = "age"
class = "HIGH"
reason = "an adult is no child"
[rules.when]
indicators_any = ["injury"]
child_max_age = 30

[[rules]]
id = "clock"
class = "HIGH"
reason = "no 25th hour"
[rules.when]
local_time = "25:00-07:00"

[[rules]]
id = "empty-window"
class = "HIGH"
reason = "from equals to"
[rules.when]
local_time = "22:00-22:00"

[[rules]]
id = "source"
class = "HIGH"
reason = "not a source"
[rules.when]
sources = ["neighbour"]

[[rules]]
id = "typo"
class = "HIGH"
reason = "a misspelt condition"
[rules.when]
indicator_any = ["a"]

[[rules]]
id = "both-forms"
indicator = "a"
class = "HIGH"
reason = "old and new form at once"
[rules.when]
indicators_any = ["b"]

[[rules]]
id = "no-condition"
class = "HIGH"
reason = "fires always"

[[rules]]
id = "does-nothing"
indicator = "c"
reason = "no class and nothing added"

[[rules]]
id = "bad-requirements"
indicator = "d"
route = "prison"
roles = ["wizard"]
skills = [""]
two_person = "yes"
reason = "x"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"rules[0].when.child_max_age", "between 0 and 17"},
      {"rules[1].when.local_time", "HH:MM-HH:MM"},
      {"rules[2].when.local_time", "empty window"},
      {"rules[3].when.sources[0]", "neighbour"},
      {"rules[4].when.indicator_any", "unknown key"},
      {"rules[4].when", "is required"},
      {"rules[5].indicator", "either"},
      {"rules[6].when", "is required"},
      {"rules[7].class", "is required"},
      {"rules[8].route", "prison"},
      {"rules[8].roles[0]", "wizard"},
      {"rules[8].skills[0]", "empty"},
      {"rules[8].two_person", "true or false"},
  };
  for (const auto& [key, words] : expected) {
    CAPTURE(key);
    const ConfigProblem* p = problem_for(problems, key);
    REQUIRE(p != nullptr);
    CHECK(p->reason.find(words) != std::string::npos);
  }
  CHECK(problems.size() == expected.size());
}

TEST_CASE("conditions on injuries, hard events and the decided class are checked naming their keys",
          "[unit][triage]") {
  const std::string text = std::string(kTwoClasses) + R"(
[[rules]]
id = "who"
class = "HIGH"
reason = "an unknown kind of person"
[rules.when]
injured = "toddler"

[[rules]]
id = "adult-child"
class = "HIGH"
reason = "no adult is a child"
[rules.when]
injured = "adult"
child_max_age = 4

[[rules]]
id = "event"
class = "HIGH"
reason = "no time ahead"
[rules.when]
hard_event_within_s = 0

[[rules]]
id = "class-on-class"
class = "HIGH"
reason = "a rule on the class cannot set it"
[rules.when]
classes = ["HIGH"]

[[rules]]
id = "unknown-class"
two_person = true
reason = "no such class"
[rules.when]
classes = ["T7"]

[restraining_order]
family_contact_days_after = 9
family_contact_at = "noon"
)";
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"rules[0].when.injured", "child, adult or anyone"},
      {"rules[1].when.child_max_age", "injured adult"},
      {"rules[2].when.hard_event_within_s", "between"},
      {"rules[3].class", "cannot set the class"},
      {"rules[4].when.classes[0]", "unknown class T7"},
      {"restraining_order.family_contact_days_after", "between 0 and 7"},
      {"restraining_order.family_contact_at", "12:00"},
  };
  for (const auto& [key, words] : expected) {
    CAPTURE(key);
    const ConfigProblem* p = problem_for(problems, key);
    REQUIRE(p != nullptr);
    CHECK(p->reason.find(words) != std::string::npos);
  }
  CHECK(problems.size() == expected.size());
}

TEST_CASE("a rule without a class that adds a requirement is accepted", "[unit][triage]") {
  const std::string text = std::string(kTwoClasses) + R"(
[[rules]]
id = "night"
two_person = true
reason = "night"
[rules.when]
indicators_any = ["a"]
local_time = "22:00-07:00"
)";
  std::vector<ConfigProblem> problems;
  const auto rules = piket::dispatcher::parse_triage_rules("triage.toml", text, problems);
  INFO(listed(problems));
  CHECK(problems.empty());
  CHECK(rules.knows_indicator("a"));
}
