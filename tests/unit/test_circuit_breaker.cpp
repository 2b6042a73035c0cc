// The circuit breaker per channel and provider: closed -> open after N failures in a row ->
// half-open after the cool-down (one trial) -> closed on success, open again on failure.
#include <catch.hpp>

#include "notifier/rules/circuit_breaker.hpp"

namespace {
using namespace piket::notifier;
using piket::TimePoint;
using std::chrono::seconds;
const TimePoint t0{std::chrono::milliseconds(1'800'000'000'000)};
}  // namespace

TEST_CASE("the breaker's state machine, step by step", "[unit][notifier][breaker]") {
  struct Step {
    char event;  // f: failed, s: succeeded, a: allow? (expects `allowed`)
    int at_s;
    BreakerState expected;
    bool allowed = true;
  };
  const std::vector<Step> steps{
      {'f', 0, BreakerState::closed},   {'f', 1, BreakerState::closed},
      {'s', 2, BreakerState::closed},   // a success resets the count
      {'f', 3, BreakerState::closed},   {'f', 4, BreakerState::closed},
      {'f', 5, BreakerState::open},     // three in a row
      {'a', 6, BreakerState::open, false},
      {'a', 66, BreakerState::half_open, true},   // after the 60 s cool-down: one trial
      {'a', 66, BreakerState::half_open, false},  // and only one
      {'f', 67, BreakerState::open},              // the trial failed: open again, from now
      {'a', 100, BreakerState::open, false},
      {'a', 127, BreakerState::half_open, true},
      {'s', 128, BreakerState::closed},
      {'a', 129, BreakerState::closed, true},
  };
  CircuitBreaker breaker({3, std::chrono::seconds(60)});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    CAPTURE(i, s.event, s.at_s);
    const TimePoint now = t0 + seconds(s.at_s);
    if (s.event == 'f') breaker.failed(now);
    if (s.event == 's') breaker.succeeded();
    if (s.event == 'a') CHECK(breaker.allow(now) == s.allowed);
    CHECK(breaker.state(now) == s.expected);
  }
}
