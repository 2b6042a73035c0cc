// The pure parts of the scheduler's one roster writer: a decided change applied to a roster,
// the violations a change adds (against those it leaves), the steps of a swap request and the
// hand-offs a roster makes.
#include <algorithm>
#include <catch.hpp>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "scheduler/model/roster.hpp"
#include "scheduler/roster/handoffs.hpp"
#include "scheduler/roster/roster_change.hpp"
#include "scheduler/roster/roster_changes.hpp"
#include "scheduler/roster/swap_steps.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::TimePoint;
namespace sch = piket::scheduler;
using sch::Interval;
using sch::Override;
using sch::RosterChange;
using sch::RosterPart;
using sch::Rotation;
using sch::SwapRequest;
using piket::Violation;

TimePoint utc(const char* text) {
  TimePoint t;
  if (!piket::parse_utc(text, t)) throw std::invalid_argument(text);
  return t;
}

Rotation weekly(const char* id, std::vector<std::string> participants) {
  Rotation r;
  r.id = id;
  r.region = "eemland";
  r.start_date = *sch::parse_local_date("2026-01-05");  // a Monday
  r.handoff_time = *sch::parse_local_time("08:00");
  r.turn_days = 7;
  r.participants = std::move(participants);
  return r;
}

Override stand_in(const char* id, const char* worker, const char* start, const char* end) {
  Override o;
  o.id = id;
  o.kind = Override::Kind::add;
  o.region = "eemland";
  o.worker_id = worker;
  o.interval = {utc(start), utc(end)};
  return o;
}

Violation violation(const char* worker, const char* rule, const char* start, const char* end) {
  return {worker, rule, {utc(start), utc(end)}, "", ""};
}

SwapRequest swap_in(const char* state) {
  SwapRequest s;
  s.id = "s-1";
  s.requester_id = "w-em-02";
  s.peer_id = "w-em-03";
  s.region = "eemland";
  s.interval = {utc("2026-12-03T07:00:00Z"), utc("2026-12-03T19:00:00Z")};
  s.state = state;
  return s;
}

}  // namespace

TEST_CASE("a change stores new entries, replaces those with the same id and removes by id",
          "[unit][roster-writer]") {
  sch::Roster roster;
  roster.rotations = {weekly("day", {"w-em-01", "w-em-02"})};
  roster.overrides = {stand_in("o-1", "w-em-03", "2026-12-03T07:00:00Z", "2026-12-03T19:00:00Z")};
  roster.minimums = {{"eemland", "crisis_worker", sch::DutyType::on_call, 2}};
  roster.inactive = {"w-em-04"};

  RosterChange change;
  change.rotations = {weekly("day", {"w-em-02", "w-em-01"}), weekly("night", {"w-em-03"})};
  change.removals = {{RosterPart::overrides, "o-1"}};
  const sch::Roster after = sch::applied(roster, change);

  REQUIRE(after.rotations.size() == 2);
  CHECK(after.rotations[0].participants == std::vector<std::string>{"w-em-02", "w-em-01"});
  CHECK(after.rotations[1].id == "night");
  CHECK(after.overrides.empty());
  CHECK(after.minimums.size() == 1);
  CHECK(after.inactive == std::set<std::string>{"w-em-04"});
  CHECK(sch::has_entry(after, RosterPart::rotations, "night"));
  CHECK_FALSE(sch::has_entry(after, RosterPart::overrides, "o-1"));
  CHECK(sch::has_entry(roster, RosterPart::overrides, "o-1"));  // the original is untouched
}

TEST_CASE("two changes applied one after the other both stay", "[unit][roster-writer]") {
  sch::Roster roster;
  RosterChange first, second;
  first.overrides = {stand_in("o-1", "w-em-03", "2026-12-03T07:00:00Z", "2026-12-03T19:00:00Z")};
  second.overrides = {stand_in("o-2", "w-em-04", "2026-12-04T07:00:00Z", "2026-12-04T19:00:00Z")};
  const sch::Roster after = sch::applied(sch::applied(roster, first), second);
  REQUIRE(after.overrides.size() == 2);
  CHECK(after.overrides[0].id == "o-1");
  CHECK(after.overrides[1].id == "o-2");
}

