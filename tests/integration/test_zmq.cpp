// Request/reply and events over real ZeroMQ sockets on 127.0.0.1: answers and errors, time-outs,
// retries that run a handler once, a server that comes up late, and sequence gaps.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/envelope.hpp"
#include "common/result.hpp"
#include "common/zmq/async_socket.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_clock.hpp"
#include "tests/support/run_async.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;
using piket::ErrorCode;
using piket::Result;
using piket::test::run_async;
using piket::test::run_for;
using piket::test::sleep_for;
using piket::zmqio::RpcClient;
using piket::zmqio::RpcOptions;
using piket::zmqio::RpcServer;

std::string endpoint() { return "tcp://127.0.0.1:" + std::to_string(piket::test::free_port()); }

using Reply = Result<json>;

// Lets detached reader coroutines see their sockets close before the sockets are destroyed.
void settle(asio::io_context& io) { run_for(io, 50ms); }

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

}  // namespace

TEST_CASE("a request gets the handler's body back and a failure comes back as code and field",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  RpcServer server{io, ep, clock};
  server.on("echo", [](const piket::Envelope& request) -> asio::awaitable<Reply> {
    co_return json{{"echoed", request.body}, {"type", request.type}};
  });
  server.on("refuse", [](const piket::Envelope&) -> asio::awaitable<Reply> {
    co_return piket::make_error(ErrorCode::invalid_field, "name", "name is too long");
  });
  REQUIRE(server.bind().ok());
  server.start();
  RpcClient client{io, ep, RpcOptions{1000ms, 2}, clock};
  client.start();

  SECTION("an answer") {
    auto reply = run_async(io, client.call("echo", {{"n", 42}, {"s", "x"}}));
    REQUIRE(reply.ok());
    CHECK((*reply)["echoed"] == json{{"n", 42}, {"s", "x"}});
    CHECK((*reply)["type"] == "echo");
  }
  SECTION("an error from the handler") {
    auto reply = run_async(io, client.call("refuse", json::object()));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::invalid_field);
    CHECK(reply.error().field == "name");
    CHECK(reply.error().message == "name is too long");
  }
  SECTION("a type nobody handles") {
    auto reply = run_async(io, client.call("no.such.type", json::object()));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::invalid_field);
    CHECK(reply.error().field == "type");
  }
  client.stop();
  server.stop();
  settle(io);
}

TEST_CASE("a handler that throws, or whose error cannot be encoded as sent, is still answered",
          "[zmq]") {
  asio::io_context io;
  piket::SystemClock clock;
  const std::string ep = endpoint();
  RpcServer server{io, ep, clock};
  server.on("throw", [](const piket::Envelope&) -> asio::awaitable<Reply> {
    throw std::runtime_error("exploded");
    co_return json::object();
  });
  // 99 x 'a' and half of an 'é': the cut that used to make the reply unencodable.
  server.on("cut", [](const piket::Envelope&) -> asio::awaitable<Reply> {
    co_return piket::invalid("municipality", "no region serves " + std::string(99, 'a') + "\xc3");
  });
  server.on("reply_cut", [](const piket::Envelope&) -> asio::awaitable<Reply> {
    co_return json{{"text", std::string("\xff")}};
  });
  REQUIRE(server.bind().ok());
  server.start();
  // Retries: a first send before the connection is up is dropped (ZMQ_IMMEDIATE).
  RpcClient client{io, ep, RpcOptions{500ms, 4}, clock};
  client.start();

  SECTION("an exception: internal, naming the request id") {
    auto reply = run_async(io, client.call("throw", json::object()));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::internal);
    CHECK(reply.error().message.find("request id q") != std::string::npos);
  }
  SECTION("an error message with a broken character: the error itself, repaired") {
    auto reply = run_async(io, client.call("cut", json::object()));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::invalid_field);
    CHECK(reply.error().field == "municipality");
  }
  SECTION("a reply body that cannot be encoded: internal, naming the request id") {
    auto reply = run_async(io, client.call("reply_cut", json::object()));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::internal);
    CHECK(reply.error().message.find("request id q") != std::string::npos);
  }
  client.stop();
  server.stop();
  settle(io);
}

