#include "common/domain/working_time.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "common/local_time.hpp"


namespace piket {

namespace {

using Ms = std::chrono::milliseconds;
using Minutes = std::chrono::minutes;
using Days = date::days;
constexpr Ms kDay = std::chrono::hours{24};
constexpr Ms kWeek = 7 * kDay;

double to_hours(Ms d) { return std::chrono::duration<double, std::ratio<3600>>(d).count(); }

std::string one_decimal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// A limit as configured: "12", or "9.5" when it is not whole hours.
std::string limit_text(Ms limit) {
  const auto minutes = std::chrono::duration_cast<Minutes>(limit).count();
  return minutes % 60 == 0 ? std::to_string(minutes / 60) : one_decimal(to_hours(limit));
}

std::string clock_text(Minutes m) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", static_cast<int>(m.count() / 60),
                static_cast<int>(m.count() % 60));
  return buffer;
}

std::string hours_over(Ms actual, Ms limit, const char* op) {
  return one_decimal(to_hours(actual)) + " h " + op + " " + limit_text(limit) + " h";
}

std::string count_text(long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

Ms overlap(const Interval& a, TimePoint start, TimePoint end) {
  const TimePoint s = std::max(a.start, start);
  const TimePoint e = std::min(a.end, end);
  return e > s ? Ms{e - s} : Ms{0};
}

Ms total_in(const std::vector<Interval>& items, TimePoint start, TimePoint end) {
  Ms sum{0};
  for (const Interval& i : items) sum += overlap(i, start, end);
  return sum;
}

bool by_start(const Interval& a, const Interval& b) {
  return a.start < b.start || (a.start == b.start && a.end < b.end);
}

// Overlapping or touching intervals become one.
std::vector<Interval> merged(std::vector<Interval> items) {
  std::sort(items.begin(), items.end(), by_start);
  std::vector<Interval> out;
  for (const Interval& i : items) {
    if (!out.empty() && i.start <= out.back().end)
      out.back().end = std::max(out.back().end, i.end);
    else
      out.push_back(i);
  }
  return out;
}

date::local_days local_day(const date::time_zone& zone, TimePoint t) {
  return date::floor<Days>(zone.to_local(t));
}

TimePoint day_start(const date::time_zone& zone, date::local_days day) {
  return resolve_local(zone, date::local_time<Minutes>{day});
}

// The longest stretch without work inside [start, end); time after the last period is free.
Ms longest_rest(const std::vector<Interval>& periods, TimePoint start, TimePoint end) {
  Ms best{0};
  TimePoint free_from = start;
  for (const Interval& p : periods) {
    if (p.end <= start) continue;
    if (p.start >= end) break;
    if (p.start > free_from) best = std::max(best, Ms{p.start - free_from});
    free_from = std::max(free_from, p.end);
  }
  if (end > free_from) best = std::max(best, Ms{end - free_from});
  return best;
}

class Checker {
 public:
  Checker(std::string worker_id, const WorkingTimeLimits& limits, const date::time_zone& zone)
      : worker_id_(std::move(worker_id)), limits_(limits), zone_(zone) {}

  void add(std::string_view rule, Interval interval, std::string figure, std::string message) {
    out_.push_back(
        {worker_id_, std::string(rule), interval, std::move(figure), std::move(message)});
  }

  // Rolling windows of `window` anchored at each of `anchors` (sorted); `measure` returns the
  // amount in [a, a + window) and whether it breaks the limit. Windows anchored inside a window
  // already reported are skipped, so one overload is one violation.
  template <typename Measure, typename Report>
  void rolling(const std::vector<TimePoint>& anchors, Ms window, Measure measure, Report report) {
    TimePoint reported_until = TimePoint::min();
    for (TimePoint a : anchors) {
      if (a < reported_until) continue;
      if (measure(a, a + window)) {
        report(Interval{a, a + window});
        reported_until = a + window;
      }
    }
  }

  std::vector<Violation> take() {
    std::sort(out_.begin(), out_.end(), [](const Violation& a, const Violation& b) {
      if (a.interval.start != b.interval.start) return a.interval.start < b.interval.start;
      return a.rule < b.rule;
    });
    return std::move(out_);
  }

  const WorkingTimeLimits& limits() const { return limits_; }
  const date::time_zone& zone() const { return zone_; }

 private:
  std::string worker_id_;
  const WorkingTimeLimits& limits_;
  const date::time_zone& zone_;
  std::vector<Violation> out_;
};

std::vector<TimePoint> starts_of(const std::vector<Interval>& items) {
  std::vector<TimePoint> out;
  for (const Interval& i : items) out.push_back(i.start);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Shift length, plain and for nights, with the collective-agreement figures when set.
void check_lengths(Checker& c, const std::vector<Interval>& periods,
                   const std::vector<bool>& night) {
  const WorkingTimeLimits& l = c.limits();
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const Interval& p = periods[i];
    const Ms length = p.end - p.start;
    auto check = [&](std::string_view rule, Ms limit, const char* what) {
      if (length > limit)
        c.add(rule, p, hours_over(length, limit, ">"),
              std::string(what) + " of " + one_decimal(to_hours(length)) +
                  " h is longer than the " + limit_text(limit) + " h allowed");
    };
    check(kRuleMaxShiftLength, l.max_shift, "A shift");
    if (l.cao_max_shift) check(kRuleCaoMaxShift, *l.cao_max_shift, "A shift (agreement)");
    if (night[i]) {
      check(kRuleMaxNightShift, l.max_night_shift, "A night shift");
      if (l.cao_max_night_shift)
        check(kRuleCaoMaxNightShift, *l.cao_max_night_shift, "A night shift (agreement)");
    }
  }
}

// Hours in any 168 h, and the averages over any 4 and 16 weeks (work = shifts + call-outs).
void check_hours(Checker& c, const std::vector<Interval>& work) {
  const WorkingTimeLimits& l = c.limits();
  const std::vector<TimePoint> anchors = starts_of(work);
  Ms sum{0};
  auto measure = [&](Ms limit) {
    return [&, limit](TimePoint s, TimePoint e) {
      sum = total_in(work, s, e);
      return sum > limit;
    };
  };
  c.rolling(anchors, kWeek, measure(l.max_week), [&](Interval w) {
    c.add(kRuleMaxWeek, w, hours_over(sum, l.max_week, ">"),
          one_decimal(to_hours(sum)) + " h of work in 7 days; at most " + limit_text(l.max_week) +
              " h are allowed");
  });
  for (int weeks : {4, 16}) {
    const Ms limit = weeks == 4 ? Ms{l.max_average_week_4w} : Ms{l.max_average_week_16w};
    const std::string_view rule = weeks == 4 ? kRuleAverage4w : kRuleAverage16w;
    c.rolling(anchors, weeks * kWeek, measure(weeks * limit), [&](Interval w) {
      const Ms average = sum / weeks;
      c.add(rule, w, one_decimal(to_hours(average)) + " h/week > " + limit_text(limit) + " h/week",
            "On average " + one_decimal(to_hours(average)) + " h a week over " +
                std::to_string(weeks) + " weeks (" + one_decimal(to_hours(sum)) + " h); at most " +
                limit_text(limit) + " h a week are allowed");
    });
  }
}

// Daily rest is the gap between two consecutive work periods. A gap under `daily_rest_reduced`
// always breaks the rule; a gap between it and `daily_rest` is a shortened rest, allowed
// `daily_rest_reductions` times in the 168 h before it (shortened rests that were themselves
// violations do not use up the allowance).
void check_daily_rest(Checker& c, const std::vector<Interval>& periods) {
  const WorkingTimeLimits& l = c.limits();
  std::vector<TimePoint> shortened;  // starts of the allowed shortened rests
  for (std::size_t i = 0; i + 1 < periods.size(); ++i) {
    const Interval gap{periods[i].end, periods[i + 1].start};
    const Ms rest = gap.end - gap.start;
    if (rest >= l.daily_rest) continue;
    if (rest < l.daily_rest_reduced) {
      c.add(kRuleDailyRest, gap, hours_over(rest, l.daily_rest_reduced, "<"),
            "Only " + one_decimal(to_hours(rest)) +
                " h of rest between two work periods; at "
                "least " +
                limit_text(l.daily_rest_reduced) + " h (normally " + limit_text(l.daily_rest) +
                " h) are required");
      continue;
    }
    const auto used = std::count_if(shortened.begin(), shortened.end(),
                                    [&](TimePoint t) { return t > gap.start - kWeek; });
    if (used < l.daily_rest_reductions) {
      shortened.push_back(gap.start);
      continue;
    }
    c.add(kRuleDailyRest, gap, hours_over(rest, l.daily_rest, "<"),
          "Only " + one_decimal(to_hours(rest)) +
              " h of rest, and the rest was already "
              "shortened " +
              count_text(used, "time", "times") + " in the 7 days before; " +
              limit_text(l.daily_rest) + " h are required");
  }
}

// Weekly rest: in every 7 days (168 h) from the start of each work period, the longest rest
// must reach `weekly_rest`; otherwise the alternative (`weekly_rest_alt` in the
// `weekly_rest_alt_days` from the same start) must hold. Time after the last known duty is rest.
void check_weekly_rest(Checker& c, const std::vector<Interval>& periods) {
  const WorkingTimeLimits& l = c.limits();
  Ms rest{0};
  Ms alt{0};
  c.rolling(
      starts_of(periods), l.weekly_rest_days * kDay,
      [&](TimePoint s, TimePoint e) {
        rest = longest_rest(periods, s, e);
        if (rest >= l.weekly_rest) return false;
        alt = longest_rest(periods, s, s + l.weekly_rest_alt_days * kDay);
        return alt < l.weekly_rest_alt;
      },
      [&](Interval w) {
        c.add(kRuleWeeklyRest, w, hours_over(rest, l.weekly_rest, "<"),
              "The longest rest in these " + std::to_string(l.weekly_rest_days) + " days is " +
                  one_decimal(to_hours(rest)) + " h; at least " + limit_text(l.weekly_rest) +
                  " h are required (or " + limit_text(l.weekly_rest_alt) + " h in " +
                  std::to_string(l.weekly_rest_alt_days) + " days: " + one_decimal(to_hours(alt)) +
                  " h)");
      });
}

bool ends_late(const Interval& p, const WorkingTimeLimits& l, const date::time_zone& zone) {
  const auto local = zone.to_local(p.end);
  return local - date::floor<Days>(local) > l.late_night_end;
}

// Rest after nights, series of nights, and the counts of nights over 16 and 4 weeks.
// Nights are "in a row" when each starts on the local calendar day after the previous one.
// After a series of `night_series` or more, the gap to the next work period must reach
// `rest_after_night_series` (46 h); after any other night that ended after 02:00 local,
// `rest_after_late_night` (14 h).
void check_nights(Checker& c, const std::vector<Interval>& periods,
                  const std::vector<bool>& night) {
  const WorkingTimeLimits& l = c.limits();
  const date::time_zone& zone = c.zone();
  std::size_t series_first = 0;
  int series = 0;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (!night[i]) {
      series = 0;
      continue;
    }
    const bool continues =
        series > 0 && i > 0 && night[i - 1] &&
        local_day(zone, periods[i].start) == local_day(zone, periods[i - 1].start) + Days{1};
    if (continues) {
      ++series;
    } else {
      series = 1;
      series_first = i;
    }
    const bool next_continues =
        i + 1 < periods.size() && night[i + 1] &&
        local_day(zone, periods[i + 1].start) == local_day(zone, periods[i].start) + Days{1};
    if (next_continues) continue;
    // `i` ends a series of `series` nights.
    if (l.cao_max_nights_in_row && series > *l.cao_max_nights_in_row)
      c.add(kRuleCaoNightsInRow, Interval{periods[series_first].start, periods[i].end},
            count_text(series, "night", "nights") + " > " +
                count_text(*l.cao_max_nights_in_row, "night", "nights"),
            std::to_string(series) + " night shifts in a row; the agreement allows " +
                std::to_string(*l.cao_max_nights_in_row));
    if (i + 1 >= periods.size()) continue;
    const Interval gap{periods[i].end, periods[i + 1].start};
    const Ms rest = gap.end - gap.start;
    if (series >= l.night_series) {
      if (rest < l.rest_after_night_series)
        c.add(kRuleRestAfterNightSeries, gap, hours_over(rest, l.rest_after_night_series, "<"),
              "Only " + one_decimal(to_hours(rest)) + " h of rest after " + std::to_string(series) +
                  " night shifts in a row; at least " + limit_text(l.rest_after_night_series) +
                  " h are required");
    } else if (ends_late(periods[i], l, zone) && rest < l.rest_after_late_night) {
      c.add(kRuleRestAfterNight, gap, hours_over(rest, l.rest_after_late_night, "<"),
            "Only " + one_decimal(to_hours(rest)) +
                " h of rest after a night shift that "
                "ended after " +
                clock_text(l.late_night_end) + "; at least " + limit_text(l.rest_after_late_night) +
                " h are required");
    }
  }

  // Counts of night starts in rolling windows anchored at each counted night.
  auto count_nights = [&](bool late_only, Ms window, int limit, std::string_view rule,
                          const std::string& what) {
    std::vector<TimePoint> starts;
    for (std::size_t i = 0; i < periods.size(); ++i)
      if (night[i] && (!late_only || ends_late(periods[i], l, zone)))
        starts.push_back(periods[i].start);
    long n = 0;
    c.rolling(
        starts, window,
        [&](TimePoint s, TimePoint e) {
          n = std::count_if(starts.begin(), starts.end(),
                            [&](TimePoint t) { return s <= t && t < e; });
          return n > limit;
        },
        [&](Interval w) {
          c.add(rule, w,
                count_text(n, "night", "nights") + " > " + count_text(limit, "night", "nights"),
                std::to_string(n) + " " + what + "; at most " + std::to_string(limit) +
                    " are allowed");
        });
  };
  count_nights(true, 16 * kWeek, l.max_late_nights_16w, kRuleMaxLateNights16w,
               "night shifts ending after " + clock_text(l.late_night_end) + " in 16 weeks");
  if (l.cao_max_nights_4w)
    count_nights(false, 4 * kWeek, *l.cao_max_nights_4w, kRuleCaoNights4w,
                 "night shifts in 4 weeks (agreement)");
}

