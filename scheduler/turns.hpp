#pragma once
// Coroutines on one io_context taking turns: the holder of a turn runs alone until it lets go,
// even across co_await (a strand would not keep others out while it waits for Redis). Waiters
// get the turn in the order they asked for it.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>

namespace piket::scheduler {

class Turns {
  // Shared with the turns handed out: a coroutine frame holding one can outlive this object
  // when the io_context is torn down after the service; then letting go touches nothing.
  struct State {
    bool busy = false;
    bool closed = false;
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiting;
  };

 public:
  // Held while it lives; moving it moves the turn.
  class Turn {
   public:
    explicit Turn(std::shared_ptr<State> state) : state_(std::move(state)) {}
    Turn(Turn&& other) noexcept = default;
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    ~Turn() {
      if (state_ && !state_->closed) pass_on(*state_);
    }

   private:
    std::shared_ptr<State> state_;
  };

  explicit Turns(boost::asio::any_io_executor executor)
      : executor_(std::move(executor)), state_(std::make_shared<State>()) {}
  ~Turns() { state_->closed = true; }
  Turns(const Turns&) = delete;
  Turns& operator=(const Turns&) = delete;

  boost::asio::awaitable<Turn> take() {
    auto state = state_;
    if (state->busy) {
      // Woken by pass_on(), which hands the turn over without freeing it in between.
      auto wake = std::make_shared<boost::asio::steady_timer>(
          executor_, boost::asio::steady_timer::time_point::max());
      state->waiting.push_back(wake);
      boost::system::error_code ignored;
      co_await wake->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    state->busy = true;
    co_return Turn{state};
  }

 private:
  static void pass_on(State& state) {
    if (state.waiting.empty()) {
      state.busy = false;
      return;
    }
    state.waiting.front()->cancel();
    state.waiting.pop_front();
  }

  boost::asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

}  // namespace piket::scheduler
