// Per-client bookkeeping of the gateway's door: connection shares and the request bucket.
#include <catch.hpp>

#include <chrono>

#include "gateway/http/client_limits.hpp"

using piket::gateway::ClientLimits;
using namespace std::chrono_literals;

TEST_CASE("each address has its own share of connections, given back on close", "[unit][door]") {
  ClientLimits limits({2, 10, 10});
  CHECK(limits.open_connection("a"));
  CHECK(limits.open_connection("a"));
  CHECK_FALSE(limits.open_connection("a"));
  CHECK(limits.connections_of("a") == 2);
  CHECK(limits.open_connection("b"));
  limits.close_connection("a");
  CHECK(limits.open_connection("a"));
  limits.close_connection("nobody");  // unknown: nothing happens
  CHECK(limits.connections_of("nobody") == 0);
}

TEST_CASE("the request bucket allows the burst, then the rate, and says how long to wait",
          "[unit][door]") {
  ClientLimits limits({64, 2, 3});  // 2 per second, 3 at once
  const auto t0 = ClientLimits::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) CHECK(limits.take_request("a", t0) == 0s);
  CHECK(limits.take_request("a", t0) == 1s);         // half a second to the next: rounded up
  CHECK(limits.take_request("b", t0) == 0s);         // another address has its own bucket
  CHECK(limits.take_request("a", t0 + 500ms) == 0s);  // one token back after 0.5 s
  CHECK(limits.take_request("a", t0 + 500ms) == 1s);
  CHECK(limits.take_request("a", t0 + 10s) == 0s);   // refilled, never above the burst
  CHECK(limits.take_request("a", t0 + 10s) == 0s);
  CHECK(limits.take_request("a", t0 + 10s) == 0s);
  CHECK(limits.take_request("a", t0 + 10s) == 1s);
}

TEST_CASE("a slow rate asks for a wait of whole seconds", "[unit][door]") {
  ClientLimits limits({64, 0.25, 1});
  const auto t0 = ClientLimits::Clock::time_point{} + 1h;
  CHECK(limits.take_request("a", t0) == 0s);
  CHECK(limits.take_request("a", t0) == 4s);
  CHECK(limits.take_request("a", t0 + 3s) == 1s);
}