// The local days an on-call duty counts for: the day it starts, and every later local day it
// covers from 00:00 to 24:00. The morning tail of an overnight duty belongs to the day it
// started, so seven 17:00-09:00 nights are seven days and a Monday-to-Monday week is seven.
std::set<date::local_days> on_call_days(const std::vector<Interval>& on_call,
                                        const date::time_zone& zone) {
  std::set<date::local_days> days;
  for (const Interval& o : on_call) {
    date::local_days d = local_day(zone, o.start);
    days.insert(d);
    for (++d; day_start(zone, d + Days{1}) <= o.end; ++d) days.insert(d);
  }
  return days;
}

void check_on_call(Checker& c, const std::vector<Interval>& periods,
                   const std::vector<Interval>& calls, const std::vector<Interval>& on_call,
                   const std::vector<bool>& night) {
  if (on_call.empty()) return;
  const WorkingTimeLimits& l = c.limits();
  const date::time_zone& zone = c.zone();

  // Work (shifts + call-outs) in every 24 h that touches an on-call duty, anchored at each work
  // item's start.
  std::vector<Interval> work = periods;
  work.insert(work.end(), calls.begin(), calls.end());
  Ms sum{0};
  c.rolling(
      starts_of(work), kDay,
      [&](TimePoint s, TimePoint e) {
        const bool on_call_here = std::any_of(on_call.begin(), on_call.end(),
                                              [&](auto& o) { return overlap(o, s, e) > Ms{0}; });
        if (!on_call_here) return false;
        sum = total_in(work, s, e);
        return sum > l.max_on_call_work_24h;
      },
      [&](Interval w) {
        c.add(kRuleOnCallWork24h, w, hours_over(sum, l.max_on_call_work_24h, ">"),
              one_decimal(to_hours(sum)) +
                  " h of work (call-outs included) in 24 h on call; "
                  "at most " +
                  limit_text(l.max_on_call_work_24h) + " h are allowed");
      });

  // On-call days in every 28 local days, anchored at each on-call day.
  const std::set<date::local_days> days = on_call_days(on_call, zone);
  date::local_days reported_until = date::local_days::min();
  for (date::local_days d : days) {
    if (d < reported_until) continue;
    const long n = std::distance(days.lower_bound(d), days.lower_bound(d + Days{28}));
    if (n <= l.max_on_call_days_4w) continue;
    reported_until = d + Days{28};
    c.add(kRuleOnCallDays4w, Interval{day_start(zone, d), day_start(zone, reported_until)},
          count_text(n, "day", "days") + " > " + count_text(l.max_on_call_days_4w, "day", "days"),
          std::to_string(n) + " on-call days in 4 weeks; at most " +
              std::to_string(l.max_on_call_days_4w) + " are allowed");
  }

  // Free days: local days without any duty (shift or on call). Every 28-day window that holds
  // an on-call day needs `free_day_pairs_4w` separate pairs of free days in a row. Days after
  // the last known duty are free.
  std::set<date::local_days> busy;
  std::vector<Interval> duties = periods;
  duties.insert(duties.end(), on_call.begin(), on_call.end());
  for (const Interval& d : duties) {
    for (date::local_days day = local_day(zone, d.start); day_start(zone, day) < d.end;
         day += Days{1})
      busy.insert(day);
  }
  const date::local_days first = *days.begin() - Days{27};
  const date::local_days last = *days.rbegin();
  reported_until = date::local_days::min();
  for (date::local_days d = first; d <= last; d += Days{1}) {
    if (d < reported_until) continue;
    if (days.lower_bound(d) == days.lower_bound(d + Days{28})) continue;  // no on call here
    int pairs = 0;
    int run = 0;
    for (date::local_days x = d; x < d + Days{28}; x += Days{1}) {
      if (busy.count(x)) {
        pairs += run / 2;
        run = 0;
      } else {
        ++run;
      }
    }
    pairs += run / 2;
    if (pairs >= l.free_day_pairs_4w) continue;
    reported_until = d + Days{28};
    c.add(kRuleFreeDayPairs4w, Interval{day_start(zone, d), day_start(zone, reported_until)},
          count_text(pairs, "pair", "pairs") + " of free days < " +
              std::to_string(l.free_day_pairs_4w),
          "Only " + count_text(pairs, "pair", "pairs") +
              " of free days in a row in 4 weeks "
              "with on-call duty; " +
              std::to_string(l.free_day_pairs_4w) + " are required");
  }

  // No on call in the hours just before and after a night shift.
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (!night[i]) continue;
    const Interval& n = periods[i];
    const Interval before{n.start - l.no_on_call_before_night, n.start};
    const Interval after{n.end, n.end + l.no_on_call_after_night};
    for (const Interval& o : on_call) {
      for (const auto& [zone_iv, limit, when] :
           {std::tuple{before, l.no_on_call_before_night, "before"},
            std::tuple{after, l.no_on_call_after_night, "after"}}) {
        const Ms hit = overlap(o, zone_iv.start, zone_iv.end);
        if (hit <= Ms{0}) continue;
        const Interval where{std::max(o.start, zone_iv.start), std::min(o.end, zone_iv.end)};
        c.add(kRuleOnCallNearNight, where,
              one_decimal(to_hours(hit)) + " h on call within " + limit_text(limit) + " h " + when +
                  " a night shift",
              "On call " + one_decimal(to_hours(hit)) + " h within the " + limit_text(limit) +
                  " h " + when + " a night shift, where no on-call duty is allowed");
      }
    }
  }
}

}  // namespace

