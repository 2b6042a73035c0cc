#include <catch.hpp>

#include <boost/asio/io_context.hpp>

#include "common/redis/client.hpp"
#include "common/redis/functions.hpp"
#include "common/redis/stream_consumer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_async.hpp"

using namespace std::chrono_literals;
using piket::ErrorCode;
using piket::redis::args;
namespace asio = boost::asio;

namespace {
bool connect(asio::io_context& io, piket::redis::Client& client) {
  client.start();
  return piket::test::run_async(io, client.wait_connected(5s));
}
}  // namespace

TEST_CASE("the redis client runs commands and returns typed replies", "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  REQUIRE(connect(io, client));

  auto set = piket::test::run_async(io, client.command(args("SET", "k", "v1")));
  REQUIRE(set.ok());
  CHECK(set->str == "OK");
  auto get = piket::test::run_async(io, client.command(args("GET", "k")));
  REQUIRE(get.ok());
  CHECK(get->str == "v1");
  auto incr = piket::test::run_async(io, client.command(args("INCRBY", "n", 41)));
  CHECK(incr->integer == 41);
  auto missing = piket::test::run_async(io, client.command(args("GET", "absent")));
  CHECK(missing->is_nil());
  auto wrong = piket::test::run_async(io, client.command(args("INCR", "k")));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("not an integer") != std::string::npos);
}

TEST_CASE("a command fails with unavailable while redis is down and works again after restart",
          "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  REQUIRE(connect(io, client));
  REQUIRE(piket::test::run_async(io, client.command(args("SET", "kept", "yes"))).ok());

  server.kill_hard();
  auto during = piket::test::run_async(io, client.command(args("GET", "kept")));
  REQUIRE_FALSE(during.ok());
  CHECK(during.error().code == ErrorCode::unavailable);

  server.restart();
  REQUIRE(piket::test::run_async(io, client.wait_connected(10s)));
  auto after = piket::test::run_async(io, client.command(args("GET", "kept")));
  REQUIRE(after.ok());
  CHECK(after->str == "yes");  // fsync always: the acknowledged write survived the kill
}

TEST_CASE("a command that redis does not answer in time fails with unavailable", "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  REQUIRE(connect(io, client));
  auto start = std::chrono::steady_clock::now();
  server.freeze();  // accepts nothing, answers nothing: longer than the 500 ms time-out
  auto slow = piket::test::run_async(io, client.command(args("PING")));
  auto took = std::chrono::steady_clock::now() - start;
  server.thaw();
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.error().code == ErrorCode::unavailable);
  CHECK(took < 1500ms);
  REQUIRE(piket::test::run_async(io, client.wait_connected(10s)));
  CHECK(piket::test::run_async(io, client.command(args("PING")))->str == "PONG");
}

TEST_CASE("functions are loaded once per version and reloaded when the version changes",
          "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  REQUIRE(connect(io, client));
  auto library = [](std::string version) {
    return piket::redis::FunctionLibrary{
        "t", version,
        "#!lua name=t\nredis.register_function{function_name='t_version', callback=function() "
        "return '" + version + "' end, flags={'no-writes'}}\n"};
  };
  REQUIRE(piket::test::run_async(io, piket::redis::ensure_functions(client, library("1"))).ok());
  CHECK(piket::test::run_async(io, client.command(args("FCALL", "t_version", 0)))->str == "1");
  REQUIRE(piket::test::run_async(io, piket::redis::ensure_functions(client, library("2"))).ok());
  CHECK(piket::test::run_async(io, client.command(args("FCALL", "t_version", 0)))->str == "2");
}

