// Regions and workers: the directory every report is routed through, and the demo data.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"

#include <string>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "scheduler/roster/rotation.hpp"

namespace {

using piket::test::listed;

using piket::ConfigProblem;

bool names_key(const std::vector<ConfigProblem>& problems, const std::string& key) {
  for (const auto& p : problems)
    if (p.key == key) return true;
  return false;
}


const std::string kDemo = std::string(PIKET_SOURCE_DIR) + "/config/demo/";

const char* kTwoRegions = R"(
[[regions]]
id = "utrecht-stad"
name = "Utrecht Stad"
municipalities = ["Utrecht"]
neighbours = ["lekstroom"]

[[regions]]
id = "lekstroom"
name = "Lekstroom"
municipalities = ["Houten", "IJsselstein"]
neighbours = ["utrecht-stad"]
)";

}  // namespace

TEST_CASE("the demo regions, workers and rotations load without a single problem") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::load_regions(kDemo + "regions.toml", problems);
  auto workers = piket::load_workers(kDemo + "workers.toml", regions, problems);
  auto rotations =
      piket::scheduler::load_rotations(kDemo + "rotations.toml", regions, workers, problems);
  INFO(listed(problems));
  CHECK(problems.empty());
  CHECK(regions.regions().size() == 5);
  CHECK(workers.workers().size() == 40);
  CHECK(rotations.size() == 20);
}

TEST_CASE("every municipality of the province of Utrecht routes to its Veilig Thuis region") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::load_regions(kDemo + "regions.toml", problems);
  REQUIRE(problems.empty());
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"Utrecht", "utrecht-stad"},         {"Amersfoort", "eemland"},
      {"Baarn", "eemland"},                {"Bunschoten", "eemland"},
      {"Eemnes", "eemland"},               {"Leusden", "eemland"},
      {"Soest", "eemland"},                {"Woudenberg", "eemland"},
      {"Houten", "lekstroom"},             {"IJsselstein", "lekstroom"},
      {"Lopik", "lekstroom"},              {"Nieuwegein", "lekstroom"},
      {"Vijfheerenlanden", "lekstroom"},   {"Rhenen", "zuidoost"},
      {"Renswoude", "zuidoost"},           {"Utrechtse Heuvelrug", "zuidoost"},
      {"Veenendaal", "zuidoost"},          {"Wijk bij Duurstede", "zuidoost"},
      {"Zeist", "zuidoost"},               {"Bunnik", "zuidoost"},
      {"De Bilt", "zuidoost"},             {"De Ronde Venen", "west"},
      {"Montfoort", "west"},               {"Oudewater", "west"},
      {"Stichtse Vecht", "west"},          {"Woerden", "west"},
  };
  std::size_t total = 0;
  for (const auto& region : regions.regions()) total += region.municipalities.size();
  CHECK(total == expected.size());  // no municipality left out, none listed twice
  for (const auto& [municipality, region_id] : expected) {
    INFO(municipality);
    const piket::Region* region = regions.region_for_municipality(municipality);
    REQUIRE(region != nullptr);
    CHECK(region->id == region_id);
  }
}

TEST_CASE("a municipality typed with other capitals and spaces still finds its region") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::parse_regions("regions.toml", kTwoRegions, problems);
  REQUIRE(problems.empty());
  REQUIRE(regions.region_for_municipality("  ijsselstein ") != nullptr);
  CHECK(regions.region_for_municipality("  ijsselstein ")->id == "lekstroom");
  CHECK(regions.canonical_municipality("IJSSELSTEIN") == std::optional<std::string>("IJsselstein"));
  CHECK(regions.region_for_municipality("Amsterdam") == nullptr);
  CHECK_FALSE(regions.canonical_municipality("Amsterdam").has_value());
  CHECK(piket::fold_case("  De Bilt\t") == "de bilt");
}

