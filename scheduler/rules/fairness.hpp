#pragma once
// How the burden of a roster is spread: per worker, over a period, the nights, weekends and
// public holidays they carry and their hours. Pure; local days come from the zone given.
#include <date/tz.h>

#include <string>
#include <vector>

#include "common/domain/holidays.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

struct FairnessRow {
  std::string worker_id;
  int duties = 0;  // duties overlapping the period
  // Local nights (the 00:00-06:00 window of a local day, inside the period) in which the worker
  // is on duty (shift or on call) for more than 1 h: the night-shift definition of the law.
  int nights = 0;
  int weekend_duties = 0;    // duties overlapping a local Saturday or Sunday inside the period
  int weekend_days = 0;      // distinct local Saturdays and Sundays with any duty
  int holiday_duties = 0;    // duties overlapping a public holiday (local day) inside the period
  double on_call_hours = 0;  // on-call duty clipped to the period
  double shift_hours = 0;    // shift duty clipped to the period
};

// One row per worker named in `shifts` (also those with nothing in the period, so they show
// as zero), sorted by worker id. Only the parts of duties inside `period` count.
std::vector<FairnessRow> fairness_report(const std::vector<Shift>& shifts, Interval period,
                                         const HolidayCalendar& holidays,
                                         const date::time_zone& zone);

// One number for ranking candidates by load, higher = more burdened:
//   shift_hours x 1 + on_call_hours x 0.25 (standby is a quarter of the strain of work)
//   + nights x 4 + weekend_duties x 4 + holiday_duties x 6
// Nights, weekends and holidays come on top of their hours. Weights are kFairness* below.
inline constexpr double kFairnessShiftHour = 1.0;
inline constexpr double kFairnessOnCallHour = 0.25;
inline constexpr double kFairnessNight = 4.0;
inline constexpr double kFairnessWeekendDuty = 4.0;
inline constexpr double kFairnessHolidayDuty = 6.0;
double load_score(const FairnessRow& row);

}  // namespace piket::scheduler
