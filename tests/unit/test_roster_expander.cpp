// Roster expansion: rotations with layers, overrides, swaps and leave become concrete shifts,
// split at exact instants; on_call_at() gives the same answer for one instant.
#include <catch.hpp>

#include "scheduler/roster/roster_changes.hpp"
#include "tests/support/demo_data.hpp"

#include <date/tz.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "scheduler/model/roster.hpp"
#include "scheduler/roster/roster_expander.hpp"
#include "scheduler/roster/rotation.hpp"

namespace {

using piket::ConfigProblem;
using piket::TimePoint;
namespace sch = piket::scheduler;
using sch::DutyType;
using sch::Interval;
using sch::Override;
using sch::Rotation;
using sch::Shift;

// Also used for constants at namespace scope, before Catch2 runs: throws instead of REQUIRE.
TimePoint utc(const char* text) {
  TimePoint t;
  if (!piket::parse_utc(text, t)) throw std::invalid_argument(text);
  return t;
}

double hours(TimePoint start, TimePoint end) {
  return std::chrono::duration<double, std::ratio<3600>>(end - start).count();
}

const char* kRegion = "utrecht-stad";
const char* kRole = "crisis_worker";

Rotation rotation(const char* id, const char* handoff, int turn_days, const char* start,
                  const char* end, std::vector<std::string> participants, int layer = 0) {
  Rotation r;
  r.id = id;
  r.region = kRegion;
  r.start_date = *sch::parse_local_date("2026-01-05");  // a Monday
  r.handoff_time = *sch::parse_local_time(handoff);
  r.turn_days = turn_days;
  if (start) r.shift_start = sch::parse_local_time(start);
  if (end) r.shift_end = sch::parse_local_time(end);
  r.participants = std::move(participants);
  r.layer = layer;
  return r;
}

// The first week of the weekly rotation a, b, c: Monday 09:00 CET to the next Monday 09:00.
const Interval kWeek{utc("2026-01-05T08:00:00Z"), utc("2026-01-12T08:00:00Z")};
const Interval kTuesday{utc("2026-01-06T00:00:00Z"), utc("2026-01-07T00:00:00Z")};

sch::Roster weekly_roster() {
  sch::Roster roster;
  roster.rotations.push_back(rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b", "c"}));
  return roster;
}

Override override_of(const char* id, Override::Kind kind, const char* worker,
                     const char* replaced, Interval interval) {
  Override o;
  o.id = id;
  o.kind = kind;
  o.region = kRegion;
  o.worker_id = worker;
  o.replaced_worker_id = replaced;
  o.interval = interval;
  return o;
}

std::vector<Shift> of_worker(const std::vector<Shift>& shifts, const std::string& worker) {
  std::vector<Shift> out;
  for (const Shift& s : shifts)
    if (s.worker_id == worker) out.push_back(s);
  std::sort(out.begin(), out.end(), [](const Shift& a, const Shift& b) { return a.start < b.start; });
  return out;
}

std::vector<std::string> on_call_names(const sch::Roster& roster, TimePoint at) {
  std::vector<std::string> out;
  for (const auto& e : sch::on_call_at(roster, kRegion, kRole, at)) out.push_back(e.worker_id);
  return out;
}

// Shifts of one worker never overlap, and every instant of the window has one position-0
// shift per group when `tiled` (no gap, no overlap: neighbours share their boundary).
void check_exact(const std::vector<Shift>& shifts, Interval window, bool tiled) {
  std::map<std::string, std::vector<Shift>> by_worker;
  std::vector<Shift> primaries;
  for (const Shift& s : shifts) {
    CHECK(s.start < s.end);
    CHECK(window.start <= s.start);
    CHECK(s.end <= window.end);
    by_worker[s.worker_id].push_back(s);
    if (s.position == 0) primaries.push_back(s);
  }
  for (auto& [worker, list] : by_worker) {
    std::sort(list.begin(), list.end(), [](const Shift& a, const Shift& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < list.size(); ++i) {
      INFO(worker);
      CHECK(list[i - 1].end <= list[i].start);
    }
  }
  if (!tiled) return;
  std::sort(primaries.begin(), primaries.end(),
            [](const Shift& a, const Shift& b) { return a.start < b.start; });
  REQUIRE(!primaries.empty());
  CHECK(primaries.front().start == window.start);
  CHECK(primaries.back().end == window.end);
  for (std::size_t i = 1; i < primaries.size(); ++i) CHECK(primaries[i - 1].end == primaries[i].start);
}

}  // namespace

TEST_CASE("a rotation turn gives the primary and each backup one shift, in turn order",
          "[unit][roster]") {
  const auto shifts = sch::expand(weekly_roster(), kRegion, kWeek);
  REQUIRE(shifts.size() == 3);
  CHECK(shifts[0].worker_id == "a");
  CHECK(shifts[0].position == 0);
  CHECK(shifts[0].source == "rotation:weekly");
  CHECK(shifts[0].why == "rotation weekly turn 0");
  CHECK(shifts[1].worker_id == "b");
  CHECK(shifts[1].position == 1);
  CHECK(shifts[1].why == "rotation weekly turn 0 backup 1");
  CHECK(shifts[2].worker_id == "c");
  CHECK(shifts[2].position == 2);
  for (const Shift& s : shifts) {
    CHECK(s.start == kWeek.start);
    CHECK(s.end == kWeek.end);
    CHECK(s.duty == DutyType::on_call);
    CHECK(s.region == kRegion);
  }
}

TEST_CASE("a rotation with on_duty puts only that many of its list on duty, moving on each turn",
          "[unit][roster]") {
  sch::Roster roster = weekly_roster();
  roster.rotations[0].on_duty = 2;
  const auto week0 = sch::expand(roster, kRegion, kWeek);
  REQUIRE(week0.size() == 2);
  CHECK(week0[0].worker_id == "a");
  CHECK(week0[1].worker_id == "b");
  const Interval next_week{kWeek.end, kWeek.end + std::chrono::hours(24 * 7)};
  const auto week1 = sch::expand(roster, kRegion, next_week);
  REQUIRE(week1.size() == 2);
  CHECK(week1[0].worker_id == "b");
  CHECK(week1[1].worker_id == "c");
  // who_is_on_call (rotations only) says the same.
  const auto now = sch::who_is_on_call(roster.rotations, kRegion, "crisis_worker", kWeek.start);
  REQUIRE(now.size() == 2);
  CHECK(now[1].worker_id == "b");
}

TEST_CASE("expansion clips to the window and lists nothing for another region",
          "[unit][roster]") {
  const auto shifts = sch::expand(weekly_roster(), kRegion, kTuesday);
  REQUIRE(shifts.size() == 3);
  CHECK(shifts[0].start == kTuesday.start);
  CHECK(shifts[0].end == kTuesday.end);
  CHECK(sch::expand(weekly_roster(), "eemland", kTuesday).empty());
  CHECK(sch::expand(weekly_roster(), "", kTuesday).size() == 3);
}

TEST_CASE("a hand-off inside a daily window splits it between the two turns", "[unit][roster]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("day", "12:00", 7, "08:00", "20:00", {"a", "b"}));
  // Monday 12 January: the window is 07:00Z-19:00Z and turn 1 starts at 11:00Z.
  const auto shifts =
      sch::expand(roster, kRegion, {utc("2026-01-12T00:00:00Z"), utc("2026-01-13T00:00:00Z")});
  const auto a = of_worker(shifts, "a");
  const auto b = of_worker(shifts, "b");
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  CHECK(a[0].start == utc("2026-01-12T07:00:00Z"));
  CHECK(a[0].end == utc("2026-01-12T11:00:00Z"));
  CHECK(a[0].position == 0);
  CHECK(a[1].start == utc("2026-01-12T11:00:00Z"));
  CHECK(a[1].end == utc("2026-01-12T19:00:00Z"));
  CHECK(a[1].position == 1);
  CHECK(b[0].position == 1);
  CHECK(b[1].position == 0);
  CHECK(b[1].why == "rotation day turn 1");
}

TEST_CASE("a replace override gives the replaced place to the new worker, split at its edges",
          "[unit][roster]") {
  auto roster = weekly_roster();
  roster.overrides.push_back(override_of("o-3", Override::Kind::replace, "d", "a", kTuesday));
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  const auto a = of_worker(shifts, "a");
  const auto d = of_worker(shifts, "d");
  REQUIRE(a.size() == 2);
  CHECK(a[0].start == kWeek.start);
  CHECK(a[0].end == kTuesday.start);
  CHECK(a[1].start == kTuesday.end);
  CHECK(a[1].end == kWeek.end);
  REQUIRE(d.size() == 1);
  CHECK(d[0].start == kTuesday.start);
  CHECK(d[0].end == kTuesday.end);
  CHECK(d[0].position == 0);
  CHECK(d[0].source == "override:o-3");
  CHECK(d[0].why == "override o-3 (replace)");
  CHECK(of_worker(shifts, "b").size() == 1);  // nobody else moves
  CHECK(on_call_names(roster, utc("2026-01-06T12:00:00Z")) ==
        std::vector<std::string>{"d", "b", "c"});
  check_exact(shifts, kWeek, true);
}

TEST_CASE("an add override puts the worker behind everyone already on duty", "[unit][roster]") {
  auto roster = weekly_roster();
  roster.overrides.push_back(override_of("o-4", Override::Kind::add, "d", "", kTuesday));
  const auto d = of_worker(sch::expand(roster, kRegion, kWeek), "d");
  REQUIRE(d.size() == 1);
  CHECK(d[0].position == 3);
  CHECK(d[0].start == kTuesday.start);
  CHECK(d[0].end == kTuesday.end);
  CHECK(d[0].why == "override o-4 (add)");
  CHECK(on_call_names(roster, utc("2026-01-06T12:00:00Z")) ==
        std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(on_call_names(roster, kTuesday.end) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a remove override takes the worker off and moves those behind up", "[unit][roster]") {
  auto roster = weekly_roster();
  roster.overrides.push_back(override_of("o-5", Override::Kind::remove, "", "b", kTuesday));
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  CHECK(of_worker(shifts, "b").size() == 2);
  const auto c = of_worker(shifts, "c");
  REQUIRE(c.size() == 3);
  CHECK(c[0].position == 2);
  CHECK(c[0].end == kTuesday.start);
  CHECK(c[1].position == 1);
  CHECK(c[1].start == kTuesday.start);
  CHECK(c[1].end == kTuesday.end);
  CHECK(c[2].position == 2);
  CHECK(c[2].start == kTuesday.end);
  CHECK(on_call_names(roster, kTuesday.start) == std::vector<std::string>{"a", "c"});
  check_exact(shifts, kWeek, true);
}

TEST_CASE("an approved swap hands the requester's place to the peer, a requested one does not",
          "[unit][roster]") {
  auto roster = weekly_roster();
  sch::SwapRequest swap;
  swap.id = "s-1";
  swap.requester_id = "a";
  swap.peer_id = "d";
  swap.region = kRegion;
  swap.interval = kTuesday;
  roster.swaps.push_back(swap);
  CHECK(of_worker(sch::expand(roster, kRegion, kWeek), "d").empty());

  roster.swaps[0].state = "approved";
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  const auto d = of_worker(shifts, "d");
  REQUIRE(d.size() == 1);
  CHECK(d[0].position == 0);
  CHECK(d[0].start == kTuesday.start);
  CHECK(d[0].end == kTuesday.end);
  CHECK(d[0].source == "swap:s-1");
  CHECK(d[0].why == "swap s-1 (from a)");
  CHECK(of_worker(shifts, "a").size() == 2);
  const auto entries = sch::on_call_at(roster, kRegion, kRole, utc("2026-01-06T03:00:00Z"));
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].worker_id == "d");
  CHECK(entries[0].source == "swap:s-1");
  CHECK(entries[0].rotation_id == "weekly");
  CHECK(entries[0].shift_start == kTuesday.start);
  CHECK(entries[0].shift_end == kTuesday.end);
  check_exact(shifts, kWeek, true);
}

TEST_CASE("leave of the primary makes the first backup primary for exactly the leave",
          "[unit][roster]") {
  auto roster = weekly_roster();
  roster.leave.push_back({"l-1", "a", kTuesday, "holiday"});
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  const auto b = of_worker(shifts, "b");
  REQUIRE(b.size() == 3);
  CHECK(b[1].position == 0);
  CHECK(b[1].start == kTuesday.start);
  CHECK(b[1].end == kTuesday.end);
  CHECK(b[1].source == "rotation:weekly");
  CHECK(on_call_names(roster, kTuesday.start) == std::vector<std::string>{"b", "c"});
  CHECK(on_call_names(roster, kTuesday.start - std::chrono::milliseconds(1)) ==
        std::vector<std::string>{"a", "b", "c"});
  CHECK(on_call_names(roster, kTuesday.end) == std::vector<std::string>{"a", "b", "c"});
  check_exact(shifts, kWeek, true);
}

TEST_CASE("leave also takes off a worker an override added", "[unit][roster]") {
  auto roster = weekly_roster();
  roster.overrides.push_back(override_of("o-6", Override::Kind::add, "d", "", kWeek));
  roster.leave.push_back({"l-2", "d", kTuesday, "training"});
  const auto d = of_worker(sch::expand(roster, kRegion, kWeek), "d");
  REQUIRE(d.size() == 2);
  CHECK(d[0].end == kTuesday.start);
  CHECK(d[1].start == kTuesday.end);
}

TEST_CASE("a higher layer comes first where it has someone and lower layers move behind it",
          "[unit][roster]") {
  sch::Roster roster = weekly_roster();
  // Layer 1: an evening cover 18:00-22:00 local by x.
  roster.rotations.push_back(rotation("evening", "18:00", 7, "18:00", "22:00", {"x"}, 1));
  const TimePoint evening = utc("2026-01-06T18:00:00Z");  // 19:00 CET
  const auto entries = sch::on_call_at(roster, kRegion, kRole, evening);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].worker_id == "x");
  CHECK(entries[0].rotation_id == "evening");
  CHECK(entries[1].worker_id == "a");
  CHECK(entries[1].position == 1);
  CHECK(entries[1].shift_start == utc("2026-01-06T17:00:00Z"));
  CHECK(entries[1].shift_end == utc("2026-01-06T21:00:00Z"));
  CHECK(entries[3].worker_id == "c");
  CHECK(entries[3].position == 3);
  // Outside the evening the base layer is primary again.
  CHECK(on_call_names(roster, utc("2026-01-06T12:00:00Z")) ==
        std::vector<std::string>{"a", "b", "c"});
  // a is primary, then backup for each evening, then primary again: split at exact instants.
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  const auto a = of_worker(shifts, "a");
  CHECK(a.size() == 2 * 7 + 1);
  check_exact(shifts, kWeek, true);
}

