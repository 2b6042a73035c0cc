// HttpServer and HttpClient against each other on 127.0.0.1, all on one io_context.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/http/http_server.hpp"
#include "notifier/channels/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/webhook_sink.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using piket::ErrorCode;
using piket::gateway::HttpRequest;
using piket::gateway::HttpResponse;
using piket::gateway::HttpServer;
using piket::gateway::HttpServerOptions;
using piket::notifier::HttpClient;
using namespace std::chrono_literals;

// Runs the loop until the task finishes (or a generous limit passes) and returns its result.
template <typename T>
T run_until_done(asio::io_context& io, asio::awaitable<T> task,
                 std::chrono::milliseconds limit = 10s) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  auto wrapper = [](asio::awaitable<T> inner, std::optional<T>& out) -> asio::awaitable<void> {
    out.emplace(co_await std::move(inner));
  };
  asio::co_spawn(io, wrapper(std::move(task), result), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
  if (failure) std::rethrow_exception(failure);
  REQUIRE(done);
  return std::move(*result);
}

// Polls the loop for a while, so the server can react to something done synchronously.
void run_for_a_moment(asio::io_context& io, std::chrono::milliseconds how_long = 50ms) {
  io.restart();
  io.run_for(how_long);
}

HttpServerOptions local_options(std::size_t max_body = 1024 * 1024) {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.max_body_bytes = max_body;
  options.read_timeout = 2000ms;
  return options;
}

// A handler that records every request and answers 201 with a fixed JSON body;
// the target "/boom" makes it throw.
struct RecordingHandler {
  std::vector<HttpRequest> seen;

  piket::gateway::HttpHandler handler() {
    return [this](HttpRequest request) -> asio::awaitable<HttpResponse> {
      seen.push_back(request);
      if (request.target == "/boom") throw std::runtime_error("handler exploded");
      HttpResponse response;
      response.status = 201;
      response.headers["X-Answer"] = "42";
      response.body = R"({"ok":true})";
      co_return response;
    };
  }
};

std::string url_for(const HttpServer& server, std::string_view target) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(target);
}

// Sends raw bytes on a fresh blocking socket and reads until the server closes.
std::string raw_exchange(asio::io_context& io, uint16_t port, const std::string& bytes) {
  std::optional<std::string> result = run_until_done(
      io,
      [](asio::io_context& ctx, uint16_t p,
         std::string out) -> asio::awaitable<std::optional<std::string>> {
        tcp::socket socket(ctx);
        co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), p},
                                      asio::use_awaitable);
        co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
        std::string received;
        auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(received),
                                                 asio::as_tuple(asio::use_awaitable));
        (void)ec;
        (void)n;
        co_return received;
      }(io, port, bytes));
  return result.value_or("");
}

}  // namespace

TEST_CASE(
    "a POST through HttpClient reaches the handler with its method, target, headers and body") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(), recorder.handler());
  REQUIRE(server.listen().ok());
  REQUIRE(server.port() != 0);
  server.start();

  HttpClient client(io);
  auto result =
      run_until_done(io, client.post(url_for(server, "/v1/reports?region=utrecht"),
                                     {{"X-Piket-Test", "yes"}, {"Authorization", "Bearer abc"}},
                                     R"({"text":"fire"})", 2000ms));

  REQUIRE(result.ok());
  CHECK(result->status == 201);
  CHECK(result->body == R"({"ok":true})");

  REQUIRE(recorder.seen.size() == 1);
  const HttpRequest& seen = recorder.seen.front();
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/v1/reports?region=utrecht");
  CHECK(piket::gateway::header(seen, "x-piket-test") == "yes");
  CHECK(piket::gateway::header(seen, "authorization") == "Bearer abc");
  CHECK(piket::gateway::header(seen, "content-type") == "application/json");
  CHECK(piket::gateway::header(seen, "absent-header").empty());
  CHECK(seen.body == R"({"text":"fire"})");
  CHECK(seen.remote.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE(
    "the server answers with Server, Content-Length and keep-alive and serves a second request on "
    "the same connection") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(), recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();

  const std::string two_requests =
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string answer = raw_exchange(io, server.port(), two_requests);

  CHECK(answer.find("HTTP/1.1 201") == 0);
  CHECK(answer.find("Server: piket\r\n") != std::string::npos);
  CHECK(answer.find("Content-Length: 11\r\n") != std::string::npos);
  CHECK(answer.find("X-Answer: 42\r\n") != std::string::npos);
  CHECK(answer.find("HTTP/1.1 201", 1) != std::string::npos);  // the second answer
  REQUIRE(recorder.seen.size() == 2);
  CHECK(recorder.seen[0].target == "/first");
  CHECK(recorder.seen[1].target == "/second");
}

