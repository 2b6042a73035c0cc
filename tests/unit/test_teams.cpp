// Teams in workers.toml: each with a lead of its region, and every worker in a team of theirs.
#include <catch.hpp>
#include <string>
#include <vector>

#include "common/domain/teams.hpp"
#include "tests/support/demo_data.hpp"

namespace {
using piket::ConfigProblem;

std::string listed(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

const piket::RegionDirectory& regions() { return piket::test::demo_data().regions; }

const char* kWorkers = R"(
[[workers]]
id = "w-1"
name = "W 1"
region = "eemland"
roles = ["crisis_worker", "team_lead"]
team = "em-a"
webhook_url = "http://127.0.0.1/h"

[[workers]]
id = "w-2"
name = "W 2"
region = "eemland"
roles = ["crisis_worker"]
team = "em-a"
webhook_url = "http://127.0.0.1/h"
)";

std::vector<ConfigProblem> problems_of(const std::string& teams) {
  std::vector<ConfigProblem> problems;
  const std::string text = std::string(kWorkers) + teams;
  auto workers = piket::parse_workers("workers.toml", text, regions(), problems);
  REQUIRE(problems.empty());
  piket::parse_teams("workers.toml", text, regions(), workers, problems);
  return problems;
}
}  // namespace

TEST_CASE(
    "every demo worker is in a team of their region, and every demo team has a lead or "
    "is the physicians'",
    "[unit][workers]") {
  const std::string file = std::string(PIKET_SOURCE_DIR) + "/config/demo/workers.toml";
  std::vector<ConfigProblem> problems;
  auto workers = piket::load_workers(file, regions(), problems);
  auto teams = piket::load_teams(file, regions(), workers, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  REQUIRE(teams.teams().size() == 15);
  for (const auto& w : workers.workers()) {
    INFO(w.id);
    const piket::Team* team = teams.find(w.team);
    REQUIRE(team != nullptr);
    CHECK(team->region == w.region);
  }
  for (const auto& t : teams.teams())
    CHECK((t.team_lead.empty() == (t.id.find("physicians") != std::string::npos)));
}

TEST_CASE("a team's lead must be a team lead of its region", "[unit][workers]") {
  CHECK(problems_of(
            "[[teams]]\nid = \"em-a\"\nname = \"A\"\nregion = \"eemland\"\nteam_lead = \"w-1\"\n")
            .empty());
  auto not_lead = problems_of(
      "[[teams]]\nid = \"em-a\"\nname = \"A\"\nregion = \"eemland\"\nteam_lead = \"w-2\"\n");
  REQUIRE(not_lead.size() == 1);
  CHECK(not_lead[0].key == "teams[0].team_lead");
  CHECK(not_lead[0].reason.find("lacks the role team_lead") != std::string::npos);
  auto unknown = problems_of(
      "[[teams]]\nid = \"em-a\"\nname = \"A\"\nregion = \"eemland\"\nteam_lead = \"w-9\"\n");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].reason.find("unknown worker") != std::string::npos);
}

TEST_CASE("once teams are listed, a worker's team must be one of them in the worker's region",
          "[unit][workers]") {
  auto elsewhere = problems_of("[[teams]]\nid = \"em-a\"\nname = \"A\"\nregion = \"west\"\n");
  REQUIRE(elsewhere.size() == 2);
  CHECK(elsewhere[0].key == "workers[0].team");
  CHECK(elsewhere[0].reason.find("serves region \"west\"") != std::string::npos);
  auto missing = problems_of("[[teams]]\nid = \"em-b\"\nname = \"B\"\nregion = \"eemland\"\n");
  REQUIRE(missing.size() == 2);
  CHECK(missing[1].key == "workers[1].team");
  CHECK(missing[1].reason == "unknown team \"em-a\"");
  // Without [[teams]] a worker's team is free text, as before teams were modelled.
  CHECK(problems_of("").empty());
}
