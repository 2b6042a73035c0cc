#include "notifier/attempt_slots.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace piket::notifier {
namespace asio = boost::asio;

asio::awaitable<bool> AttemptSlots::acquire() {
  if (closed_) co_return false;
  if (used_ < capacity_ && waiters_.empty()) {
    ++used_;
    co_return true;
  }
  auto waiter = std::make_shared<Waiter>(io_);
  waiter->wake.expires_at(asio::steady_timer::time_point::max());
  waiters_.push_back(waiter);
  boost::system::error_code ec;
  co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return waiter->granted;  // a granted slot was handed over by release(): counted already
}

void AttemptSlots::release() {
  if (!closed_ && !waiters_.empty()) {
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;  // the slot passes on: used_ stays
    next->wake.cancel();
    return;
  }
  if (used_ > 0) --used_;
}

void AttemptSlots::close() {
  closed_ = true;
  for (auto& waiter : waiters_) waiter->wake.cancel();
  waiters_.clear();
}

}  // namespace piket::notifier
