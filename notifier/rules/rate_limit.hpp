#pragma once
// Rate limits per contact method (GoAlert's figures are the floor): at most one SMS or voice
// call a minute to one method, and at most 3 alert calls in 15 minutes. A send over the limit
// waits until it is allowed (it is never dropped). Pure: the decision from the times of the
// sends so far; the notifier keeps those times per method.
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "notifier/contacts/contact_method.hpp"

namespace piket::notifier {

struct RateRule {
  std::chrono::seconds window;
  int max_sends;
};

// The limits of a channel; `alert`: a page (not a verification code or a test).
std::vector<RateRule> rate_rules(ChannelKind channel, bool alert);

// When the next send may go, given the earlier sends (oldest first): `now` when it may go now.
TimePoint next_allowed(const std::deque<TimePoint>& sent, const std::vector<RateRule>& rules, TimePoint now);

// The send times per method, kept only as long as the longest window. One loop, no locks.
class RateLimiter {
 public:
  TimePoint next_allowed(const std::string& method_key, ChannelKind channel, bool alert, TimePoint now);
  void sent(const std::string& method_key, TimePoint at);

 private:
  std::map<std::string, std::deque<TimePoint>> sent_;
};

}  // namespace piket::notifier
