#pragma once
// A cap on webhook attempts under way at once. An attempt holds a slot while it talks to the
// receiver (at most notifier.http_timeout_ms), never while it waits to retry, so a receiver that
// hangs holds one slot for one time-out at a time and every other alert keeps its way out.
// Waiters are served in order. One io_context, one thread: no locks.
#include <deque>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace piket::notifier {

class AttemptSlots {
 public:
  AttemptSlots(boost::asio::io_context& io, int capacity) : io_(io), capacity_(capacity) {}
  // Waits for a free slot; false once closed (the caller then holds none).
  boost::asio::awaitable<bool> acquire();
  void release();
  // Wakes every waiter with false and refuses new ones; slots held are still released.
  void close();
  int in_use() const { return used_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    explicit Waiter(boost::asio::io_context& io) : wake(io) {}
    boost::asio::steady_timer wake;
    bool granted = false;
  };
  boost::asio::io_context& io_;
  int capacity_;
  int used_ = 0;
  bool closed_ = false;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace piket::notifier
