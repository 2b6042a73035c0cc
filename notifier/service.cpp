#include "notifier/service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/auth/access.hpp"
#include "common/crypto.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "common/redis/functions.hpp"
#include "notifier/channels/provider_channel.hpp"
#include "notifier/channels/smtp_channel.hpp"
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
  // hashed, never shown: webhook URLs often carry tokens, phone numbers are personal.
  const std::string parts =
      alert_id + '\x1f' + channel + '\x1f' + address + '\x1f' + std::to_string(series);
  return "n-" + sha256_hex(parts).substr(0, 32);
}

// One alert being delivered: what every send of its plan shares.
struct NotifierService::AlertJob {
  std::string alert_id;
  std::string worker_id;
  std::string assignment_id;  // "" for notices: always delivered
  std::string entry_id;
  json alert;  // the alert's public fields only
  AlertText text;
  std::string body;  // the webhook body
  TimePoint planned_at;
};

NotifierService::NotifierService(asio::io_context& io, const PiketConfig& config,
                                 const Clock& clock, RegionDirectory regions,
                                 WorkerDirectory workers, std::string webhook_secret,
                                 ChannelConfig channels, RuleDefaults rule_defaults)
    : io_(io),
      config_(config),
      clock_(clock),
      regions_(std::move(regions)),
      secret_(std::move(webhook_secret)),
      channels_config_(std::move(channels)),
      rule_defaults_(std::move(rule_defaults)),
      redis_(io, config.redis, "notifier"),
      workers_(redis_, regions_, std::move(workers)),
      contacts_(redis_),
      http_(io, HttpClientOptions{config.notifier.ca_file, config.notifier.allow_plain_http}),
      deliveries_(std::make_shared<Deliveries>(io, config.notifier.max_in_flight)),
      consumer_name_(redis::stable_consumer_name("notifier", config.zmq.notifier_rpc)) {
  const std::chrono::milliseconds timeout{config.notifier.http_timeout_ms};
  channels_[ChannelKind::webhook] = std::make_unique<WebhookChannel>(http_, clock_, secret_, timeout);
  if (channels_config_.email.enabled)
    channels_[ChannelKind::email] = std::make_unique<SmtpChannel>(http_, clock_, channels_config_.email, timeout);
  if (channels_config_.sms.enabled)
    channels_[ChannelKind::sms] =
        std::make_unique<ProviderChannel>(http_, ChannelKind::sms, channels_config_.sms, timeout);
  if (channels_config_.voice.enabled)
    channels_[ChannelKind::voice] =
        std::make_unique<ProviderChannel>(http_, ChannelKind::voice, channels_config_.voice, timeout);

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
  metrics_.describe("piket_notification_attempts_total", MetricType::counter,
                    "Attempts on every channel, by channel and outcome (delivered, retry, failed)");
  metrics_.describe("piket_notification_duration_seconds", MetricType::histogram,
                    "Latency of one attempt, by channel");
  metrics_.describe("piket_notification_failovers_total", MetricType::counter,
                    "Sends moved to another channel after a method failed for good, by the channel left");
  metrics_.describe("piket_breaker_refused_total", MetricType::counter,
                    "Sends not tried because the channel's circuit breaker was open, by channel");
  metrics_.describe("piket_alerts_not_sent_total", MetricType::counter,
                    "Alerts not sent, by reason: unreadable, no_contact, or cancelled (assignment moved on)");
  if (!config.zmq.notifier_rpc.empty()) {
    rpc_ = std::make_unique<zmqio::RpcServer>(io, config.zmq.notifier_rpc, clock);
    rpc_->guard([](const Envelope& e) { return auth::gate(e.principal ? &*e.principal : nullptr, e.type); });
    rpc_->on(msg::kMetrics, [this](const Envelope&) -> asio::awaitable<Result<json>> {
      co_return json{{"content_type", "text/plain; version=0.0.4"}, {"text", metrics_.render()}};
    });
    bind_contact_requests();
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
  // First the waits (for a slot, for a retry, for a rule's delay), so the reader, which may be
  // waiting for a slot, can end; attempts under way finish and are recorded.
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

Channel* NotifierService::channel(ChannelKind kind) {
  auto found = channels_.find(kind);
  return found == channels_.end() ? nullptr : found->second.get();
}

CircuitBreaker* NotifierService::breaker(ChannelKind kind) {
  if (kind == ChannelKind::webhook) return nullptr;
  const std::string key(channel_name(kind));
  auto found = breakers_.find(key);
  if (found == breakers_.end()) found = breakers_.emplace(key, CircuitBreaker(channels_config_.breaker)).first;
  return &found->second;
}

// Takes an entry off the stream and hands it to a delivery of its own, so one slow or hung
// receiver never holds up the alerts behind it; the entry stays pending until its delivery is
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

asio::awaitable<bool> NotifierService::wait_until(TimePoint at) {
  struct Listed {
    std::shared_ptr<Deliveries> deliveries;
    ClockTimer* sleep;
    ~Listed() { deliveries->sleeps.erase(sleep); }
  };
  ClockTimer sleep{io_.get_executor(), clock_};
  Listed listed{deliveries_, &sleep};
  listed.deliveries->sleeps.insert(&sleep);
  while (running_ && clock_.now() < at) co_await sleep.sleep_until(at, std::chrono::seconds(1));
  co_return running_;
}

asio::awaitable<bool> NotifierService::record(const std::string& alert_id, const std::string& notification,
                                              const json& attempt, const std::string& outcome,
                                              const std::string& lease, const std::string& owner) {
  auto command = redis::fcall(
      "piket_alert_record", {keys::notification(notification), keys::alert_attempts(alert_id), lease},
      {attempt.is_null() ? std::string{} : attempt.dump(), outcome, std::to_string(to_unix_ms(clock_.now())), owner});
  auto reply = co_await redis_.command(std::move(command));
  if (!reply.ok())
    log()->warn("event=record_failed alert={} reason=\"{}\"", alert_id, reply.error().to_string());
  co_return reply.ok();
}

asio::awaitable<bool> NotifierService::finish(const std::string& alert_id, const std::string& outcome,
                                              const std::string& entry_id, const json& note) {
  auto command = redis::fcall(
      "piket_alert_finish", {keys::alert_delivery(alert_id), keys::alert_stream(), keys::alert_attempts(alert_id)},
      {alert_id, outcome, std::to_string(to_unix_ms(clock_.now())), entry_id, std::string(keys::kAlertGroup),
       note.is_null() ? std::string{} : note.dump()});
  auto reply = co_await redis_.command(std::move(command));
  if (!reply.ok())
    log()->warn("event=finish_failed alert={} reason=\"{}\"", alert_id, reply.error().to_string());
  co_return reply.ok();
}

asio::awaitable<Result<std::vector<ContactMethod>>> NotifierService::methods_of(const Worker& worker) {
  auto stored = co_await contacts_.list(worker.id);
  if (!stored) co_return stored.error();
  std::vector<ContactMethod> out;
  if (auto legacy = legacy_webhook(worker)) out.push_back(std::move(*legacy));
  for (auto& m : *stored)
    if (out.empty() || !(m.channel == ChannelKind::webhook && m.address == worker.webhook_url))
      out.push_back(std::move(m));
  co_return out;
}

asio::awaitable<Result<NotificationRules>> NotifierService::rules_of(const Worker& worker) {
  auto own = co_await contacts_.rules(worker.id);
  if (!own) co_return own.error();
  if (own->has_value()) co_return std::move(**own);
  co_return rule_defaults_.for_worker(worker);
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
  // The attempt slot take() acquired for us: given back once the plan is made; each attempt
  // takes one of its own.
  struct Slot {
    std::shared_ptr<Deliveries> deliveries;
    bool held = true;
    void give_back() {
      if (held) deliveries->slots.release();
      held = false;
    }
    ~Slot() { give_back(); }
  } slot{deliveries_};
  const std::chrono::milliseconds base{config_.notifier.retry_base_ms};
  const std::chrono::milliseconds most{config_.notifier.retry_max_ms};

  json alert = json::parse(entry.fields["alert"], nullptr, false);
  if (!alert.is_object() || !alert.contains("alert_id") || !alert["alert_id"].is_string() ||
      !alert.contains("worker") || !alert["worker"].is_string()) {
    log()->error("event=bad_alert entry={}", entry.id);
    metrics_.count("piket_alerts_not_sent_total", {{"reason", "unreadable"}});
    // (Records are built before each co_await: GCC 12 cannot keep brace-list temporaries there.)
    const json why{{"error", "unreadable alert"}};
    co_await finish("invalid-" + entry.id, "failed", entry.id, why);
    co_return;
  }
  auto job = std::make_shared<AlertJob>();
  job->alert_id = alert["alert_id"].get<std::string>();
  job->worker_id = alert["worker"].get<std::string>();
  job->entry_id = entry.id;
  // A call-out names its assignment (a repeat on a second channel shares it); notices (hand-off,
  // information, visit, consult, overdue check-in) have none and are always delivered.
  const std::string kind = alert.value("kind", std::string{"callout"});
  job->assignment_id = alert.contains("assignment") && alert["assignment"].is_string()
                           ? alert["assignment"].get<std::string>()
                       : kind == "callout" ? job->alert_id
                                           : std::string{};
  job->alert = alert_public_fields(alert);
  job->body = job->alert.dump();
  job->text = render_alert(job->alert, channels_config_.time_zone);
  const std::string urgency = kind == "callout" ? alert.value("urgency", std::string{"default"}) : "notice";
  const std::string ladder_channel = alert.value("channel", std::string{"primary"});

  // Held for the whole delivery: a reload of the workers meanwhile does not move it.
  const auto workers = co_await workers_.current();
  const Worker* worker = workers->find(job->worker_id);
  std::vector<ContactMethod> methods;
  std::vector<PlannedSend> plan;
  for (int trouble = 1; worker && running_; ++trouble) {
    // Methods, rules and the plan's start time from Redis; while it cannot answer, look again
    // later (holding no slot): the alert stays pending, never lost.
    auto found = co_await methods_of(*worker);
    Result<NotificationRules> rules = make_error(ErrorCode::unavailable, "", "not asked");
    if (found) rules = co_await rules_of(*worker);
    std::vector<std::string> planned_command = redis::fcall(
        "piket_alert_planned_at", {keys::alert_delivery(job->alert_id)},
        {std::to_string(to_unix_ms(clock_.now())), job->alert_id});
    Result<redis::Value> planned = make_error(ErrorCode::unavailable, "", "not asked");
    if (rules) planned = co_await redis_.command(std::move(planned_command));
    if (found && rules && planned) {
      methods = std::move(*found);
      plan = plan_sends(rules->steps_for(urgency), methods, ladder_channel);
      job->planned_at = from_unix_ms(planned->integer);
      break;
    }
    slot.give_back();
    if (!co_await wait(retry_delay(trouble, base, most))) co_return;  // stays pending
  }
  if (!running_) co_return;
  if (plan.empty()) {
    slot.give_back();
    log()->error("event=no_contact alert={} worker={}", job->alert_id, job->worker_id);
    metrics_.count("piket_alerts_not_sent_total", {{"reason", "no_contact"}});
    const json why{{"at", format_utc(clock_.now())}, {"error", "worker has no verified contact method"}};
    while (!co_await finish(job->alert_id, "failed", entry.id, why))
      if (!co_await wait(base)) co_return;
    co_return;
  }

  // Every send of the plan beside the others (a hung webhook never delays the SMS); a method
  // that fails for good fails over to the worker's next channel at once.
  struct Join {
    explicit Join(asio::io_context& io) : done(io) {}
    asio::steady_timer done;
    int running = 0;
    std::vector<std::pair<PlannedSend, std::string>> ended;
  };
  auto join = std::make_shared<Join>(io_);
  join->done.expires_at(asio::steady_timer::time_point::max());
  std::set<std::string> failed_over;  // methods a fail-over sent to (not waiting for their step)
  std::set<ChannelKind> tried_or_shut;
  auto spawn = [&](PlannedSend send, bool with_slot) {
    ++join->running;
    asio::co_spawn(io_, send_one(job, send, with_slot),
                   [join, send](std::exception_ptr error, std::string outcome) {
                     join->ended.emplace_back(send, error ? std::string("failed") : outcome);
                     --join->running;
                     join->done.cancel();
                   });
  };
  // The reader's slot goes on to the first send when it is due now, so a new alert's first
  // attempt does not queue again behind retries waiting for a slot; otherwise it is given back.
  const bool hand_on = slot.held && job->planned_at + std::chrono::seconds(plan.front().after_s) <= clock_.now();
  if (!hand_on) slot.give_back();
  slot.held = false;
  for (std::size_t i = 0; i < plan.size(); ++i) spawn(plan[i], i == 0 && hand_on);
  bool delivered = false, cancelled = false, stopped = false;
  while (join->running > 0 || !join->ended.empty()) {
    if (join->ended.empty()) {
      boost::system::error_code ec;
      join->done.expires_at(asio::steady_timer::time_point::max());
      co_await join->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    auto [send, outcome] = join->ended.front();
    join->ended.erase(join->ended.begin());
    delivered = delivered || outcome == "delivered";
    cancelled = cancelled || outcome == "cancelled";
    stopped = stopped || outcome == "stopped";
    if (outcome != "failed" || stopped || cancelled) continue;
    tried_or_shut.insert(send.method.channel);
    const TimePoint now = clock_.now();
    for (ChannelKind kind : all_channels())
      if (!channel(kind) || (breaker(kind) && breaker(kind)->state(now) == BreakerState::open))
        tried_or_shut.insert(kind);
    // Started: what a fail-over sent to, and the plan's steps that are due by now.
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now - job->planned_at).count();
    std::set<std::string> started = failed_over;
    for (const auto& p : plan)
      if (p.after_s <= now_s) started.insert(p.method.id);
    if (auto next = fail_over_method(plan, methods, started, tried_or_shut)) {
      metrics_.count("piket_notification_failovers_total", {{"channel", std::string(channel_name(send.method.channel))}});
      log()->warn("event=fail_over alert={} worker={} from={} to={}", job->alert_id, job->worker_id,
                  channel_name(send.method.channel), channel_name(next->channel));
      // At once, as series 1 of that method: when its own step comes due later, that step finds
      // the notification done (the same id) and sends nothing.
      failed_over.insert(next->id);
      spawn(PlannedSend{*next, static_cast<int>(std::max<std::int64_t>(0, now_s)), 1}, false);
    }
  }
  if (stopped) co_return;  // draining: the entry stays pending, the next start takes it up
  const std::string outcome = delivered ? "delivered" : cancelled ? "cancelled" : "failed";
  if (cancelled && !delivered) metrics_.count("piket_alerts_not_sent_total", {{"reason", "cancelled"}});
  const json nothing;
  while (!co_await finish(job->alert_id, outcome, entry.id, nothing))
    if (!co_await wait(base)) co_return;
}

asio::awaitable<std::string> NotifierService::send_one(std::shared_ptr<const AlertJob> job, PlannedSend send,
                                                       bool slot_given) {
  const ContactMethod& method = send.method;
  const std::string channel_text(channel_name(method.channel));
  const std::string notification = notification_id(job->alert_id, channel_text, method.address, send.series);
  const std::string lease = keys::notification_lease(notification);
  // The lease holder is this delivery, not this notifier: a second stream entry for the same
  // alert (queued twice upstream) must not send beside the first even on the same notifier.
  const std::string owner = consumer_name_ + "/" + job->entry_id;
  // The lease outlasts one attempt and the two Redis steps around it.
  const int lease_ms = config_.notifier.http_timeout_ms + 2 * config_.redis.command_timeout_ms;
  const std::chrono::milliseconds base{config_.notifier.retry_base_ms};
  const std::chrono::milliseconds most{config_.notifier.retry_max_ms};
  const std::string rate_key = job->worker_id + "/" + method.id;
  const bool is_notice = job->assignment_id.empty();

  struct Slot {
    std::shared_ptr<Deliveries> deliveries;
    bool held = false;
    void give_back() {
      if (held) deliveries->slots.release();
      held = false;
    }
    ~Slot() { give_back(); }
  } slot{deliveries_, slot_given};  // the reader's slot, handed on for a first attempt due now
  const TimePoint due = job->planned_at + std::chrono::seconds(send.after_s);
  if (due > clock_.now()) slot.give_back();  // a wait holds no slot
  if (!co_await wait_until(due)) co_return "stopped";
  Channel* sender = channel(method.channel);
  int trouble = 0;  // Redis steps that failed in a row: no attempt made, look again later
  while (running_) {
    const TimePoint allowed = rate_.next_allowed(rate_key, method.channel, true, clock_.now());
    if (allowed > clock_.now()) {
      slot.give_back();
      if (!co_await wait_until(allowed)) co_return "stopped";
      continue;
    }
    if (!slot.held) {
      const bool got = co_await deliveries_->slots.acquire();
      if (!got) co_return "stopped";
      slot.held = true;
    }
    if (!running_) co_return "stopped";
    // Before the attempt: is it still needed, and is nobody else sending it right now?
    auto begin = redis::fcall("piket_alert_begin",
                              {keys::notification(notification),
                               keys::assignment(is_notice ? job->alert_id : job->assignment_id), lease},
                              {notification, owner, std::to_string(lease_ms), std::to_string(to_unix_ms(clock_.now())),
                               job->alert_id, channel_text, method.id});
    auto guard = co_await redis_.command(std::move(begin));
    if (!guard.ok() || guard->elements.size() != 4) {
      slot.give_back();
      if (!co_await wait(retry_delay(++trouble, base, most))) co_return "stopped";
      continue;
    }
    trouble = 0;
    const std::string status = guard->elements[0].str, state = guard->elements[1].str;
    const std::string verdict = guard->elements[2].str;
    const int attempts_before = static_cast<int>(guard->elements[3].integer);
    if (verdict == "done") co_return status;  // final already (another notifier, or before a restart)
    if (verdict == "busy") {
      // Another notifier is sending this very notification now. Its record (or its lease
      // running out, if it died) decides what we do next; we never send it beside it.
      log()->info("event=alert_busy alert={} notification={}", job->alert_id, notification);
      slot.give_back();
      if (!co_await wait(base)) co_return "stopped";
      continue;
    }
    // An alert whose assignment moved on (accepted by someone, declined, cancelled) is not sent.
    if (!is_notice && state != "alerted") {
      log()->info("event=alert_cancelled alert={} assignment_state={}", job->alert_id, state);
      const json why{{"at", format_utc(clock_.now())}, {"channel", channel_text}, {"notification", notification},
                     {"cancelled", state}};
      while (!co_await record(job->alert_id, notification, why, "cancelled", lease, owner))
        if (!co_await wait(base)) co_return "stopped";
      co_return "cancelled";
    }
    std::string refusal;
    if (!sender) refusal = "the " + channel_text + " channel is not configured";
    else if (attempts_before >= config_.notifier.max_attempts) refusal = "no attempts left";
    else if (breaker(method.channel) && !breaker(method.channel)->allow(clock_.now())) refusal = "the " + channel_text + " channel is shut (breaker open)";
    if (!refusal.empty()) {
      if (sender) metrics_.count("piket_breaker_refused_total", {{"channel", channel_text}});
      const json why{{"at", format_utc(clock_.now())}, {"channel", channel_text}, {"notification", notification},
                     {"error", refusal}};
      while (!co_await record(job->alert_id, notification, why, "failed", lease, owner))
        if (!co_await wait(base)) co_return "stopped";
      co_return "failed";
    }
    const int attempt = attempts_before + 1;
    OutgoingMessage message;
    message.notification_id = notification;
    message.alert_id = job->alert_id;
    message.attempt = attempt;
    message.text = job->text;
    message.json_body = job->body;
    const auto started = std::chrono::steady_clock::now();
    auto sent = co_await sender->send(method.address, message);
    slot.give_back();  // the receiver has answered (or not): others may talk to theirs
    if (sent.ok()) rate_.sent(rate_key, clock_.now());  // a refused attempt sent nothing
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    json attempt_record{{"attempt", attempt},          {"at", format_utc(clock_.now())},
                        {"channel", channel_text},     {"method", method.id},
                        {"notification", notification}, {"ms", took.count()}};
    const bool ok = sent.ok();
    // A refusal of this address or message (4xx from a provider) never gets better: fail over.
    const bool permanent = !ok && sent.error().code != ErrorCode::unavailable;
    if (ok) {
      attempt_record["status"] = sent->status;
      if (auto* b = breaker(method.channel)) b->succeeded();
    } else {
      attempt_record["error"] = sent.error().message;
      if (auto* b = breaker(method.channel); b && !permanent) b->failed(clock_.now());
    }
    const bool last = attempt >= config_.notifier.max_attempts || permanent;
    const std::string outcome = ok ? "delivered" : last ? "failed" : "retry";
    metrics_.count("piket_notification_attempts_total", {{"channel", channel_text}, {"outcome", outcome}});
    metrics_.observe("piket_notification_duration_seconds", {{"channel", channel_text}},
                     std::chrono::duration_cast<std::chrono::microseconds>(took));
    if (method.channel == ChannelKind::webhook) {
      metrics_.count("piket_webhook_attempts_total", {{"outcome", outcome}});
      metrics_.observe("piket_webhook_duration_seconds", {}, std::chrono::duration_cast<std::chrono::microseconds>(took));
    }
    // The record after the attempt is what keeps it from being made again: keep trying it
    // (an unrecorded delivery would be sent again by whoever claims the entry later).
    for (int tries = 1;; ++tries) {
      if (co_await record(job->alert_id, notification, attempt_record, outcome, lease, owner)) break;
      if (!co_await wait(retry_delay(tries, base, most))) co_return "stopped";  // the lease runs out
    }
    if (ok) {
      log()->info("event=alert_delivered alert={} worker={} channel={} attempt={} ms={}", job->alert_id,
                  job->worker_id, channel_text, attempt, took.count());
      co_return "delivered";
    }
    log()->warn("event=alert_attempt_failed alert={} worker={} channel={} attempt={} outcome={}", job->alert_id,
                job->worker_id, channel_text, attempt, outcome);
    if (last) co_return "failed";
    if (!co_await wait(retry_delay(attempt, base, most))) co_return "stopped";
  }
  co_return "stopped";
}

}  // namespace piket::notifier
