#include "gateway/live/wakeups.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace piket::gateway {
namespace asio = boost::asio;

asio::awaitable<bool> Wakeups::wait(std::chrono::milliseconds limit) {
  if (closed_) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  timers_.insert(&timer);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  timers_.erase(&timer);
  co_return !closed_;
}

void Wakeups::wake_all() {
  for (auto* timer : timers_) timer->cancel();
}

void Wakeups::close() {
  closed_ = true;
  wake_all();
}

}  // namespace piket::gateway