TEST_CASE("a worker in two layers at once keeps only the higher place", "[unit][roster]") {
  sch::Roster roster = weekly_roster();
  roster.rotations.push_back(rotation("cover", "09:00", 7, nullptr, nullptr, {"b"}, 2));
  CHECK(on_call_names(roster, utc("2026-01-06T12:00:00Z")) ==
        std::vector<std::string>{"b", "a", "c"});
}

TEST_CASE("a night shift over the October 2026 DST change lasts 10 hours and covers the "
          "repeated hour once",
          "[unit][roster]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("night", "23:00", 1, "23:00", "08:00", {"a", "b"}));
  const Interval window{utc("2026-10-24T12:00:00Z"), utc("2026-10-25T12:00:00Z")};
  const auto shifts = sch::expand(roster, kRegion, window);
  std::vector<Shift> primaries;
  for (const Shift& s : shifts)
    if (s.position == 0) primaries.push_back(s);
  REQUIRE(primaries.size() == 1);
  CHECK(primaries[0].start == utc("2026-10-24T21:00:00Z"));  // 23:00 CEST
  CHECK(primaries[0].end == utc("2026-10-25T07:00:00Z"));    // 08:00 CET
  CHECK(hours(primaries[0].start, primaries[0].end) == 10.0);
  // 02:00-03:00 local happens twice: 00:00Z-02:00Z. Each minute is on exactly one primary shift.
  for (TimePoint t = utc("2026-10-25T00:00:00Z"); t < utc("2026-10-25T02:00:00Z");
       t += std::chrono::minutes(1)) {
    int covering = 0;
    for (const Shift& s : primaries) covering += (s.start <= t && t < s.end) ? 1 : 0;
    INFO(piket::format_utc(t));
    CHECK(covering == 1);
  }
}

