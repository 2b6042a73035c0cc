// Working-time rules of the Arbeidstijdenwet (and a collective-agreement overlay): each rule fires
// with its id, interval and figure, and stays quiet just inside its limit. Times are local
// Europe/Amsterdam wall-clock times.
#include <date/tz.h>

#include <algorithm>
#include <catch.hpp>
#include <string>
#include <vector>

#include "scheduler/model/roster.hpp"
#include "common/domain/working_time.hpp"

namespace {

namespace sch = piket;  // the working-time rule is shared (common/domain)
using piket::ConfigProblem;
using piket::TimePoint;
using sch::Interval;
using sch::Shift;
using sch::Violation;
using sch::WorkingTimeLimits;

const date::time_zone& amsterdam() { return *date::locate_zone("Europe/Amsterdam"); }

// "2026-03-02 08:00" local time.
TimePoint at(const std::string& text) {
  const auto day = sch::parse_local_date(text.substr(0, 10));
  const auto time = sch::parse_local_time(text.substr(11));
  REQUIRE(day);
  REQUIRE(time);
  return sch::resolve_local(amsterdam(), *day + *time);
}

TimePoint plus_days(const std::string& base_date, int days, const std::string& time) {
  const auto day = *sch::parse_local_date(base_date) + date::days{days};
  return sch::resolve_local(amsterdam(), day + *sch::parse_local_time(time));
}

Shift duty(TimePoint start, TimePoint end, sch::DutyType type = sch::DutyType::shift) {
  Shift s;
  s.worker_id = "w-ut-01";
  s.region = "utrecht-stad";
  s.duty = type;
  s.start = start;
  s.end = end;
  return s;
}

Shift work(const std::string& start, const std::string& end) { return duty(at(start), at(end)); }
Shift on_call(const std::string& start, const std::string& end) {
  return duty(at(start), at(end), sch::DutyType::on_call);
}
Interval span(const std::string& start, const std::string& end) { return {at(start), at(end)}; }

std::vector<Violation> check(const std::vector<Shift>& shifts,
                             const std::vector<Interval>& call_outs = {},
                             const WorkingTimeLimits& limits = {}) {
  return sch::check_working_time("w-ut-01", shifts, call_outs, limits, amsterdam());
}

std::vector<Violation> of_rule(const std::vector<Violation>& all, std::string_view rule) {
  std::vector<Violation> out;
  for (const Violation& v : all)
    if (v.rule == rule) out.push_back(v);
  return out;
}

std::string listed(const std::vector<Violation>& all) {
  std::string out;
  for (const Violation& v : all)
    out += v.rule + " " + piket::format_utc(v.interval.start) + " " + v.figure + "\n";
  return out;
}

bool same(const Interval& a, const Interval& b) { return a.start == b.start && a.end == b.end; }

// A weekday base well away from the DST changes of 2026.
const std::string kMon = "2026-03-02";

}  // namespace

TEST_CASE("a 13-hour shift breaks the 12-hour limit and a 12-hour shift does not",
          "[unit][rules]") {
  const auto v = check({work("2026-03-02 08:00", "2026-03-02 21:00")});
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "max_shift_length");
  CHECK(v[0].worker_id == "w-ut-01");
  CHECK(v[0].figure == "13.0 h > 12 h");
  CHECK(same(v[0].interval, span("2026-03-02 08:00", "2026-03-02 21:00")));
  CHECK(check({work("2026-03-02 08:00", "2026-03-02 20:00")}).empty());
}

TEST_CASE("shifts that touch are one work period for the shift length", "[unit][rules]") {
  const auto v = check(
      {work("2026-03-02 14:00", "2026-03-02 21:00"), work("2026-03-02 08:00", "2026-03-02 14:00")});
  REQUIRE(of_rule(v, "max_shift_length").size() == 1);
  CHECK(same(v[0].interval, span("2026-03-02 08:00", "2026-03-02 21:00")));
}

