#include "common/clock_timer.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace piket {

namespace asio = boost::asio;

ClockTimer::ClockTimer(asio::any_io_executor executor, const Clock& clock)
    : clock_(clock), state_(std::make_shared<State>(executor)) {
  // The listener may run on another thread: it only posts onto the loop, and a state that is
  // gone by then is left alone.
  std::weak_ptr<State> weak = state_;
  // The sleep then looks at the clock again: a jump before it starts is seen by that look.
  subscription_ = clock_.on_moved([weak, executor] {
    asio::post(executor, [weak] {
      if (auto state = weak.lock()) state->timer.cancel();
    });
  });
}

asio::awaitable<void> ClockTimer::sleep_until(TimePoint deadline, std::chrono::milliseconds longest) {
  auto state = state_;  // the timer may be destroyed while we sleep only after we return
  while (!state->woken && !state->cancelled) {
    const auto left = deadline - clock_.now();
    if (left <= std::chrono::milliseconds::zero()) break;
    const auto pause = std::min<std::chrono::milliseconds>(left, longest);
    state->timer.expires_after(pause);
    boost::system::error_code ec;
    co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && pause == longest) break;  // the longest sleep is over, whatever the clock says
  }
  state->woken = false;
}

void ClockTimer::wake() {
  state_->woken = true;
  state_->timer.cancel();
}

void ClockTimer::cancel() {
  state_->cancelled = true;
  state_->timer.cancel();
}

}  // namespace piket