TEST_CASE(
    "a request body larger than the limit is answered 413 with a too_large error on the body") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(64), recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();

  std::size_t body_size = 0;
  SECTION("a body just past the limit") { body_size = 65; }
  // The server drains what the client still sends, so the answer is not lost to a reset.
  SECTION("a body far past the socket buffers") { body_size = 600 * 1024; }

  HttpClient client(io);
  auto result = run_until_done(
      io, client.post(url_for(server, "/v1/reports"), {}, std::string(body_size, 'x'), 2000ms));

  REQUIRE(result.ok());
  CHECK(result->status == 413);
  CHECK(result->body.find(R"({"error":{"code":"too_large","field":"body","message":")") == 0);
  CHECK(recorder.seen.empty());
}

TEST_CASE("a malformed request is answered 400 with an invalid_field error on http") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(), recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();

  const std::string answer = raw_exchange(io, server.port(), "NOT AN HTTP REQUEST\r\n\r\n");

  CHECK(answer.find("HTTP/1.1 400") == 0);
  CHECK(answer.find(R"({"error":{"code":"invalid_field","field":"http","message":")") !=
        std::string::npos);
  CHECK(recorder.seen.empty());
}

TEST_CASE("a handler that throws gives a 500 and the server keeps serving the next request") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(), recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();
  HttpClient client(io);

  auto failed = run_until_done(io, client.post(url_for(server, "/boom"), {}, "{}", 2000ms));
  REQUIRE(failed.ok());
  CHECK(failed->status == 500);
  CHECK(failed->body.find(R"({"error":{"code":"internal")") == 0);
  CHECK(failed->body.find("exploded") == std::string::npos);  // no internals leak out
  // The answer names the request id the log line carries.
  const auto request_id = failed->body.find("request id r");
  CHECK(request_id != std::string::npos);

  auto next = run_until_done(io, client.post(url_for(server, "/fine"), {}, "{}", 2000ms));
  REQUIRE(next.ok());
  CHECK(next->status == 201);
  CHECK(recorder.seen.size() == 2);
}

TEST_CASE("connections over max_connections are answered 503 and closed") {
  asio::io_context io;
  RecordingHandler recorder;
  auto options = local_options();
  options.max_connections = 1;
  HttpServer server(io, options, recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();

  tcp::socket holder(io);
  holder.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  run_for_a_moment(io);
  REQUIRE(server.connection_count() == 1);

  HttpClient client(io);
  auto result = run_until_done(io, client.post(url_for(server, "/x"), {}, "{}", 2000ms));
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  CHECK(result->body.find(R"({"error":{"code":"unavailable")") == 0);
  CHECK(recorder.seen.empty());
}

TEST_CASE("stop closes idle keep-alive connections and refuses new ones") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer server(io, local_options(), recorder.handler());
  REQUIRE(server.listen().ok());
  server.start();

  tcp::socket idle(io);
  idle.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  run_for_a_moment(io);
  REQUIRE(server.connection_count() == 1);

  server.stop();
  run_for_a_moment(io);
  CHECK(server.connection_count() == 0);

  HttpClient client(io);
  auto result = run_until_done(io, client.post(url_for(server, "/x"), {}, "{}", 2000ms));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::unavailable);
}

TEST_CASE("drain answers a request in flight with its real result, then the server is closed") {
  asio::io_context io;
  bool release = false;
  asio::steady_timer gate(io, asio::steady_timer::time_point::max());
  HttpServer server(io, local_options(), [&](HttpRequest) -> asio::awaitable<HttpResponse> {
    // Held until the test lets go, as a request waiting on the dispatcher is.
    if (!release) {
      boost::system::error_code ec;
      co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    HttpResponse response;
    response.status = 201;
    response.body = R"({"stored":true})";
    co_return response;
  });
  REQUIRE(server.listen().ok());
  server.start();

  HttpClient client(io);
  std::optional<piket::Result<piket::notifier::HttpClientResponse>> in_flight;
  asio::co_spawn(io, client.post(url_for(server, "/slow"), {}, "{}", 5000ms),
                 [&](std::exception_ptr, piket::Result<piket::notifier::HttpClientResponse> r) {
                   in_flight = std::move(r);
                 });
  run_for_a_moment(io, 100ms);
  REQUIRE(server.connection_count() == 1);

  bool drained = false;
  asio::co_spawn(io, server.drain(), [&](std::exception_ptr) { drained = true; });
  run_for_a_moment(io, 100ms);
  CHECK_FALSE(drained);  // the request is still being handled
  CHECK_FALSE(in_flight.has_value());

  // A new connection is not taken any more.
  auto refused = run_until_done(io, client.post(url_for(server, "/x"), {}, "{}", 1000ms));
  CHECK_FALSE(refused.ok());

  release = true;
  gate.cancel();
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!(drained && in_flight) && std::chrono::steady_clock::now() < until) run_for_a_moment(io, 10ms);
  REQUIRE(in_flight.has_value());
  REQUIRE(in_flight->ok());
  CHECK((*in_flight)->status == 201);
  CHECK((*in_flight)->body == R"({"stored":true})");
  CHECK(drained);
  CHECK(server.connection_count() == 0);
}