TEST_CASE("a change is refused only for the violations it adds, and those that move or ease remain",
          "[unit][roster-writer]") {
  // Relieving one night re-anchors a four-week count: the window moves, the violation is old.
  const std::vector<Violation> before{
      violation("w-em-02", "max_on_call_days_4w", "2026-11-02T07:00:00Z", "2026-11-30T07:00:00Z"),
      violation("w-em-02", "free_day_pairs_4w", "2026-11-02T07:00:00Z", "2026-11-30T07:00:00Z")};

  SECTION("a moved window is the same violation") {
    const std::vector<Violation> after{violation("w-em-02", "max_on_call_days_4w",
                                                 "2026-11-03T07:00:00Z", "2026-12-01T07:00:00Z")};
    auto compared = piket::compare_violations(before, after);
    CHECK(compared.added.empty());
    REQUIRE(compared.remaining.size() == 1);
    CHECK(compared.remaining[0].rule == "max_on_call_days_4w");
  }
  SECTION("another rule, another worker or another stretch of time is new") {
    const std::vector<Violation> after{
        violation("w-em-02", "max_shift_length", "2026-11-10T07:00:00Z", "2026-11-10T20:00:00Z"),
        violation("w-em-03", "max_on_call_days_4w", "2026-11-02T07:00:00Z", "2026-11-30T07:00:00Z"),
        violation("w-em-02", "free_day_pairs_4w", "2026-12-01T07:00:00Z", "2026-12-29T07:00:00Z")};
    auto compared = piket::compare_violations(before, after);
    CHECK(compared.added.size() == 3);
    CHECK(compared.remaining.empty());
  }
  SECTION("a violation the change removes is in neither list") {
    auto compared = piket::compare_violations(before, {});
    CHECK(compared.added.empty());
    CHECK(compared.remaining.empty());
  }
}

TEST_CASE("a roster's working-time check counts the call-outs the worker accepted",
          "[unit][roster-writer][working_time]") {
  sch::Roster roster;
  roster.rotations = {weekly("week", {"w-em-01"})};
  const Interval window{utc("2026-12-01T00:00:00Z"), utc("2026-12-05T00:00:00Z")};
  const auto* zone = date::locate_zone("Europe/Amsterdam");
  const piket::WorkingTimeLimits law;
  auto on_call_rule = [](const std::vector<Violation>& found) {
    return std::count_if(found.begin(), found.end(),
                         [](const Violation& v) { return v.rule == piket::kRuleOnCallWork24h; });
  };
  const std::map<std::string, std::vector<Interval>> none;
  CHECK(on_call_rule(sch::violations_for(roster, {"w-em-01"}, {"eemland"}, window, none, law, *zone)) == 0);
  // Three long call-outs in one day on call: 14 h of work.
  const std::map<std::string, std::vector<Interval>> busy{
      {"w-em-01",
       {{utc("2026-12-02T08:00:00Z"), utc("2026-12-02T13:00:00Z")},
        {utc("2026-12-02T14:00:00Z"), utc("2026-12-02T19:00:00Z")},
        {utc("2026-12-02T20:00:00Z"), utc("2026-12-03T00:00:00Z")}}}};
  const auto found = sch::violations_for(roster, {"w-em-01"}, {"eemland"}, window, busy, law, *zone);
  REQUIRE(on_call_rule(found) == 1);
  for (const auto& v : found)
    if (v.rule == piket::kRuleOnCallWork24h) CHECK(v.figure == "14.0 h > 13 h");
}

namespace {
piket::auth::Principal worker_user(const std::string& worker) {
  piket::auth::Principal p;
  p.id = "u-" + worker;
  p.roles = {"worker"};
  p.worker = worker;
  return p;
}
piket::auth::Principal lead_of(const std::string& team) {
  piket::auth::Principal p;
  p.id = "lead-" + team;
  p.roles = {"team_lead"};
  p.teams = {team};
  return p;
}
}  // namespace

