#pragma once
// The gateway: the HTTP face of the daemons. It signs people and API clients in (accounts,
// sessions and tokens in Redis), puts the verified principal in the envelope of every request,
// and otherwise speaks to the daemons over ZeroMQ only; they decide who may see and do what.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <unordered_map>

#include "common/auth/account_store.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "gateway/api/router.hpp"
#include "gateway/http/http_server.hpp"
#include "gateway/live/wakeups.hpp"
#include "gateway/static/static_files.hpp"

namespace piket::gateway {

class GatewayService {
 public:
  GatewayService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock);
  Status start();  // binds the HTTP port, connects to the daemons
  // Stops accepting connections and returns once every request in flight is answered.
  // The live feeds end first: they would otherwise hold their connections open.
  boost::asio::awaitable<void> drain() {
    wakeups_.close();
    return server_.drain();
  }
  void stop();
  std::uint16_t port() const { return server_.port(); }

  // One request in, one response out (public for tests of the API without sockets).
  boost::asio::awaitable<HttpResponse> handle(HttpRequest request);

 private:
  using Who = auth::Authenticated;
  boost::asio::awaitable<HttpResponse> submit_report(const HttpRequest& request, const Who& who);
  boost::asio::awaitable<HttpResponse> get_report(const HttpRequest& request, const std::string& id,
                                                  const Who& who);
  boost::asio::awaitable<HttpResponse> change_assignment(const HttpRequest& request,
                                                         const std::string& id, bool accept,
                                                         const Who& who);
  boost::asio::awaitable<HttpResponse> health();
  boost::asio::awaitable<HttpResponse> forward(const HttpRequest& request, const Route& route,
                                               zmqio::RpcClient& daemon, const Who* who);
  boost::asio::awaitable<HttpResponse> metrics_page(const Who& who);
  // The session or token the request carries, verified; for a cookie session's change, its
  // CSRF token too. An error response (401, 403, 503) otherwise.
  boost::asio::awaitable<Result<Who>> authenticate(const HttpRequest& request);
  boost::asio::awaitable<HttpResponse> sign_in(const HttpRequest& request);
  boost::asio::awaitable<std::optional<HttpResponse>> second_factor_refusal(const auth::Account& account,
                                                                            const nlohmann::json& body,
                                                                            TimePoint now);
  boost::asio::awaitable<HttpResponse> who_am_i(const Who& who);
  boost::asio::awaitable<HttpResponse> sign_out(const Who& who);
  boost::asio::awaitable<HttpResponse> totp_begin(const Who& who);
  boost::asio::awaitable<HttpResponse> totp_confirm(const HttpRequest& request, const Who& who);
  // GET /api/v1/events: the live feed as server-sent events (gateway/live/live_feed.cpp).
  struct FeedState;
  boost::asio::awaitable<HttpResponse> events(const HttpRequest& request, const Who& who);
  boost::asio::awaitable<std::optional<std::string>> next_events(std::shared_ptr<FeedState> feed);
  // argon2id on the hashing pool, off the loop.
  boost::asio::awaitable<bool> password_matches(std::string stored, std::string password);

  const PiketConfig config_;
  const Clock& clock_;
  redis::Client redis_;
  auth::AccountStore accounts_;
  auth::SessionLimits session_limits_;
  auth::LoginLimits login_limits_;
  boost::asio::thread_pool hashing_{1};
  // Checked against when the account is unknown, so a wrong name costs what a wrong password does.
  std::string decoy_hash_;
  // Verified sessions and tokens by the hash of their text, each trusted for auth.cache_ms (by
  // the clock and in real time) before Redis is asked again.
  struct CachedAuth {
    auth::Authenticated who;
    TimePoint verified_at;
    std::chrono::steady_clock::time_point until;
  };
  std::unordered_map<std::string, CachedAuth> auth_cache_;
  const CachedAuth* cached_auth(const std::string& key);
  void remember_auth(const std::string& key, const auth::Authenticated& who);
  StaticFiles console_files_;  // the web console, loaded once at start-up
  Wakeups wakeups_;            // the live feeds, woken by the daemons' events
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