TEST_CASE("other workers' duties in the list are ignored", "[unit][rules]") {
  Shift other = work("2026-03-02 08:00", "2026-03-02 22:00");
  other.worker_id = "w-ut-02";
  CHECK(check({other}).empty());
}

TEST_CASE("more than 60 hours in 7 days breaks the weekly limit", "[unit][rules]") {
  std::vector<Shift> week;
  for (int d = 0; d < 5; ++d)
    week.push_back(duty(plus_days(kMon, d, "08:00"), plus_days(kMon, d, "20:00")));
  CHECK(check(week).empty());  // exactly 60 h
  week.push_back(work("2026-03-07 08:00", "2026-03-07 09:00"));
  const auto v = of_rule(check(week), "max_week_hours");
  REQUIRE(v.size() == 1);
  CHECK(v[0].figure == "61.0 h > 60 h");
  CHECK(same(v[0].interval, {at("2026-03-02 08:00"), at("2026-03-09 08:00")}));
}

TEST_CASE("more than 55 hours a week on average over 4 weeks breaks the 4-week limit",
          "[unit][rules]") {
  auto four_weeks = [](int long_days) {
    std::vector<Shift> out;
    for (int w = 0; w < 4; ++w)
      for (int d = 0; d < 5; ++d) {
        const int day = 7 * w + d;
        out.push_back(duty(plus_days(kMon, day, "08:00"),
                           plus_days(kMon, day, day < long_days ? "20:00" : "19:00")));
      }
    return out;
  };
  const auto ok = check(four_weeks(0));  // 20 x 11 h = 220 h = 55 h a week
  INFO(listed(ok));
  CHECK(ok.empty());
  const auto v = of_rule(check(four_weeks(2)), "max_average_week_4w");  // 222 h
  REQUIRE(v.size() == 1);
  CHECK(v[0].figure == "55.5 h/week > 55 h/week");
  CHECK(v[0].interval.start == at("2026-03-02 08:00"));
  CHECK(v[0].interval.end - v[0].interval.start == std::chrono::hours{28 * 24});
}

TEST_CASE("more than 48 hours a week on average over 16 weeks breaks the 16-week limit",
          "[unit][rules]") {
  std::vector<Shift> shifts;
  const std::string base = "2026-01-05";  // 16 weeks over the March DST change
  for (int w = 0; w < 16; ++w)
    for (int d = 0; d < 4; ++d)
      shifts.push_back(
          duty(plus_days(base, 7 * w + d, "08:00"), plus_days(base, 7 * w + d, "20:00")));
  const auto ok = check(shifts);  // 64 x 12 h = 768 h = 48 h a week
  INFO(listed(ok));
  CHECK(ok.empty());
  shifts.push_back(duty(plus_days(base, 4, "08:00"), plus_days(base, 4, "10:00")));
  const auto v = of_rule(check(shifts), "max_average_week_16w");
  REQUIRE(v.size() == 1);
  CHECK(v[0].figure == "48.1 h/week > 48 h/week");
  CHECK(v[0].interval.start == at("2026-01-05 08:00"));
}

TEST_CASE("daily rest under 8 hours always breaks the rule", "[unit][rules]") {
  const auto v = check(
      {work("2026-03-02 08:00", "2026-03-02 16:00"), work("2026-03-02 23:00", "2026-03-02 23:30")});
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "daily_rest");
  CHECK(v[0].figure == "7.0 h < 8 h");
  CHECK(same(v[0].interval, span("2026-03-02 16:00", "2026-03-02 23:00")));
}

TEST_CASE("daily rest may be shortened to 8 hours once a week but not twice", "[unit][rules]") {
  std::vector<Shift> shifts{work("2026-03-02 08:00", "2026-03-02 20:00"),
                            work("2026-03-03 04:00", "2026-03-03 05:00")};  // 8 h rest
  CHECK(check(shifts).empty());
  shifts.push_back(work("2026-03-03 15:00", "2026-03-03 16:00"));  // 10 h rest
  const auto v = check(shifts);
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "daily_rest");
  CHECK(v[0].figure == "10.0 h < 11 h");
  CHECK(same(v[0].interval, span("2026-03-03 05:00", "2026-03-03 15:00")));
  // A full 11 h rest is never shortened.
  CHECK(check({work("2026-03-02 08:00", "2026-03-02 20:00"),
               work("2026-03-03 07:00", "2026-03-03 12:00"),
               work("2026-03-03 23:00", "2026-03-03 23:30")})
            .empty());
}

