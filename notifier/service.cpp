#include "notifier/service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "common/envelope.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "notifier/store/notify_lua.hpp"

namespace piket::notifier {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("notifier"); }
}  // namespace

std::chrono::milliseconds retry_delay(int attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max) {
  return retry_backoff(attempt, base, max);
}

std::string notification_id(const std::string& alert_id, const std::string& channel,
                            const std::string& address, int series) {
  // A unit separator between the parts, so ("a", "bc") and ("ab", "c") differ. The address is
  // hashed, never shown: webhook URLs often carry tokens.
  const std::string parts =
      alert_id + '\x1f' + channel + '\x1f' + address + '\x1f' + std::to_string(series);
  return "n-" + sha256_hex(parts).substr(0, 32);
}

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds,
                              const std::string& body) {
  return "v1=" + hmac_sha256_hex(secret, std::to_string(unix_seconds) + "." + body);
}

NotifierService::NotifierService(asio::io_context& io, const PiketConfig& config,
                                 const Clock& clock, RegionDirectory regions,
                                 WorkerDirectory workers, std::string webhook_secret)
    : io_(io),
      config_(config),
      clock_(clock),
      regions_(std::move(regions)),
      secret_(std::move(webhook_secret)),
      redis_(io, config.redis, "notifier"),
      workers_(redis_, regions_, std::move(workers)),
      http_(io, HttpClientOptions{config.notifier.ca_file, config.notifier.allow_plain_http}),
      deliveries_(std::make_shared<Deliveries>(io, config.notifier.max_in_flight)),
      consumer_name_(redis::stable_consumer_name("notifier", config.zmq.notifier_rpc)) {
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, notify_library()); });
  redis::StreamConsumerOptions options;
  options.stream = keys::alert_stream();
  options.group = std::string(keys::kAlertGroup);
  options.consumer = consumer_name_;
  options.claim_idle = std::chrono::milliseconds(config.notifier.claim_idle_ms);
  consumer_ = std::make_unique<redis::StreamConsumer>(
      io, config.redis, options, [this](const redis::StreamEntry& e) { return take(e); });
  metrics_.describe("piket_webhook_attempts_total", MetricType::counter,
                    "Webhook attempts, by outcome: delivered, retry (failed, tried again) or failed (given up)");
  metrics_.describe("piket_webhook_duration_seconds", MetricType::histogram, "Webhook POST latency");
  metrics_.describe("piket_alerts_not_sent_total", MetricType::counter,
                    "Alerts not sent, by reason: unreadable, no_contact, or cancelled (assignment moved on)");
  if (!config.zmq.notifier_rpc.empty()) {
    rpc_ = std::make_unique<zmqio::RpcServer>(io, config.zmq.notifier_rpc, clock);
    rpc_->on(msg::kMetrics, [this](const Envelope&) -> asio::awaitable<Result<json>> {
      co_return json{{"content_type", "text/plain; version=0.0.4"}, {"text", metrics_.render()}};
    });
  }
}

Status NotifierService::start() {
  if (rpc_) {
    if (auto s = rpc_->bind(); !s.ok()) return s;
    rpc_->start();
  }
  running_ = true;
  redis_.start();
  consumer_->start();
  return ok_status();
}

