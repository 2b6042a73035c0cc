#include "scheduler/roster/rotation.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

namespace piket::scheduler {

namespace {

using Minutes = std::chrono::minutes;
using Days = date::days;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

const date::time_zone& zone_of(const Rotation& rotation) {
  const date::time_zone* zone = find_zone(rotation.time_zone);
  if (!zone) throw std::invalid_argument("unknown time zone " + rotation.time_zone);
  return *zone;
}

date::local_days local_day_of(const date::time_zone& zone, TimePoint at) {
  return date::floor<Days>(zone.to_local(at));
}

}  // namespace


namespace {

// The zone is looked up once per public call and passed down: locate_zone is a search.
TimePoint boundary(const date::time_zone& zone, const Rotation& rotation, std::int64_t k) {
  // Whole local calendar days, then the local hand-off time: a weekly 09:00 hand-off stays at
  // 09:00 local across DST changes, which adding 168 h would not.
  const date::local_days day = rotation.start_date + Days{k * rotation.turn_days};
  return resolve_local(zone, day + rotation.handoff_time);
}

std::optional<std::int64_t> turn_in_force(const date::time_zone& zone, const Rotation& rotation,
                                          TimePoint at) {
  if (rotation.turn_days < 1 || at < boundary(zone, rotation, 0)) return std::nullopt;
  const auto elapsed = (local_day_of(zone, at) - rotation.start_date).count();
  std::int64_t k = floor_div(elapsed, rotation.turn_days);
  // The local-day estimate is off by at most one turn near the hand-off time.
  while (k > 0 && boundary(zone, rotation, k) > at) --k;
  while (boundary(zone, rotation, k + 1) <= at) ++k;
  return k;
}

Interval window_starting(const date::time_zone& zone, const Rotation& rotation,
                         date::local_days day) {
  const Minutes start = rotation.shift_start.value_or(Minutes{0});
  const Minutes end = rotation.shift_end.value_or(Minutes{0});
  const date::local_days end_day = end <= start ? day + Days{1} : day;
  return {resolve_local(zone, day + start), resolve_local(zone, end_day + end)};
}

std::optional<Interval> window_containing(const date::time_zone& zone, const Rotation& rotation,
                                          TimePoint at) {
  if (!rotation.shift_start || !rotation.shift_end) {
    auto k = turn_in_force(zone, rotation, at);
    if (!k) return std::nullopt;
    return Interval{boundary(zone, rotation, *k), boundary(zone, rotation, *k + 1)};
  }
  // A window that crosses midnight started on the previous local day; the next day is checked
  // too so an odd zone cannot make us miss a window.
  const date::local_days today = local_day_of(zone, at);
  for (Days offset : {Days{-1}, Days{0}, Days{1}}) {
    Interval w = window_starting(zone, rotation, today + offset);
    if (w.contains(at)) return w;
  }
  return std::nullopt;
}

}  // namespace

TimePoint turn_boundary(const Rotation& rotation, std::int64_t k) {
  return boundary(zone_of(rotation), rotation, k);
}

std::optional<std::int64_t> turn_at(const Rotation& rotation, TimePoint at) {
  return turn_in_force(zone_of(rotation), rotation, at);
}

Interval turn_interval(const Rotation& rotation, std::int64_t k) {
  const date::time_zone& zone = zone_of(rotation);
  return {boundary(zone, rotation, k), boundary(zone, rotation, k + 1)};
}

Interval window_on(const Rotation& rotation, date::local_days day) {
  return window_starting(zone_of(rotation), rotation, day);
}

std::optional<Interval> window_at(const Rotation& rotation, TimePoint at) {
  return window_containing(zone_of(rotation), rotation, at);
}

std::vector<DutyPiece> duty_pieces(const Rotation& rotation, Interval range) {
  std::vector<DutyPiece> out;
  const date::time_zone* zone = find_zone(rotation.time_zone);
  if (!zone || rotation.turn_days < 1 || rotation.participants.empty()) return out;
  const TimePoint first = boundary(*zone, rotation, 0);
  const TimePoint from = std::max(range.start, first);
  if (from >= range.end) return out;
  // The turn in force is found once and then only moves forward: boundaries are computed a
  // few at a time instead of searched for each window.
  std::int64_t k = *turn_in_force(*zone, rotation, from);
  TimePoint next = boundary(*zone, rotation, k + 1);
  auto cut = [&](Interval w) {
    w.start = std::max(w.start, from);
    w.end = std::min(w.end, range.end);
    if (w.start >= w.end) return;
    while (next <= w.start) next = boundary(*zone, rotation, ++k + 1);
    // A hand-off inside the window splits it between two turns.
    TimePoint start = w.start;
    while (start < w.end) {
      const TimePoint end = std::min(w.end, next);
      out.push_back({{start, end}, k});
      if (end == next) next = boundary(*zone, rotation, ++k + 1);
      start = end;
    }
  };
  if (!rotation.shift_start || !rotation.shift_end) {
    cut({from, range.end});
    return out;
  }
  // A window may start on the local day before `from` and run past midnight.
  const date::local_days last = local_day_of(*zone, range.end);
  for (date::local_days d = local_day_of(*zone, from) - Days{1}; d <= last; d += Days{1})
    cut(window_starting(*zone, rotation, d));
  return out;
}

std::vector<OnCallEntry> who_is_on_call(const std::vector<Rotation>& rotations,
                                        const std::string& region, const std::string& role,
                                        TimePoint at) {
  std::vector<OnCallEntry> out;
  for (const Rotation& r : rotations) {
    if (r.region != region || r.role != role || r.participants.empty()) continue;
    const date::time_zone* zone = find_zone(r.time_zone);
    if (!zone || r.turn_days < 1) continue;  // rejected at load time
    auto k = turn_in_force(*zone, r, at);
    if (!k) continue;
    auto window = window_containing(*zone, r, at);
    if (!window) continue;
    // A hand-off inside a window splits it: the primary is on call only for their part.
    const TimePoint start = std::max(window->start, boundary(*zone, r, *k));
    const TimePoint end = std::min(window->end, boundary(*zone, r, *k + 1));
    const auto n = static_cast<std::int64_t>(r.participants.size());
    const auto on_duty = static_cast<std::int64_t>(on_duty_count(r));
    const std::string reason = "rotation " + r.id + " turn " + std::to_string(*k);
    for (std::int64_t i = 0; i < on_duty; ++i) {
      const auto& worker = r.participants[static_cast<std::size_t>((*k + i) % n)];
      out.push_back({worker, r.id, static_cast<int>(i), start, end,
                     i == 0 ? reason : reason + " backup " + std::to_string(i), r.duty,
                     "rotation:" + r.id});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const OnCallEntry& a, const OnCallEntry& b) {
    if (a.position != b.position) return a.position < b.position;
    return a.rotation_id < b.rotation_id;
  });
  return out;
}

std::size_t on_duty_count(const Rotation& rotation) {
  const std::size_t n = rotation.participants.size();
  if (rotation.on_duty <= 0) return n;
  return std::min(n, static_cast<std::size_t>(rotation.on_duty));
}

std::vector<ConfigProblem> validate_rotation(const Rotation& rotation, const std::string& file,
                                             const std::string& path,
                                             const RegionDirectory& regions,
                                             const WorkerDirectory& workers) {
  std::vector<ConfigProblem> problems;
  auto problem = [&](const std::string& key, std::string reason) {
    problems.push_back({file, path + "." + key, std::move(reason)});
  };
  if (fold_case(rotation.id).empty()) problem("id", "must not be empty");
  const bool region_known = regions.find(rotation.region) != nullptr;
  if (!region_known) problem("region", "unknown region \"" + rotation.region + "\"");
  const bool role_known = is_known_role(rotation.role);
  if (!role_known) problem("role", "unknown role \"" + rotation.role + "\"");
  if (!find_zone(rotation.time_zone))
    problem("time_zone", "unknown time zone \"" + rotation.time_zone + "\"");
  if (rotation.turn_days < 1 || rotation.turn_days > 28)
    problem("turn_days", "must be between 1 and 28, got " + std::to_string(rotation.turn_days));
  if (rotation.shift_start.has_value() != rotation.shift_end.has_value())
    problem(rotation.shift_start ? "shift_end" : "shift_start",
            "shift_start and shift_end go together; omit both to be on call the whole turn");
  else if (rotation.shift_start && *rotation.shift_start == *rotation.shift_end)
    problem("shift_end", "must differ from shift_start; omit both to be on call the whole turn");
  if (rotation.participants.empty()) problem("participants", "must name at least one worker");
  if (rotation.on_duty < 0 ||
      (!rotation.participants.empty() &&
       static_cast<std::size_t>(rotation.on_duty) > rotation.participants.size()))
    problem("on_duty", "must be between 1 and the number of participants (" +
                           std::to_string(rotation.participants.size()) + "), got " +
                           std::to_string(rotation.on_duty));
  // A hand-off or shift time that does not exist on a day the rotation uses it (the spring DST
  // gap) is refused rather than silently moved: the manager picks a time that exists. The
  // repeated autumn hour is fine: its earliest instant is taken (see resolve_local).
  if (const date::time_zone* zone = find_zone(rotation.time_zone);
      zone && rotation.turn_days >= 1 && rotation.turn_days <= 28) {
    auto first_missing = [&](std::chrono::minutes time, int step_days) -> std::optional<date::local_days> {
      const auto horizon = rotation.start_date + date::days{366 * 5};
      for (auto d = rotation.start_date; d < horizon; d += date::days{step_days}) {
        auto info = zone->get_info(date::local_seconds{d} + time);
        if (info.result == date::local_info::nonexistent) return d;
      }
      return std::nullopt;
    };
    auto check = [&](const char* key, std::chrono::minutes time, int step_days) {
      if (auto d = first_missing(time, step_days))
        problem(key, date::format("%H:%M", time) + " does not exist on " + date::format("%F", *d) +
                         " in " + rotation.time_zone + " (the clocks jump forward); choose another time");
    };
    check("handoff_time", rotation.handoff_time, rotation.turn_days);
    if (rotation.shift_start && rotation.shift_end) {
      check("shift_start", *rotation.shift_start, 1);
      check("shift_end", *rotation.shift_end, 1);
    }
  }
  if (rotation.layer < 0 || rotation.layer > 10)
    problem("layer", "must be between 0 and 10, got " + std::to_string(rotation.layer));

  std::set<std::string> seen;
  for (std::size_t i = 0; i < rotation.participants.size(); ++i) {
    const std::string& id = rotation.participants[i];
    const std::string key = "participants[" + std::to_string(i) + "]";
    if (!seen.insert(id).second) {
      problem(key, "worker \"" + id + "\" is listed twice");
      continue;
    }
    const Worker* worker = workers.find(id);
    if (!worker) {
      problem(key, "unknown worker \"" + id + "\"");
      continue;
    }
    if (region_known && worker->region != rotation.region)
      problem(key, "worker \"" + id + "\" belongs to region \"" + worker->region +
                       "\", not \"" + rotation.region + "\"");
    if (role_known && !worker->has_role(rotation.role))
      problem(key, "worker \"" + id + "\" lacks the role " + rotation.role);
  }
  return problems;
}

namespace {

std::vector<Rotation> read_rotations(ConfigReader& reader, const toml::table& root,
                                     const RegionDirectory& regions,
                                     const WorkerDirectory& workers) {
  std::vector<Rotation> out;
  std::set<std::string> ids;
  for (const toml::table* t : reader.tables(root, "rotations", "rotations", true)) {
    const std::string path = "rotations[" + std::to_string(out.size()) + "]";
    Rotation r;
    r.id = reader.string(*t, "id", path + ".id");
    r.region = reader.string(*t, "region", path + ".region");
    r.role = reader.string(*t, "role", path + ".role", r.role);
    const Region* region = regions.find(r.region);
    r.time_zone = reader.string(*t, "time_zone", path + ".time_zone",
                                region ? region->time_zone : r.time_zone);
    r.turn_days = static_cast<int>(reader.integer(*t, "turn_days", path + ".turn_days",
                                                  std::nullopt, 1, 28));
    r.participants = reader.strings(*t, "participants", path + ".participants", true);
    r.layer = static_cast<int>(reader.integer(*t, "layer", path + ".layer", 0, 0, 10));
    r.on_duty = static_cast<int>(reader.integer(*t, "on_duty", path + ".on_duty", 0, 1, 1000));
    const std::string duty = reader.string(*t, "duty", path + ".duty", "on_call");
    if (auto d = duty_from_name(duty))
      r.duty = *d;
    else
      reader.problem(path + ".duty", "must be \"shift\" or \"on_call\", got \"" + duty + "\"");

    const std::string start_date = reader.string(*t, "start_date", path + ".start_date");
    if (auto d = parse_local_date(start_date))
      r.start_date = *d;
    else if (t->get("start_date"))
      reader.problem(path + ".start_date", "must be a local date YYYY-MM-DD, got \"" +
                                               start_date + "\"");

    auto read_time = [&](std::string_view name, bool required) -> std::optional<Minutes> {
      const std::string key = path + "." + std::string(name);
      if (!required && !t->get(name)) return std::nullopt;
      const std::string text = reader.string(*t, name, key);
      if (auto m = parse_local_time(text)) return m;
      if (t->get(name))
        reader.problem(key, "must be a local time HH:MM, got \"" + text + "\"");
      return std::nullopt;
    };
    r.handoff_time = read_time("handoff_time", true).value_or(Minutes{0});
    r.shift_start = read_time("shift_start", false);
    r.shift_end = read_time("shift_end", false);

    if (!r.id.empty() && !ids.insert(r.id).second)
      reader.problem(path + ".id", "duplicate rotation id \"" + r.id + "\"");
    for (ConfigProblem& p : validate_rotation(r, reader.file(), path, regions, workers)) {
      // The reader already reported a missing or malformed value; don't say it twice.
      const bool said = std::any_of(reader.problems().begin(), reader.problems().end(),
                                    [&](const ConfigProblem& q) { return q.key == p.key; });
      if (!said) reader.problem(p.key, p.reason);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Rotation> finish(ConfigReader& reader, const std::optional<toml::table>& root,
                             const RegionDirectory& regions, const WorkerDirectory& workers,
                             std::vector<ConfigProblem>& problems) {
  std::vector<Rotation> out;
  if (root) out = read_rotations(reader, *root, regions, workers);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

std::vector<Rotation> load_rotations(const std::string& file, const RegionDirectory& regions,
                                     const WorkerDirectory& workers,
                                     std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, regions, workers, problems);
}

std::vector<Rotation> parse_rotations(const std::string& file, std::string_view text,
                                      const RegionDirectory& regions,
                                      const WorkerDirectory& workers,
                                      std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, regions, workers, problems);
}

}  // namespace piket::scheduler