TEST_CASE("adjacent pieces share their boundary instants with no gap and no overlap",
          "[unit][roster]") {
  sch::Roster roster;
  roster.rotations.push_back(rotation("day", "08:00", 1, "08:00", "23:00", {"a", "b", "c"}));
  roster.rotations.push_back(rotation("night", "23:00", 1, "23:00", "08:00", {"d", "e"}));
  roster.overrides.push_back(override_of("o-1", Override::Kind::replace, "f", "a",
                                         {utc("2026-03-28T10:00:00Z"), utc("2026-03-30T10:00:00Z")}));
  roster.leave.push_back({"l-1", "d", {utc("2026-03-29T00:30:00Z"), utc("2026-03-31T00:00:00Z")},
                          "sick"});
  // Over the March 2026 change: the night of 28/29 lasts 8 hours.
  const Interval window{utc("2026-03-27T07:00:00Z"), utc("2026-04-01T06:00:00Z")};
  const auto shifts = sch::expand(roster, kRegion, window);
  check_exact(shifts, window, true);
  // Every boundary of a primary shift is the end of the one before.
  for (const Shift& s : shifts) {
    if (s.position != 0 || s.start == window.start) continue;
    const auto before = sch::on_call_at(roster, kRegion, kRole, s.start - std::chrono::milliseconds(1));
    REQUIRE(!before.empty());
    CHECK(before[0].shift_end == s.start);
  }
}