asio::awaitable<void> NotifierService::drain() {
  running_ = false;
  auto deliveries = deliveries_;
  // First the waits (for a slot, for a retry), so the reader, which may be waiting for a slot,
  // can end; attempts under way finish and are recorded.
  deliveries->slots.close();
  deliveries->cut_pauses();
  co_await consumer_->drain();
  deliveries->cut_pauses();
  if (!deliveries->entries.empty()) {
    deliveries->idle.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await deliveries->idle.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void NotifierService::stop() {
  running_ = false;
  if (rpc_) rpc_->stop();
  deliveries_->slots.close();
  consumer_->stop();
  deliveries_->cut_pauses();
  redis_.stop();  // deliveries in flight stay pending in the stream and resume at next start
}

// Takes an entry off the stream and hands it to a delivery of its own, so one slow or hung
// webhook never holds up the alerts behind it; the entry stays pending until its delivery is
// recorded. The reader waits here for a free attempt slot: that is the cap on work in flight,
// and the back-pressure that keeps a burst in Redis rather than in memory.
asio::awaitable<bool> NotifierService::take(const redis::StreamEntry& entry) {
  if (!running_) co_return false;  // draining: the entry stays pending
  auto deliveries = deliveries_;
  if (deliveries->entries.count(entry.id) != 0) co_return true;  // under way here already
  const bool slot = co_await deliveries->slots.acquire();
  if (!slot) co_return false;  // draining while we waited
  if (!running_ || !deliveries->entries.insert(entry.id).second) {
    deliveries->slots.release();
    co_return running_;
  }
  asio::co_spawn(io_, deliver(entry), asio::detached);  // it starts with our slot
  co_return true;
}

asio::awaitable<bool> NotifierService::wait(std::chrono::milliseconds delay) {
  if (!running_) co_return false;
  // Listed while it waits, so that drain() can end the wait (the entry then stays pending).
  struct Listed {
    std::shared_ptr<Deliveries> deliveries;
    asio::steady_timer* timer;
    ~Listed() { deliveries->pauses.erase(timer); }
  };
  asio::steady_timer pause{io_};
  pause.expires_after(delay);
  Listed listed{deliveries_, &pause};
  listed.deliveries->pauses.insert(&pause);
  boost::system::error_code ec;
  co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec && running_;
}

asio::awaitable<bool> NotifierService::record(const std::string& alert_id, const json& attempt,
                                              const std::string& outcome,
                                              const std::string& entry_id,
                                              const std::string& lease,
                                              const std::string& owner) {
  std::vector<std::string> command{"FCALL", "piket_alert_record", lease.empty() ? "3" : "4",
                                   keys::alert_delivery(alert_id), keys::alert_attempts(alert_id),
                                   keys::alert_stream()};
  if (!lease.empty()) command.push_back(lease);
  for (std::string arg : {alert_id, attempt.is_null() ? std::string{} : attempt.dump(), outcome,
                          std::to_string(to_unix_ms(clock_.now())), entry_id,
                          std::string(keys::kAlertGroup), owner})
    command.push_back(std::move(arg));
  auto reply = co_await redis_.command(std::move(command));
  if (!reply.ok())
    log()->warn("event=record_failed alert={} reason=\"{}\"", alert_id, reply.error().to_string());
  co_return reply.ok();
}

asio::awaitable<void> NotifierService::deliver(redis::StreamEntry entry) {
  struct Release {
    std::shared_ptr<Deliveries> deliveries;
    std::string id;
    ~Release() {
      deliveries->entries.erase(id);
      if (deliveries->entries.empty()) deliveries->idle.cancel();
    }
  } release{deliveries_, entry.id};
  // The attempt slot take() acquired for us; given back while we wait, taken again to send.
  struct Slot {
    std::shared_ptr<Deliveries> deliveries;
    bool held = true;
    void give_back() {
      if (held) deliveries->slots.release();
      held = false;
    }
    ~Slot() { give_back(); }
  } slot{deliveries_};

  json alert = json::parse(entry.fields["alert"], nullptr, false);
  if (!alert.is_object() || !alert.contains("alert_id") || !alert["alert_id"].is_string() ||
      !alert.contains("worker") || !alert["worker"].is_string()) {
    log()->error("event=bad_alert entry={}", entry.id);
    metrics_.count("piket_alerts_not_sent_total", {{"reason", "unreadable"}});
    // (Records are built before each co_await: GCC 12 cannot keep brace-list temporaries there.)
    const json why{{"error", "unreadable alert"}};
    co_await record("invalid-" + entry.id, why, "failed", entry.id);
    co_return;
  }
  const std::string alert_id = alert["alert_id"].get<std::string>();
  const std::string worker_id = alert["worker"].get<std::string>();
  // Held for the whole delivery: a reload of the workers meanwhile does not move it.
  const auto workers = co_await workers_.current();
  const Worker* worker = workers->find(worker_id);
  if (!worker || worker->webhook_url.empty()) {
    log()->error("event=no_contact alert={} worker={}", alert_id, worker_id);
    metrics_.count("piket_alerts_not_sent_total", {{"reason", "no_contact"}});
    const json why{{"error", "worker has no contact method"}};
    co_await record(alert_id, why, "failed", entry.id);
    co_return;
  }
  // A call-out names its assignment (a repeat on a second channel shares it); notices (hand-off,
  // information, visit, consult, overdue check-in) have none and are always delivered.
  const std::string kind = alert.value("kind", std::string{"callout"});
  const std::string assignment_id =
      alert.contains("assignment") && alert["assignment"].is_string() ? alert["assignment"].get<std::string>()
      : kind == "callout"                                             ? alert_id
                                                                      : std::string{};
  const bool is_notice = assignment_id.empty();
  const std::string body = alert.dump();
  const std::string notification = notification_id(alert_id, "webhook", worker->webhook_url, 1);
  const std::string lease = keys::notification_lease(notification);
  // The lease holder is this delivery, not this notifier: a second stream entry for the same
  // alert (queued twice upstream) must not send beside the first even on the same notifier.
  const std::string owner = consumer_name_ + "/" + entry.id;
  // The lease outlasts one attempt and the two Redis steps around it.
  const int lease_ms = config_.notifier.http_timeout_ms + 2 * config_.redis.command_timeout_ms;
  const std::chrono::milliseconds base{config_.notifier.retry_base_ms};
  const std::chrono::milliseconds most{config_.notifier.retry_max_ms};

  int trouble = 0;  // Redis steps that failed in a row: no attempt made, look again later
  while (running_) {
    if (!slot.held) {
      const bool got = co_await deliveries_->slots.acquire();
      if (!got) co_return;  // draining: the entry stays pending
      slot.held = true;
      if (!running_) co_return;
    }
    // Before the attempt: is it still needed, and is nobody else sending it right now?
    std::vector<std::string> begin{"FCALL", "piket_alert_begin", "4",
                                   keys::alert_delivery(alert_id),
                                   keys::assignment(is_notice ? alert_id : assignment_id),
                                   keys::alert_attempts(alert_id), lease, notification, owner,
                                   std::to_string(lease_ms),
                                   std::to_string(to_unix_ms(clock_.now()))};
    auto guard = co_await redis_.command(std::move(begin));
    if (!guard.ok() || guard->elements.size() != 4) {
      slot.give_back();
      const bool waited = co_await wait(retry_delay(++trouble, base, most));
      if (!waited) co_return;  // stays pending
      continue;
    }
    trouble = 0;
    const std::string delivered = guard->elements[0].str, state = guard->elements[1].str;
    const std::string verdict = guard->elements[2].str;
    const int attempts_before = static_cast<int>(guard->elements[3].integer);
    if (verdict == "done") {
      const json nothing;
      co_await record(alert_id, nothing, delivered, entry.id);  // a repeat: just acknowledge
      co_return;
    }
    if (verdict == "busy") {
      // Another notifier is sending this very notification now. Its record (or its lease
      // running out, if it died) decides what we do next; we never send it beside it.
      log()->info("event=alert_busy alert={} notification={}", alert_id, notification);
      slot.give_back();
      const bool waited = co_await wait(base);
      if (!waited) co_return;
      continue;
    }
    // An alert whose assignment moved on (accepted by someone, declined, cancelled) is not sent.
    if (!is_notice && state != "alerted") {
      log()->info("event=alert_cancelled alert={} assignment_state={}", alert_id, state);
      metrics_.count("piket_alerts_not_sent_total", {{"reason", "cancelled"}});
      const json why{{"at", format_utc(clock_.now())}, {"cancelled", state}};
      co_await record(alert_id, why, "cancelled", entry.id, lease, owner);
      co_return;
    }
    if (attempts_before >= config_.notifier.max_attempts) {  // every attempt made already
      const json why{{"at", format_utc(clock_.now())}, {"error", "no attempts left"}};
      co_await record(alert_id, why, "failed", entry.id, lease, owner);
      co_return;
    }
    const int attempt = attempts_before + 1;
    const std::int64_t timestamp = to_unix_ms(clock_.now()) / 1000;
    const std::map<std::string, std::string> headers{
        {"Content-Type", "application/json"},
        {"X-Piket-Alert-Id", alert_id},
        {"X-Piket-Notification-Id", notification},
        {"X-Piket-Attempt", std::to_string(attempt)},
        {"X-Piket-Timestamp", std::to_string(timestamp)},
        {"X-Piket-Signature", webhook_signature(secret_, timestamp, body)}};
    const auto started = std::chrono::steady_clock::now();
    auto response = co_await http_.post(worker->webhook_url, headers, body,
                                        std::chrono::milliseconds(config_.notifier.http_timeout_ms));
    slot.give_back();  // the receiver has answered (or not): others may talk to theirs
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    json attempt_record{{"attempt", attempt}, {"at", format_utc(clock_.now())},
                        {"channel", "webhook"}, {"notification", notification},
                        {"ms", took.count()}};
    const bool ok = response.ok() && response->status >= 200 && response->status < 300;
    if (response.ok()) attempt_record["status"] = response->status;
    else attempt_record["error"] = response.error().message;
    const bool last = attempt >= config_.notifier.max_attempts;
    const std::string outcome = ok ? "delivered" : last ? "failed" : "retry";
    metrics_.count("piket_webhook_attempts_total", {{"outcome", outcome}});
    metrics_.observe("piket_webhook_duration_seconds", {},
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    // The record after the attempt is what keeps it from being made again: keep trying it
    // (an unrecorded delivery would be sent again by whoever claims the entry later).
    for (int tries = 1;; ++tries) {
      const bool recorded = co_await record(alert_id, attempt_record, outcome, entry.id, lease, owner);
      if (recorded) break;
      const bool waited = co_await wait(retry_delay(tries, base, most));
      if (!waited) co_return;  // stays pending; the lease runs out
    }
    if (ok) {
      log()->info("event=alert_delivered alert={} worker={} attempt={} ms={}", alert_id,
                  worker_id, attempt, took.count());
      co_return;
    }
    log()->warn("event=alert_attempt_failed alert={} worker={} attempt={} outcome={}", alert_id,
                worker_id, attempt, outcome);
    if (last) co_return;
    const bool waited = co_await wait(retry_delay(attempt, base, most));
    if (!waited) co_return;
  }
}

}  // namespace piket::notifier
