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
  auto delay = base;
  for (int i = 1; i < attempt && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
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
      http_(io),
      deliveries_(std::make_shared<Deliveries>(io)) {
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, notify_library()); });
  redis::StreamConsumerOptions options;
  options.stream = keys::alert_stream();
  options.group = std::string(keys::kAlertGroup);
  options.consumer = "notifier-" + new_id("");
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
  co_await consumer_->drain();
  auto deliveries = deliveries_;
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
  consumer_->stop();
  deliveries_->cut_pauses();
  redis_.stop();  // deliveries in flight stay pending in the stream and resume at next start
}

// Takes an entry off the stream. Delivery runs on its own, so one slow webhook never holds up
// the alerts behind it; the entry stays pending until its delivery is recorded.
asio::awaitable<bool> NotifierService::take(const redis::StreamEntry& entry) {
  if (!running_) co_return false;  // draining: the entry stays pending
  if (!deliveries_->entries.insert(entry.id).second) co_return true;  // already being delivered
  asio::co_spawn(io_, deliver(entry), asio::detached);
  co_return true;
}

asio::awaitable<bool> NotifierService::record(const std::string& alert_id, const json& attempt,
                                              const std::string& outcome,
                                              const std::string& entry_id) {
  std::vector<std::string> command{"FCALL", "piket_alert_record", "3",
                                   keys::alert_delivery(alert_id), keys::alert_attempts(alert_id),
                                   keys::alert_stream(), alert_id,
                                   attempt.is_null() ? std::string{} : attempt.dump(), outcome,
                                   std::to_string(to_unix_ms(clock_.now())), entry_id,
                                   std::string(keys::kAlertGroup)};
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
  const std::map<std::string, std::string> headers{
      {"Content-Type", "application/json"},
      {"X-Piket-Alert-Id", alert_id},
      {"X-Piket-Signature", "sha256=" + hmac_sha256_hex(secret_, body)}};

  for (int attempt = 1; running_; ++attempt) {
    // An accepted, declined or expired assignment needs no more paging.
    std::vector<std::string> status_command{"FCALL_RO", "piket_alert_status", "2",
                                            keys::alert_delivery(alert_id),
                                            keys::assignment(is_notice ? alert_id : assignment_id)};
    auto status = co_await redis_.command(std::move(status_command));
    if (!status.ok() || status->elements.size() != 2) co_return;  // Redis trouble: stays pending
    const std::string delivered = status->elements[0].str, state = status->elements[1].str;
    if (delivered == "delivered" || delivered == "failed" || delivered == "cancelled") {
      const json nothing;
      co_await record(alert_id, nothing, delivered, entry.id);  // a repeat: just acknowledge
      co_return;
    }
    // An alert whose assignment moved on (accepted by someone, declined, cancelled) is not sent.
    if (!is_notice && state != "alerted") {
      log()->info("event=alert_cancelled alert={} assignment_state={}", alert_id, state);
      metrics_.count("piket_alerts_not_sent_total", {{"reason", "cancelled"}});
      const json why{{"at", format_utc(clock_.now())}, {"cancelled", state}};
      co_await record(alert_id, why, "cancelled", entry.id);
      co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    auto response = co_await http_.post(worker->webhook_url, headers, body,
                                        std::chrono::milliseconds(config_.notifier.http_timeout_ms));
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    json attempt_record{{"attempt", attempt}, {"at", format_utc(clock_.now())},
                        {"channel", "webhook"}, {"ms", took.count()}};
    const bool ok = response.ok() && response->status >= 200 && response->status < 300;
    if (response.ok()) attempt_record["status"] = response->status;
    else attempt_record["error"] = response.error().message;
    const bool last = attempt >= config_.notifier.max_attempts;
    const std::string outcome = ok ? "delivered" : last ? "failed" : "retry";
    metrics_.count("piket_webhook_attempts_total", {{"outcome", outcome}});
    metrics_.observe("piket_webhook_duration_seconds", {},
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    if (!co_await record(alert_id, attempt_record, outcome, entry.id)) co_return;
    if (ok) {
      log()->info("event=alert_delivered alert={} worker={} attempt={} ms={}", alert_id,
                  worker_id, attempt, took.count());
      co_return;
    }
    log()->warn("event=alert_attempt_failed alert={} worker={} attempt={} outcome={}", alert_id,
                worker_id, attempt, outcome);
    if (last || !running_) co_return;
    // Listed while it waits, so that drain() can end the wait (the entry then stays pending).
    asio::steady_timer pause{io_};
    pause.expires_after(retry_delay(attempt, std::chrono::milliseconds(config_.notifier.retry_base_ms),
                                    std::chrono::milliseconds(config_.notifier.retry_max_ms)));
    release.deliveries->pauses.insert(&pause);
    boost::system::error_code ec;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    release.deliveries->pauses.erase(&pause);
  }
}

}  // namespace piket::notifier