TEST_CASE("a week without 36 hours of rest breaks the weekly rest unless 9 days hold 60 hours",
          "[unit][rules]") {
  std::vector<Shift> shifts;
  for (int d = 0; d < 6; ++d)  // Monday to Saturday: 36 h rest from Saturday 20:00
    shifts.push_back(duty(plus_days(kMon, d, "08:00"), plus_days(kMon, d, "20:00")));
  shifts.push_back(work("2026-03-09 08:00", "2026-03-09 12:00"));
  CHECK(of_rule(check(shifts), "weekly_rest").empty());

  shifts.push_back(work("2026-03-08 08:00", "2026-03-08 12:00"));  // Sunday too
  const auto v = of_rule(check(shifts), "weekly_rest");
  INFO(listed(check(shifts)));
  REQUIRE(v.size() == 1);
  CHECK(v[0].figure == "20.0 h < 36 h");
  CHECK(same(v[0].interval, span("2026-03-02 08:00", "2026-03-09 08:00")));
}

TEST_CASE("a night shift is more than one hour between 00:00 and 06:00 local time",
          "[unit][rules]") {
  const WorkingTimeLimits law;
  CHECK_FALSE(sch::is_night(span("2026-03-02 18:00", "2026-03-03 01:00"), law, amsterdam()));
  CHECK(sch::is_night(span("2026-03-02 18:00", "2026-03-03 01:30"), law, amsterdam()));
  CHECK(sch::is_night(span("2026-06-10 04:30", "2026-06-10 12:00"), law, amsterdam()));
  // 05:30-14:00 local is 03:30-12:00 UTC in summer: a night in UTC, not in local time.
  CHECK_FALSE(sch::is_night(span("2026-06-10 05:30", "2026-06-10 14:00"), law, amsterdam()));
}

TEST_CASE("a night shift longer than 10 hours breaks the night limit", "[unit][rules]") {
  const auto v = check({work("2026-03-02 22:00", "2026-03-03 09:00")});
  REQUIRE(of_rule(v, "max_night_shift_length").size() == 1);
  CHECK(of_rule(v, "max_night_shift_length")[0].figure == "11.0 h > 10 h");
  CHECK(check({work("2026-03-02 23:00", "2026-03-03 09:00")}).empty());
}

TEST_CASE("a night shift over the October DST change lasts 10 hours", "[unit][rules]") {
  // 23:00-08:00 on 24/25 October 2026: the clock goes back, so 10 h of work.
  CHECK(check({work("2026-10-24 23:00", "2026-10-25 08:00")}).empty());  // 10 h is allowed
  WorkingTimeLimits cao;
  cao.cao_max_night_shift = std::chrono::hours{9};
  const auto v = check({work("2026-10-24 23:00", "2026-10-25 08:00")}, {}, cao);
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "cao_max_night_shift_length");
  CHECK(v[0].figure == "10.0 h > 9 h");
  // An hour more breaks the law itself; in March the same night is only 8 h.
  CHECK(of_rule(check({work("2026-10-24 23:00", "2026-10-25 09:00")}), "max_night_shift_length")
            .at(0)
            .figure == "11.0 h > 10 h");
  cao.cao_max_night_shift = std::chrono::minutes{7 * 60 + 30};
  CHECK(check({work("2026-03-28 23:00", "2026-03-29 08:00")}, {}, cao).at(0).figure ==
        "8.0 h > 7.5 h");
}

