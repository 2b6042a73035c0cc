#include "notifier/rules/rate_limit.hpp"

#include <algorithm>

namespace piket::notifier {
using std::chrono::minutes;

std::vector<RateRule> rate_rules(ChannelKind channel, bool alert) {
  switch (channel) {
    case ChannelKind::sms: return {{minutes(1), 1}};
    case ChannelKind::voice:
      if (alert) return {{minutes(1), 1}, {minutes(15), 3}};
      return {{minutes(1), 1}};
    case ChannelKind::email:
    case ChannelKind::webhook: return {};
  }
  return {};
}

TimePoint next_allowed(const std::deque<TimePoint>& sent, const std::vector<RateRule>& rules, TimePoint now) {
  TimePoint at = now;
  for (const auto& rule : rules) {
    // The sends inside the window ending now; the oldest of the last max_sends decides.
    int inside = 0;
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (*it + rule.window <= now) break;
      if (++inside == rule.max_sends) {
        at = std::max(at, TimePoint(*it + rule.window));
        break;
      }
    }
  }
  return at;
}

TimePoint RateLimiter::next_allowed(const std::string& method_key, ChannelKind channel, bool alert,
                                    TimePoint now) {
  auto found = sent_.find(method_key);
  if (found == sent_.end()) return now;
  auto& times = found->second;
  while (!times.empty() && times.front() + minutes(15) <= now) times.pop_front();
  if (times.empty()) {
    sent_.erase(found);
    return now;
  }
  return notifier::next_allowed(times, rate_rules(channel, alert), now);
}

void RateLimiter::sent(const std::string& method_key, TimePoint at) {
  auto& times = sent_[method_key];
  times.insert(std::upper_bound(times.begin(), times.end(), at), at);
}

}  // namespace piket::notifier
