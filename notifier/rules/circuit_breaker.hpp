#pragma once
// A circuit breaker per channel and provider: after `failures_to_open` failed sends in a row
// the channel is open (shut: sends fail over to the worker's next channel at once instead of
// waiting for time-outs); after `cool_down` it is half-open and lets one trial send through;
// that trial's success closes it, its failure opens it again. Pure, on the notifier's clock.
#include <chrono>
#include <string_view>

#include "common/clock.hpp"

namespace piket::notifier {

enum class BreakerState { closed, open, half_open };
std::string_view breaker_state_name(BreakerState state);

struct BreakerOptions {
  int failures_to_open = 5;
  std::chrono::milliseconds cool_down{60000};
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerOptions options = {}) : options_(options) {}
  BreakerState state(TimePoint now) const;
  // May a send go now? In half-open only one trial at a time is let through.
  bool allow(TimePoint now);
  void succeeded();
  void failed(TimePoint now);

 private:
  BreakerOptions options_;
  int failures_ = 0;
  bool open_ = false;
  TimePoint opened_at_{};
  bool trial_under_way_ = false;
};

}  // namespace piket::notifier