TEST_CASE("a stream consumer handles queued, pending and claimed entries exactly as asked",
          "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client writer{io, server.client_config(), "writer"};
  REQUIRE(connect(io, writer));
  for (int i = 0; i < 3; ++i)
    REQUIRE(piket::test::run_async(io, writer.command(args("XADD", "jobs", "*", "n", i))).ok());

  // A member that dies holding an entry: it read it but never acknowledged it.
  REQUIRE(piket::test::run_async(io, piket::redis::ensure_group(writer, "jobs", "g")).ok());
  REQUIRE(piket::test::run_async(
              io, writer.command(args("XREADGROUP", "GROUP", "g", "dead", "COUNT", 1, "STREAMS",
                                      "jobs", ">")))
              .ok());

  std::vector<std::string> seen;
  int failures_left = 1;
  piket::redis::StreamConsumerOptions options{"jobs", "g", "live", 16, 200ms, 300ms, 50ms};
  piket::redis::StreamConsumer consumer{
      io, server.client_config(), options,
      [&](const piket::redis::StreamEntry& e) -> asio::awaitable<bool> {
        if (e.fields.at("n") == "2" && failures_left-- > 0) co_return false;  // retried later
        seen.push_back(e.fields.at("n"));
        auto ack = co_await writer.command(args("XACK", "jobs", "g", e.id));
        co_return ack.ok();
      }};
  consumer.start();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (seen.size() < 3 && std::chrono::steady_clock::now() < until)
    piket::test::run_for(io, 50ms);
  consumer.stop();
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"0", "1", "2"});
  CHECK(server.cli("XPENDING jobs g").rfind("0", 0) == 0);
}

TEST_CASE("a stream entry of a newer envelope version is left pending for a newer reader, "
          "while version 1 and unversioned entries are handled",
          "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client writer{io, server.client_config(), "writer"};
  REQUIRE(connect(io, writer));
  REQUIRE(piket::test::run_async(io, piket::redis::ensure_group(writer, "jobs", "g")).ok());
  REQUIRE(piket::test::run_async(io, writer.command(args("XADD", "jobs", "*", "v", "2", "n", "new"))).ok());
  REQUIRE(piket::test::run_async(io, writer.command(args("XADD", "jobs", "*", "v", "1", "n", "one"))).ok());
  REQUIRE(piket::test::run_async(io, writer.command(args("XADD", "jobs", "*", "n", "old"))).ok());

  std::vector<std::string> seen;
  piket::redis::StreamConsumerOptions options{"jobs", "g", "live", 16, 200ms, 60000ms, 50ms};
  piket::redis::StreamConsumer consumer{
      io, server.client_config(), options,
      [&](const piket::redis::StreamEntry& e) -> asio::awaitable<bool> {
        seen.push_back(e.fields.at("n"));
        auto ack = co_await writer.command(args("XACK", "jobs", "g", e.id));
        co_return ack.ok();
      }};
  consumer.start();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (seen.size() < 2 && std::chrono::steady_clock::now() < until) piket::test::run_for(io, 50ms);
  piket::test::run_for(io, 300ms);  // a few more reads: the newer entry stays unhandled
  consumer.stop();
  CHECK(seen == std::vector<std::string>{"one", "old"});
  CHECK(server.cli("XPENDING jobs g").rfind("1", 0) == 0);  // the v=2 entry, still pending
}

TEST_CASE("a parallel stream consumer handles a read's entries at the same time and retries a "
          "failed one",
          "[redis]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client writer{io, server.client_config(), "writer"};
  REQUIRE(connect(io, writer));
  REQUIRE(piket::test::run_async(io, piket::redis::ensure_group(writer, "jobs", "g")).ok());
  for (int i = 0; i < 8; ++i)
    REQUIRE(piket::test::run_async(io, writer.command(args("XADD", "jobs", "*", "n", i))).ok());

  std::vector<std::string> seen;
  int in_flight = 0, most_in_flight = 0, failures_left = 1;
  piket::redis::StreamConsumerOptions options{"jobs", "g", "live", 16, 200ms, 300ms, 50ms};
  options.parallel = true;
  piket::redis::StreamConsumer consumer{
      io, server.client_config(), options,
      [&](const piket::redis::StreamEntry& e) -> asio::awaitable<bool> {
        most_in_flight = std::max(most_in_flight, ++in_flight);
        co_await piket::test::sleep_for(20ms);  // waiting on another daemon
        --in_flight;
        if (e.fields.at("n") == "5" && failures_left-- > 0) co_return false;  // retried later
        seen.push_back(e.fields.at("n"));
        auto ack = co_await writer.command(args("XACK", "jobs", "g", e.id));
        co_return ack.ok();
      }};
  consumer.start();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (seen.size() < 8 && std::chrono::steady_clock::now() < until) piket::test::run_for(io, 50ms);
  consumer.stop();
  CHECK(most_in_flight > 1);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"});
  CHECK(server.cli("XPENDING jobs g").rfind("0", 0) == 0);
}
