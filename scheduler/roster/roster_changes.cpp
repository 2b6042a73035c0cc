#include "scheduler/roster/roster_changes.hpp"

#include <algorithm>
#include <map>

#include "scheduler/roster/roster_expander.hpp"
#include "scheduler/store/roster_codec.hpp"

namespace piket::scheduler {

std::set<std::string> regions_of(const Roster& roster, const std::set<std::string>& workers) {
  std::set<std::string> regions;
  auto any = [&](std::initializer_list<const std::string*> ids) {
    for (const auto* id : ids)
      if (workers.count(*id)) return true;
    return false;
  };
  for (const Rotation& r : roster.rotations)
    for (const auto& p : r.participants)
      if (workers.count(p)) regions.insert(r.region);
  for (const Override& o : roster.overrides)
    if (any({&o.worker_id, &o.replaced_worker_id})) regions.insert(o.region);
  for (const SwapRequest& s : roster.swaps)
    if (any({&s.requester_id, &s.peer_id})) regions.insert(s.region);
  return regions;
}

std::vector<Violation> violations_for(const Roster& roster, const std::set<std::string>& workers,
                                      const std::set<std::string>& regions, Interval window,
                                      const std::map<std::string, std::vector<Interval>>& call_outs,
                                      const WorkingTimeLimits& limits, const date::time_zone& zone) {
  // Duties are expanded four weeks beyond the window on both sides, so every four-week count
  // that touches the window sees whole duties: cut at the window's edge, the morning tail of a
  // night would count as an on-call day of its own. Only violations touching the window are
  // reported.
  const auto margin = std::chrono::hours(24 * 28);
  const Interval expanded{window.start - margin, window.end + margin};
  std::map<std::string, std::vector<Shift>> by_worker;
  for (const auto& region : regions)
    for (auto& shift : expand(roster, region, expanded))
      if (workers.count(shift.worker_id)) by_worker[shift.worker_id].push_back(std::move(shift));
  std::vector<Violation> out;
  for (auto& [worker, shifts] : by_worker) {
    auto called = call_outs.find(worker);
    auto found = check_working_time(worker, std::move(shifts),
                                    called == call_outs.end() ? std::vector<Interval>{} : called->second,
                                    limits, zone);
    for (auto& v : found)
      if (v.interval.start < window.end && window.start < v.interval.end) out.push_back(std::move(v));
  }
  return out;
}

std::vector<Gap> added_gaps(const std::vector<Gap>& before, const std::vector<Gap>& after) {
  std::vector<Gap> out;
  for (const auto& g : after) {
    std::vector<Interval> left{g.interval};
    for (const auto& b : before) {
      if (b.region != g.region || b.role != g.role || b.duty != g.duty || b.minimum != g.minimum ||
          b.staffed > g.staffed)
        continue;
      std::vector<Interval> rest;  // `left` without b's interval
      for (const auto& piece : left) {
        if (b.interval.end <= piece.start || piece.end <= b.interval.start) {
          rest.push_back(piece);
          continue;
        }
        if (piece.start < b.interval.start) rest.push_back({piece.start, b.interval.start});
        if (b.interval.end < piece.end) rest.push_back({b.interval.end, piece.end});
      }
      left = std::move(rest);
    }
    for (const auto& piece : left) {
      Gap opened = g;
      opened.interval = piece;
      out.push_back(std::move(opened));
    }
  }
  return out;
}

nlohmann::json to_json(const Violation& v) {
  return {{"worker_id", v.worker_id}, {"rule", v.rule},
          {"start", format_utc(v.interval.start)}, {"end", format_utc(v.interval.end)},
          {"figure", v.figure}, {"message", v.message}};
}

nlohmann::json to_json(const Gap& g, const date::time_zone& zone) {
  return {{"region", g.region},
          {"role", g.role},
          {"duty", std::string(duty_name(g.duty))},
          {"start", format_utc(g.interval.start)},
          {"end", format_utc(g.interval.end)},
          {"start_local", local_text(g.interval.start, zone)},
          {"end_local", local_text(g.interval.end, zone)},
          {"staffed", g.staffed},
          {"minimum", g.minimum}};
}

}  // namespace piket::scheduler
