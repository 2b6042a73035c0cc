#include "notifier/rules/circuit_breaker.hpp"

namespace piket::notifier {

std::string_view breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half_open";
  }
  return "closed";
}

BreakerState CircuitBreaker::state(TimePoint now) const {
  if (!open_) return BreakerState::closed;
  return now - opened_at_ >= options_.cool_down ? BreakerState::half_open : BreakerState::open;
}

bool CircuitBreaker::allow(TimePoint now) {
  switch (state(now)) {
    case BreakerState::closed: return true;
    case BreakerState::open: return false;
    case BreakerState::half_open:
      if (trial_under_way_) return false;
      trial_under_way_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::succeeded() {
  failures_ = 0;
  open_ = false;
  trial_under_way_ = false;
}

void CircuitBreaker::failed(TimePoint now) {
  trial_under_way_ = false;
  if (open_) {  // the half-open trial failed (or a send that began before it opened)
    opened_at_ = now;
    return;
  }
  if (++failures_ >= options_.failures_to_open) {
    open_ = true;
    opened_at_ = now;
  }
}

}  // namespace piket::notifier
