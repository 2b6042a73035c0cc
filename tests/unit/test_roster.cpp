// Rotations over the DST changes of 2026 and 2027, and who is on call at a given instant.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"

#include <date/tz.h>

#include <string>
#include <vector>

#include "scheduler/roster/rotation.hpp"

namespace {

using piket::test::listed;

using piket::ConfigProblem;
using piket::TimePoint;
using piket::scheduler::Rotation;
namespace sch = piket::scheduler;

TimePoint utc(const char* text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

date::local_days day(const char* text) { return *sch::parse_local_date(text); }

double hours(const sch::Interval& i) {
  return std::chrono::duration<double, std::ratio<3600>>(i.end - i.start).count();
}

// Wall-clock time in Amsterdam, for asserting what a worker sees on their phone.
std::string amsterdam(TimePoint t) {
  return date::format("%a %F %R", date::zoned_time<std::chrono::milliseconds>{
                                      date::locate_zone("Europe/Amsterdam"), t}
                                      .get_local_time());
}

Rotation rotation(const char* id, const char* handoff, int turn_days, const char* start,
                  const char* end, std::vector<std::string> participants) {
  Rotation r;
  r.id = id;
  r.region = "utrecht-stad";
  r.start_date = day("2026-01-05");
  r.handoff_time = *sch::parse_local_time(handoff);
  r.turn_days = turn_days;
  if (start) r.shift_start = sch::parse_local_time(start);
  if (end) r.shift_end = sch::parse_local_time(end);
  r.participants = std::move(participants);
  return r;
}

bool names_key(const std::vector<ConfigProblem>& problems, const std::string& key) {
  for (const auto& p : problems)
    if (p.key == key) return true;
  return false;
}


}  // namespace

TEST_CASE("a weekly 09:00 hand-off stays at 09:00 local time through the DST changes") {
  const Rotation weekly = rotation("weekly", "09:00", 7, nullptr, nullptr, {"a", "b"});
  // Every Monday from January 2026 to the end of 2027: both changes of both years.
  for (std::int64_t k = 0; k < 104; ++k) {
    INFO("turn " << k);
    CHECK(amsterdam(sch::turn_boundary(weekly, k)).substr(0, 3) == "Mon");
    CHECK(amsterdam(sch::turn_boundary(weekly, k)).substr(15) == "09:00");
  }
  CHECK(sch::turn_boundary(weekly, 11) == utc("2026-03-23T08:00:00Z"));  // CET
  CHECK(sch::turn_boundary(weekly, 12) == utc("2026-03-30T07:00:00Z"));  // CEST
  // The turns that contain a change are an hour shorter or longer, never shifted.
  CHECK(hours(sch::turn_interval(weekly, 11)) == 167.0);
  CHECK(hours(sch::turn_interval(weekly, 41)) == 169.0);  // over 25 October 2026
  CHECK(sch::turn_boundary(weekly, 64) == utc("2027-03-29T07:00:00Z"));
  CHECK(sch::turn_boundary(weekly, 95) == utc("2027-11-01T08:00:00Z"));
}

TEST_CASE("a night shift 23:00-08:00 lasts 8 hours in March and 10 hours in October") {
  const Rotation night = rotation("night", "23:00", 7, "23:00", "08:00", {"a", "b", "c"});
  CHECK(hours(sch::window_on(night, day("2026-03-27"))) == 9.0);
  CHECK(hours(sch::window_on(night, day("2026-03-28"))) == 8.0);
  CHECK(hours(sch::window_on(night, day("2026-10-24"))) == 10.0);
  CHECK(hours(sch::window_on(night, day("2027-03-27"))) == 8.0);
  CHECK(hours(sch::window_on(night, day("2027-10-30"))) == 10.0);
  CHECK(sch::window_on(night, day("2026-10-24")).start == utc("2026-10-24T21:00:00Z"));
  CHECK(sch::window_on(night, day("2026-10-24")).end == utc("2026-10-25T07:00:00Z"));
}

TEST_CASE("a night shift 20:00-08:00 lasts 11 hours in March and 13 hours in October") {
  const Rotation night = rotation("night", "20:00", 7, "20:00", "08:00", {"a", "b", "c"});
  CHECK(hours(sch::window_on(night, day("2026-03-28"))) == 11.0);
  CHECK(hours(sch::window_on(night, day("2026-10-24"))) == 13.0);
  CHECK(hours(sch::window_on(night, day("2027-03-27"))) == 11.0);
  CHECK(hours(sch::window_on(night, day("2027-10-30"))) == 13.0);
}

TEST_CASE("on the October night the repeated hour belongs to exactly one turn") {
  // A daily hand-off at 02:30, which happens twice on 25 October 2026.
  const Rotation daily = rotation("daily", "02:30", 1, nullptr, nullptr, {"a", "b", "c"});
  const TimePoint first_0230 = utc("2026-10-25T00:30:00Z");   // 02:30 CEST
  const TimePoint second_0230 = utc("2026-10-25T01:30:00Z");  // 02:30 CET
  auto primary = [&](TimePoint t) {
    auto on_call = sch::who_is_on_call({daily}, "utrecht-stad", "crisis_worker", t);
    REQUIRE(!on_call.empty());
    return on_call.front().worker_id;
  };
  // The earliest 02:30 is the boundary, so the whole repeated hour is the new turn's.
  const auto k = *sch::turn_at(daily, first_0230);
  CHECK(sch::turn_boundary(daily, k) == first_0230);
  CHECK(primary(first_0230 - std::chrono::minutes(1)) != primary(first_0230));
  CHECK(primary(second_0230) == primary(first_0230));
  CHECK(primary(utc("2026-10-25T01:05:00Z")) == primary(first_0230));  // 02:05 CET
  CHECK(hours(sch::turn_interval(daily, k - 1)) == 24.0);
  CHECK(hours(sch::turn_interval(daily, k)) == 25.0);
}

TEST_CASE("on the October night every minute of the repeated hour is on one night shift only") {
  const Rotation day_shift = rotation("day", "08:00", 7, "08:00", "23:00", {"a", "b", "c"});
  const Rotation night = rotation("night", "23:00", 7, "23:00", "08:00", {"d", "e", "f"});
  const TimePoint until = utc("2026-10-25T08:00:00Z");
  for (auto t = utc("2026-10-24T20:00:00Z"); t < until; t += std::chrono::minutes(1)) {
    auto on_call = sch::who_is_on_call({day_shift, night}, "utrecht-stad", "crisis_worker", t);
    int primaries = 0;
    for (const auto& e : on_call) primaries += e.position == 0;
    INFO(piket::format_utc(t));
    REQUIRE(primaries == 1);
  }
}

TEST_CASE("a hand-off time inside the spring gap moves to the end of the gap") {
  const Rotation daily = rotation("daily", "02:30", 1, nullptr, nullptr, {"a", "b"});
  const auto k = *sch::turn_at(daily, utc("2026-03-29T01:00:00Z"));
  CHECK(sch::turn_boundary(daily, k) == utc("2026-03-29T01:00:00Z"));  // 03:00 CEST
  // 02:30 CET on the 28th to 03:00 CEST, then to 02:30 CEST on the 30th: no time lost or doubled.
  CHECK(hours(sch::turn_interval(daily, k - 1)) == 23.5);
  CHECK(hours(sch::turn_interval(daily, k)) == 23.5);
}

TEST_CASE("a day shift ends at the very instant the night shift starts, and the reverse") {
  const Rotation day_shift = rotation("day", "08:00", 7, "08:00", "20:00", {"a", "b", "c"});
  const Rotation night = rotation("night", "20:00", 7, "20:00", "08:00", {"d", "e", "f"});
  for (auto d = day("2026-01-05"); d < day("2028-01-01"); d += date::days{1}) {
    INFO(date::format("%F", d));
    REQUIRE(sch::window_on(day_shift, d).end == sch::window_on(night, d).start);
    REQUIRE(sch::window_on(night, d).end == sch::window_on(day_shift, d + date::days{1}).start);
  }
  // And so exactly one of them is on call at every half hour for two years.
  int uncovered_or_double = 0;
  const std::vector<Rotation> both{day_shift, night};
  const TimePoint until = utc("2027-12-31T00:00:00Z");
  for (auto t = utc("2026-01-05T07:00:00Z"); t < until; t += std::chrono::minutes(30)) {
    auto on_call = sch::who_is_on_call(both, "utrecht-stad", "crisis_worker", t);
    int primaries = 0;
    for (const auto& e : on_call) primaries += e.position == 0;
    uncovered_or_double += primaries != 1;
  }
  CHECK(uncovered_or_double == 0);
}

TEST_CASE("the primary and backups follow the weekly rotation order") {
  const Rotation day_shift = rotation("day-ut", "08:00", 7, "08:00", "20:00", {"a", "b", "c"});
  const Rotation night = rotation("night-ut", "20:00", 7, "20:00", "08:00", {"d", "e", "f"});
  const std::vector<Rotation> rotations{day_shift, night};
  auto on_call = [&](const char* at) {
    std::vector<std::string> ids;
    for (const auto& e : sch::who_is_on_call(rotations, "utrecht-stad", "crisis_worker", utc(at)))
      ids.push_back(e.worker_id);
    return ids;
  };
  using V = std::vector<std::string>;

  SECTION("before the first hand-off nobody is on call") {
    CHECK(on_call("2026-01-05T06:59:59Z").empty());  // Monday 07:59:59 local
  }
  SECTION("week 0 by day: a, then b and c as backups") {
    CHECK(on_call("2026-01-05T07:00:00Z") == V{"a", "b", "c"});
    CHECK(on_call("2026-01-11T18:59:00Z") == V{"a", "b", "c"});  // Sunday 19:59
  }
  SECTION("week 0 by night, including the Monday morning before the night hand-off") {
    CHECK(on_call("2026-01-05T19:00:00Z") == V{"d", "e", "f"});  // Monday 20:00
    CHECK(on_call("2026-01-12T06:00:00Z") == V{"d", "e", "f"});  // next Monday 07:00
  }
  SECTION("week 1 moves everyone up one place, the old primary becomes the last backup") {
    CHECK(on_call("2026-01-12T07:00:00Z") == V{"b", "c", "a"});  // Monday 08:00
    CHECK(on_call("2026-01-12T19:00:00Z") == V{"e", "f", "d"});  // Monday 20:00
  }
  SECTION("after three weeks the first participant is primary again, in summer time too") {
    CHECK(on_call("2026-01-26T10:00:00Z") == V{"a", "b", "c"});
    CHECK(on_call("2026-07-01T10:00:00Z") == V{"b", "c", "a"});  // week 25
  }
  SECTION("another region or another role has nobody on call") {
    CHECK(sch::who_is_on_call(rotations, "eemland", "crisis_worker", utc("2026-02-02T10:00:00Z"))
              .empty());
    CHECK(sch::who_is_on_call(rotations, "utrecht-stad", "team_lead", utc("2026-02-02T10:00:00Z"))
              .empty());
  }
}

TEST_CASE("an on-call entry tells the shift's UTC instants, its position and why") {
  const Rotation night = rotation("night-utrecht-stad", "20:00", 7, "20:00", "08:00",
                                  {"d", "e", "f"});
  auto on_call = sch::who_is_on_call({night}, "utrecht-stad", "crisis_worker",
                                     utc("2026-03-29T03:00:00Z"));  // 05:00 CEST, week 11
  REQUIRE(on_call.size() == 3);
  CHECK(on_call[0].worker_id == "f");
  CHECK(on_call[0].position == 0);
  CHECK(on_call[0].rotation_id == "night-utrecht-stad");
  CHECK(on_call[0].shift_start == utc("2026-03-28T19:00:00Z"));
  CHECK(on_call[0].shift_end == utc("2026-03-29T06:00:00Z"));
  CHECK(on_call[0].reason == "rotation night-utrecht-stad turn 11");
  CHECK(on_call[1].position == 1);
  CHECK(on_call[1].worker_id == "d");
  CHECK(on_call[2].position == 2);
  CHECK(on_call[2].worker_id == "e");
}

TEST_CASE("two rotations for one region and role list both primaries before any backup") {
  Rotation first = rotation("b-rotation", "08:00", 7, nullptr, nullptr, {"a", "b"});
  Rotation second = rotation("a-rotation", "08:00", 7, nullptr, nullptr, {"c", "d"});
  auto on_call = sch::who_is_on_call({first, second}, "utrecht-stad", "crisis_worker",
                                     utc("2026-01-07T12:00:00Z"));
  REQUIRE(on_call.size() == 4);
  CHECK(on_call[0].worker_id == "c");  // position 0 of a-rotation
  CHECK(on_call[1].worker_id == "a");  // position 0 of b-rotation
  CHECK(on_call[2].worker_id == "d");
  CHECK(on_call[3].worker_id == "b");
  // Without a daily window the shift is the whole turn.
  CHECK(on_call[0].shift_start == utc("2026-01-05T07:00:00Z"));
  CHECK(on_call[0].shift_end == utc("2026-01-12T07:00:00Z"));
}

namespace {

const char* kRegions = R"(
[[regions]]
id = "utrecht-stad"
name = "Utrecht Stad"
municipalities = ["Utrecht"]
[[regions]]
id = "eemland"
name = "Eemland"
municipalities = ["Amersfoort"]
)";

const char* kWorkers = R"(
[[workers]]
id = "w-1"
name = "Demo One"
region = "utrecht-stad"
roles = ["crisis_worker"]
webhook_url = "http://127.0.0.1:8099/hooks/w-1"
[[workers]]
id = "w-2"
name = "Demo Two"
region = "utrecht-stad"
roles = ["team_lead"]
webhook_url = "http://127.0.0.1:8099/hooks/w-2"
[[workers]]
id = "w-3"
name = "Demo Three"
region = "eemland"
roles = ["crisis_worker"]
webhook_url = "http://127.0.0.1:8099/hooks/w-3"
)";

