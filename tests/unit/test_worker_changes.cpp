// What a change to a worker or a team may not break: rotations that name the worker, the team
// they lead, the team they name; and a worker still in the plan can be deactivated, not deleted.
#include <catch.hpp>
#include <string>

#include "scheduler/coverage/coverage.hpp"
#include "scheduler/roster/roster_changes.hpp"
#include "scheduler/roster/roster_expander.hpp"
#include "scheduler/workers/worker_changes.hpp"
#include "tests/support/demo_data.hpp"

namespace {
namespace sch = piket::scheduler;
using piket::ErrorCode;

const piket::test::DemoData& demo() { return piket::test::demo_data(); }

piket::TeamDirectory teams() {
  const std::string file = std::string(PIKET_SOURCE_DIR) + "/config/demo/workers.toml";
  std::vector<piket::ConfigProblem> problems;
  return piket::load_teams(file, demo().regions, demo().workers, problems);
}

piket::Worker worker(const std::string& id) { return *demo().workers.find(id); }

piket::TimePoint utc(const char* text) {
  piket::TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}
}  // namespace

TEST_CASE("a worker in a rotation keeps its region and role, and may become inactive",
          "[unit][workers]") {
  piket::Worker w = worker("w-em-02");  // in day-eemland and night-eemland
  CHECK_FALSE(sch::check_worker(w, teams(), demo().rotations));
  w.active = false;
  CHECK_FALSE(sch::check_worker(w, teams(), demo().rotations));

  piket::Worker moved = worker("w-em-02");
  moved.region = "west";
  moved.team = "we-a";
  auto e = sch::check_worker(moved, teams(), demo().rotations);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::conflict);
  CHECK(e->field == "region");
  CHECK(e->message.find("eemland") != std::string::npos);

  piket::Worker retrained = worker("w-em-02");
  retrained.roles = {piket::kRoleBehaviouralScientist};
  e = sch::check_worker(retrained, teams(), demo().rotations);
  REQUIRE(e);
  CHECK(e->field == "roles");
  CHECK(e->message.find("crisis_worker") != std::string::npos);
}

TEST_CASE("a worker names an existing team of their region and a lead keeps the role",
          "[unit][workers]") {
  piket::Worker w = worker("w-em-03");
  w.team = "em-z";
  auto e = sch::check_worker(w, teams(), demo().rotations);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::not_found);
  CHECK(e->field == "team");
  w.team = "ut-a";
  e = sch::check_worker(w, teams(), demo().rotations);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::invalid_field);
  CHECK(e->message.find("utrecht-stad") != std::string::npos);

  piket::Worker lead = worker("w-em-05");  // leads em-b
  lead.roles = {piket::kRoleCrisisWorker};
  e = sch::check_worker(lead, teams(), {});
  REQUIRE(e);
  CHECK(e->field == "roles");
  CHECK(e->message.find("em-b") != std::string::npos);
}

TEST_CASE("a team's lead fits and its members are of its region", "[unit][workers]") {
  piket::Team team = *teams().find("em-b");
  CHECK_FALSE(sch::check_team(team, demo().workers));
  team.team_lead = "w-em-02";  // no team lead
  CHECK(sch::check_team(team, demo().workers)->field == "team_lead");
  team.team_lead = "w-nobody";
  CHECK(sch::check_team(team, demo().workers)->code == ErrorCode::not_found);
  team.team_lead = "";
  team.region = "west";
  auto e = sch::check_team(team, demo().workers);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::conflict);
  CHECK(e->field == "region");
}