TEST_CASE("on_call_at agrees with expand at every shift boundary", "[unit][roster]") {
  sch::Roster roster = weekly_roster();
  roster.rotations.push_back(rotation("evening", "18:00", 7, "18:00", "22:00", {"x"}, 1));
  roster.overrides.push_back(override_of("o-3", Override::Kind::replace, "d", "b", kTuesday));
  roster.leave.push_back({"l-1", "a", {utc("2026-01-08T10:00:00Z"), utc("2026-01-09T10:00:00Z")},
                          "holiday"});
  const auto shifts = sch::expand(roster, kRegion, kWeek);
  for (const Shift& probe : shifts) {
    const TimePoint at = probe.start;
    std::vector<std::string> expected;
    std::vector<const Shift*> containing;
    for (const Shift& s : shifts)
      if (s.start <= at && at < s.end) containing.push_back(&s);
    std::sort(containing.begin(), containing.end(),
              [](const Shift* a, const Shift* b) { return a->position < b->position; });
    for (const Shift* s : containing) expected.push_back(s->worker_id);
    INFO(piket::format_utc(at));
    CHECK(on_call_names(roster, at) == expected);
  }
}

TEST_CASE("the duty type keeps shifts and on-call standby apart", "[unit][roster]") {
  sch::Roster roster = weekly_roster();
  Rotation site = rotation("site", "09:00", 7, "09:00", "17:00", {"s"});
  site.duty = DutyType::shift;
  roster.rotations.push_back(site);
  const TimePoint noon = utc("2026-01-06T11:00:00Z");
  const auto both = sch::on_call_at(roster, kRegion, kRole, noon);
  REQUIRE(both.size() == 4);
  CHECK(both[0].worker_id == "s");  // position 0, on site before standby
  CHECK(both[0].duty == DutyType::shift);
  CHECK(both[1].worker_id == "a");
  CHECK(both[1].position == 0);  // its own duty's primary
  const auto standby = sch::on_call_at(roster, kRegion, kRole, noon, DutyType::on_call);
  CHECK(standby.size() == 3);
}