TEST_CASE("every demo region has a primary and a backup on call at every hour") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::load_regions(kDemo + "regions.toml", problems);
  auto workers = piket::load_workers(kDemo + "workers.toml", regions, problems);
  auto rotations =
      piket::scheduler::load_rotations(kDemo + "rotations.toml", regions, workers, problems);
  REQUIRE(problems.empty());
  piket::TimePoint from, to;
  REQUIRE(piket::parse_utc("2026-01-05T07:00:00Z", from));  // the first Monday 08:00 local
  REQUIRE(piket::parse_utc("2027-12-31T23:00:00Z", to));
  int gaps = 0;
  for (const auto& region : regions.regions()) {
    for (auto t = from; t < to; t += std::chrono::minutes(60 * 7 + 13)) {
      auto on_call = piket::scheduler::who_is_on_call(rotations, region.id, "crisis_worker", t);
      const bool covered = on_call.size() == 2 && on_call[0].position == 0 && on_call[1].position == 1;
      if (!covered) ++gaps;
    }
  }
  CHECK(gaps == 0);
}

TEST_CASE("bad regions are reported with the key at fault") {
  std::vector<ConfigProblem> problems;
  piket::parse_regions("regions.toml", R"(
[[regions]]
id = "utrecht-stad"
name = "Utrecht Stad"
municipalities = ["Utrecht"]
neighbours = ["nowhere"]

[[regions]]
id = "utrecht-stad"
name = "Twice"
municipalities = [" utrecht", "Houten"]

[[regions]]
id = ""
name = "No id"
time_zone = "Europe/Utrecht"
municipalities = ["Lopik"]
)",
                       problems);
  INFO(listed(problems));
  CHECK(names_key(problems, "regions[0].neighbours[0]"));
  CHECK(names_key(problems, "regions[1].id"));
  CHECK(names_key(problems, "regions[1].municipalities[0]"));
  CHECK(names_key(problems, "regions[2].id"));
  CHECK(names_key(problems, "regions[2].time_zone"));
  CHECK(problems.size() == 5);
  for (const auto& p : problems) CHECK(p.file == "regions.toml");
}

TEST_CASE("a regions file with a missing municipality list or a syntax error is reported") {
  std::vector<ConfigProblem> problems;
  piket::parse_regions("regions.toml", "[[regions]]\nid = \"x\"\nname = \"X\"\n", problems);
  CHECK(names_key(problems, "regions[0].municipalities"));
  problems.clear();
  piket::parse_regions("regions.toml", "[[regions]\nid = ", problems);
  CHECK(problems.size() == 1);
  problems.clear();
  piket::load_regions("/nonexistent/regions.toml", problems);
  CHECK(problems.size() == 1);
}

TEST_CASE("bad workers are reported with the key at fault") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::parse_regions("regions.toml", kTwoRegions, problems);
  REQUIRE(problems.empty());
  auto workers = piket::parse_workers("workers.toml", R"(
[[workers]]
id = "w-1"
name = "Demo One"
region = "utrecht-stad"
roles = ["crisis_worker"]
webhook_url = "https://example.invalid/hook"

[[workers]]
id = "w-1"
name = "Demo Twice"
region = "atlantis"
roles = []
webhook_url = "ftp://127.0.0.1/hook"

[[workers]]
id = "w-3"
name = "Demo Three"
region = "lekstroom"
roles = ["crisis_worker", "astronaut"]
webhook_url = "http://127.0.0.1:8099/hooks/w-3"
active = false
)",
                                      regions, problems);
  INFO(listed(problems));
  CHECK(names_key(problems, "workers[1].id"));
  CHECK(names_key(problems, "workers[1].region"));
  CHECK(names_key(problems, "workers[1].roles"));
  CHECK(names_key(problems, "workers[1].webhook_url"));
  CHECK(names_key(problems, "workers[2].roles[1]"));
  CHECK(problems.size() == 5);
  REQUIRE(workers.find("w-3") != nullptr);
  CHECK_FALSE(workers.find("w-3")->active);
  CHECK(workers.find("w-1")->name == "Demo One");  // the first definition wins
}

TEST_CASE("only the four roles of the crisis teams are known") {
  CHECK(piket::is_known_role("crisis_worker"));
  CHECK(piket::is_known_role("behavioural_scientist"));
  CHECK(piket::is_known_role("confidential_physician"));
  CHECK(piket::is_known_role("team_lead"));
  CHECK_FALSE(piket::is_known_role("Crisis_Worker"));
  CHECK_FALSE(piket::is_known_role(""));
}
