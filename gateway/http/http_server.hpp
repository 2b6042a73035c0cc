#pragma once
// HTTP/1.1 server on the daemon's io_context: one coroutine per connection, no threads.
// Beast stays inside http_server.cpp; this header exposes only plain structs and Asio types.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "gateway/http/client_limits.hpp"
#include "gateway/http/http_types.hpp"

namespace piket::gateway {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; port() tells which
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10000};  // per request read and per response write
  int max_connections = 1024;
  ClientLimitOptions client_limits;  // per client address: connections and request rate
};

using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;

namespace detail {
struct HttpServerState;  // defined in http_server.cpp, shared with the connection coroutines
}

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // stops accepting; in-flight requests finish on the loop
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Opens and binds the listening socket. Fails (code unavailable, field "address" or "port")
  // with a message naming the endpoint and the reason, e.g. the port is in use.
  Status listen();
  // The bound port (the real one when options.port was 0); 0 before listen().
  uint16_t port() const;
  // Spawns the accept loop on the io_context. Requires a successful listen().
  void start();
  // Stops accepting and closes idle keep-alive connections; a request being handled is answered
  // (with Connection: close) and then its connection closes. Safe to call more than once.
  void stop();
  // stop(), then returns once every open connection is closed: each request in flight answered
  // with its real result. The caller bounds it with its deadline.
  boost::asio::awaitable<void> drain();
  // Connections currently open (not counting ones refused with 503).
  std::size_t connection_count() const;

 private:
  std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace piket::gateway
