// Municipality coordinates: straight-line distances for matching, and the file that holds them.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"
#include <stdexcept>
#include <string>
#include <vector>

#include "common/domain/places.hpp"
#include "common/domain/regions.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::test::listed;
using piket::test::problem_for;

using piket::ConfigProblem;



piket::RegionDirectory two_regions() {
  std::vector<ConfigProblem> problems;
  auto regions = piket::parse_regions("regions.toml", R"(
[[regions]]
id = "utrecht-stad"
name = "Utrecht Stad"
municipalities = ["Utrecht"]

[[regions]]
id = "lekstroom"
name = "Lekstroom"
municipalities = ["Houten", "IJsselstein"]
)",
                                      problems);
  if (!problems.empty()) throw std::runtime_error(problems[0].to_string());
  return regions;
}

}  // namespace

TEST_CASE("the demo places give straight-line distances close to the real ones", "[unit][places]") {
  std::vector<ConfigProblem> problems;
  const auto places = piket::load_places(PIKET_SOURCE_DIR "/config/demo/places.toml",
                                         piket::test::demo_data().regions, problems);
  INFO(listed(problems));
  REQUIRE(problems.empty());
  CHECK(places.size() == 26);
  // Utrecht to Amersfoort is about 20 km as the crow flies; to Vianen about 11 km.
  CHECK(places.distance_km("Utrecht", "Amersfoort").value() == Approx(19.59).margin(0.01));
  CHECK(places.distance_km("Utrecht", "Vijfheerenlanden").value() == Approx(11.19).margin(0.01));
  CHECK(places.distance_km("Amersfoort", "Utrecht") == places.distance_km("Utrecht", "Amersfoort"));
  CHECK(places.distance_km("Woerden", "Woerden").value() == 0);
}

TEST_CASE("municipality names are matched whatever their capitals and spaces", "[unit][places]") {
  std::vector<ConfigProblem> problems;
  const auto places = piket::load_places(PIKET_SOURCE_DIR "/config/demo/places.toml",
                                         piket::test::demo_data().regions, problems);
  REQUIRE(problems.empty());
  CHECK(places.distance_km("  utrecht ", "DE BILT").value() == Approx(6.93).margin(0.01));
  CHECK_FALSE(places.distance_km("Utrecht", "Amsterdam").has_value());
  CHECK_FALSE(places.find("").has_value());
}

TEST_CASE("the haversine distance of two cities far apart is the known one", "[unit][places]") {
  // Paris to Amsterdam: about 430 km on the great circle.
  CHECK(piket::haversine_km({48.8566, 2.3522}, {52.3676, 4.9041}) == Approx(429.86).margin(0.1));
}

TEST_CASE("a places file with faults names every key at fault", "[unit][places]") {
  std::vector<ConfigProblem> problems;
  piket::parse_places("places.toml", R"(
[[places]]
municipality = "Utrecht"
lat = 152.09
lon = 5.12

[[places]]
municipality = "houten"
lat = 52.03
lon = "5.17"

[[places]]
municipality = "Amsterdam"
lat = 52.37
lon = 4.90

[[places]]
municipality = "Houten"
lat = 52.03
lon = 5.17
)",
                      two_regions(), problems);
  INFO(listed(problems));
  REQUIRE(problem_for(problems, "places[0].lat") != nullptr);
  CHECK(problem_for(problems, "places[0].lat")->reason == "must be between -90 and 90, got 152.09");
  REQUIRE(problem_for(problems, "places[1].lon") != nullptr);
  CHECK(problem_for(problems, "places[1].lon")->reason == "must be a number");
  REQUIRE(problem_for(problems, "places[2].municipality") != nullptr);
  CHECK(problem_for(problems, "places[2].municipality")->reason.find("Amsterdam") !=
        std::string::npos);
  REQUIRE(problem_for(problems, "places[3].municipality") != nullptr);
  CHECK(problem_for(problems, "places[3].municipality")->reason.find("places[1].municipality") !=
        std::string::npos);
  // IJsselstein has no entry: named under "places", with its region.
  REQUIRE(problem_for(problems, "places") != nullptr);
  CHECK(problem_for(problems, "places")->reason ==
        "no coordinates for municipality \"IJsselstein\" of region \"lekstroom\"");
  CHECK(problems.size() == 5);
  for (const auto& p : problems) CHECK(p.file == "places.toml");
}