TEST_CASE("a swap is accepted by the peer, then approved by a team lead of their teams",
          "[unit][roster-writer]") {
  const auto& workers = piket::test::demo_data().workers;
  const TimePoint at = utc("2026-12-02T13:00:00Z");
  const SwapRequest requested = swap_in("requested");  // w-em-02 (em-a) with w-em-03 (em-b)

  auto accepted = sch::next_swap_step(requested, "accept", sch::swap_actor(worker_user("w-em-03"), requested, workers), at);
  REQUIRE(accepted.ok());
  CHECK(accepted->state == "accepted");
  REQUIRE(accepted->history.size() == 1);
  CHECK(accepted->history[0].by == "u-w-em-03");
  CHECK(accepted->history[0].at == at);

  for (const char* team : {"em-a", "em-b"}) {
    auto approved = sch::next_swap_step(*accepted, "approve", sch::swap_actor(lead_of(team), *accepted, workers), at);
    REQUIRE(approved.ok());
    CHECK(approved->state == "approved");
    CHECK(approved->history.size() == 2);
    CHECK(approved->history[1].by == std::string("lead-") + team);
  }
}

TEST_CASE("a swap step out of order, or by the wrong person, is refused and says why",
          "[unit][roster-writer]") {
  const auto& workers = piket::test::demo_data().workers;
  const TimePoint at = utc("2026-12-02T13:00:00Z");
  struct Case {
    const char* state;
    const char* step;
    piket::auth::Principal who;
    piket::ErrorCode code;
    const char* field;
  };
  piket::auth::Principal nobody;
  const std::vector<Case> cases{
      {"requested", "accept", worker_user("w-em-04"), piket::ErrorCode::forbidden, "by"},  // not the peer
      {"requested", "approve", lead_of("em-a"), piket::ErrorCode::conflict, "state"},     // peer first
      {"accepted", "approve", worker_user("w-em-02"), piket::ErrorCode::forbidden, "by"},  // not a lead
      {"accepted", "approve", lead_of("ut-a"), piket::ErrorCode::forbidden, "by"},         // another team
      {"accepted", "reject", worker_user("w-em-04"), piket::ErrorCode::forbidden, "by"},   // a bystander
      {"accepted", "accept", worker_user("w-em-03"), piket::ErrorCode::conflict, "state"},
      {"approved", "reject", lead_of("em-a"), piket::ErrorCode::conflict, "state"},
      {"rejected", "accept", worker_user("w-em-03"), piket::ErrorCode::conflict, "state"},
      {"requested", "accept", nobody, piket::ErrorCode::invalid_field, "by"},
      {"requested", "cancel", worker_user("w-em-02"), piket::ErrorCode::invalid_field, "step"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.state, c.step, c.who.id);
    const SwapRequest swap = swap_in(c.state);
    auto next = sch::next_swap_step(swap, c.step, sch::swap_actor(c.who, swap, workers), at);
    REQUIRE_FALSE(next.ok());
    CHECK(next.error().code == c.code);
    CHECK(next.error().field == c.field);
  }
  for (const auto& who : {lead_of("em-a"), worker_user("w-em-02"), worker_user("w-em-03")}) {
    const SwapRequest swap = swap_in("accepted");
    auto rejected = sch::next_swap_step(swap, "reject", sch::swap_actor(who, swap, workers), at);
    REQUIRE(rejected.ok());
    CHECK(rejected->state == "rejected");
  }
}

