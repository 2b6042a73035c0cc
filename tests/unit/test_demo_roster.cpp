// The demo roster meets its own working-time rules and staffing minimums, so that a manager
// trying the demo sees a refusal only when a change really breaks a rule.
#include <catch.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/domain/working_time.hpp"
#include "common/local_time.hpp"
#include "scheduler/coverage/coverage.hpp"
#include "scheduler/coverage/staffing.hpp"
#include "scheduler/roster/roster_changes.hpp"
#include "tests/support/demo_data.hpp"

namespace {

namespace sch = piket::scheduler;

piket::TimePoint utc(const char* text) {
  piket::TimePoint t;
  if (!piket::parse_utc(text, t)) throw std::invalid_argument(text);
  return t;
}

sch::Roster demo_roster() {
  const auto& demo = piket::test::demo_data();
  std::vector<piket::ConfigProblem> problems;
  sch::Roster roster;
  roster.rotations = demo.rotations;
  roster.minimums = sch::load_staffing(std::string(PIKET_SOURCE_DIR) + "/config/demo/staffing.toml",
                                       demo.regions, problems);
  if (!problems.empty()) throw std::runtime_error(problems.front().to_string());
  return roster;
}

}  // namespace

TEST_CASE("the demo roster meets the working-time rules for 16 weeks, both DST changes included",
          "[unit][demo]") {
  const auto& demo = piket::test::demo_data();
  std::vector<piket::ConfigProblem> problems;
  const piket::WorkingTimeLimits limits = piket::load_working_time_limits(
      std::string(PIKET_SOURCE_DIR) + "/config/demo/working_time.toml", problems);
  REQUIRE(problems.empty());
  const sch::Roster roster = demo_roster();

  std::set<std::string> workers;
  for (const auto& r : roster.rotations) workers.insert(r.participants.begin(), r.participants.end());
  REQUIRE(workers.size() >= 20);
  const date::time_zone* zone = piket::find_zone("Europe/Amsterdam");
  REQUIRE(zone);
  // Across the spring change of 2027 and, separately, the autumn change of 2026.
  for (const sch::Interval window : {sch::Interval{utc("2026-12-28T00:00:00Z"), utc("2027-04-19T00:00:00Z")},
                                     sch::Interval{utc("2026-09-07T00:00:00Z"), utc("2026-12-28T00:00:00Z")}}) {
    const auto violations = sch::violations_for(roster, workers, sch::regions_of(roster, workers),
                                                window, {}, limits, *zone);
    for (const auto& v : violations) UNSCOPED_INFO(sch::to_json(v).dump());
    CHECK(violations.empty());
  }
  (void)demo;
}

TEST_CASE("the demo roster staffs every region's minimum at every instant for 16 weeks",
          "[unit][demo]") {
  const sch::Roster roster = demo_roster();
  REQUIRE_FALSE(roster.minimums.empty());
  const auto gaps = sch::find_gaps(roster, {utc("2026-12-28T00:00:00Z"), utc("2027-04-19T00:00:00Z")});
  const date::time_zone* zone = piket::find_zone("Europe/Amsterdam");
  for (const auto& g : gaps) UNSCOPED_INFO(sch::to_json(g, *zone).dump());
  CHECK(gaps.empty());
}
