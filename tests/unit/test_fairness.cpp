// Fairness: nights, weekends and holidays are counted in local time, hours within the period.
#include <date/tz.h>

#include <catch.hpp>
#include <string>
#include <vector>

#include "scheduler/model/roster.hpp"
#include "scheduler/rules/fairness.hpp"

namespace {

namespace sch = piket::scheduler;
using piket::TimePoint;
using sch::Shift;

const date::time_zone& amsterdam() { return *date::locate_zone("Europe/Amsterdam"); }

TimePoint at(const std::string& text) {
  const auto day = sch::parse_local_date(text.substr(0, 10));
  const auto time = sch::parse_local_time(text.substr(11));
  REQUIRE(day);
  REQUIRE(time);
  return sch::resolve_local(amsterdam(), *day + *time);
}

Shift duty(const std::string& worker, const std::string& start, const std::string& end,
           sch::DutyType type) {
  Shift s;
  s.worker_id = worker;
  s.duty = type;
  s.start = at(start);
  s.end = at(end);
  return s;
}

piket::HolidayCalendar christmas() {
  return piket::HolidayCalendar(
      {{date::year_month_day{date::year{2026}, date::December, date::day{25}}, "Christmas Day",
        false},
       {date::year_month_day{date::year{2026}, date::April, date::day{3}}, "Good Friday", true}});
}

const sch::FairnessRow& row_of(const std::vector<sch::FairnessRow>& rows, const std::string& id) {
  for (const auto& r : rows)
    if (r.worker_id == id) return r;
  FAIL("no row for " << id);
  return rows.front();
}

constexpr auto kShift = sch::DutyType::shift;
constexpr auto kOnCall = sch::DutyType::on_call;

}  // namespace

TEST_CASE("a duty that reaches Saturday in local time is a weekend duty", "[unit][rules]") {
  // Friday 21:00 - Saturday 00:30 local is all Friday in UTC (19:00-22:30 Z in June).
  const std::vector<Shift> shifts{duty("a", "2026-06-12 21:00", "2026-06-13 00:30", kOnCall),
                                  duty("b", "2026-06-12 08:00", "2026-06-12 23:59", kShift),
                                  duty("c", "2026-06-13 09:00", "2026-06-14 09:00", kOnCall)};
  const auto rows = sch::fairness_report(shifts, {at("2026-06-08 00:00"), at("2026-06-15 00:00")},
                                         christmas(), amsterdam());
  REQUIRE(rows.size() == 3);
  CHECK(row_of(rows, "a").weekend_duties == 1);
  CHECK(row_of(rows, "a").weekend_days == 1);
  CHECK(row_of(rows, "b").weekend_duties == 0);
  CHECK(row_of(rows, "c").weekend_duties == 1);
  CHECK(row_of(rows, "c").weekend_days == 2);
}

TEST_CASE("nights are counted by the local 00:00-06:00 window", "[unit][rules]") {
  const std::vector<Shift> shifts{
      // 18:00-01:30 local (16:00-23:30 Z): 1.5 h in the local window, none in UTC's.
      duty("a", "2026-06-10 18:00", "2026-06-11 01:30", kShift),
      // 05:30-14:00 local (03:30-12:00 Z): 0.5 h in the local window, 2.5 h in UTC's.
      duty("b", "2026-06-10 05:30", "2026-06-10 14:00", kShift),
      // A week of on call, Monday 09:00 to Monday 09:00: seven nights.
      duty("c", "2026-06-08 09:00", "2026-06-15 09:00", kOnCall),
      // A night split over a hand-off at 03:00 still counts once.
      duty("d", "2026-06-10 23:00", "2026-06-11 03:00", kShift),
      duty("d", "2026-06-11 03:00", "2026-06-11 07:00", kShift)};
  const auto rows = sch::fairness_report(shifts, {at("2026-06-08 00:00"), at("2026-06-22 00:00")},
                                         christmas(), amsterdam());
  CHECK(row_of(rows, "a").nights == 1);
  CHECK(row_of(rows, "b").nights == 0);
  CHECK(row_of(rows, "c").nights == 7);
  CHECK(row_of(rows, "d").nights == 1);
  CHECK(row_of(rows, "d").duties == 2);
  CHECK(row_of(rows, "d").shift_hours == 8.0);
}

TEST_CASE("a night over the October DST change counts its 10 hours", "[unit][rules]") {
  const auto rows = sch::fairness_report(
      {duty("a", "2026-10-24 23:00", "2026-10-25 08:00", kShift)},
      {at("2026-10-19 00:00"), at("2026-10-26 00:00")}, christmas(), amsterdam());
  CHECK(rows.at(0).shift_hours == 10.0);
  CHECK(rows.at(0).nights == 1);
  CHECK(rows.at(0).weekend_duties == 1);
}

TEST_CASE("holiday duties count public holidays but not Good Friday", "[unit][rules]") {
  const std::vector<Shift> shifts{duty("a", "2026-12-24 20:00", "2026-12-25 08:00", kOnCall),
                                  duty("a", "2026-04-03 08:00", "2026-04-03 17:00", kShift)};
  const auto rows = sch::fairness_report(shifts, {at("2026-01-01 00:00"), at("2027-01-01 00:00")},
                                         christmas(), amsterdam());
  CHECK(rows.at(0).holiday_duties == 1);
  CHECK(rows.at(0).on_call_hours == 12.0);
  CHECK(rows.at(0).shift_hours == 9.0);
}

TEST_CASE("only the part of a duty inside the period counts", "[unit][rules]") {
  const std::vector<Shift> shifts{duty("a", "2026-03-01 20:00", "2026-03-02 08:00", kOnCall),
                                  duty("z", "2026-02-01 08:00", "2026-02-01 16:00", kShift)};
  const auto rows = sch::fairness_report(shifts, {at("2026-03-02 00:00"), at("2026-03-09 00:00")},
                                         christmas(), amsterdam());
  REQUIRE(rows.size() == 2);
  CHECK(row_of(rows, "a").on_call_hours == 8.0);
  CHECK(row_of(rows, "a").weekend_duties == 0);  // its Sunday part is before the period
  CHECK(row_of(rows, "a").nights == 1);
  CHECK(row_of(rows, "z").duties == 0);  // listed, with nothing in the period
  CHECK(sch::load_score(row_of(rows, "z")) == 0.0);
}

TEST_CASE("the load score weighs hours, nights, weekends and holidays", "[unit][rules]") {
  sch::FairnessRow row;
  row.shift_hours = 10;
  row.on_call_hours = 40;
  row.nights = 2;
  row.weekend_duties = 1;
  row.holiday_duties = 1;
  CHECK(sch::load_score(row) == Approx(10 + 40 * 0.25 + 2 * 4 + 4 + 6));
  sch::FairnessRow more_nights = row;
  more_nights.nights = 3;
  CHECK(sch::load_score(more_nights) > sch::load_score(row));
}