TEST_CASE("only duty the requester has can be asked to swap", "[unit][roster-writer]") {
  sch::Roster roster;
  roster.rotations = {weekly("day", {"w-em-02", "w-em-03"})};  // w-em-02's turn from 30 Nov
  SwapRequest asked = swap_in("");
  auto made = sch::new_swap(asked, roster, "s-9", utc("2026-12-02T13:00:00Z"));
  REQUIRE(made.ok());
  CHECK(made->id == "s-9");
  CHECK(made->state == "requested");
  REQUIRE(made->history.size() == 1);
  CHECK(made->history[0].by == "w-em-02");

  asked.requester_id = "w-em-04";  // not in the rotation
  auto refused = sch::new_swap(asked, roster, "s-10", utc("2026-12-02T13:00:00Z"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "start");
}

TEST_CASE("a weekly turn passing on is one hand-off, with the outgoing worker named",
          "[unit][roster-writer]") {
  sch::Roster roster;
  roster.rotations = {weekly("day", {"w-em-01", "w-em-02"})};
  const std::map<std::string, sch::Roster> slices{{"eemland", roster}};
  // Monday 7 December 2026, 08:00 in Amsterdam is 07:00 UTC: w-em-01's turn follows w-em-02's.
  auto handoffs =
      sch::handoffs_between(slices, utc("2026-12-07T06:00:00Z"), utc("2026-12-07T08:00:00Z"));
  REQUIRE(handoffs.size() == 1);
  CHECK(handoffs[0].worker == "w-em-01");
  CHECK(handoffs[0].outgoing == "w-em-02");
  CHECK(handoffs[0].region == "eemland");
  CHECK(handoffs[0].start == utc("2026-12-07T07:00:00Z"));
  CHECK(handoffs[0].id == "h-eemland-crisis_worker-on_call-" +
                              std::to_string(piket::to_unix_ms(utc("2026-12-07T07:00:00Z"))));
  // The window is (from, until]: a duty starting at `from` was announced before.
  CHECK(sch::handoffs_between(slices, utc("2026-12-07T07:00:00Z"), utc("2026-12-07T08:00:00Z"))
            .empty());
  // Nothing starts inside the week.
  CHECK(sch::handoffs_between(slices, utc("2026-12-08T06:00:00Z"), utc("2026-12-09T08:00:00Z"))
            .empty());
}

TEST_CASE("day and night shifts hand off twice a day, and never from a worker to themselves",
          "[unit][roster-writer]") {
  auto day_and_night = [](std::vector<std::string> days_by, std::vector<std::string> nights_by) {
    Rotation days = weekly("day", std::move(days_by));
    days.shift_start = *sch::parse_local_time("08:00");
    days.shift_end = *sch::parse_local_time("20:00");
    Rotation nights = weekly("night", std::move(nights_by));
    nights.handoff_time = *sch::parse_local_time("20:00");
    nights.shift_start = *sch::parse_local_time("20:00");
    nights.shift_end = *sch::parse_local_time("08:00");
    sch::Roster roster;
    roster.rotations = {days, nights};
    return std::map<std::string, sch::Roster>{{"eemland", roster}};
  };
  const TimePoint from = utc("2026-12-08T00:00:00Z"), until = utc("2026-12-09T00:00:00Z");

  auto handoffs = sch::handoffs_between(
      day_and_night({"w-em-01", "w-em-02"}, {"w-em-03", "w-em-04"}), from, until);
  REQUIRE(handoffs.size() == 2);  // Tuesday 8 December, 08:00 and 20:00 in Amsterdam
  std::sort(handoffs.begin(), handoffs.end(),
            [](const auto& a, const auto& b) { return a.start < b.start; });
  CHECK(handoffs[0].start == utc("2026-12-08T07:00:00Z"));
  CHECK(handoffs[0].worker == "w-em-01");    // the day turn from Monday 7 December
  CHECK(handoffs[0].outgoing == "w-em-03");  // the night turn from Monday 7 December
  CHECK(handoffs[1].start == utc("2026-12-08T19:00:00Z"));
  CHECK(handoffs[1].worker == "w-em-03");
  CHECK(handoffs[1].outgoing == "w-em-01");

  // One worker on both: each new piece of duty continues theirs.
  CHECK(sch::handoffs_between(day_and_night({"w-em-01"}, {"w-em-01"}), from, until).empty());
}