bool is_night(const Interval& work, const WorkingTimeLimits& limits, const date::time_zone& zone) {
  if (work.end <= work.start) return false;
  const date::local_days first = local_day(zone, work.start) - Days{1};
  const date::local_days last = local_day(zone, work.end);
  for (date::local_days d = first; d <= last; d += Days{1}) {
    // The window that starts on local day d (it may cross midnight when configured so).
    const date::local_days end_day = limits.night_end <= limits.night_start ? d + Days{1} : d;
    const TimePoint s = resolve_local(zone, d + limits.night_start);
    const TimePoint e = resolve_local(zone, end_day + limits.night_end);
    if (overlap(work, s, e) > limits.night_min_overlap) return true;
  }
  return false;
}

std::vector<Violation> check_working_time(const std::string& worker_id, std::vector<Shift> shifts,
                                          std::vector<Interval> call_outs,
                                          const WorkingTimeLimits& limits,
                                          const date::time_zone& zone) {
  std::vector<Interval> shift_items;
  std::vector<Interval> on_call;
  for (const Shift& s : shifts) {
    if (s.worker_id != worker_id || s.end <= s.start) continue;
    (s.duty == DutyType::shift ? shift_items : on_call).push_back({s.start, s.end});
  }
  const std::vector<Interval> periods = merged(std::move(shift_items));
  on_call = merged(std::move(on_call));
  // Each call-out counts from its start for at least min_call_out; they are summed, not merged.
  std::vector<Interval> calls;
  for (const Interval& c : call_outs)
    calls.push_back({c.start, std::max(c.end, c.start + Ms{limits.min_call_out})});
  std::sort(calls.begin(), calls.end(), by_start);

  std::vector<bool> night;
  for (const Interval& p : periods) night.push_back(is_night(p, limits, zone));

  std::vector<Interval> work = periods;
  work.insert(work.end(), calls.begin(), calls.end());

  Checker c(worker_id, limits, zone);
  check_lengths(c, periods, night);
  check_hours(c, work);
  check_daily_rest(c, periods);
  check_weekly_rest(c, periods);
  check_nights(c, periods, night);
  check_on_call(c, periods, calls, on_call, night);
  return c.take();
}