TEST_CASE("drain lets a request in flight finish and answers new ones unavailable", "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  RpcServer server{io, ep, clock};
  // The slow request stays in flight until the test opens the gate.
  asio::steady_timer gate{io, asio::steady_timer::time_point::max()};
  server.on("slow", [&gate](const piket::Envelope&) -> asio::awaitable<Reply> {
    boost::system::error_code opened;
    co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, opened));
    co_return json{{"done", true}};
  });
  server.on("ping", [](const piket::Envelope&) -> asio::awaitable<Reply> { co_return json::object(); });
  REQUIRE(server.bind().ok());
  server.start();
  RpcClient client{io, ep, RpcOptions{1000ms, 4}, clock};
  client.start();
  REQUIRE(run_async(io, client.call("ping", json::object())).ok());  // connected

  std::optional<Reply> slow;
  asio::co_spawn(io, client.call("slow", json::object()),
                 [&](std::exception_ptr, Reply r) { slow = std::move(r); });
  for (const auto until = std::chrono::steady_clock::now() + 5s;
       server.requests_in_flight() == 0 && std::chrono::steady_clock::now() < until;)
    run_for(io, 5ms);
  REQUIRE(server.requests_in_flight() == 1);
  bool drained = false;
  asio::co_spawn(io, server.drain(), [&](std::exception_ptr) { drained = true; });
  auto refused = run_async(io, client.call("slow", json::object()));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::unavailable);
  CHECK_FALSE(slow.has_value());  // still in flight while the drain waits
  gate.cancel();
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!(drained && slow) && std::chrono::steady_clock::now() < until) run_for(io, 10ms);
  CHECK(drained);
  REQUIRE(slow.has_value());
  REQUIRE(slow->ok());
  CHECK(slow->value()["done"] == true);
  client.stop();
  server.stop();
  settle(io);
}

TEST_CASE("with no server a call gives up as unavailable after every retry has timed out",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const RpcOptions options{200ms, 2};
  RpcClient client{io, endpoint(), options, clock};
  client.start();

  const auto start = std::chrono::steady_clock::now();
  auto reply = run_async(io, client.call("ping", json::object()));
  const auto took = elapsed_since(start);

  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().code == ErrorCode::unavailable);
  const auto budget = options.timeout * (options.retries + 1);  // 600 ms
  CHECK(took >= budget - 30ms);
  CHECK(took < budget + 1500ms);
  client.stop();
  settle(io);
}

TEST_CASE("a slow handler runs once although the client retried, and the client gets its answer",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  RpcServer server{io, ep, clock};
  int calls = 0;
  server.on("slow", [&calls](const piket::Envelope& request) -> asio::awaitable<Reply> {
    const int call = ++calls;
    if (call == 1) co_await sleep_for(500ms);  // well past the client's 150 ms time-out
    co_return json{{"call", call}, {"id", request.id}};
  });
  REQUIRE(server.bind().ok());
  server.start();
  RpcClient client{io, ep, RpcOptions{150ms, 5}, clock};
  client.start();

  const auto start = std::chrono::steady_clock::now();
  auto reply = run_async(io, client.call("slow", json::object()));
  const auto took = elapsed_since(start);

  REQUIRE(reply.ok());
  CHECK((*reply)["call"] == 1);
  CHECK(calls == 1);  // the retries (same request id) arrived while it ran and were ignored
  CHECK(server.requests_served() == 1);
  CHECK(took >= 450ms);  // it really was the slow first run that answered
  client.stop();
  server.stop();
  settle(io);
}

