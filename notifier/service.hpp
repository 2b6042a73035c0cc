#pragma once
// The notifier daemon: a member of the alert stream's consumer group. Each alert is POSTed to the
// worker's webhook (https, or http to loopback) with an HMAC-SHA256 signature over a timestamp
// and the body; every attempt is recorded; failures are retried with back-off on a timer; the
// stream entry is acknowledged only once delivered, given up, or no longer needed (the
// assignment was accepted, declined or expired). The worker's webhook comes from the workers
// the scheduler stores (WorkerCatalog), so workers added through the API are reached.
//
// Deliveries run beside each other and beside the stream reader: at most
// notifier.max_in_flight attempts talk to receivers at once (AttemptSlots), a delivery waiting
// to retry holds nothing but a timer, and the reader takes new alerts while old ones wait. So a
// receiver that hangs costs its own alerts one time-out per attempt and nobody else anything.
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
#include "notifier/attempt_slots.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {

// Delay before retry number `attempt` (1-based): base * 2^(attempt-1), at most `max`.
std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

// The id of one notification: an alert sent to one contact method (channel and address) in one
// attempt series. The same for every attempt, every retry and every notifier that claims the
// alert, so the guard in Redis (piket_alert_begin) and the receiver (X-Piket-Notification-Id)
// can tell a repeat from a new page. Series 1 is the alert's own; a deliberate re-send after
// a final outcome would be a new series.
std::string notification_id(const std::string& alert_id, const std::string& channel,
                            const std::string& address, int series);

// The signature headers of one webhook request: X-Piket-Timestamp (Unix seconds) and
// X-Piket-Signature "v1=" + hex HMAC-SHA256 over "<timestamp>.<body>" keyed with the secret.
std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds,
                              const std::string& body);

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
                                      const std::string& outcome, const std::string& entry_id,
                                      const std::string& lease = "",
                                      const std::string& owner = "");
  // Waits `delay` on a timer that drain() and stop() cut short; false when cut (or stopping).
  boost::asio::awaitable<bool> wait(std::chrono::milliseconds delay);

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
    Deliveries(boost::asio::io_context& io, int max_in_flight)
        : slots(io, max_in_flight), idle(io) {}
    void cut_pauses() {
      for (auto* pause : pauses) pause->cancel();
    }
    std::set<std::string> entries;
    AttemptSlots slots;
    std::set<boost::asio::steady_timer*> pauses;  // retry pauses under way; drain() cuts them
    boost::asio::steady_timer idle;               // cancelled when the last delivery ends
  };
  std::shared_ptr<Deliveries> deliveries_;
  std::string consumer_name_;
  bool running_ = false;
};

}  // namespace piket::notifier
