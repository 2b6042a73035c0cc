// Dutch public holidays are data; these tests keep the data true (Easter computed here only to
// check it) and check working-day arithmetic over Christmas and New Year.
#include <date/date.h>

#include <algorithm>
#include <catch.hpp>
#include <string>
#include <vector>

#include "common/domain/holidays.hpp"

namespace {

using date::year_month_day;
using piket::ConfigProblem;

year_month_day ymd(int y, unsigned m, unsigned d) {
  return year_month_day{date::year{y}, date::month{m}, date::day{d}};
}

// Gregorian Easter Sunday (anonymous algorithm, Meeus/Jones/Butcher): only to verify the data.
year_month_day easter(int y) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return ymd(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

year_month_day plus(year_month_day day, int n) {
  return year_month_day{date::sys_days{day} + date::days{n}};
}

std::vector<piket::Holiday> demo(std::vector<ConfigProblem>& problems) {
  return piket::load_holidays(PIKET_SOURCE_DIR "/config/demo/holidays.toml", problems);
}

piket::HolidayCalendar demo_calendar() {
  std::vector<ConfigProblem> problems;
  return piket::HolidayCalendar(demo(problems));
}

std::string name_on(const piket::HolidayCalendar& calendar, year_month_day day) {
  const piket::Holiday* h = calendar.find(day);
  return h ? h->name : "";
}

}  // namespace

TEST_CASE("the demo holiday file loads with no problems and covers 2025 to 2028", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  const auto holidays = demo(problems);
  for (const auto& p : problems) INFO(p.to_string());
  CHECK(problems.empty());
  const piket::HolidayCalendar calendar(holidays);
  for (int y = 2025; y <= 2028; ++y) CHECK(calendar.covers(date::year{y}));
  CHECK_FALSE(calendar.covers(date::year{2029}));
}

TEST_CASE("Easter Monday, Ascension Day and Whit Monday follow the computed Easter",
          "[unit][rules]") {
  const auto calendar = demo_calendar();
  CHECK(easter(2026) == ymd(2026, 4, 5));  // the algorithm itself, against a known date
  for (int y = 2025; y <= 2028; ++y) {
    INFO("year " << y);
    const year_month_day e = easter(y);
    CHECK(name_on(calendar, plus(e, 1)) == "Easter Monday");
    CHECK(name_on(calendar, plus(e, 39)) == "Ascension Day");
    CHECK(name_on(calendar, plus(e, 50)) == "Whit Monday");
    CHECK(name_on(calendar, plus(e, -2)) == "Good Friday");
    CHECK(calendar.find(plus(e, -2))->by_agreement);
    // Exactly the seven holidays of every year, plus Good Friday by agreement.
    const auto& all = calendar.holidays();
    const auto in_year = std::count_if(all.begin(), all.end(), [&](const piket::Holiday& h) {
      return h.date.year() == date::year{y};
    });
    CHECK(in_year == (y == 2025 ? 9 : 8));  // 2025: Liberation Day (lustrum)
  }
}

TEST_CASE("fixed holidays fall on their dates every year", "[unit][rules]") {
  const auto calendar = demo_calendar();
  for (int y = 2026; y <= 2028; ++y) {
    INFO("year " << y);
    CHECK(calendar.is_holiday(ymd(y, 1, 1)));
    CHECK(calendar.is_holiday(ymd(y, 12, 25)));
    CHECK(calendar.is_holiday(ymd(y, 12, 26)));
    CHECK_FALSE(calendar.is_holiday(ymd(y, 5, 5)));  // Liberation Day only in lustrum years
  }
  CHECK(name_on(calendar, ymd(2025, 5, 5)) == "Liberation Day");
}

TEST_CASE("King's Day is 26 April when the 27th is a Sunday", "[unit][rules]") {
  const auto calendar = demo_calendar();
  CHECK(date::weekday{date::sys_days{ymd(2025, 4, 27)}} == date::Sunday);
  CHECK(name_on(calendar, ymd(2025, 4, 26)) == "King's Day");
  CHECK_FALSE(calendar.is_holiday(ymd(2025, 4, 27)));
  for (int y = 2026; y <= 2028; ++y) {
    INFO("year " << y);
    CHECK(date::weekday{date::sys_days{ymd(y, 4, 27)}} != date::Sunday);
    CHECK(name_on(calendar, ymd(y, 4, 27)) == "King's Day");
  }
}

TEST_CASE("Good Friday is a holiday only by agreement", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  const auto holidays = demo(problems);
  CHECK_FALSE(piket::HolidayCalendar(holidays).is_holiday(ymd(2026, 4, 3)));
  CHECK(piket::HolidayCalendar(holidays).is_working_day(ymd(2026, 4, 3)));
  CHECK(piket::HolidayCalendar(holidays, true).is_holiday(ymd(2026, 4, 3)));
}

TEST_CASE("five working days from Christmas Eve skip Christmas, the weekends and New Year",
          "[unit][rules]") {
  const auto calendar = demo_calendar();
  // Thursday 24 December 2026: 28, 29, 30, 31 December, then Monday 4 January 2027.
  CHECK(calendar.add_working_days(ymd(2026, 12, 24), 5) == ymd(2027, 1, 4));
  CHECK(calendar.add_working_days(ymd(2026, 12, 24), 1) == ymd(2026, 12, 28));
  CHECK(calendar.add_working_days(ymd(2027, 1, 4), -5) == ymd(2026, 12, 24));
  CHECK(calendar.add_working_days(ymd(2026, 12, 25), 0) == ymd(2026, 12, 25));
  CHECK_FALSE(calendar.is_working_day(ymd(2026, 12, 26)));  // Saturday and Boxing Day
  CHECK(calendar.is_working_day(ymd(2026, 12, 31)));
}

TEST_CASE("a holiday file with a bad or duplicate date names the key", "[unit][rules]") {
  std::vector<ConfigProblem> problems;
  const auto holidays = piket::parse_holidays("h.toml", R"(
[[holidays]]
date = "2026-12-25"
name = "Christmas Day"
[[holidays]]
date = "2026-02-30"
name = "Nonsense"
[[holidays]]
date = "2026-12-25"
name = "Christmas again"
[[holidays]]
name = "No date"
[[holidays]]
date = 2026-12-26
name = "Boxing Day"
)",
                                            problems);
  auto reason_for = [&](const std::string& key) -> std::string {
    for (const auto& p : problems)
      if (p.key == key && p.file == "h.toml") return p.reason;
    return "";
  };
  CHECK(reason_for("holidays[1].date").find("2026-02-30") != std::string::npos);
  CHECK(reason_for("holidays[2].date").find("duplicate") != std::string::npos);
  CHECK(reason_for("holidays[2].date").find("holidays[0].date") != std::string::npos);
  CHECK(reason_for("holidays[3].date") == "is required");
  CHECK(problems.size() == 3);
  REQUIRE(holidays.size() == 2);  // Christmas and the bare TOML date
  CHECK(holidays[1].date == ymd(2026, 12, 26));
}
