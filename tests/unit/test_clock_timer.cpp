// A daemon sleeps until its clock reaches a deadline; a moved test clock wakes it at once.
#include <catch.hpp>

#include <chrono>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/clock_timer.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr std::int64_t kStartMs = 1795665764000;  // 2026-11-26T04:02:44Z

asio::awaitable<void> sleep(piket::ClockTimer& timer, const piket::Clock& clock,
                            piket::TimePoint deadline, std::chrono::milliseconds longest,
                            std::optional<piket::TimePoint>& woke_at) {
  co_await timer.sleep_until(deadline, longest);
  woke_at = clock.now();
}

// Starts a sleep until `deadline`; `woke_at` gets the clock's time when it returns.
void start_sleep(asio::io_context& io, piket::ClockTimer& timer, const piket::Clock& clock,
                 piket::TimePoint deadline, std::chrono::milliseconds longest,
                 std::optional<piket::TimePoint>& woke_at) {
  asio::co_spawn(io, sleep(timer, clock, deadline, longest, woke_at), asio::detached);
}

// Runs the loop for a while, also after it ran out of work before.
void run(asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

}  // namespace

TEST_CASE("a sleep until a deadline ends as soon as the test clock is moved past it",
          "[unit][clock]") {
  asio::io_context io;
  piket::ManualClock clock{piket::from_unix_ms(kStartMs)};
  piket::ClockTimer timer{io.get_executor(), clock};
  std::optional<piket::TimePoint> woke_at;
  start_sleep(io, timer, clock, clock.now() + 1h, 1h, woke_at);

  run(io, 30ms);
  CHECK_FALSE(woke_at);  // an hour of the clock's time has not passed
  clock.advance(30min);
  run(io, 30ms);
  CHECK_FALSE(woke_at);  // woken, looked, and asleep again: still half an hour to go
  clock.advance(31min);
  const auto real_start = std::chrono::steady_clock::now();
  while (!woke_at && std::chrono::steady_clock::now() - real_start < 5s) run(io, 10ms);
  REQUIRE(woke_at);
  CHECK(*woke_at == piket::from_unix_ms(kStartMs) + 61min);
}

TEST_CASE("a deadline already passed ends the sleep at once", "[unit][clock]") {
  asio::io_context io;
  piket::ManualClock clock{piket::from_unix_ms(kStartMs)};
  piket::ClockTimer timer{io.get_executor(), clock};
  std::optional<piket::TimePoint> woke_at;
  start_sleep(io, timer, clock, clock.now() - 1s, 1h, woke_at);
  run(io, 30ms);
  CHECK(woke_at);
}

TEST_CASE("a wake before the sleep starts is not lost, and cancel ends every later sleep",
          "[unit][clock]") {
  asio::io_context io;
  piket::ManualClock clock{piket::from_unix_ms(kStartMs)};
  piket::ClockTimer timer{io.get_executor(), clock};
  std::optional<piket::TimePoint> woke_at;

  timer.wake();  // e.g. a new deadline was stored while the loop was busy
  start_sleep(io, timer, clock, clock.now() + 1h, 1h, woke_at);
  run(io, 30ms);
  CHECK(woke_at);

  woke_at.reset();
  start_sleep(io, timer, clock, clock.now() + 1h, 1h, woke_at);
  run(io, 30ms);
  CHECK_FALSE(woke_at);  // the wake was used up by the first sleep
  timer.cancel();
  run(io, 30ms);
  CHECK(woke_at);
}

TEST_CASE("a sleep lasts at most its longest real time, whatever the clock says", "[unit][clock]") {
  asio::io_context io;
  piket::ManualClock clock{piket::from_unix_ms(kStartMs)};  // never moves by itself
  piket::ClockTimer timer{io.get_executor(), clock};
  std::optional<piket::TimePoint> woke_at;
  start_sleep(io, timer, clock, clock.now() + 1h, 20ms, woke_at);
  const auto real_start = std::chrono::steady_clock::now();
  while (!woke_at && std::chrono::steady_clock::now() - real_start < 5s) run(io, 5ms);
  CHECK(woke_at);
}

TEST_CASE("a listener is told of every move of a manual clock until its handle is dropped",
          "[unit][clock]") {
  piket::ManualClock clock{piket::from_unix_ms(kStartMs)};
  int moves = 0;
  auto handle = clock.on_moved([&] { ++moves; });
  clock.advance(1s);
  clock.set(piket::from_unix_ms(kStartMs));
  CHECK(moves == 2);
  handle.reset();
  clock.advance(1s);
  CHECK(moves == 2);
  CHECK(piket::SystemClock{}.on_moved([] {}) == nullptr);  // the system clock never jumps
}