TEST_CASE("listen reports a port that is already in use, naming the port") {
  asio::io_context io;
  RecordingHandler recorder;
  HttpServer first(io, local_options(), recorder.handler());
  REQUIRE(first.listen().ok());

  auto options = local_options();
  options.port = first.port();
  HttpServer second(io, options, recorder.handler());
  auto status = second.listen();

  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::unavailable);
  CHECK(status.error().field == "port");
  CHECK(status.error().message.find(std::to_string(first.port())) != std::string::npos);
}

TEST_CASE("HttpClient against a closed port returns unavailable quickly") {
  asio::io_context io;
  uint16_t closed_port = 0;
  {
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }

  HttpClient client(io);
  const auto started = std::chrono::steady_clock::now();
  auto result = run_until_done(
      io,
      client.post("http://127.0.0.1:" + std::to_string(closed_port) + "/hook", {}, "{}", 5000ms));
  const auto elapsed = std::chrono::steady_clock::now() - started;

  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::unavailable);
  CHECK(result.error().message.find("connecting") != std::string::npos);
  CHECK(elapsed < 1000ms);
}

TEST_CASE(
    "HttpClient gives up on a server that accepts but never answers after about the timeout") {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket held(io);
  silent.async_accept(held, [](const boost::system::error_code&) {});

  HttpClient client(io);
  const auto started = std::chrono::steady_clock::now();
  auto result = run_until_done(
      io, client.post("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/",
                      {}, "{}", 300ms));
  const auto elapsed = std::chrono::steady_clock::now() - started;

  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::unavailable);
  CHECK(result.error().message.find("timed out after 300 ms") != std::string::npos);
  CHECK(held.is_open());  // the server really accepted and held the connection
  CHECK(elapsed >= 280ms);
  CHECK(elapsed < 1500ms);
}

TEST_CASE("HttpClient rejects a URL it cannot use with an error naming url") {
  asio::io_context io;
  HttpClient client(io);
  std::string url;
  SECTION("another scheme") { url = "ftp://example.org/hook"; }
  SECTION("no scheme") { url = "example.org/hook"; }
  SECTION("no host") { url = "http:///hook"; }
  SECTION("a port out of range") { url = "http://example.org:70000/"; }
  SECTION("a non-numeric port") { url = "http://example.org:http/"; }
  SECTION("user info") { url = "http://user:pw@example.org/"; }
  SECTION("a fragment") { url = "http://example.org/#top"; }
  SECTION("a space") { url = "http://example.org/a b"; }
  SECTION("a bad IPv6 literal") { url = "http://[zz::1]:80/"; }

  auto result = run_until_done(io, client.post(url, {}, "{}", 1000ms));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::invalid_field);
  CHECK(result.error().field == "url");
}

TEST_CASE("an https URL parses with TLS and port 443 by default") {
  auto parsed = piket::notifier::parse_http_url("https://hooks.example.org/v1?t=1");
  REQUIRE(parsed.ok());
  CHECK(parsed->tls);
  CHECK(parsed->port == 443);
  CHECK(parsed->target == "/v1?t=1");
  CHECK_FALSE(piket::notifier::parse_http_url("http://hooks.example.org/")->tls);
}

TEST_CASE("HttpClient sends plain http only to loopback unless allowed") {
  asio::io_context io;
  SECTION("refused before any connection, naming url") {
    HttpClient client(io);
    auto result = run_until_done(io, client.post("http://192.0.2.1/hook", {}, "{}", 200ms));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::invalid_field);
    CHECK(result.error().field == "url");
    CHECK(result.error().message.find("loopback") != std::string::npos);
  }
  SECTION("allowed: tried (and here unreachable)") {
    HttpClient client(io, {"", true});
    auto result = run_until_done(io, client.post("http://192.0.2.1/hook", {}, "{}", 200ms));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::unavailable);
  }
  CHECK(piket::notifier::is_loopback_host("127.0.0.1"));
  CHECK(piket::notifier::is_loopback_host("127.3.2.1"));
  CHECK(piket::notifier::is_loopback_host("::1"));
  CHECK(piket::notifier::is_loopback_host("LOCALHOST"));
  CHECK_FALSE(piket::notifier::is_loopback_host("10.0.0.1"));
  CHECK_FALSE(piket::notifier::is_loopback_host("localhost.example.org"));
}

