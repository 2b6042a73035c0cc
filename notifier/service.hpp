#pragma once
// The notifier daemon: a member of the alert stream's consumer group. Each alert is POSTed to the
// worker's webhook with an HMAC-SHA256 signature; every attempt is recorded; failures are retried
// with back-off; the stream entry is acknowledged only once delivered, given up, or no longer
// needed (the assignment was accepted, declined or expired). The worker's webhook comes from
// the workers the scheduler stores (WorkerCatalog), so workers added through the API are reached.
#include <memory>
#include <set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/worker_catalog.hpp"
#include "common/domain/workers.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/redis/stream_consumer.hpp"
#include "common/zmq/rpc.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {

// Delay before retry number `attempt` (1-based): base * 2^(attempt-1), at most `max`.
std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

class NotifierService {
 public:
  NotifierService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                  RegionDirectory regions, WorkerDirectory workers, std::string webhook_secret);
  // Binds zmq.notifier_rpc when it is set (the gateway asks it for metrics there).
  Status start();
  // Takes no more alerts and returns once the deliveries under way are done: an attempt being
  // made finishes and is recorded; a delivery waiting to retry stops there, and its stream entry
  // stays pending for the next start (or another notifier).
  boost::asio::awaitable<void> drain();
  void stop();
  redis::Client& redis() { return redis_; }

 private:
  boost::asio::awaitable<bool> take(const redis::StreamEntry& entry);
  boost::asio::awaitable<void> deliver(redis::StreamEntry entry);
  boost::asio::awaitable<bool> record(const std::string& alert_id, const nlohmann::json& attempt,
                                      const std::string& outcome, const std::string& entry_id);

  boost::asio::io_context& io_;
  PiketConfig config_;
  const Clock& clock_;
  RegionDirectory regions_;
  std::string secret_;
  redis::Client redis_;
  WorkerCatalog workers_;
  HttpClient http_;
  std::unique_ptr<redis::StreamConsumer> consumer_;
  std::unique_ptr<zmqio::RpcServer> rpc_;  // when zmq.notifier_rpc is set
  Metrics metrics_{instance_name("notifier")};
  // Stream entries being delivered now. Shared with each delivery's coroutine, which may outlive
  // this service when the loop ends at the drain deadline (it is destroyed with the io_context).
  struct Deliveries {
    explicit Deliveries(boost::asio::io_context& io) : idle(io) {}
    void cut_pauses() {
      for (auto* pause : pauses) pause->cancel();
    }
    std::set<std::string> entries;
    std::set<boost::asio::steady_timer*> pauses;  // retry pauses under way; drain() cuts them
    boost::asio::steady_timer idle;               // cancelled when the last delivery ends
  };
  std::shared_ptr<Deliveries> deliveries_;
  bool running_ = false;
};

}  // namespace piket::notifier
