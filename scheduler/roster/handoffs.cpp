#include "scheduler/roster/handoffs.hpp"

#include "scheduler/roster/roster_expander.hpp"

namespace piket::scheduler {

std::vector<Handoff> handoffs_between(const std::map<std::string, Roster>& slices, TimePoint from,
                                      TimePoint until) {
  constexpr auto kInstant = std::chrono::milliseconds(1);
  std::vector<Handoff> out;
  for (const auto& [region, part] : slices) {
    for (const Shift& s : expand(part, region, {from, until + kInstant})) {
      if (s.position != 0 || s.start <= from || s.start > until) continue;
      auto before = on_call_at(part, region, s.role, s.start - kInstant, s.duty);
      std::string outgoing = before.empty() ? std::string{} : before.front().worker_id;
      if (outgoing == s.worker_id) continue;
      out.push_back({"h-" + region + "-" + s.role + "-" + std::string(duty_name(s.duty)) + "-" +
                         std::to_string(to_unix_ms(s.start)),
                     s.worker_id, std::move(outgoing), region, s.role, s.duty, s.start, s.end});
    }
  }
  return out;
}

}  // namespace piket::scheduler