TEST_CASE("a night shift ending at 08:00 needs 14 hours of rest", "[unit][rules]") {
  const auto v = check(
      {work("2026-03-02 23:00", "2026-03-03 08:00"), work("2026-03-03 21:00", "2026-03-03 23:00")});
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "rest_after_night");
  CHECK(v[0].figure == "13.0 h < 14 h");
  CHECK(same(v[0].interval, span("2026-03-03 08:00", "2026-03-03 21:00")));
  CHECK(check({work("2026-03-02 23:00", "2026-03-03 08:00"),
               work("2026-03-03 22:00", "2026-03-03 23:00")})
            .empty());
}

TEST_CASE("a night shift ending before 02:00 needs only the daily rest", "[unit][rules]") {
  CHECK(check({work("2026-03-02 18:00", "2026-03-03 01:30"),
               work("2026-03-03 13:00", "2026-03-03 18:00")})
            .empty());
}

TEST_CASE("three nights in a row need 46 hours of rest", "[unit][rules]") {
  std::vector<Shift> nights;
  for (int d = 0; d < 3; ++d)
    nights.push_back(duty(plus_days(kMon, d, "23:00"), plus_days(kMon, d + 1, "07:00")));
  auto with = [&](const std::string& start, const std::string& end) {
    auto out = nights;
    out.push_back(work(start, end));
    return out;
  };
  const auto v = check(with("2026-03-06 08:00", "2026-03-06 16:00"));
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "rest_after_night_series");
  CHECK(v[0].figure == "25.0 h < 46 h");
  CHECK(same(v[0].interval, span("2026-03-05 07:00", "2026-03-06 08:00")));
  CHECK(check(with("2026-03-07 05:00", "2026-03-07 13:00")).empty());  // exactly 46 h
  // Two nights in a row need only the 14 h after a night.
  nights.pop_back();
  CHECK(check(with("2026-03-04 23:00", "2026-03-04 23:30")).empty());
}

TEST_CASE("more than 36 nights ending after 02:00 in 16 weeks break the night count",
          "[unit][rules]") {
  auto nights = [](int n) {
    std::vector<Shift> out;
    for (int i = 0; i < n; ++i)
      out.push_back(duty(plus_days("2026-01-05", 3 * i, "23:00"),
                         plus_days("2026-01-05", 3 * i + 1, "07:00")));
    return out;
  };
  CHECK(check(nights(36)).empty());
  const auto v = check(nights(37));
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "max_late_nights_16w");
  CHECK(v[0].figure == "37 nights > 36 nights");
  CHECK(v[0].interval.start == at("2026-01-05 23:00"));
  CHECK(v[0].interval.end - v[0].interval.start == std::chrono::hours{16 * 7 * 24});
}

TEST_CASE("the collective-agreement overlay adds its stricter limits", "[unit][rules]") {
  WorkingTimeLimits cao;
  cao.cao_max_shift = std::chrono::hours{10};
  cao.cao_max_nights_in_row = 5;
  cao.cao_max_nights_4w = 10;

  SECTION("shifts up to 10 hours") {
    const auto v = check({work("2026-03-02 08:00", "2026-03-02 18:30")}, {}, cao);
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "cao_max_shift_length");
    CHECK(v[0].figure == "10.5 h > 10 h");
    CHECK(check({work("2026-03-02 08:00", "2026-03-02 18:00")}, {}, cao).empty());
  }
  SECTION("at most 5 nights in a row") {
    std::vector<Shift> nights;
    for (int d = 0; d < 5; ++d)
      nights.push_back(duty(plus_days(kMon, d, "23:00"), plus_days(kMon, d + 1, "07:00")));
    CHECK(of_rule(check(nights, {}, cao), "cao_max_nights_in_row").empty());
    nights.push_back(duty(plus_days(kMon, 5, "23:00"), plus_days(kMon, 6, "07:00")));
    const auto v = of_rule(check(nights, {}, cao), "cao_max_nights_in_row");
    REQUIRE(v.size() == 1);
    CHECK(v[0].figure == "6 nights > 5 nights");
    CHECK(same(v[0].interval, span("2026-03-02 23:00", "2026-03-08 07:00")));
  }
  SECTION("at most 10 nights in 4 weeks") {
    std::vector<Shift> nights;
    for (int i = 0; i < 10; ++i)
      nights.push_back(duty(plus_days(kMon, 2 * i, "23:00"), plus_days(kMon, 2 * i + 1, "07:00")));
    CHECK(check(nights, {}, cao).empty());
    nights.push_back(duty(plus_days(kMon, 27, "23:00"), plus_days(kMon, 28, "07:00")));
    const auto v = check(nights, {}, cao);
    REQUIRE(v.size() == 1);
    CHECK(v[0].rule == "cao_max_nights_4w");
    CHECK(v[0].figure == "11 nights > 10 nights");
  }
  SECTION("without an overlay the law alone applies") {
    CHECK(check({work("2026-03-02 08:00", "2026-03-02 19:00")}).empty());
  }
}

