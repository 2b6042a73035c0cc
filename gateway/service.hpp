#pragma once
// The gateway: the HTTP face of the daemons. Stateless; it speaks to them over ZeroMQ only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/metrics.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "gateway/api/router.hpp"
#include "gateway/http/http_server.hpp"

namespace piket::gateway {

class GatewayService {
 public:
  GatewayService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock);
  Status start();  // binds the HTTP port, connects to the daemons
  // Stops accepting connections and returns once every request in flight is answered.
  boost::asio::awaitable<void> drain() { return server_.drain(); }
  void stop();
  std::uint16_t port() const { return server_.port(); }

  // One request in, one response out (public for tests of the API without sockets).
  boost::asio::awaitable<HttpResponse> handle(HttpRequest request);

 private:
  boost::asio::awaitable<HttpResponse> submit_report(const HttpRequest& request);
  boost::asio::awaitable<HttpResponse> get_report(const HttpRequest& request, const std::string& id);
  boost::asio::awaitable<HttpResponse> change_assignment(const HttpRequest& request,
                                                         const std::string& id, bool accept);
  boost::asio::awaitable<HttpResponse> health();
  boost::asio::awaitable<HttpResponse> forward(const HttpRequest& request, const Route& route,
                                               zmqio::RpcClient& daemon);
  boost::asio::awaitable<HttpResponse> metrics_page();

  const PiketConfig config_;
  const Clock& clock_;
  HttpServer server_;
  zmqio::RpcClient dispatcher_;
  zmqio::RpcClient scheduler_;
  zmqio::Subscriber events_;
  std::unique_ptr<zmqio::Subscriber> roster_events_;  // when zmq.scheduler_events is set
  std::unique_ptr<zmqio::RpcClient> notifier_;         // when zmq.notifier_rpc is set (metrics only)
  Metrics metrics_{instance_name("gateway")};
};

// {"error": {code, field, message}} with the matching status.
HttpResponse error_response(const Error& error);
HttpResponse json_response(int status, const nlohmann::json& body);

}  // namespace piket::gateway