std::vector<ConfigProblem> rotation_problems(const std::string& fields) {
  std::vector<ConfigProblem> problems;
  auto regions = piket::parse_regions("regions.toml", kRegions, problems);
  auto workers = piket::parse_workers("workers.toml", kWorkers, regions, problems);
  REQUIRE(problems.empty());
  sch::parse_rotations("rotations.toml", "[[rotations]]\nid = \"r\"\n" + fields, regions,
                       workers, problems);
  return problems;
}

const std::string kGood = R"(region = "utrecht-stad"
start_date = "2026-01-05"
turn_days = 7
)";

}  // namespace

TEST_CASE("a valid rotation, with a weekly Monday hand-off at 02:30, has no problems") {
  // The clocks change on Sundays, so a Monday 02:30 always exists.
  auto problems = rotation_problems(kGood + "handoff_time = \"02:30\"\nshift_start = \"03:00\"\n"
                                            "shift_end = \"08:00\"\nparticipants = [\"w-1\"]\n");
  INFO(listed(problems));
  CHECK(problems.empty());
}

TEST_CASE("every bad rotation input is reported with the key at fault") {
  const std::string participants = "participants = [\"w-1\"]\n";
  const std::string handoff = "handoff_time = \"08:00\"\n";
  struct Case {
    const char* what;
    std::string fields;
    const char* key;
  };
  const std::vector<Case> cases = {
      {"no participants", kGood + handoff + "participants = []\n", "rotations[0].participants"},
      {"missing participants", kGood + handoff, "rotations[0].participants"},
      {"unknown worker", kGood + handoff + "participants = [\"w-1\", \"w-9\"]\n",
       "rotations[0].participants[1]"},
      {"worker from another region", kGood + handoff + "participants = [\"w-1\", \"w-3\"]\n",
       "rotations[0].participants[1]"},
      {"worker lacking the role", kGood + handoff + "participants = [\"w-2\"]\n",
       "rotations[0].participants[0]"},
      {"unknown region",
       "region = \"atlantis\"\nstart_date = \"2026-01-05\"\nturn_days = 7\n" + handoff +
           participants,
       "rotations[0].region"},
      {"hand-off time that is no time", kGood + "handoff_time = \"8 uur\"\n" + participants,
       "rotations[0].handoff_time"},
      {"shift start after 23:59", kGood + handoff + "shift_start = \"24:00\"\nshift_end = "
                                                     "\"08:00\"\n" + participants,
       "rotations[0].shift_start"},
      {"shift end without a start", kGood + handoff + "shift_end = \"08:00\"\n" + participants,
       "rotations[0].shift_start"},
      {"start date that is not a date",
       "region = \"utrecht-stad\"\nstart_date = \"2026-02-30\"\nturn_days = 7\n" + handoff +
           participants,
       "rotations[0].start_date"},
      {"turn of zero days",
       "region = \"utrecht-stad\"\nstart_date = \"2026-01-05\"\nturn_days = 0\n" + handoff +
           participants,
       "rotations[0].turn_days"},
      {"turn of 29 days",
       "region = \"utrecht-stad\"\nstart_date = \"2026-01-05\"\nturn_days = 29\n" + handoff +
           participants,
       "rotations[0].turn_days"},
      {"unknown time zone", kGood + handoff + "time_zone = \"Europe/Utrecht\"\n" + participants,
       "rotations[0].time_zone"},
      {"unknown role", kGood + handoff + "role = \"astronaut\"\n" + participants,
       "rotations[0].role"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto problems = rotation_problems(c.fields);
    INFO(listed(problems));
    CHECK(names_key(problems, c.key));
    CHECK(problems.size() == 1);  // said once, not echoed by a later check
  }
}

TEST_CASE("two rotations with one id are reported") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::parse_regions("regions.toml", kRegions, problems);
  auto workers = piket::parse_workers("workers.toml", kWorkers, regions, problems);
  const std::string one = "[[rotations]]\nid = \"r\"\n" + kGood +
                          "handoff_time = \"08:00\"\nparticipants = [\"w-1\"]\n";
  sch::parse_rotations("rotations.toml", one + one, regions, workers, problems);
  CHECK(names_key(problems, "rotations[1].id"));
  CHECK(problems.size() == 1);
}