namespace {

const char* kRegions = R"(
[[regions]]
id = "utrecht-stad"
name = "Utrecht Stad"
municipalities = ["Utrecht"]
)";

const char* kWorkers = R"(
[[workers]]
id = "w-1"
name = "Demo One"
region = "utrecht-stad"
roles = ["crisis_worker"]
webhook_url = "http://127.0.0.1:8099/hooks/w-1"
)";

std::vector<Rotation> load(const std::string& extra, std::vector<ConfigProblem>& problems) {
  auto regions = piket::parse_regions("regions.toml", kRegions, problems);
  auto workers = piket::parse_workers("workers.toml", kWorkers, regions, problems);
  REQUIRE(problems.empty());
  return sch::parse_rotations("rotations.toml",
                              "[[rotations]]\nid = \"r\"\nregion = \"utrecht-stad\"\n"
                              "start_date = \"2026-01-05\"\nturn_days = 7\n"
                              "handoff_time = \"08:00\"\nparticipants = [\"w-1\"]\n" +
                                  extra,
                              regions, workers, problems);
}

}  // namespace

TEST_CASE("the rotation loader reads layer and duty, defaulting to layer 0 on call",
          "[unit][roster]") {
  std::vector<ConfigProblem> problems;
  auto plain = load("", problems);
  REQUIRE(problems.empty());
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].layer == 0);
  CHECK(plain[0].duty == DutyType::on_call);
  auto set = load("layer = 3\nduty = \"shift\"\n", problems);
  REQUIRE(problems.empty());
  CHECK(set[0].layer == 3);
  CHECK(set[0].duty == DutyType::shift);
}