TEST_CASE("HttpClient posts over https when the server's certificate chains to the CA file, and "
          "refuses it otherwise") {
  const std::string dir = piket::test::make_temp_dir("piket-tls-client");
  const auto server_cert = piket::test::make_test_certificate(dir, "server");
  const auto other_cert = piket::test::make_test_certificate(dir, "other");
  piket::test::WebhookSink sink{[](const piket::test::SinkRequest&) {
                                  piket::test::SinkAnswer answer;
                                  answer.status = 202;
                                  return answer;
                                },
                                &server_cert};
  asio::io_context io;
  SECTION("the right CA") {
    HttpClient client(io, {server_cert.cert_file, false});
    auto result = run_until_done(io, client.post(sink.url("/hooks/x?token=t"), {{"X-A", "1"}},
                                                 R"({"a":1})", 3000ms));
    REQUIRE(result.ok());
    CHECK(result->status == 202);
    REQUIRE(sink.requests().size() == 1);
    CHECK(sink.requests()[0].body == R"({"a":1})");
    CHECK(sink.requests()[0].headers.at("x-a") == "1");
    CHECK(sink.requests()[0].headers.at("content-type") == "application/json");
  }
  SECTION("another CA") {
    HttpClient client(io, {other_cert.cert_file, false});
    auto result = run_until_done(io, client.post(sink.url("/hooks/x?token=t"), {}, "{}", 3000ms));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::unavailable);
    CHECK(result.error().message.find("verifying TLS") != std::string::npos);
    CHECK(result.error().message.find("token") == std::string::npos);
    CHECK(sink.requests().empty());
  }
  SECTION("the system store, which does not know a test CA") {
    HttpClient client(io);
    auto result = run_until_done(io, client.post(sink.url("/"), {}, "{}", 3000ms));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("verifying TLS") != std::string::npos);
  }
  sink.stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST_CASE("HttpClient keeps many requests to a receiver that hangs beside a fast one on one loop") {
  piket::test::WebhookSink sink{[](const piket::test::SinkRequest& r) {
    piket::test::SinkAnswer answer;
    answer.hang = r.path.rfind("/hang", 0) == 0;
    return answer;
  }};
  asio::io_context io;
  HttpClient client(io);
  int hung_done = 0;
  std::optional<std::chrono::steady_clock::duration> fast_took;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i)
    asio::co_spawn(io, client.post(sink.url("/hang"), {}, "{}", 800ms),
                   [&](std::exception_ptr, piket::Result<piket::notifier::HttpClientResponse> r) {
                     CHECK_FALSE(r.ok());
                     ++hung_done;
                   });
  asio::co_spawn(io, client.post(sink.url("/fast"), {}, "{}", 800ms),
                 [&](std::exception_ptr, piket::Result<piket::notifier::HttpClientResponse> r) {
                   CHECK(r.ok());
                   fast_took = std::chrono::steady_clock::now() - started;
                 });
  while ((hung_done < 8 || !fast_took) && std::chrono::steady_clock::now() - started < 5s)
    run_for_a_moment(io, 10ms);
  REQUIRE(fast_took.has_value());
  CHECK(*fast_took < 500ms);  // answered while the eight others still wait
  CHECK(hung_done == 8);
  CHECK(client.in_flight() == 0);
  sink.stop();
}

TEST_CASE("http URLs split into host, port and target with port 80 and / as defaults") {
  SECTION("bare host") {
    auto url = piket::notifier::parse_http_url("http://hooks.example.org");
    REQUIRE(url.ok());
    CHECK(url->host == "hooks.example.org");
    CHECK(url->port == 80);
    CHECK(url->target == "/");
  }
  SECTION("port, path and query") {
    auto url = piket::notifier::parse_http_url("HTTP://10.0.0.5:8080/v1/hook?token=abc");
    REQUIRE(url.ok());
    CHECK(url->host == "10.0.0.5");
    CHECK(url->port == 8080);
    CHECK(url->target == "/v1/hook?token=abc");
  }
  SECTION("IPv6 literal and a query without a path") {
    auto url = piket::notifier::parse_http_url("http://[::1]:9000?x=1");
    REQUIRE(url.ok());
    CHECK(url->host == "::1");
    CHECK(url->port == 9000);
    CHECK(url->target == "/?x=1");
  }
}
