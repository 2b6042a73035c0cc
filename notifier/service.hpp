#pragma once
// The notifier daemon: a member of the alert stream's consumer group. Each alert is sent by the
// worker's notification rules (their own, or their role's defaults) to their verified contact
// methods: webhooks (signed), e-mail (SMTP), SMS and voice (an HTTP provider). Each send to one
// method is a notification with a deterministic id and a lease in Redis, retried with back-off
// on a timer; a method that fails for good, or whose channel's breaker is open, fails over to
// the worker's next channel at once. Every attempt is recorded; the stream entry is
// acknowledged once every send of the plan is final (delivered, failed, or not needed because
// the assignment moved on). Workers come from the scheduler's store (WorkerCatalog); contact
// methods and rules are the notifier's own (ContactStore), managed through its RPC requests.
//
// Deliveries run beside each other and beside the stream reader: at most
// notifier.max_in_flight attempts talk to receivers at once (AttemptSlots), a send waiting to
// retry or for its rule's delay holds nothing but a timer, and the reader takes new alerts
// while old ones wait. So a receiver that hangs costs its own alerts one time-out per attempt
// and nobody else anything.
#include <map>
#include <memory>
#include <set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/clock_timer.hpp"
#include "common/config.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/worker_catalog.hpp"
#include "common/domain/workers.hpp"
#include "common/envelope.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/redis/stream_consumer.hpp"
#include "common/zmq/rpc.hpp"
#include "notifier/attempt_slots.hpp"
#include "notifier/channels/channel.hpp"
#include "notifier/channels/channel_config.hpp"
#include "notifier/channels/http_client.hpp"
#include "notifier/channels/webhook_channel.hpp"
#include "notifier/contacts/contact_store.hpp"
#include "notifier/rules/circuit_breaker.hpp"
#include "notifier/rules/rate_limit.hpp"
#include "notifier/rules/send_plan.hpp"

namespace piket::notifier {

// Delay before retry number `attempt` (1-based): base * 2^(attempt-1), at most `max`.
std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

// The id of one notification: an alert sent to one contact method (channel and address) in one
// series. The same for every attempt, every retry and every notifier that claims the alert, so
// the guard in Redis (piket_alert_begin) and the receiver (X-Piket-Notification-Id) can tell a
// repeat from a new page. Series 1 is the first send to that method; a rule that rings the same
// channel again later is series 2.
std::string notification_id(const std::string& alert_id, const std::string& channel,
                            const std::string& address, int series);

class NotifierService {
 public:
  NotifierService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                  RegionDirectory regions, WorkerDirectory workers, std::string webhook_secret,
                  ChannelConfig channels = {}, RuleDefaults rule_defaults = {});
  // Binds zmq.notifier_rpc when it is set (the gateway asks it for metrics, contact methods
  // and rules there).
  Status start();
  // Takes no more alerts and returns once the deliveries under way are done: an attempt being
  // made finishes and is recorded; a delivery waiting (to retry, or for a rule's delay) stops
  // there, and its stream entry stays pending for the next start (or another notifier).
  boost::asio::awaitable<void> drain();
  void stop();
  redis::Client& redis() { return redis_; }

 private:
  struct AlertJob;  // one alert being delivered (service.cpp)
  boost::asio::awaitable<bool> take(const redis::StreamEntry& entry);
  boost::asio::awaitable<void> deliver(redis::StreamEntry entry);
  // One notification until it is final: "delivered", "failed", "cancelled", or "stopped"
  // (draining: it stays pending).
  // `slot_given`: it starts with the reader's attempt slot (the plan's first send, due now).
  boost::asio::awaitable<std::string> send_one(std::shared_ptr<const AlertJob> job, PlannedSend send,
                                               bool slot_given);
  boost::asio::awaitable<bool> record(const std::string& alert_id, const std::string& notification,
                                      const nlohmann::json& attempt, const std::string& outcome,
                                      const std::string& lease, const std::string& owner);
  boost::asio::awaitable<bool> finish(const std::string& alert_id, const std::string& outcome,
                                      const std::string& entry_id, const nlohmann::json& note);
  // Waits `delay` on a timer that drain() and stop() cut short; false when cut (or stopping).
  boost::asio::awaitable<bool> wait(std::chrono::milliseconds delay);
  // Waits until the clock reads `at` (a rule's delay, a rate limit); false when cut.
  boost::asio::awaitable<bool> wait_until(TimePoint at);
  // The worker's methods: their webhook_url (as before contact methods) and the stored ones.
  boost::asio::awaitable<Result<std::vector<ContactMethod>>> methods_of(const Worker& worker);
  boost::asio::awaitable<Result<NotificationRules>> rules_of(const Worker& worker);
  Channel* channel(ChannelKind kind);
  // The breaker of a provider channel (e-mail, SMS, voice: one provider serves everyone); null
  // for webhooks, where each receiver is one worker's own and a breaker would only cut that
  // worker's retries (their failures fail over like any other).
  CircuitBreaker* breaker(ChannelKind kind);

  // The contact and rules requests (contact_requests.cpp).
  void bind_contact_requests();
  boost::asio::awaitable<Result<nlohmann::json>> contact_list(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> contact_add(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> contact_delete(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> contact_send_code(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> contact_verify(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> contact_test(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> rules_get(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> rules_put(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> rules_delete(const Envelope& request);
  // A provider's delivery receipt (receipt_requests.cpp).
  boost::asio::awaitable<Result<nlohmann::json>> receipt_record(const Envelope& request);
  // The worker the request is about, when the principal may manage their contact data.
  boost::asio::awaitable<Result<Worker>> managed_worker(const Envelope& request);
  // Starts a code or test send to one method in the background; its receipt lands in the
  // method's last_code / last_test. Refused (too_many_requests) while the rate limit holds.
  Status start_direct_send(const std::string& worker, const ContactMethod& method,
                           const std::string& purpose, const std::string& code);
  boost::asio::awaitable<void> direct_send(std::string worker, ContactMethod method, std::string purpose,
                                           std::string code);
  std::string code_hash(const std::string& worker, const std::string& method, const std::string& code) const;

  boost::asio::io_context& io_;
  PiketConfig config_;
  const Clock& clock_;
  RegionDirectory regions_;
  std::string secret_;
  ChannelConfig channels_config_;
  RuleDefaults rule_defaults_;
  redis::Client redis_;
  WorkerCatalog workers_;
  ContactStore contacts_;
  HttpClient http_;
  std::map<ChannelKind, std::unique_ptr<Channel>> channels_;
  std::map<std::string, CircuitBreaker> breakers_;
  RateLimiter rate_;  // per notifier: two notifiers each keep their own count
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
      for (auto* sleep : sleeps) sleep->cancel();
    }
    std::set<std::string> entries;
    AttemptSlots slots;
    std::set<boost::asio::steady_timer*> pauses;  // retry pauses under way; drain() cuts them
    std::set<ClockTimer*> sleeps;                 // waits for a rule's delay or a rate limit
    boost::asio::steady_timer idle;               // cancelled when the last delivery ends
  };
  std::shared_ptr<Deliveries> deliveries_;
  std::string consumer_name_;
  bool running_ = false;
};

}  // namespace piket::notifier
