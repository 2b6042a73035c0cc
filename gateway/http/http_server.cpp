#include "gateway/http/http_server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <list>
#include <stdexcept>
#include <utility>

#include "common/envelope.hpp"
#include "common/log.hpp"
#include "common/utf8.hpp"
#include "gateway/http/security_headers.hpp"

namespace piket::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// After an error answer we stop reading requests but keep draining what the client still sends
// for a moment, so closing does not reset the connection before the client has read the answer.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;

using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;

HttpResponse error_response(ErrorCode code, std::string_view field, std::string_view message) {
  HttpResponse response;
  response.status = http_status_for(code);
  response.body = nlohmann::json{{"error", error_to_json(make_error(code, std::string(field),
                                                                    std::string(message)))}}
                      .dump();
  return response;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

template <class Message>
void set_head(Message& res, const HttpResponse& response, unsigned version) {
  res.version(version);
  const bool valid_status = response.status >= 100 && response.status <= 599;
  res.result(static_cast<unsigned>(valid_status ? response.status : 500));
  auto headers = response.headers;
  add_security_headers(headers);
  // Handler-supplied values must not be able to inject header lines.
  for (const auto& [name, value] : headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value)) continue;
    res.set(name, value);
  }
  res.set(http::field::server, "piket");
  if (!response.content_type.empty() && !has_line_break(response.content_type))
    res.set(http::field::content_type, response.content_type);
}

BeastResponse to_beast(const HttpResponse& response, unsigned version, bool keep_alive) {
  BeastResponse res;
  set_head(res, response, version);
  res.body() = response.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

HttpRequest from_beast(const BeastRequest& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = out.headers.try_emplace(std::move(name), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  out.body = req.body();
  out.remote = remote;
  return out;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// The client's address without the port: what per-client limits count by.
std::string peer_address(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}

// RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked has no length the
// server can trust, and one with both Transfer-Encoding and Content-Length is a smuggling
// attempt; either is answered 400 and the connection closed, never read on.
bool framing_is_ambiguous(const http::request_parser<http::string_body>& parser) {
  const auto& header = parser.get();
  const auto te = header.find(http::field::transfer_encoding);
  if (te == header.end()) return false;
  if (header.find(http::field::content_length) != header.end()) return true;
  return !parser.chunked();
}

std::string describe_peer(const tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = endpoint.address();
  std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return text + ":" + std::to_string(endpoint.port());
}

}  // namespace

namespace detail {
struct HttpServerState {
  // A live connection, so stop() can close the ones waiting for their next request.
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    const beast::flat_buffer* buffer = nullptr;
    const http::request_parser<http::string_body>* parser = nullptr;

    bool idle() const { return parser != nullptr && buffer->size() == 0 && !parser->got_some(); }
  };

  HttpServerState(asio::io_context& io_context, HttpServerOptions server_options, HttpHandler h)
      : io(io_context),
        options(std::move(server_options)),
        handler(std::move(h)),
        acceptor(io),
        limits(options.client_limits) {}

  asio::io_context& io;
  HttpServerOptions options;
  HttpHandler handler;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  bool started = false;
  bool stopping = false;
  std::list<Connection> connections;
  ClientLimits limits;
  std::unique_ptr<asio::steady_timer> drained;  // wakes drain() when the last connection goes
};
}  // namespace detail

namespace {

using State = detail::HttpServerState;

// Sends our half-close and reads (and discards) what the peer still sends, within limits.
asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(kLingerTime);
  std::array<char, 4096> scratch{};
  std::size_t drained = 0;
  while (drained < kLingerMaxBytes) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    if (read_ec) break;
    drained += n;
  }
  stream.close();
}

asio::awaitable<HttpResponse> call_handler(std::shared_ptr<State> state, HttpRequest request) {
  std::string failure;
  try {
    if (!state->handler) throw std::runtime_error("no handler installed");
    co_return co_await state->handler(std::move(request));
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  // Logged once with an id the answer carries too, so a caller's report finds the log line.
  const std::string request_id = new_id("r");
  piket::logger("gateway.http")
      ->error("event=handler_threw request_id={} what=\"{}\"", request_id, utf8_repaired(failure));
  HttpResponse answer =
      error_response(ErrorCode::internal, "", "internal error (request id " + request_id + ")");
  answer.headers["X-Request-Id"] = request_id;
  co_return answer;
}

// A session that ends by an exception (none is expected) is logged, never silently dropped.
void log_session_end(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    piket::logger("gateway.http")->error("event=session_threw what=\"{}\"", utf8_repaired(e.what()));
  } catch (...) {
    piket::logger("gateway.http")->error("event=session_threw what=\"unknown exception\"");
  }
}

