#pragma once
// Request/reply between daemons: DEALER clients, a ROUTER server. Every request carries an id;
// a client waits a time-out, then resends the same id a bounded number of times (Lazy Pirate).
// The server answers a repeated id from its recent-replies cache instead of running it twice.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/envelope.hpp"
#include "common/result.hpp"
#include "common/zmq/async_socket.hpp"

namespace piket::zmqio {

class RpcServer {
 public:
  using Handler = std::function<boost::asio::awaitable<Result<nlohmann::json>>(const Envelope&)>;

  RpcServer(boost::asio::io_context& io, std::string endpoint, const Clock& clock);
  void on(std::string_view type, Handler handler);
  // Runs before every handler; a refusal is the answer and the handler does not run (the
  // daemons' access gate: auth::gate on the envelope's principal).
  void guard(std::function<Status(const Envelope&)> check) { guard_ = std::move(check); }
  Status bind();
  void start();
  // Stops taking requests (new ones are answered `unavailable`, the daemon is shutting down) and
  // returns once every request in flight is answered. The caller bounds it with its deadline.
  boost::asio::awaitable<void> drain();
  void stop();  // closes the socket; replies already queued still leave (linger)
  std::uint64_t requests_served() const { return served_; }
  std::size_t requests_in_flight() const { return active_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> serve(std::string identity, Envelope request);
  Error internal_failure(const Envelope& request, std::string_view event,
                         std::string_view what) const;
  void reply(const std::string& identity, const std::string& payload);
  void remember(const std::string& id, std::string payload);

  boost::asio::io_context& io_;
  std::string endpoint_;
  const Clock& clock_;
  AsyncSocket socket_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::function<Status(const Envelope&)> guard_;
  std::set<std::string> in_flight_;
  std::unordered_map<std::string, std::string> recent_;  // request id -> reply payload
  std::deque<std::string> recent_order_;
  std::uint64_t served_ = 0;
  std::size_t active_ = 0;  // handlers running now
  std::unique_ptr<boost::asio::steady_timer> idle_waiter_;  // wakes drain() at active_ == 0
  bool running_ = false;
  bool draining_ = false;
};

struct RpcOptions {
  std::chrono::milliseconds timeout{1000};
  int retries = 2;
};

class RpcClient {
 public:
  RpcClient(boost::asio::io_context& io, std::string endpoint, RpcOptions options,
            const Clock& clock)
      : RpcClient(io, std::vector<std::string>{std::move(endpoint)}, options, clock) {}
  // Several instances of one daemon: each request goes to one live instance (ZeroMQ deals them
  // round robin among the connected ones); a retry after a time-out may reach another.
  RpcClient(boost::asio::io_context& io, std::vector<std::string> endpoints, RpcOptions options,
            const Clock& clock);
  void start();  // connects (ZeroMQ reconnects by itself) and starts reading replies
  void stop();
  // The reply body, the error the server answered, or unavailable after the last retry.
  // `principal`: who asks, for requests on behalf of a person or an API client.
  boost::asio::awaitable<Result<nlohmann::json>> call(std::string_view type, nlohmann::json body,
                                                      std::optional<auth::Principal> principal = {});

 private:
  struct Pending {
    explicit Pending(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::optional<Envelope> reply;
  };
  boost::asio::awaitable<void> run();

  boost::asio::io_context& io_;
  std::vector<std::string> endpoints_;
  std::string endpoint_;  // the endpoints, for log lines
  RpcOptions options_;
  const Clock& clock_;
  AsyncSocket socket_;
  std::map<std::string, std::shared_ptr<Pending>> pending_;
  bool running_ = false;
};

// {"ok": body} or {"error": {...}} -> Result.
Result<nlohmann::json> reply_body(const Envelope& reply);

}  // namespace piket::zmqio