TEST_CASE("on call allows at most 13 hours of work in 24 hours, call-outs included",
          "[unit][rules]") {
  const std::vector<Shift> shifts{work("2026-03-02 08:00", "2026-03-02 17:00"),
                                  on_call("2026-03-02 17:00", "2026-03-03 08:00")};
  CHECK(check(shifts, {span("2026-03-02 20:00", "2026-03-02 23:00"),
                       span("2026-03-03 02:00", "2026-03-03 03:00")})
            .empty());  // 9 + 3 + 1 = 13 h
  const auto v = check(shifts, {span("2026-03-02 20:00", "2026-03-02 23:00"),
                                span("2026-03-03 02:00", "2026-03-03 03:10")});
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "max_on_call_work_24h");
  CHECK(v[0].figure == "13.2 h > 13 h");
  CHECK(same(v[0].interval, span("2026-03-02 08:00", "2026-03-03 08:00")));
}

TEST_CASE("every call-out counts as at least 30 minutes of work", "[unit][rules]") {
  const std::vector<Shift> shifts{work("2026-03-02 08:00", "2026-03-02 17:00"),
                                  on_call("2026-03-02 17:00", "2026-03-03 08:00")};
  std::vector<Interval> calls{span("2026-03-02 20:00", "2026-03-02 23:00"),
                              span("2026-03-03 02:00", "2026-03-03 02:10"),
                              span("2026-03-03 04:00", "2026-03-03 04:05")};
  CHECK(check(shifts, calls).empty());  // 9 + 3 + 0.5 + 0.5
  calls.push_back(span("2026-03-03 04:10", "2026-03-03 04:15"));
  const auto v = check(shifts, calls);
  REQUIRE(v.size() == 1);
  CHECK(v[0].figure == "13.5 h > 13 h");
}

TEST_CASE("more than 14 on-call days in 4 weeks break the on-call limit", "[unit][rules]") {
  auto evenings = [](int n) {
    std::vector<Shift> out;
    for (int d = 0; d < n; ++d)
      out.push_back(duty(plus_days(kMon, d, "17:00"), plus_days(kMon, d + 1, "09:00"),
                         sch::DutyType::on_call));
    return out;
  };
  // 17:00-09:00 counts on the day it starts: 14 evenings are 14 days.
  CHECK(check(evenings(14)).empty());
  const auto v = check(evenings(15));
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "max_on_call_days_4w");
  CHECK(v[0].figure == "15 days > 14 days");
  CHECK(same(v[0].interval, span("2026-03-02 00:00", "2026-03-30 00:00")));
}

TEST_CASE("on call needs twice two free days in a row in 4 weeks", "[unit][rules]") {
  auto every_other_day = [](std::vector<int> skip) {
    std::vector<Shift> out;
    for (int d = 0; d < 28; d += 2)
      if (std::find(skip.begin(), skip.end(), d) == skip.end())
        out.push_back(
            duty(plus_days(kMon, d, "08:00"), plus_days(kMon, d, "18:00"), sch::DutyType::on_call));
    return out;
  };
  const auto v = check(every_other_day({}));
  INFO(listed(v));
  REQUIRE(v.size() == 1);
  CHECK(v[0].rule == "free_day_pairs_4w");
  // Days before the roster count as free: the first 4 weeks short of two pairs start three days
  // before the first duty (27, 28 February and 1 March make one pair, then single days).
  CHECK(v[0].figure == "1 pair of free days < 2");
  CHECK(same(v[0].interval, span("2026-02-27 00:00", "2026-03-27 00:00")));
  CHECK(check(every_other_day({12, 22})).empty());
}

