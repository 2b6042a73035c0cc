// The escalation ladder of one report: whom each step of a policy alerts, and why a step that
// finds nobody is passed over.
#include <catch.hpp>
#include <string>
#include <vector>

#include "dispatcher/matching/escalation.hpp"
#include "dispatcher/matching/ladder.hpp"

namespace {

using piket::dispatcher::build_ladder;
using piket::dispatcher::default_escalation_policy;
using piket::dispatcher::LadderInput;
using piket::dispatcher::LadderStep;
using piket::dispatcher::MatchResult;
using piket::dispatcher::RankedCandidate;
using piket::dispatcher::StepTarget;

// A ranking with scores 100, 90, 80, ... in the order given.
MatchResult ranking(const std::vector<std::string>& ids) {
  MatchResult result;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    RankedCandidate r;
    r.worker_id = ids[i];
    r.position = static_cast<int>(i);
    r.score = 100 - 10 * static_cast<double>(i);
    result.ranked.push_back(r);
  }
  return result;
}

std::vector<std::string> workers_of(const LadderStep& step) {
  std::vector<std::string> out;
  for (const auto& t : step.targets) out.push_back(t.worker_id);
  return out;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE(
    "the default ladder alerts the best, repeats, then backup, neighbour, team lead and "
    "everyone left",
    "[unit][ladder]") {
  LadderInput input;
  input.region = "utrecht-stad";
  input.local = ranking({"w-ut-02", "w-ut-03", "w-ut-04", "w-ut-01"});
  input.local.ranked[0].continuity = true;
  input.local.ranked[0].reasons = {"continuity: works with this family (+1000)"};
  input.neighbours = {{"west", ranking({"w-we-01", "w-we-02"})},
                      {"lekstroom", ranking({"w-ls-01"})}};
  input.team_leads = {"w-ut-05"};
  const auto ladder = build_ladder(default_escalation_policy(), input);
  REQUIRE(ladder.size() == 6);

  CHECK(ladder[0].index == 0);
  CHECK(ladder[0].after_s == 0);
  CHECK(ladder[0].target == StepTarget::first);
  CHECK(ladder[0].channel == "primary");
  CHECK(workers_of(ladder[0]) == Ids{"w-ut-02"});
  CHECK(ladder[0].targets[0].region == "utrecht-stad");
  CHECK(ladder[0].targets[0].why == "rank 1: continuity: works with this family (+1000)");

  CHECK(ladder[1].after_s == 120);
  CHECK(ladder[1].channel == "second");
  CHECK(workers_of(ladder[1]) == Ids{"w-ut-02"});
  CHECK(ladder[1].targets[0].why == "again: rank 1: continuity: works with this family (+1000)");

  CHECK(ladder[2].after_s == 300);
  CHECK(workers_of(ladder[2]) == Ids{"w-ut-03"});
  CHECK(ladder[2].targets[0].why == "backup, rank 2 (score 90.0)");

  CHECK(ladder[3].after_s == 600);
  CHECK(workers_of(ladder[3]) == Ids{"w-we-01"});
  CHECK(ladder[3].targets[0].region == "west");
  CHECK(ladder[3].targets[0].why == "neighbouring region west, rank 1 (score 100.0)");

  CHECK(ladder[4].after_s == 900);
  CHECK(workers_of(ladder[4]) == Ids{"w-ut-05"});
  CHECK(ladder[4].targets[0].why == "team lead on call");

  CHECK(ladder[5].after_s == 1200);
  CHECK(workers_of(ladder[5]) == Ids{"w-ut-04", "w-ut-01"});
  CHECK(ladder[5].targets[1].why == "everyone left, rank 4 (score 70.0)");
  for (const auto& step : ladder) CHECK(step.skipped_reason.empty());
}

TEST_CASE("a step with nobody to alert keeps its place and says why", "[unit][ladder]") {
  // One eligible worker, no team lead on call, no neighbour with anyone eligible.
  LadderInput input;
  input.region = "utrecht-stad";
  input.local = ranking({"w-ut-02"});
  input.neighbours = {{"west", MatchResult{}}, {"lekstroom", MatchResult{}}};
  const auto ladder = build_ladder(default_escalation_policy(), input);
  REQUIRE(ladder.size() == 6);
  CHECK(workers_of(ladder[0]) == Ids{"w-ut-02"});
  CHECK(workers_of(ladder[1]) == Ids{"w-ut-02"});
  CHECK(ladder[2].targets.empty());
  CHECK(ladder[2].skipped_reason ==
        "no backup: every eligible worker on call in utrecht-stad was alerted before");
  CHECK(ladder[3].skipped_reason ==
        "nobody eligible on call in the neighbouring regions (west, lekstroom) who was not alerted "
        "before");
  CHECK(ladder[4].skipped_reason == "nobody on call as team lead in utrecht-stad");
  CHECK(ladder[5].skipped_reason ==
        "every eligible worker on call in utrecht-stad was alerted before");

  const auto json = piket::dispatcher::ladder_to_json(ladder);
  REQUIRE(json.size() == 6);
  CHECK(json[0]["target"] == "first");
  CHECK(json[0]["skipped_reason"].is_null());
  CHECK(json[0]["targets"][0] ==
        nlohmann::json(
            {{"worker", "w-ut-02"}, {"region", "utrecht-stad"}, {"why", "rank 1 (score 100.0)"}}));
  CHECK(json[4]["index"] == 4);
  CHECK(json[4]["after_s"] == 900);
  CHECK(json[4]["target"] == "team_lead");
  CHECK(json[4]["channel"] == "primary");
  CHECK(json[4]["targets"] == nlohmann::json::array());
  CHECK(json[4]["skipped_reason"] == "nobody on call as team lead in utrecht-stad");
}

TEST_CASE("when nobody in the region is eligible the ladder goes straight to help from outside",
          "[unit][ladder]") {
  LadderInput input;
  input.region = "eemland";
  input.local.excluded = {{"w-em-01", "declined this report"}, {"w-em-02", "inactive"}};
  input.team_leads = {"w-em-05"};
  const auto ladder = build_ladder(default_escalation_policy(), input);
  CHECK(ladder[0].skipped_reason == "nobody eligible on call in eemland (2 on call but excluded)");
  CHECK(ladder[1].skipped_reason == "nobody was alerted before, so there is nobody to repeat");
  CHECK(ladder[2].skipped_reason == "nobody eligible on call in eemland (2 on call but excluded)");
  CHECK(ladder[3].skipped_reason == "no neighbouring region to ask");
  CHECK(workers_of(ladder[4]) == Ids{"w-em-05"});
  CHECK(ladder[5].skipped_reason == "nobody eligible on call in eemland (2 on call but excluded)");
}

TEST_CASE("a two-person visit alerts a pair, repeats the pair and backs it up with the next pair",
          "[unit][ladder]") {
  LadderInput input;
  input.region = "zuidoost";
  input.people_needed = 2;
  input.local = ranking({"w-zo-01", "w-zo-02", "w-zo-03", "w-zo-04", "w-zo-05"});
  input.neighbours = {{"eemland", ranking({"w-em-01"})},
                      {"lekstroom", ranking({"w-ls-02", "w-ls-03"})}};
  const auto ladder = build_ladder(default_escalation_policy(), input);
  CHECK(workers_of(ladder[0]) == Ids{"w-zo-01", "w-zo-02"});
  CHECK(workers_of(ladder[1]) == Ids{"w-zo-01", "w-zo-02"});
  CHECK(workers_of(ladder[2]) == Ids{"w-zo-03", "w-zo-04"});
  // The pair from outside is made up across neighbours, in their order.
  CHECK(workers_of(ladder[3]) == Ids{"w-em-01", "w-ls-02"});
  CHECK(ladder[3].targets[1].region == "lekstroom");
  CHECK(ladder[4].skipped_reason == "nobody on call as team lead in zuidoost");
  CHECK(workers_of(ladder[5]) == Ids{"w-zo-05"});
}

TEST_CASE("a team lead who was already alerted as a crisis worker is not alerted again",
          "[unit][ladder]") {
  LadderInput input;
  input.region = "west";
  input.local = ranking({"w-we-01", "w-we-02"});
  input.team_leads = {"w-we-01"};
  const auto ladder = build_ladder(default_escalation_policy(), input);
  CHECK(workers_of(ladder[0]) == Ids{"w-we-01"});
  CHECK(ladder[4].skipped_reason == "every team lead on call in west was alerted before");
}

TEST_CASE("a repeat later in a policy repeats the step before it", "[unit][ladder]") {
  piket::dispatcher::EscalationPolicy policy;
  policy.region = "*";
  policy.steps = {{std::chrono::seconds{0}, StepTarget::first, "primary"},
                  {std::chrono::seconds{60}, StepTarget::next, "primary"},
                  {std::chrono::seconds{120}, StepTarget::repeat, "second"}};
  LadderInput input;
  input.region = "west";
  input.local = ranking({"w-we-01", "w-we-02"});
  const auto ladder = build_ladder(policy, input);
  CHECK(workers_of(ladder[2]) == Ids{"w-we-02"});
  CHECK(ladder[2].targets[0].why == "again: backup, rank 2 (score 90.0)");
}

TEST_CASE("when nobody in the region can be on scene in time, a neighbour who can is alerted at once",
          "[unit][ladder]") {
  LadderInput input;
  input.region = "eemland";
  input.local = ranking({"w-em-01", "w-em-02"});
  input.neighbours = {{"utrecht-stad", ranking({"w-ut-01", "w-ut-02"})}};
  input.neighbours[0].second.ranked[0].late = true;  // also busy: skipped
  for (auto& r : input.neighbours[0].second.ranked) r.on_scene = piket::from_unix_ms(1000);
  SECTION("the local best can make it: the ladder is as usual") {
    const auto ladder = build_ladder(default_escalation_policy(), input);
    CHECK(workers_of(ladder[0]) == Ids{"w-em-01"});
  }
  SECTION("the local best cannot: the first on-time neighbour goes with it") {
    for (auto& r : input.local.ranked) r.late = true;
    const auto ladder = build_ladder(default_escalation_policy(), input);
    REQUIRE(workers_of(ladder[0]) == Ids{"w-em-01", "w-ut-02"});
    CHECK(ladder[0].targets[1].region == "utrecht-stad");
    CHECK(ladder[0].targets[1].why.find("on scene in time where eemland cannot") != std::string::npos);
    // The neighbour step does not alert them a second time.
    for (const auto& step : ladder)
      if (step.target == StepTarget::neighbour)
        for (const auto& t : step.targets) CHECK(t.worker_id != "w-ut-02");
  }
}