TEST_CASE("a bad layer or duty is reported once with its key", "[unit][roster]") {
  for (const char* extra : {"layer = 11\n", "layer = -1\n", "layer = \"top\"\n"}) {
    std::vector<ConfigProblem> problems;
    load(extra, problems);
    INFO(extra);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "rotations[0].layer");
  }
  for (const char* extra : {"duty = \"standby\"\n", "duty = 1\n"}) {
    std::vector<ConfigProblem> problems;
    load(extra, problems);
    INFO(extra);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "rotations[0].duty");
  }
  CHECK(sch::duty_name(DutyType::shift) == "shift");
  CHECK(sch::duty_from_name("on_call") == DutyType::on_call);
}

TEST_CASE("a region's slice of the roster answers exactly as the whole roster does",
          "[unit][roster]") {
  const auto& regions = piket::test::demo_data().regions;
  sch::Roster roster;
  roster.rotations = piket::test::demo_data().rotations;
  const auto t0 = utc("2026-10-20T00:00:00Z");
  roster.leave.push_back({"l-1", "w-em-01", {t0, t0 + std::chrono::hours(30)}, "sick"});
  roster.leave.push_back({"l-2", "w-ut-02", {t0, t0 + std::chrono::hours(90)}, "holiday"});
  sch::Override o;
  o.id = "o-1";
  o.kind = sch::Override::Kind::replace;
  o.region = "eemland";
  o.worker_id = "w-em-03";
  o.replaced_worker_id = "w-em-02";
  o.interval = {t0 + std::chrono::hours(40), t0 + std::chrono::hours(70)};
  roster.overrides.push_back(o);
  for (const auto& region : regions.regions()) {
    const auto part = sch::slice(roster, region.id);
    for (int h = 0; h < 24 * 7; h += 5) {
      const auto at = t0 + std::chrono::hours(h);
      auto whole = sch::on_call_at(roster, region.id, "crisis_worker", at);
      auto sliced = sch::on_call_at(part, region.id, "crisis_worker", at);
      REQUIRE(whole.size() == sliced.size());
      for (std::size_t i = 0; i < whole.size(); ++i) {
        CHECK(whole[i].worker_id == sliced[i].worker_id);
        CHECK(whole[i].position == sliced[i].position);
        CHECK(whole[i].shift_start == sliced[i].shift_start);
        CHECK(whole[i].shift_end == sliced[i].shift_end);
      }
    }
  }
}

TEST_CASE("a change is checked in the regions where its workers have duties, and only there",
          "[unit][roster]") {
  sch::Roster roster;
  roster.rotations = piket::test::demo_data().rotations;
  CHECK(sch::regions_of(roster, {"w-em-02"}) == std::set<std::string>{"eemland"});
  CHECK(sch::regions_of(roster, {"w-em-02", "w-ut-01"}) == std::set<std::string>{"eemland", "utrecht-stad"});
  CHECK(sch::regions_of(roster, {"w-nobody"}).empty());
  sch::Override o;
  o.id = "o-1";
  o.kind = sch::Override::Kind::add;
  o.region = "west";
  o.worker_id = "w-em-02";  // lent to a neighbouring region
  roster.overrides.push_back(o);
  CHECK(sch::regions_of(roster, {"w-em-02"}) == std::set<std::string>{"eemland", "west"});
}
