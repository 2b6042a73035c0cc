#include "scheduler/rules/fairness.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "scheduler/roster/rotation.hpp"

namespace piket::scheduler {

namespace {

using Ms = std::chrono::milliseconds;
using Minutes = std::chrono::minutes;
using Days = date::days;

Ms overlap(TimePoint a_start, TimePoint a_end, TimePoint b_start, TimePoint b_end) {
  const TimePoint s = std::max(a_start, b_start);
  const TimePoint e = std::min(a_end, b_end);
  return e > s ? Ms{e - s} : Ms{0};
}

double to_hours(Ms d) { return std::chrono::duration<double, std::ratio<3600>>(d).count(); }

TimePoint at_local(const date::time_zone& zone, date::local_days day, Minutes time) {
  return resolve_local(zone, day + time);
}

date::local_days local_day(const date::time_zone& zone, TimePoint t) {
  return date::floor<Days>(zone.to_local(t));
}

bool is_weekend(date::local_days day) {
  const date::weekday wd{day};
  return wd == date::Saturday || wd == date::Sunday;
}

}  // namespace

std::vector<FairnessRow> fairness_report(const std::vector<Shift>& shifts, Interval period,
                                         const HolidayCalendar& holidays,
                                         const date::time_zone& zone) {
  std::map<std::string, FairnessRow> rows;
  std::map<std::string, std::vector<Interval>> duty_time;  // clipped to the period
  std::map<std::string, std::set<date::local_days>> weekend_days;
  for (const Shift& s : shifts) {
    FairnessRow& row = rows[s.worker_id];
    row.worker_id = s.worker_id;
    const TimePoint start = std::max(s.start, period.start);
    const TimePoint end = std::min(s.end, period.end);
    if (end <= start) continue;
    ++row.duties;
    (s.duty == DutyType::shift ? row.shift_hours : row.on_call_hours) += to_hours(end - start);
    duty_time[s.worker_id].push_back({start, end});
    bool weekend = false;
    bool holiday = false;
    for (date::local_days d = local_day(zone, start); at_local(zone, d, Minutes{0}) < end;
         d += Days{1}) {
      // The part of local day d inside the duty (already clipped to the period).
      if (overlap(start, end, at_local(zone, d, Minutes{0}),
                  at_local(zone, d + Days{1}, Minutes{0})) == Ms{0})
        continue;
      if (is_weekend(d)) {
        weekend = true;
        weekend_days[s.worker_id].insert(d);
      }
      if (holidays.is_holiday(date::year_month_day{d})) holiday = true;
    }
    row.weekend_duties += weekend;
    row.holiday_duties += holiday;
  }
  // Nights: per local day, the worker's duty time inside its 00:00-06:00 window (duties of one
  // worker are added, so a night split over a hand-off still counts once).
  for (auto& [worker, items] : duty_time) {
    std::set<date::local_days> days;
    for (const Interval& i : items)
      for (date::local_days d = local_day(zone, i.start); d <= local_day(zone, i.end); d += Days{1})
        days.insert(d);
    for (date::local_days d : days) {
      const TimePoint s = at_local(zone, d, Minutes{0});
      const TimePoint e = at_local(zone, d, std::chrono::hours{6});
      Ms inside{0};
      for (const Interval& i : items) inside += overlap(i.start, i.end, s, e);
      if (inside > std::chrono::hours{1}) ++rows[worker].nights;
    }
    rows[worker].weekend_days = static_cast<int>(weekend_days[worker].size());
  }
  std::vector<FairnessRow> out;
  for (auto& [worker, row] : rows) out.push_back(std::move(row));
  return out;
}

double load_score(const FairnessRow& row) {
  return row.shift_hours * kFairnessShiftHour + row.on_call_hours * kFairnessOnCallHour +
         row.nights * kFairnessNight + row.weekend_duties * kFairnessWeekendDuty +
         row.holiday_duties * kFairnessHolidayDuty;
}

}  // namespace piket::scheduler
