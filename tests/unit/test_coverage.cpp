// Minimum staffing: gaps are reported with their exact interval and staffed count.
#include <catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "scheduler/coverage/coverage.hpp"
#include "scheduler/coverage/staffing.hpp"
#include "scheduler/model/roster.hpp"
#include "scheduler/roster/rotation.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::TimePoint;
namespace sch = piket::scheduler;
using sch::DutyType;
using sch::Interval;
using sch::Rotation;

// Also used for constants at namespace scope, before Catch2 runs: throws instead of REQUIRE.
TimePoint utc(const char* text) {
  TimePoint t;
  if (!piket::parse_utc(text, t)) throw std::invalid_argument(text);
  return t;
}

const char* kRegion = "utrecht-stad";
const char* kRole = "crisis_worker";

Rotation rotation(const char* id, const char* handoff, int turn_days, const char* start,
                  const char* end, std::vector<std::string> participants) {
  Rotation r;
  r.id = id;
  r.region = kRegion;
  r.start_date = *sch::parse_local_date("2026-01-05");
  r.handoff_time = *sch::parse_local_time(handoff);
  r.turn_days = turn_days;
  if (start) r.shift_start = sch::parse_local_time(start);
  if (end) r.shift_end = sch::parse_local_time(end);
  r.participants = std::move(participants);
  return r;
}

const Interval kWeek{utc("2026-01-05T08:00:00Z"), utc("2026-01-12T08:00:00Z")};

}  // namespace

TEST_CASE("leave of the primary with a minimum of two gives a gap for exactly the leave",
          "[unit][coverage]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b"}));
  roster.minimums.push_back({kRegion, kRole, DutyType::on_call, 2});
  CHECK(sch::find_gaps(roster, kWeek).empty());

  const Interval leave{utc("2026-01-07T06:30:00Z"), utc("2026-01-08T15:45:00Z")};
  roster.leave.push_back({"l-1", "a", leave, "sick"});
  const auto gaps = sch::find_gaps(roster, kWeek);
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].region == kRegion);
  CHECK(gaps[0].role == kRole);
  CHECK(gaps[0].duty == DutyType::on_call);
  CHECK(gaps[0].interval.start == leave.start);
  CHECK(gaps[0].interval.end == leave.end);
  CHECK(gaps[0].staffed == 1);
  CHECK(gaps[0].minimum == 2);
}

TEST_CASE("a week with a nightly hole gives one gap per night with the exact instants",
          "[unit][coverage]") {
  sch::Roster roster;
  // Day cover 08:00-22:00 local only: 22:00-08:00 is empty every night.
  roster.rotations.push_back(rotation("day", "08:00", 7, "08:00", "22:00", {"a", "b"}));
  roster.minimums.push_back({kRegion, kRole, DutyType::on_call, 1});
  const auto gaps = sch::find_gaps(roster, kWeek);
  // The week starts Monday 09:00 CET: 7 nights fall inside it (Monday to Sunday night).
  REQUIRE(gaps.size() == 7);
  CHECK(gaps[0].interval.start == utc("2026-01-05T21:00:00Z"));
  CHECK(gaps[0].interval.end == utc("2026-01-06T07:00:00Z"));
  CHECK(gaps[6].interval.start == utc("2026-01-11T21:00:00Z"));
  CHECK(gaps[6].interval.end == utc("2026-01-12T07:00:00Z"));
  for (const auto& g : gaps) CHECK(g.staffed == 0);
}

TEST_CASE("a change in the staffed count splits a gap at that instant", "[unit][coverage]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b"}));
  roster.minimums.push_back({kRegion, kRole, DutyType::on_call, 3});
  roster.leave.push_back({"l-1", "a", {utc("2026-01-06T00:00:00Z"), utc("2026-01-07T00:00:00Z")},
                          "holiday"});
  const auto gaps = sch::find_gaps(roster, kWeek);
  REQUIRE(gaps.size() == 3);
  CHECK(gaps[0].staffed == 2);
  CHECK(gaps[0].interval.start == kWeek.start);
  CHECK(gaps[0].interval.end == utc("2026-01-06T00:00:00Z"));
  CHECK(gaps[1].staffed == 1);
  CHECK(gaps[1].interval.end == utc("2026-01-07T00:00:00Z"));
  CHECK(gaps[2].staffed == 2);
  CHECK(gaps[2].interval.start == utc("2026-01-07T00:00:00Z"));
  CHECK(gaps[2].interval.end == kWeek.end);
}

TEST_CASE("a minimum with no rotation at all is one gap over the whole window",
          "[unit][coverage]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b"}));
  roster.minimums.push_back({"eemland", kRole, DutyType::on_call, 1});
  roster.minimums.push_back({kRegion, kRole, DutyType::shift, 2});
  const auto gaps = sch::find_gaps(roster, kWeek);
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].region == "eemland");
  CHECK(gaps[0].interval.start == kWeek.start);
  CHECK(gaps[0].interval.end == kWeek.end);
  CHECK(gaps[0].staffed == 0);
  CHECK(gaps[1].duty == DutyType::shift);  // on-call standby does not count for a shift minimum
  CHECK(gaps[1].minimum == 2);
}

TEST_CASE("an add override fills a gap and a remove override opens one", "[unit][coverage]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b"}));
  roster.minimums.push_back({kRegion, kRole, DutyType::on_call, 2});
  sch::Override remove;
  remove.id = "o-1";
  remove.kind = sch::Override::Kind::remove;
  remove.region = kRegion;
  remove.replaced_worker_id = "b";
  remove.interval = {utc("2026-01-06T00:00:00Z"), utc("2026-01-08T00:00:00Z")};
  roster.overrides.push_back(remove);
  sch::Override add = remove;
  add.id = "o-2";
  add.kind = sch::Override::Kind::add;
  add.worker_id = "c";
  add.replaced_worker_id.clear();
  add.interval = {utc("2026-01-07T00:00:00Z"), utc("2026-01-09T00:00:00Z")};
  roster.overrides.push_back(add);
  const auto gaps = sch::find_gaps(roster, kWeek);
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].interval.start == utc("2026-01-06T00:00:00Z"));
  CHECK(gaps[0].interval.end == utc("2026-01-07T00:00:00Z"));
  CHECK(gaps[0].staffed == 1);
}

TEST_CASE("the demo roster meets every demo staffing minimum for a whole year",
          "[unit][coverage]") {
  const auto& demo = piket::test::demo_data();
  std::vector<piket::ConfigProblem> problems;
  sch::Roster roster;
  roster.rotations = demo.rotations;
  roster.minimums =
      sch::load_staffing(PIKET_SOURCE_DIR "/config/demo/staffing.toml", demo.regions, problems);
  REQUIRE(problems.empty());
  // Crisis workers, team leads and physicians in each of the five regions.
  CHECK(roster.minimums.size() == 15);
  const auto gaps =
      sch::find_gaps(roster, {utc("2026-01-05T07:00:00Z"), utc("2027-01-04T07:00:00Z")});
  CHECK(gaps.empty());
}
