#pragma once
// Sleeps on the Asio loop until a Clock reaches a deadline. A test clock that jumps wakes the
// sleeper at once, so a daemon acts on a moved clock without polling.
#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"

namespace piket {

class ClockTimer {
 public:
  ClockTimer(boost::asio::any_io_executor executor, const Clock& clock);

  // Returns once the clock reads `deadline` or later, or after at most `longest` of real time
  // (so a step of the system clock, or work added elsewhere, is seen), or when wake() is
  // called, whichever comes first. A wake() while nobody sleeps ends the next sleep at once, so
  // no wake-up is lost.
  boost::asio::awaitable<void> sleep_until(TimePoint deadline, std::chrono::milliseconds longest);
  // Ends the current (or next) sleep now.
  void wake();
  // Ends the sleep and keeps it from starting again (for shutdown).
  void cancel();

 private:
  struct State {
    explicit State(boost::asio::any_io_executor executor) : timer(std::move(executor)) {}
    boost::asio::steady_timer timer;
    bool woken = false;
    bool cancelled = false;
  };
  const Clock& clock_;
  std::shared_ptr<State> state_;
  std::shared_ptr<void> subscription_;
};

}  // namespace piket