TEST_CASE("a repeated request id is answered from the cache without running the handler again",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  RpcServer server{io, ep, clock};
  int calls = 0;
  server.on("count", [&calls](const piket::Envelope&) -> asio::awaitable<Reply> {
    co_return json{{"call", ++calls}};
  });
  REQUIRE(server.bind().ok());
  server.start();

  // A hand-made DEALER that sends the same envelope twice, as a client's retry would after a
  // reply was lost on the way back.
  piket::zmqio::AsyncSocket dealer{io, piket::zmqio::shared_context(), zmq::socket_type::dealer};
  dealer.socket().connect(ep);
  piket::Envelope request;
  request.type = "count";
  request.id = piket::new_id("q");
  request.sent_at = clock.now();
  const std::string payload = piket::encode_envelope(request);

  auto exchange = [&]() -> asio::awaitable<std::string> {
    piket::zmqio::Multipart parts;
    parts.emplace_back(payload.data(), payload.size());
    dealer.try_send(std::move(parts));
    auto got = co_await dealer.receive();
    if (!got || got->size() != 1) co_return std::string{};
    co_return piket::zmqio::to_string((*got)[0]);
  };
  const std::string first = run_async(io, exchange(), 5s);
  const std::string second = run_async(io, exchange(), 5s);

  REQUIRE_FALSE(first.empty());
  CHECK(second == first);  // the very same reply, id and all
  CHECK(calls == 1);
  auto decoded = piket::decode_envelope(second);
  REQUIRE(decoded.ok());
  CHECK(decoded->correlation_id == request.id);
  auto body = piket::zmqio::reply_body(*decoded);
  REQUIRE(body.ok());
  CHECK((*body)["call"] == 1);
  dealer.close();
  server.stop();
  settle(io);
}

TEST_CASE("a server that starts after the client's first attempt still answers within the retries",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  RpcClient client{io, ep, RpcOptions{300ms, 5}, clock};
  client.start();

  std::optional<Reply> reply;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(io, client.call("ping", json::object()),
                 [&reply](std::exception_ptr, Reply r) { reply = std::move(r); });
  run_for(io, 400ms);  // the first attempt has timed out with nobody listening
  REQUIRE_FALSE(reply.has_value());

  RpcServer server{io, ep, clock};
  server.on("ping", [](const piket::Envelope&) -> asio::awaitable<Reply> {
    co_return json{{"service", "late"}};
  });
  REQUIRE(server.bind().ok());
  server.start();
  while (!reply && elapsed_since(start) < 5s) run_for(io, 10ms);
  const auto took = elapsed_since(start);

  REQUIRE(reply.has_value());
  REQUIRE(reply->ok());
  CHECK((**reply)["service"] == "late");
  CHECK(took >= 400ms);
  CHECK(took < 300ms * 6);  // within the client's own budget
  client.stop();
  server.stop();
  settle(io);
}

TEST_CASE("a sequence tracker reports the first missing number of a jump, per publisher", "[zmq]") {
  piket::zmqio::SequenceTracker tracker;
  CHECK_FALSE(tracker.observe("a", 1));
  CHECK_FALSE(tracker.observe("a", 2));
  auto gap = tracker.observe("a", 5);
  REQUIRE(gap.has_value());
  CHECK(gap->source == "a");
  CHECK(gap->expected == 3);
  CHECK(gap->received == 5);
  CHECK_FALSE(tracker.observe("a", 6));
  CHECK_FALSE(tracker.observe("a", 4));   // a late one is not a new gap
  CHECK_FALSE(tracker.observe("b", 40));  // a joiner cannot know what came before
  CHECK_FALSE(tracker.observe("b", 41));
}

