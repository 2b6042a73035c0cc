// The ranking's weights come from matching.toml; a typo or a wrong value is a start-up problem.
#include <catch.hpp>

#include <algorithm>

#include "dispatcher/matching/matching_weights.hpp"

using piket::dispatcher::parse_matching_weights;

TEST_CASE("matching weights are read from config, with the defaults for what it leaves out",
          "[unit][matching][config]") {
  std::vector<piket::ConfigProblem> problems;
  const auto w = parse_matching_weights("matching.toml", "[weights]\ncontinuity = 500\nkm = 2.5\n", problems);
  CHECK(problems.empty());
  CHECK(w.continuity == 500);
  CHECK(w.km == 2.5);
  CHECK(w.case_today == 30);  // the default
}

TEST_CASE("a matching weight that is unknown, negative or not a number is refused by name",
          "[unit][matching][config]") {
  std::vector<piket::ConfigProblem> problems;
  parse_matching_weights("matching.toml", "[weights]\nkms = 2\nfairness = -1\nposition = \"five\"\n[extra]\n",
                         problems);
  std::vector<std::string> keys;
  for (const auto& p : problems) keys.push_back(p.key);
  CHECK(std::find(keys.begin(), keys.end(), "weights.kms") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "weights.fairness") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "weights.position") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "extra") != keys.end());
}

TEST_CASE("the demo's matching.toml is valid", "[unit][matching][config]") {
  std::vector<piket::ConfigProblem> problems;
  piket::dispatcher::load_matching_weights(PIKET_SOURCE_DIR "/config/demo/matching.toml", problems);
  CHECK(problems.empty());
}
