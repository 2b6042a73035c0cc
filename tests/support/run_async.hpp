#pragma once
// Runs one coroutine on an io_context until it finishes (or the limit passes) and returns its
// value, so integration tests read top to bottom.
#include <chrono>
#include <optional>
#include <stdexcept>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace piket::test {

template <typename T>
T run_async(boost::asio::io_context& io, boost::asio::awaitable<T> task,
            std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  std::optional<T> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result.emplace(std::move(value));
  });
  auto until = std::chrono::steady_clock::now() + limit;
  while (!result && !failure && std::chrono::steady_clock::now() < until) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  if (failure) std::rethrow_exception(failure);
  if (!result) throw std::runtime_error("coroutine did not finish in time");
  return std::move(*result);
}

// Lets the loop run for a while (for background work such as reconnects).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  boost::asio::steady_timer t{co_await boost::asio::this_coro::executor};
  t.expires_after(d);
  boost::system::error_code ec;
  co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

}  // namespace piket::test
