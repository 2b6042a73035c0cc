// Workers' home base, limits and team, and the demo workers that matching is tried on.
#include <algorithm>
#include <catch.hpp>

#include "tests/support/config_problems.hpp"
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::test::listed;

using piket::ConfigProblem;


const piket::RegionDirectory& regions() { return piket::test::demo_data().regions; }

std::string one_worker(const std::string& extra) {
  return "[[workers]]\nid = \"w-1\"\nname = \"W\"\nregion = \"utrecht-stad\"\n"
         "roles = [\"crisis_worker\"]\nwebhook_url = \"http://127.0.0.1/h\"\n" +
         extra + "\n";
}

}  // namespace

TEST_CASE("a worker's base is stored in the municipality's own spelling", "[unit][workers]") {
  std::vector<ConfigProblem> problems;
  auto workers =
      piket::parse_workers("workers.toml",
                           one_worker("base = \"  wijk BIJ duurstede\"\nteam = \"ut-a\"\n"
                                      "daily_case_limit = 6\ncontract_hours_per_week = 28.5"),
                           regions(), problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  const piket::Worker* w = workers.find("w-1");
  REQUIRE(w != nullptr);
  CHECK(w->base == "Wijk bij Duurstede");  // a base may lie in another region than the worker's
  CHECK(w->team == "ut-a");
  CHECK(w->daily_case_limit == 6);
  CHECK(w->contract_hours_per_week == 28.5);
}

TEST_CASE("base, team and limits are optional with documented defaults", "[unit][workers]") {
  std::vector<ConfigProblem> problems;
  auto workers = piket::parse_workers("workers.toml", one_worker(""), regions(), problems);
  REQUIRE(problems.empty());
  const piket::Worker* w = workers.find("w-1");
  REQUIRE(w != nullptr);
  CHECK(w->base.empty());
  CHECK(w->team.empty());
  CHECK(w->daily_case_limit == 4);
  CHECK(w->contract_hours_per_week == 36);
}

TEST_CASE("a bad base, limit, contract or team is reported with its key", "[unit][workers]") {
  std::vector<ConfigProblem> problems;
  std::string extra;
  std::string key;
  std::string reason;
  SECTION("a base outside every region") {
    extra = "base = \"Amsterdam\"";
    key = "workers[0].base";
    reason = "unknown municipality \"Amsterdam\" (not in any configured region)";
  }
  SECTION("a case limit of 0") {
    extra = "daily_case_limit = 0";
    key = "workers[0].daily_case_limit";
    reason = "must be between 1 and 20, got 0";
  }
  SECTION("more than 60 contract hours") {
    extra = "contract_hours_per_week = 61";
    key = "workers[0].contract_hours_per_week";
    reason = "must be between 0 and 60, got 61";
  }
  SECTION("contract hours as text") {
    extra = "contract_hours_per_week = \"36\"";
    key = "workers[0].contract_hours_per_week";
    reason = "must be a number";
  }
  SECTION("an empty team") {
    extra = "team = \" \"";
    key = "workers[0].team";
    reason = "must not be empty; leave it out for no team";
  }
  piket::parse_workers("workers.toml", one_worker(extra), regions(), problems);
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == key);
  CHECK(problems[0].reason == reason);
}

TEST_CASE("every demo region has team leads, physicians and workers based inside it",
          "[unit][workers]") {
  const auto& demo = piket::test::demo_data();
  const std::set<std::string> known_skills = {
      "honour_based_violence", "human_trafficking", "elder_abuse", "intellectual_disability",
      "lang_arabic",           "lang_turkish",      "lang_polish"};
  std::map<std::string, int> team_leads, physicians;
  int without_skills = 0;
  for (const auto& w : demo.workers.workers()) {
    INFO(w.id);
    const piket::Region* home = demo.regions.region_for_municipality(w.base);
    REQUIRE(home != nullptr);
    CHECK(home->id == w.region);
    for (const auto& skill : w.skills) CHECK(known_skills.count(skill) == 1);
    if (w.skills.empty()) ++without_skills;
    if (w.has_role(piket::kRoleTeamLead)) ++team_leads[w.region];
    if (w.roles == std::vector<std::string>{piket::kRolePhysician}) ++physicians[w.region];
  }
  for (const auto& region : demo.regions.regions()) {
    INFO(region.id);
    CHECK(team_leads[region.id] == 3);  // 01 leads a team; 05 and 06 take the team-lead rota
    CHECK(physicians[region.id] == 2);
  }
  CHECK(without_skills > 0);
  // The ids and roles other tests rely on.
  CHECK(demo.workers.find("w-ut-01")->roles ==
        std::vector<std::string>{piket::kRoleCrisisWorker, piket::kRoleTeamLead});
  CHECK(demo.workers.find("w-ut-vA")->roles == std::vector<std::string>{piket::kRolePhysician});
  CHECK(demo.workers.find("w-ls-04")->base == "Vijfheerenlanden");
}
