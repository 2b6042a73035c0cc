// Escalation policies as data: the default ladder, a region's own, and every fault named by key.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"
#include <string>
#include <vector>

#include "dispatcher/matching/escalation.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::test::listed;
using piket::test::problem_for;

using piket::ConfigProblem;
using piket::dispatcher::EscalationPolicy;
using piket::dispatcher::StepTarget;
using std::chrono::seconds;



// "first@0 repeat@120/second ..." for a compact comparison.
std::string steps_of(const EscalationPolicy& policy) {
  std::string out;
  for (const auto& s : policy.steps)
    out += (out.empty() ? "" : " ") + to_string(s.target) + "@" + std::to_string(s.after.count()) +
           "/" + s.channel;
  return out;
}

const char* kDefaultOnly = R"(
[[policies]]
region = "*"
[[policies.steps]]
after_s = 0
target = "first"
[[policies.steps]]
after_s = 60
target = "repeat"
)";

}  // namespace

TEST_CASE("the demo escalation file gives the default ladder and a faster one for the city",
          "[unit][escalation]") {
  std::vector<ConfigProblem> problems;
  const auto policies = piket::dispatcher::load_escalation_policies(
      PIKET_SOURCE_DIR "/config/demo/escalation.toml", piket::test::demo_data().regions, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  const auto& eemland = policies.for_region("eemland");
  CHECK(eemland.region == "*");
  CHECK(steps_of(eemland) ==
        "first@0/primary repeat@120/second next@300/primary neighbour@600/primary "
        "team_lead@900/primary all@1200/primary");
  CHECK(eemland.restart_after == seconds{300});
  const auto& city = policies.for_region("utrecht-stad");
  CHECK(city.region == "utrecht-stad");
  CHECK(steps_of(city) ==
        "first@0/primary repeat@60/second next@180/primary team_lead@360/primary "
        "neighbour@540/primary all@720/primary");
  CHECK(city.restart_after == seconds{180});
}

TEST_CASE("without an escalation file every region gets the product's default ladder",
          "[unit][escalation]") {
  const piket::dispatcher::EscalationPolicies none;
  const auto& policy = none.for_region("west");
  CHECK(policy.region == "*");
  CHECK(steps_of(policy) == steps_of(piket::dispatcher::default_escalation_policy()));
  CHECK(policy.steps.size() == 6);
  CHECK(policy.restart_after == seconds{300});
}

TEST_CASE("a repeat step goes to the second channel unless told otherwise", "[unit][escalation]") {
  std::vector<ConfigProblem> problems;
  const auto policies = piket::dispatcher::parse_escalation_policies(
      "escalation.toml", kDefaultOnly, piket::test::demo_data().regions, problems);
  REQUIRE(problems.empty());
  CHECK(steps_of(policies.for_region("west")) == "first@0/primary repeat@60/second");
  CHECK(policies.for_region("west").restart_after == seconds{300});
}

TEST_CASE("step targets have stable names", "[unit][escalation]") {
  for (StepTarget t : {StepTarget::first, StepTarget::repeat, StepTarget::next,
                       StepTarget::neighbour, StepTarget::team_lead, StepTarget::all})
    CHECK(piket::dispatcher::step_target_from(to_string(t)) == t);
  CHECK(to_string(StepTarget::team_lead) == "team_lead");
  CHECK_FALSE(piket::dispatcher::step_target_from("everyone").has_value());
}

TEST_CASE("a faulty escalation file names every key at fault", "[unit][escalation]") {
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_escalation_policies("escalation.toml", R"(
[[policies]]
region = "west"
restart_after_s = 0
[[policies.steps]]
after_s = 30
target = "first"
[[policies.steps]]
after_s = 60
target = "everyone"

[[policies]]
region = "eemland"
[[policies.steps]]
after_s = 0
target = "first"
[[policies.steps]]
after_s = 120
target = "repeat"
channel = "pigeon"
[[policies.steps]]
after_s = 120
target = "next"
[[policies.steps]]
after_s = 600
target = "first"

[[policies]]
region = "atlantis"
[[policies.steps]]
after_s = 0
target = "next"

[[policies]]
region = "west"
steps = []
)",
                                               piket::test::demo_data().regions, problems);
  INFO(listed(problems));
  auto reason = [&](const std::string& key) -> std::string {
    const ConfigProblem* p = problem_for(problems, key);
    return p ? p->reason : "(no problem for " + key + ")";
  };
  CHECK(reason("policies[0].restart_after_s") == "must be between 1 and 86400, got 0");
  CHECK(reason("policies[0].steps[0].after_s") ==
        "the first step starts the ladder: must be 0, got 30");
  CHECK(reason("policies[0].steps[1].target") ==
        "unknown target \"everyone\" (known: first, repeat, next, neighbour, team_lead, all)");
  CHECK(reason("policies[1].steps[1].channel") ==
        "must be \"primary\" or \"second\", got \"pigeon\"");
  CHECK(reason("policies[1].steps[2].after_s") ==
        "must be greater than the previous step's 120, got 120");
  CHECK(reason("policies[1].steps[3].target") == "only the first step may be \"first\"");
  CHECK(reason("policies[2].region") == "unknown region \"atlantis\"");
  CHECK(reason("policies[2].steps[0].target") == "the first step must be \"first\"");
  CHECK(reason("policies[3].region") == "a second policy for \"west\"");
  CHECK(reason("policies[3].steps") == "must have at least one step");
  CHECK(reason("policies") == "a default policy (region = \"*\") is required");
  CHECK(problems.size() == 11);
  for (const auto& p : problems) CHECK(p.file == "escalation.toml");
}

TEST_CASE("a missing step field is reported once, not again as out of order",
          "[unit][escalation]") {
  std::vector<ConfigProblem> problems;
  piket::dispatcher::parse_escalation_policies("escalation.toml", std::string(kDefaultOnly) + R"(
[[policies.steps]]
target = "next"
)",
                                               piket::test::demo_data().regions, problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "policies[0].steps[2].after_s");
  CHECK(problems[0].reason == "is required");
}
