#pragma once
// Dutch public holidays as data (config/demo/holidays.toml), and working-day arithmetic on top
// of them: the meldcode's "5 working days" skips Saturdays, Sundays and public holidays.
// Dates are local calendar days; there is no time zone here.
#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_reader.hpp"

namespace piket {

struct Holiday {
  date::year_month_day date{};
  std::string name;           // "Easter Monday"
  bool by_agreement = false;  // Good Friday: a day off only where the employer agreed to it
};

class HolidayCalendar {
 public:
  HolidayCalendar() = default;
  // `count_by_agreement`: treat by-agreement days (Good Friday) as holidays too.
  explicit HolidayCalendar(std::vector<Holiday> holidays, bool count_by_agreement = false);

  // A listed holiday (by-agreement ones only when counted). A year the data does not cover has
  // no holidays: check covers() at start-up.
  bool is_holiday(date::year_month_day day) const;
  // Not a Saturday, not a Sunday, not a holiday.
  bool is_working_day(date::year_month_day day) const;
  // The n-th working day after `start` (n > 0) or before it (n < 0); `start` itself is never
  // counted, so a report on a Thursday with n = 5 is due on the fifth working day after it.
  // n == 0 returns `start` unchanged.
  date::year_month_day add_working_days(date::year_month_day start, int n) const;

  // The listed entry for `day` (by-agreement days included), or nullptr.
  const Holiday* find(date::year_month_day day) const;
  // True when at least one holiday of `year` is listed.
  bool covers(date::year year) const;
  const std::vector<Holiday>& holidays() const { return holidays_; }

 private:
  std::vector<Holiday> holidays_;  // sorted by date
  bool count_by_agreement_ = false;
};

// holidays.toml: [[holidays]] date = "YYYY-MM-DD", name, by_agreement? (default false).
// Problems name the key ("holidays[4].date"): a bad date, a duplicate date, a missing name.
std::vector<Holiday> load_holidays(const std::string& file, std::vector<ConfigProblem>& problems);
std::vector<Holiday> parse_holidays(const std::string& file, std::string_view text,
                                    std::vector<ConfigProblem>& problems);

}  // namespace piket