TEST_CASE("no on call in the 11 hours before or the 14 hours after a night shift",
          "[unit][rules]") {
  const Shift night = work("2026-03-04 23:00", "2026-03-05 07:00");
  const auto before = check({night, on_call("2026-03-04 08:00", "2026-03-04 17:00")});
  INFO(listed(before));
  REQUIRE(of_rule(before, "on_call_near_night").size() == 1);
  CHECK(before[0].figure == "5.0 h on call within 11 h before a night shift");
  CHECK(same(before[0].interval, span("2026-03-04 12:00", "2026-03-04 17:00")));
  CHECK(
      of_rule(check({night, on_call("2026-03-04 06:00", "2026-03-04 12:00")}), "on_call_near_night")
          .empty());

  const auto after = of_rule(check({night, on_call("2026-03-05 20:00", "2026-03-06 08:00")}),
                             "on_call_near_night");
  REQUIRE(after.size() == 1);
  CHECK(after[0].figure == "1.0 h on call within 14 h after a night shift");
  CHECK(same(after[0].interval, span("2026-03-05 20:00", "2026-03-05 21:00")));
  CHECK(
      of_rule(check({night, on_call("2026-03-05 21:00", "2026-03-06 08:00")}), "on_call_near_night")
          .empty());
}

TEST_CASE("the demo working-time file loads with the law's figures", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  const WorkingTimeLimits l =
      sch::load_working_time_limits(PIKET_SOURCE_DIR "/config/demo/working_time.toml", problems);
  for (const auto& p : problems) INFO(p.to_string());
  CHECK(problems.empty());
  const WorkingTimeLimits law;
  CHECK(l.max_shift == law.max_shift);
  CHECK(l.max_shift == std::chrono::hours{12});
  CHECK(l.max_average_week_16w == std::chrono::hours{48});
  CHECK(l.daily_rest_reduced == std::chrono::hours{8});
  CHECK(l.weekly_rest_alt == std::chrono::hours{60});
  CHECK(l.night_end == std::chrono::hours{6});
  CHECK(l.rest_after_night_series == std::chrono::hours{46});
  CHECK(l.max_late_nights_16w == 36);
  CHECK(l.max_on_call_days_4w == 14);
  CHECK(l.min_call_out == std::chrono::minutes{30});
  CHECK_FALSE(l.cao_max_shift);
  CHECK_FALSE(l.cao_max_nights_4w);
}

TEST_CASE("the collective-agreement overlay loads from a [cao] section", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  const auto l = sch::parse_working_time_limits("wt.toml", R"(
[cao]
max_shift_hours = 10
max_night_shift_hours = 9.5
max_nights_in_row = 5
max_nights_4_weeks = 10
)",
                                                problems);
  CHECK(problems.empty());
  CHECK(l.cao_max_shift == std::chrono::hours{10});
  CHECK(l.cao_max_night_shift == std::chrono::minutes{570});
  CHECK(l.cao_max_nights_in_row == 5);
  CHECK(l.cao_max_nights_4w == 10);
  CHECK(l.max_shift == std::chrono::hours{12});
}

TEST_CASE("a bad working-time file names every bad key", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  sch::parse_working_time_limits("wt.toml", R"(
[shift]
max_hour = 10
[night]
late_end = "2am"
max_hours = -1
[rest]
daily_reduced_hours = 12
[sleep]
)",
                                 problems);
  auto named = [&](const std::string& key) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](auto& p) { return p.key == key && p.file == "wt.toml"; });
  };
  CHECK(named("shift.max_hour"));
  CHECK(named("night.late_end"));
  CHECK(named("night.max_hours"));
  CHECK(named("rest.daily_reduced_hours"));
  CHECK(named("sleep"));
  CHECK(problems.size() == 5);
}