namespace {

// One configurable figure: where it lives in the file and how it is written.
struct Field {
  enum class Kind { hours, minutes, count, clock, optional_hours, optional_count };
  const char* section;
  const char* key;
  Kind kind;
  Minutes* duration = nullptr;
  int* count = nullptr;
  std::optional<Minutes>* optional_duration = nullptr;
  std::optional<int>* optional_count = nullptr;
};

std::vector<Field> fields_of(WorkingTimeLimits& l) {
  using K = Field::Kind;
  return {
      {"shift", "max_hours", K::hours, &l.max_shift},
      {"week", "max_hours", K::hours, &l.max_week},
      {"week", "average_4_weeks_max_hours", K::hours, &l.max_average_week_4w},
      {"week", "average_16_weeks_max_hours", K::hours, &l.max_average_week_16w},
      {"rest", "daily_hours", K::hours, &l.daily_rest},
      {"rest", "daily_reduced_hours", K::hours, &l.daily_rest_reduced},
      {"rest", "daily_reductions_per_week", K::count, nullptr, &l.daily_rest_reductions},
      {"rest", "weekly_hours", K::hours, &l.weekly_rest},
      {"rest", "weekly_days", K::count, nullptr, &l.weekly_rest_days},
      {"rest", "weekly_alternative_hours", K::hours, &l.weekly_rest_alt},
      {"rest", "weekly_alternative_days", K::count, nullptr, &l.weekly_rest_alt_days},
      {"night", "window_start", K::clock, &l.night_start},
      {"night", "window_end", K::clock, &l.night_end},
      {"night", "more_than_minutes_in_window", K::minutes, &l.night_min_overlap},
      {"night", "max_hours", K::hours, &l.max_night_shift},
      {"night", "late_end", K::clock, &l.late_night_end},
      {"night", "rest_after_late_night_hours", K::hours, &l.rest_after_late_night},
      {"night", "series_nights", K::count, nullptr, &l.night_series},
      {"night", "rest_after_series_hours", K::hours, &l.rest_after_night_series},
      {"night", "max_late_nights_16_weeks", K::count, nullptr, &l.max_late_nights_16w},
      {"on_call", "max_work_hours_per_24h", K::hours, &l.max_on_call_work_24h},
      {"on_call", "max_days_4_weeks", K::count, nullptr, &l.max_on_call_days_4w},
      {"on_call", "free_day_pairs_4_weeks", K::count, nullptr, &l.free_day_pairs_4w},
      {"on_call", "no_on_call_before_night_hours", K::hours, &l.no_on_call_before_night},
      {"on_call", "no_on_call_after_night_hours", K::hours, &l.no_on_call_after_night},
      {"on_call", "min_call_out_minutes", K::minutes, &l.min_call_out},
      {"cao", "max_shift_hours", K::optional_hours, nullptr, nullptr, &l.cao_max_shift},
      {"cao", "max_night_shift_hours", K::optional_hours, nullptr, nullptr, &l.cao_max_night_shift},
      {"cao", "max_nights_in_row", K::optional_count, nullptr, nullptr, nullptr,
       &l.cao_max_nights_in_row},
      {"cao", "max_nights_4_weeks", K::optional_count, nullptr, nullptr, nullptr,
       &l.cao_max_nights_4w},
  };
}

// Hours as a number (12 or 9.5), whole minutes, 0 < h <= 24 * 16 weeks.
std::optional<Minutes> read_hours(ConfigReader& reader, const toml::node& node,
                                  const std::string& key, double unit_minutes) {
  const auto value = node.value<double>();
  if (!value || node.is_boolean()) {
    reader.problem(key, "must be a number");
    return std::nullopt;
  }
  const double minutes = *value * unit_minutes;
  if (!(minutes > 0) || minutes > 16 * 7 * 24 * 60 || minutes != static_cast<long>(minutes)) {
    reader.problem(key, "must be a positive whole number of minutes, got " + one_decimal(*value));
    return std::nullopt;
  }
  return Minutes{static_cast<long>(minutes)};
}

void read_limits(ConfigReader& reader, const toml::table& root, WorkingTimeLimits& l) {
  std::vector<Field> fields = fields_of(l);
  std::set<std::string> sections;
  for (const Field& f : fields) sections.insert(f.section);
  for (const auto& [name, node] : root) {
    const std::string section(name.str());
    if (!sections.count(section)) {
      reader.problem(section, "unknown section");
      continue;
    }
    const toml::table* table = node.as_table();
    if (!table) {
      reader.problem(section, "must be a table");
      continue;
    }
    for (const auto& [key_name, value] : *table) {
      const std::string key = section + "." + std::string(key_name.str());
      auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) {
        return x.section == section && x.key == key_name.str();
      });
      if (f == fields.end()) {
        reader.problem(key, "unknown key");
        continue;
      }
      using K = Field::Kind;
      switch (f->kind) {
        case K::hours:
        case K::minutes:
        case K::optional_hours: {
          auto m = read_hours(reader, value, key, f->kind == K::minutes ? 1.0 : 60.0);
          if (!m) break;
          if (f->kind == K::optional_hours)
            *f->optional_duration = *m;
          else
            *f->duration = *m;
          break;
        }
        case K::clock: {
          const auto text = value.value_exact<std::string>();
          const auto m = text ? parse_local_time(*text) : std::nullopt;
          if (!m)
            reader.problem(key, "must be a local time \"HH:MM\"");
          else
            *f->duration = *m;
          break;
        }
        case K::count:
        case K::optional_count: {
          const auto n = value.value_exact<std::int64_t>();
          if (!n || *n < 0 || *n > 1000) {
            reader.problem(key, "must be a whole number between 0 and 1000");
            break;
          }
          if (f->kind == K::optional_count)
            *f->optional_count = static_cast<int>(*n);
          else
            *f->count = static_cast<int>(*n);
          break;
        }
      }
    }
  }
  // Figures that only make sense together.
  if (l.daily_rest_reduced > l.daily_rest)
    reader.problem("rest.daily_reduced_hours", "must not exceed rest.daily_hours");
  if (l.weekly_rest_days < 1 || l.weekly_rest_alt_days < 1)
    reader.problem("rest.weekly_days", "the weekly rest periods must be at least one day");
  if (l.night_start == l.night_end)
    reader.problem("night.window_end", "must differ from night.window_start");
  if (l.night_series < 1) reader.problem("night.series_nights", "must be at least 1");
}

WorkingTimeLimits finish_limits(ConfigReader& reader, const std::optional<toml::table>& root,
                                std::vector<ConfigProblem>& problems) {
  WorkingTimeLimits limits;
  if (root) read_limits(reader, *root, limits);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return limits;
}

}  // namespace

WorkingTimeLimits load_working_time_limits(const std::string& file,
                                           std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish_limits(reader, root, problems);
}

WorkingTimeLimits parse_working_time_limits(const std::string& file, std::string_view text,
                                            std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish_limits(reader, root, problems);
}

ViolationChange compare_violations(const std::vector<Violation>& before,
                                   const std::vector<Violation>& after) {
  ViolationChange out;
  for (const auto& v : after) {
    const bool known = std::any_of(before.begin(), before.end(), [&](const Violation& b) {
      return b.worker_id == v.worker_id && b.rule == v.rule &&
             b.interval.start < v.interval.end && v.interval.start < b.interval.end;
    });
    (known ? out.remaining : out.added).push_back(v);
  }
  return out;
}

}  // namespace piket
