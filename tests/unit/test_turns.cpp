// Roster changes take turns: one holds the turn across its awaits (as a change does while Redis
// stores it), and the others follow in the order they asked.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "scheduler/turns.hpp"

namespace asio = boost::asio;

TEST_CASE("coroutines holding a turn across an await run one after the other, in order",
          "[unit][roster-writer]") {
  asio::io_context io;
  piket::scheduler::Turns turns{io.get_executor()};
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          auto turn = co_await turns.take();
          seen.push_back("start " + std::to_string(i));
          asio::steady_timer wait{io, std::chrono::milliseconds(5)};
          co_await wait.async_wait(asio::use_awaitable);
          seen.push_back("end " + std::to_string(i));
        },
        asio::detached);
  io.run();
  CHECK(seen ==
        std::vector<std::string>{"start 0", "end 0", "start 1", "end 1", "start 2", "end 2"});

  // Free again afterwards: a new taker gets the turn at once.
  bool ran = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto turn = co_await turns.take();
        ran = true;
      },
      asio::detached);
  io.restart();
  io.run();
  CHECK(ran);
}