TEST_CASE("a subscriber receives published events in order with consecutive sequence numbers",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  piket::zmqio::Publisher publisher{io, ep, clock};
  REQUIRE(publisher.bind().ok());
  std::vector<piket::Envelope> warmups, events;
  piket::zmqio::Subscriber subscriber{
      io, ep, "event.",
      [&](const piket::Envelope& e) { (e.type == "event.warmup" ? warmups : events).push_back(e); },
      [](const piket::zmqio::SequenceGap&) {}};
  subscriber.start();

  // Slow joiner: PUB drops everything until the subscription has arrived.
  run_async(io, [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 250 && warmups.empty(); ++i) {
      publisher.publish("event.warmup", json::object());
      co_await sleep_for(20ms);
    }
    co_return !warmups.empty();
  }());
  REQUIRE_FALSE(warmups.empty());

  std::vector<std::uint64_t> given;
  for (int n = 1; n <= 5; ++n) given.push_back(publisher.publish("event.test", {{"n", n}}));
  run_async(io, [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 250 && events.size() < 5; ++i) co_await sleep_for(10ms);
    co_return true;
  }());

  REQUIRE(events.size() == 5);
  for (std::size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].body["n"] == static_cast<int>(i + 1));
    REQUIRE(events[i].seq.has_value());
    CHECK(*events[i].seq == given[i]);
    CHECK(events[i].source == publisher.source());
    if (i > 0) CHECK(*events[i].seq == *events[i - 1].seq + 1);
  }
  CHECK(subscriber.gaps() == 0);
  subscriber.stop();
  publisher.stop();
  settle(io);
}

TEST_CASE("a subscriber that misses an event reports the gap with expected and received numbers",
          "[zmq]") {
  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  const std::string ep = endpoint();
  // A hand-driven PUB, so the test decides which sequence numbers go out.
  piket::zmqio::AsyncSocket pub{io, piket::zmqio::shared_context(), zmq::socket_type::pub};
  pub.socket().bind(ep);
  auto send = [&](const std::string& type, std::optional<std::uint64_t> seq) {
    piket::Envelope e;
    e.type = type;
    e.id = piket::new_id("e");
    e.sent_at = clock.now();
    e.seq = seq;
    e.source = "s-test";
    e.body = {{"seq", seq ? static_cast<std::int64_t>(*seq) : -1}};
    const std::string payload = piket::encode_envelope(e);
    piket::zmqio::Multipart parts;
    parts.emplace_back(type.data(), type.size());
    parts.emplace_back(payload.data(), payload.size());
    pub.try_send(std::move(parts));
  };

  std::vector<piket::Envelope> events;
  std::vector<piket::zmqio::SequenceGap> gaps;
  piket::zmqio::Subscriber subscriber{
      io, ep, "event.", [&](const piket::Envelope& e) { events.push_back(e); },
      [&](const piket::zmqio::SequenceGap& g) { gaps.push_back(g); }};
  subscriber.start();

  // Warm-ups carry no sequence number, so they do not touch the tracker.
  run_async(io, [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 250 && events.empty(); ++i) {
      send("event.warmup", std::nullopt);
      co_await sleep_for(20ms);
    }
    co_return true;
  }());
  REQUIRE_FALSE(events.empty());
  events.clear();

  send("event.test", 1);
  send("event.test", 2);
  send("event.test", 4);  // 3 was "dropped"
  run_async(io, [&]() -> asio::awaitable<bool> {
    for (int i = 0; i < 250; ++i) {
      std::size_t sequenced = 0;
      for (const auto& e : events) sequenced += e.seq.has_value();
      if (sequenced >= 3) break;
      co_await sleep_for(10ms);
    }
    co_return true;
  }());

  std::vector<std::uint64_t> seen;
  for (const auto& e : events)
    if (e.seq) seen.push_back(*e.seq);
  CHECK(seen == std::vector<std::uint64_t>{1, 2, 4});
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].source == "s-test");
  CHECK(gaps[0].expected == 3);
  CHECK(gaps[0].received == 4);
  CHECK(subscriber.gaps() == 1);
  subscriber.stop();
  pub.close();
  settle(io);
}
