// The gateway's door against hostile clients: ambiguous framing (request smuggling) is
// answered 400 and closed, one client address cannot hold more than its share of connections
// or send faster than its rate, and slow clients cannot starve others.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch.hpp>
#include <chrono>
#include <exception>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "gateway/http/http_server.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using piket::gateway::HttpRequest;
using piket::gateway::HttpResponse;
using piket::gateway::HttpServer;
using piket::gateway::HttpServerOptions;
using namespace std::chrono_literals;

struct Counting {
  std::vector<std::string> targets;
  piket::gateway::HttpHandler handler() {
    return [this](HttpRequest request) -> asio::awaitable<HttpResponse> {
      targets.push_back(request.target);
      HttpResponse response;
      response.status = 200;
      response.body = "{}";
      co_return response;
    };
  }
};

HttpServerOptions options() {
  HttpServerOptions o;
  o.address = "127.0.0.1";
  o.read_timeout = 1500ms;
  return o;
}

// Runs the loop until `done()` holds or `limit` passes; returns whether it held.
template <typename Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit = 10s) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(5ms);
  return done();
}

// Connects from `from` (any 127.x address is this machine), sends `bytes`, and reads until
// the server closes; the answer lands in `out`.
asio::awaitable<void> exchange(asio::io_context& io, std::string from, uint16_t port, std::string bytes,
                               std::optional<std::string>& out) {
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.bind({asio::ip::make_address(from), 0});
  co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
  std::string received;
  auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(received),
                                           asio::as_tuple(asio::use_awaitable));
  (void)ec;
  (void)n;
  out = received;
}

std::string ask(asio::io_context& io, const std::string& from, uint16_t port, const std::string& bytes) {
  std::optional<std::string> out;
  asio::co_spawn(io, exchange(io, from, port, bytes, out), asio::detached);
  REQUIRE(run_until(io, [&] { return out.has_value(); }));
  return *out;
}

const std::string kGet = "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a Transfer-Encoding other than chunked is answered 400 and the connection closed, "
          "so a request smuggled in its body is never served",
          "[http][door]") {
  asio::io_context io;
  Counting handler;
  HttpServer server(io, options(), handler.handler());
  REQUIRE(server.listen().ok());
  server.start();

  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  SECTION("xchunked") {
    const std::string answer =
        ask(io, "127.0.0.1", server.port(),
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + smuggled);
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(answer.find("\"field\":\"transfer-encoding\"") != std::string::npos);
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);
  }
  SECTION("chunked beside Content-Length") {
    const std::string answer =
        ask(io, "127.0.0.1", server.port(),
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\n" + smuggled);
    CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(count_of(answer, "HTTP/1.1 ") == 1);
  }
  CHECK(handler.targets.empty());

  // Plain chunked is still served.
  const std::string fine = ask(io, "127.0.0.1", server.port(),
                               "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                               "Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  CHECK(fine.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(handler.targets == std::vector<std::string>{"/chunked"});
}

TEST_CASE("one client address holding its share of connections is answered 429, and another "
          "address is still served",
          "[http][door]") {
  asio::io_context io;
  Counting handler;
  auto o = options();
  o.client_limits.max_connections_per_client = 3;
  HttpServer server(io, o, handler.handler());
  REQUIRE(server.listen().ok());
  server.start();

  std::list<tcp::socket> held;
  for (int i = 0; i < 3; ++i) {
    auto& s = held.emplace_back(io);
    s.open(tcp::v4());
    s.bind({asio::ip::make_address("127.0.0.2"), 0});
    s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  }
  REQUIRE(run_until(io, [&] { return server.connection_count() == 3; }));

  const std::string refused = ask(io, "127.0.0.2", server.port(), kGet);
  CHECK(refused.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(refused.find("Retry-After: 1\r\n") != std::string::npos);
  const std::string served = ask(io, "127.0.0.3", server.port(), kGet);
  CHECK(served.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(handler.targets.size() == 1);

  // A closed connection gives its place back.
  held.front().close();
  REQUIRE(run_until(io, [&] { return server.connection_count() == 2; }));
  CHECK(ask(io, "127.0.0.2", server.port(), kGet).rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("a client over its request rate is answered 429 with Retry-After, and others are not",
          "[http][door]") {
  asio::io_context io;
  Counting handler;
  auto o = options();
  o.client_limits.requests_per_s = 0.2;  // one more every 5 s: the test never waits that long
  o.client_limits.burst = 2;
  HttpServer server(io, o, handler.handler());
  REQUIRE(server.listen().ok());
  server.start();

  CHECK(ask(io, "127.0.0.4", server.port(), kGet).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(ask(io, "127.0.0.4", server.port(), kGet).rfind("HTTP/1.1 200", 0) == 0);
  const std::string refused = ask(io, "127.0.0.4", server.port(), kGet);
  CHECK(refused.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(refused.find("Retry-After: ") != std::string::npos);
  CHECK(refused.find("\"code\":\"too_many_requests\"") != std::string::npos);
  CHECK(ask(io, "127.0.0.5", server.port(), kGet).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(handler.targets.size() == 3);
}

TEST_CASE("500 slow connections from one address neither starve other clients nor stay open "
          "past the read time-out",
          "[http][door]") {
  asio::io_context io;
  Counting handler;
  HttpServer server(io, options(), handler.handler());  // 64 connections per client by default
  REQUIRE(server.listen().ok());
  server.start();

  // Each sends the start of a request and then nothing (slowloris).
  std::list<tcp::socket> slow;
  for (int i = 0; i < 500; ++i) {
    auto& s = slow.emplace_back(io);
    s.open(tcp::v4());
    s.bind({asio::ip::make_address("127.0.0.6"), 0});
    s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    asio::write(s, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: x\r\nX-Wait: ")));
  }
  REQUIRE(run_until(io, [&] { return server.connection_count() == 64; }));

  for (int i = 0; i < 20; ++i)
    CHECK(ask(io, "127.0.0.7", server.port(), kGet).rfind("HTTP/1.1 200", 0) == 0);
  CHECK(handler.targets.size() == 20);
  // The read time-out (1.5 s for the whole request) closes every slow one.
  CHECK(run_until(io, [&] { return server.connection_count() == 0; }, 10s));
}