TEST_CASE("local times and dates are read strictly") {
  CHECK(sch::parse_local_time("00:00") == std::chrono::minutes(0));
  CHECK(sch::parse_local_time("23:59") == std::chrono::minutes(23 * 60 + 59));
  CHECK_FALSE(sch::parse_local_time("8:00"));
  CHECK_FALSE(sch::parse_local_time("12:60"));
  CHECK_FALSE(sch::parse_local_time("12:00:00"));
  CHECK(sch::parse_local_date("2028-02-29").has_value());
  CHECK_FALSE(sch::parse_local_date("2027-02-29"));
  CHECK_FALSE(sch::parse_local_date("2026-1-5"));
}

TEST_CASE("a hand-off time that does not exist on a day the rotation hands off is refused") {
  std::vector<piket::ConfigProblem> problems;
  const std::string demo = std::string(PIKET_SOURCE_DIR) + "/config/demo/";
  auto regions = piket::load_regions(demo + "regions.toml", problems);
  auto workers = piket::load_workers(demo + "workers.toml", regions, problems);
  REQUIRE(problems.empty());
  SECTION("a daily 02:30 hand-off meets the spring gap on 29 March 2026") {
    Rotation daily = rotation("daily", "02:30", 1, nullptr, nullptr, {"w-ut-01", "w-ut-02"});
    auto found = sch::validate_rotation(daily, "rotations.toml", "rotations[0]", regions, workers);
    REQUIRE(found.size() == 1);
    CHECK(found[0].key == "rotations[0].handoff_time");
    CHECK(found[0].reason.find("2026-03-29") != std::string::npos);
  }
  SECTION("a weekly Monday 02:30 hand-off never does: the clocks change on Sundays") {
    Rotation weekly = rotation("weekly", "02:30", 7, nullptr, nullptr, {"w-ut-01", "w-ut-02"});
    CHECK(sch::validate_rotation(weekly, "rotations.toml", "rotations[0]", regions, workers).empty());
  }
  SECTION("a daily window starting at 02:15 is refused naming shift_start") {
    Rotation window = rotation("window", "08:00", 7, "02:15", "08:00", {"w-ut-01", "w-ut-02"});
    auto found = sch::validate_rotation(window, "rotations.toml", "rotations[0]", regions, workers);
    REQUIRE(found.size() == 1);
    CHECK(found[0].key == "rotations[0].shift_start");
  }
}
