#pragma once
// Working-time rules (Arbeidstijdenwet, with an optional collective-agreement overlay) checked
// against one worker's duties. Pure: no I/O except the loader, no clock. The scheduler checks
// roster changes with it, the dispatcher a call-out before it pages.
//
// What counts as work:
//  - a duty of type DutyType::shift, whole;
//  - on-call duty (consignatie) only through its call-outs, each counted as at least
//    `min_call_out` (30 min) from its start: a 10-minute call at 03:00 is [03:00, 03:30).
//    Call-outs are added up, not merged, so two short calls count 30 min each.
// Shifts that overlap or touch (end == start) are one continuous work period: a 18:00-23:00
// shift followed by 23:00-07:00 is one 13-hour night shift. Rest rules (daily, weekly, after
// nights) look at these shift periods only; call-outs are limited by the on-call rules (13 h
// work per 24 h) instead.
//
// Windows: "per week", "per 4 weeks", "per 16 weeks" and "per 24 h" are rolling windows of
// elapsed time (168 h, 672 h, 2688 h, 24 h), anchored at the start of each work item; the most
// loaded window always starts at one of them, so this finds every overload. A violation is
// reported once per stretch: windows anchored inside an already reported window are skipped.
// Day counts (on-call days, free days) use local calendar days in the worker's zone.
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/duty.hpp"

namespace piket {

struct WorkingTimeLimits {
  using Minutes = std::chrono::minutes;
  static constexpr Minutes hours(int h) { return Minutes{h * 60}; }

  // Shift length and weekly hours.
  Minutes max_shift = hours(12);
  Minutes max_week = hours(60);              // in any 168 h
  Minutes max_average_week_4w = hours(55);   // average per week over any 4 weeks
  Minutes max_average_week_16w = hours(48);  // average per week over any 16 weeks

  // Daily rest: between two work periods; `daily_rest_reductions` of them per 168 h may be as
  // short as `daily_rest_reduced`.
  Minutes daily_rest = hours(11);
  Minutes daily_rest_reduced = hours(8);
  int daily_rest_reductions = 1;

  // Weekly rest: one uninterrupted rest of `weekly_rest` in every 7 days, or alternatively
  // `weekly_rest_alt` in every `weekly_rest_alt_days` days.
  Minutes weekly_rest = hours(36);
  int weekly_rest_days = 7;
  Minutes weekly_rest_alt = hours(60);
  int weekly_rest_alt_days = 9;

  // Night shift: more than `night_min_overlap` between `night_start` and `night_end` local time.
  Minutes night_start = hours(0);
  Minutes night_end = hours(6);
  Minutes night_min_overlap = hours(1);
  Minutes max_night_shift = hours(10);
  Minutes late_night_end = hours(2);  // a night "ends late" when it ends after 02:00
  Minutes rest_after_late_night = hours(14);
  int night_series = 3;                         // this many nights in a row or more ...
  Minutes rest_after_night_series = hours(46);  // ... need this rest afterwards
  int max_late_nights_16w = 36;

  // On call (consignatie).
  Minutes max_on_call_work_24h = hours(13);  // shifts + call-outs, in any 24 h with on-call
  int max_on_call_days_4w = 14;
  int free_day_pairs_4w = 2;  // twice two free days in a row per 4 weeks
  Minutes no_on_call_before_night = hours(11);
  Minutes no_on_call_after_night = hours(14);
  Minutes min_call_out = Minutes{30};

  // Collective-agreement overlay (example: youth care); disabled when empty.
  std::optional<Minutes> cao_max_shift;        // 10 h
  std::optional<Minutes> cao_max_night_shift;  // 9 h
  std::optional<int> cao_max_nights_in_row;    // 5
  std::optional<int> cao_max_nights_4w;        // 10
};

struct Violation {
  std::string worker_id;
  std::string rule;     // stable id: "max_shift_length", "daily_rest", ...
  Interval interval;    // the offending shift, gap or window
  std::string figure;   // "13.0 h > 12 h"
  std::string message;  // one sentence for a team lead
};

// Rule ids, stable for the API and the UI.
inline constexpr std::string_view kRuleMaxShiftLength = "max_shift_length";
inline constexpr std::string_view kRuleMaxWeek = "max_week_hours";
inline constexpr std::string_view kRuleAverage4w = "max_average_week_4w";
inline constexpr std::string_view kRuleAverage16w = "max_average_week_16w";
inline constexpr std::string_view kRuleDailyRest = "daily_rest";
inline constexpr std::string_view kRuleWeeklyRest = "weekly_rest";
inline constexpr std::string_view kRuleMaxNightShift = "max_night_shift_length";
inline constexpr std::string_view kRuleRestAfterNight = "rest_after_night";
inline constexpr std::string_view kRuleRestAfterNightSeries = "rest_after_night_series";
inline constexpr std::string_view kRuleMaxLateNights16w = "max_late_nights_16w";
inline constexpr std::string_view kRuleOnCallWork24h = "max_on_call_work_24h";
inline constexpr std::string_view kRuleOnCallDays4w = "max_on_call_days_4w";
inline constexpr std::string_view kRuleFreeDayPairs4w = "free_day_pairs_4w";
inline constexpr std::string_view kRuleOnCallNearNight = "on_call_near_night";
inline constexpr std::string_view kRuleCaoMaxShift = "cao_max_shift_length";
inline constexpr std::string_view kRuleCaoMaxNightShift = "cao_max_night_shift_length";
inline constexpr std::string_view kRuleCaoNightsInRow = "cao_max_nights_in_row";
inline constexpr std::string_view kRuleCaoNights4w = "cao_max_nights_4w";

// True when `work` has more than limits.night_min_overlap inside one local 00:00-06:00 window.
bool is_night(const Interval& work, const WorkingTimeLimits& limits, const date::time_zone& zone);

// All violations of one worker's duties, sorted by interval start then rule id. `shifts` may hold
// other workers' duties too: only those of `worker_id` are used.
std::vector<Violation> check_working_time(const std::string& worker_id, std::vector<Shift> shifts,
                                          std::vector<Interval> call_outs,
                                          const WorkingTimeLimits& limits,
                                          const date::time_zone& zone);

// What a change (a roster change, a call-out) does to the violations: those it adds, and those that were there before and
// remain. A violation of `after` was there before when `before` has one of the same worker and
// rule over an overlapping interval: a rolling window that only moves (relieving one night
// re-anchors a four-week count) or a figure that only eases is the same violation, not a new
// one. Only `added` refuses a change.
struct ViolationChange {
  std::vector<Violation> added;
  std::vector<Violation> remaining;
};
ViolationChange compare_violations(const std::vector<Violation>& before,
                                   const std::vector<Violation>& after);
// working_time.toml: sections [shift], [week], [rest], [night], [on_call] and an optional [cao];
// every key is optional and defaults to the law. Hours may be fractional (9.5). Unknown keys are
// problems, so a typo cannot silently fall back to the law.
WorkingTimeLimits load_working_time_limits(const std::string& file,
                                           std::vector<ConfigProblem>& problems);
WorkingTimeLimits parse_working_time_limits(const std::string& file, std::string_view text,
                                            std::vector<ConfigProblem>& problems);

}  // namespace piket