TEST_CASE("a worker still named in the plan or leading a team cannot be deleted",
          "[unit][workers]") {
  sch::Roster roster;
  roster.rotations = demo().rotations;
  auto e = sch::check_worker_removal("w-em-02", roster, teams());
  REQUIRE(e);
  CHECK(e->code == ErrorCode::conflict);
  CHECK(e->field == "id");
  CHECK(e->message.find("rotation") != std::string::npos);
  CHECK(e->message.find("deactivate") != std::string::npos);
  sch::Roster empty;
  CHECK(sch::check_worker_removal("w-em-05", empty, teams())->message.find("team \"em-b\"") !=
        std::string::npos);
  CHECK_FALSE(sch::check_worker_removal("w-em-02", empty, piket::TeamDirectory{}));
  empty.leave.push_back(
      {"l-1", "w-em-02", {utc("2027-01-01T00:00:00Z"), utc("2027-01-02T00:00:00Z")}, "sick"});
  CHECK(sch::check_worker_removal("w-em-02", empty, piket::TeamDirectory{}));

  CHECK(sch::check_team_removal("em-a", demo().workers)->code == ErrorCode::conflict);
  CHECK_FALSE(sch::check_team_removal("em-z", demo().workers));
}

TEST_CASE("an inactive worker is off every duty, so the rotation that names them shows a gap",
          "[unit][workers]") {
  sch::Roster roster;
  roster.rotations = demo().rotations;
  roster.minimums.push_back({"eemland", piket::kRoleCrisisWorker, sch::DutyType::on_call, 2});
  const sch::Interval week{utc("2026-12-07T07:00:00Z"), utc("2026-12-14T07:00:00Z")};
  REQUIRE(sch::find_gaps(roster, week).empty());
  roster.inactive.insert("w-em-02");
  const auto gaps = sch::find_gaps(roster, week);
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].interval.start == week.start);
  CHECK(gaps[0].interval.end == week.end);
  CHECK(gaps[0].staffed == 1);  // week 48: w-em-01 and w-em-02 are the pair on duty
  for (const auto& s : sch::expand(roster, "eemland", week)) CHECK(s.worker_id != "w-em-02");
  // The slice for fast answers carries the inactive state along.
  CHECK(sch::slice(roster, "eemland").inactive.count("w-em-02") == 1);
  CHECK(sch::slice(roster, "west").inactive.empty());
}

TEST_CASE("only the part of a gap where staffing got lower counts as created", "[unit][coverage]") {
  const sch::Interval day{utc("2026-12-07T00:00:00Z"), utc("2026-12-08T00:00:00Z")};
  const sch::Interval noon{utc("2026-12-07T11:00:00Z"), utc("2026-12-07T13:00:00Z")};
  const sch::Gap before{"eemland", "crisis_worker", sch::DutyType::on_call, day, 1, 2};
  SECTION("a deeper hole inside a known gap is reported for its own stretch") {
    const std::vector<sch::Gap> after{
        {"eemland", "crisis_worker", sch::DutyType::on_call, {day.start, noon.start}, 1, 2},
        {"eemland", "crisis_worker", sch::DutyType::on_call, noon, 0, 2},
        {"eemland", "crisis_worker", sch::DutyType::on_call, {noon.end, day.end}, 1, 2}};
    const auto opened = sch::added_gaps({before}, after);
    REQUIRE(opened.size() == 1);
    CHECK(opened[0].interval.start == noon.start);
    CHECK(opened[0].interval.end == noon.end);
    CHECK(opened[0].staffed == 0);
  }
  SECTION("an eased or narrowed gap opens nothing") {
    CHECK(sch::added_gaps({before},
                          {{"eemland", "crisis_worker", sch::DutyType::on_call, noon, 1, 2}})
              .empty());
  }
  SECTION("a gap that grows is reported for the new part only") {
    const sch::Gap longer{"eemland",
                          "crisis_worker",
                          sch::DutyType::on_call,
                          {day.start, day.end + std::chrono::hours(2)},
                          1,
                          2};
    const auto opened = sch::added_gaps({before}, {longer});
    REQUIRE(opened.size() == 1);
    CHECK(opened[0].interval.start == day.end);
    CHECK(opened[0].interval.end == day.end + std::chrono::hours(2));
  }
}