// Answers a request the server refuses before any handler sees it, then closes when asked.
asio::awaitable<bool> answer_directly(beast::tcp_stream& stream, const HttpResponse& answer,
                                      std::chrono::milliseconds timeout, bool close) {
  auto res = to_beast(answer, 11, !close);
  stream.expires_after(timeout);
  auto [write_ec, written] = co_await http::async_write(stream, res, kTuple);
  (void)written;
  if (!write_ec && close) co_await linger_close(stream);
  co_return !write_ec;
}

// A streamed answer: the head (no length; the close ends the body), then each piece as the
// handler gives it, each write bounded by the read timeout, until the handler has no more,
// the client is gone or the server stops.
asio::awaitable<void> write_stream(State& state, beast::tcp_stream& stream, const HttpResponse& answer,
                                   unsigned version) {
  http::response<http::empty_body> head;
  set_head(head, answer, version);
  head.keep_alive(false);
  http::response_serializer<http::empty_body> serializer(head);
  stream.expires_after(state.options.read_timeout);
  auto [head_ec, head_bytes] = co_await http::async_write_header(stream, serializer, kTuple);
  (void)head_bytes;
  while (!head_ec && !state.stopping) {
    std::optional<std::string> piece = co_await answer.stream->next();
    if (!piece || state.stopping) break;
    stream.expires_after(state.options.read_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(*piece), kTuple);
    (void)n;
    if (ec) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> run_session(std::shared_ptr<State> state, tcp::socket socket,
                                  std::string address) {
  const std::string remote = describe_peer(socket);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;

  auto self = state->connections.insert(state->connections.end(), State::Connection{&stream});
  struct Unregister {
    State& state;
    std::list<State::Connection>::iterator it;
    const std::string& address;
    ~Unregister() {
      state.connections.erase(it);
      state.limits.close_connection(address);
      if (state.connections.empty() && state.drained) state.drained->cancel();
    }
  } unregister{*state, self, address};

  const auto& options = state->options;
  for (;;) {
    if (state->stopping) break;
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    self->parser = &parser;
    self->buffer = &buffer;
    // One deadline for the whole request, header and body: a client that sends slowly
    // (slowloris) loses its connection instead of holding it.
    stream.expires_after(options.read_timeout);
    auto [ec, bytes] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (!ec && framing_is_ambiguous(parser)) {
      self->parser = nullptr;
      co_await answer_directly(stream,
                               error_response(ErrorCode::invalid_field, "transfer-encoding",
                                              "only chunked is accepted, and never beside "
                                              "Content-Length"),
                               options.read_timeout, true);
      break;
    }
    if (!ec && !parser.is_done()) {
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
      ec = body_ec;
      bytes += body_bytes;
    }
    self->parser = nullptr;
    (void)bytes;

    if (ec == http::error::body_limit || is_parse_error(ec)) {
      const bool too_large = ec == http::error::body_limit;
      const HttpResponse answer =
          too_large ? error_response(ErrorCode::too_large, "body",
                                     "request body exceeds " +
                                         std::to_string(options.max_body_bytes) + " bytes")
                    : error_response(ErrorCode::invalid_field, "http",
                                     "malformed HTTP request: " + ec.message());
      auto res = to_beast(answer, 11, false);
      stream.expires_after(options.read_timeout);
      auto [write_ec, written] = co_await http::async_write(stream, res, kTuple);
      (void)written;
      if (!write_ec) co_await linger_close(stream);
      break;
    }
    if (ec) break;  // end of stream, timeout, reset, or closed by stop()

    const BeastRequest& req = parser.get();
    const unsigned version = req.version();
    const bool client_keep_alive = req.keep_alive();
    stream.expires_never();  // the handler's own time is its business, not the read timeout's
    HttpResponse answer;
    if (auto wait = state->limits.take_request(address, std::chrono::steady_clock::now());
        wait.count() > 0) {
      answer = error_response(ErrorCode::too_many_requests, "",
                              "too many requests from your address; retry after " +
                                  std::to_string(wait.count()) + " s");
      answer.headers["Retry-After"] = std::to_string(wait.count());
    } else {
      answer = co_await call_handler(state, from_beast(req, remote));
    }

    if (answer.stream) {
      co_await write_stream(*state, stream, answer, version);
      break;
    }
    const bool keep_alive = client_keep_alive && !state->stopping;
    auto res = to_beast(answer, version, keep_alive);
    stream.expires_after(options.read_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, res, kTuple);
    (void)written;
    if (write_ec) break;
    if (!keep_alive) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
  }
  stream.close();
}

asio::awaitable<void> refuse_connection(tcp::socket socket, std::chrono::milliseconds timeout,
                                        HttpResponse answer) {
  beast::tcp_stream stream(std::move(socket));
  co_await answer_directly(stream, answer, timeout, true);
  stream.close();
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  auto log = piket::logger("gateway.http");
  asio::steady_timer backoff(state->io);
  while (!state->stopping && state->acceptor.is_open()) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
    if (state->stopping || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of file descriptors and the like: wait a little rather than spin.
      log->warn("accept failed error=\"{}\"", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kTuple);
      continue;
    }
    if (std::cmp_greater_equal(state->connections.size(),
                               std::max(state->options.max_connections, 0))) {
      asio::co_spawn(state->io,
                     refuse_connection(std::move(socket), state->options.read_timeout,
                                       error_response(ErrorCode::unavailable, "", "too many connections")),
                     asio::detached);
      continue;
    }
    std::string address = peer_address(socket);
    if (!state->limits.open_connection(address)) {
      HttpResponse answer = error_response(ErrorCode::too_many_requests, "",
                                           "too many connections from your address");
      answer.headers["Retry-After"] = "1";
      asio::co_spawn(state->io,
                     refuse_connection(std::move(socket), state->options.read_timeout, std::move(answer)),
                     asio::detached);
      continue;
    }
    asio::co_spawn(state->io, run_session(state, std::move(socket), std::move(address)),
                   log_session_end);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, HttpHandler handler)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::listen() {
  auto& state = *state_;
  beast::error_code ec;
  const auto address = asio::ip::make_address(state.options.address, ec);
  if (ec)
    return make_error(ErrorCode::unavailable, "address",
                      "not an IP address: \"" + state.options.address + "\"");
  const tcp::endpoint endpoint(address, state.options.port);
  const std::string where = state.options.address + ":" + std::to_string(state.options.port);

  auto fail = [&](std::string_view step) -> Status {
    beast::error_code ignored;
    state.acceptor.close(ignored);
    return make_error(ErrorCode::unavailable, "port",
                      "cannot " + std::string(step) + " " + where + ": " + ec.message());
  };
  if (state.acceptor.is_open()) state.acceptor.close(ec);
  state.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  state.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  state.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  state.port = state.acceptor.local_endpoint(ec).port();
  if (ec) return fail("read the bound port of");
  return ok_status();
}

uint16_t HttpServer::port() const { return state_->port; }

void HttpServer::start() {
  if (state_->started || state_->stopping || !state_->acceptor.is_open()) return;
  state_->started = true;
  asio::co_spawn(state_->io, accept_loop(state_), asio::detached);
}

void HttpServer::stop() {
  auto& state = *state_;
  if (state.stopping) return;
  state.stopping = true;
  beast::error_code ignored;
  state.acceptor.close(ignored);
  for (auto& connection : state.connections)
    if (connection.idle()) connection.stream->socket().close(ignored);
}

asio::awaitable<void> HttpServer::drain() {
  auto state = state_;  // the server may go while we wait; the state may not
  stop();
  if (state->connections.empty()) co_return;
  state->drained = std::make_unique<asio::steady_timer>(state->io, asio::steady_timer::time_point::max());
  boost::system::error_code ec;
  co_await state->drained->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  state->drained.reset();
}

std::size_t HttpServer::connection_count() const { return state_->connections.size(); }

}  // namespace piket::gateway
