#include "notifier/rules/send_plan.hpp"

#include <algorithm>
#include <map>

namespace piket::notifier {

namespace {
std::vector<PlannedSend> map_steps(const UrgencySteps& steps, const std::vector<ContactMethod>& methods) {
  std::vector<PlannedSend> out;
  std::map<std::string, int> times;  // per method id
  for (const auto& step : steps)
    for (const auto& m : methods)
      if (m.verified && m.channel == step.channel) out.push_back({m, step.after_s, ++times[m.id]});
  return out;
}

std::vector<PlannedSend> first_verified(const std::vector<ContactMethod>& methods,
                                        const std::set<ChannelKind>& not_on) {
  for (const auto& m : methods)
    if (m.verified && not_on.count(m.channel) == 0) return {{m, 0, 1}};
  return {};
}
}  // namespace

std::vector<PlannedSend> plan_sends(const UrgencySteps* steps, const std::vector<ContactMethod>& methods,
                                    std::string_view ladder_channel) {
  std::vector<PlannedSend> primary = steps ? map_steps(*steps, methods) : std::vector<PlannedSend>{};
  if (primary.empty()) primary = first_verified(methods, {});
  if (ladder_channel != "second" || primary.empty()) return primary;

  std::set<ChannelKind> at_once;
  for (const auto& p : primary)
    if (p.after_s == primary.front().after_s) at_once.insert(p.method.channel);
  std::vector<PlannedSend> second;
  for (const auto& p : primary)
    if (at_once.count(p.method.channel) == 0) second.push_back(p);
  if (second.empty()) second = first_verified(methods, at_once);
  if (second.empty()) return primary;
  const int start = second.front().after_s;
  for (auto& s : second) s.after_s -= start;
  return second;
}

std::optional<ContactMethod> fail_over_method(const std::vector<PlannedSend>& plan,
                                              const std::vector<ContactMethod>& methods,
                                              const std::set<std::string>& started_ids,
                                              const std::set<ChannelKind>& tried_or_shut) {
  auto usable = [&](const ContactMethod& m) {
    return m.verified && started_ids.count(m.id) == 0 && tried_or_shut.count(m.channel) == 0;
  };
  for (const auto& p : plan)
    if (usable(p.method)) return p.method;
  for (const auto& m : methods)
    if (usable(m)) return m;
  return std::nullopt;
}

}  // namespace piket::notifier
