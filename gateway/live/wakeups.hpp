#pragma once
// Wakes the connections that wait for news (the live feed) when the daemons publish an event.
// PUB/SUB may drop a message, so a waiter also wakes after its own limit and reads Redis
// again: an event is never lost, at worst it comes a poll later. Loop-only, no locks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <set>

namespace piket::gateway {

class Wakeups {
 public:
  // Waits until wake_all(), close() or `limit` (real time: a poll interval, not a deadline).
  // False once closed: the caller ends.
  boost::asio::awaitable<bool> wait(std::chrono::milliseconds limit);
  void wake_all();
  void close();
  bool closed() const { return closed_; }
  std::size_t waiting() const { return timers_.size(); }

 private:
  std::set<boost::asio::steady_timer*> timers_;
  bool closed_ = false;
};

}  // namespace piket::gateway
