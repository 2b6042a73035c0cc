#include "dispatcher/service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/crypto.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "dispatcher/intake/report_input.hpp"
#include "dispatcher/matching/candidate_choice.hpp"
#include "dispatcher/store/dispatch_lua.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("dispatcher"); }

Error invalid(std::string field, std::string message) {
  return make_error(ErrorCode::invalid_field, std::move(field), std::move(message));
}

// A short printable token: idempotency keys, actors, purposes.
std::optional<Error> check_token(const json& body, const std::string& key, bool required,
                                 std::size_t max, std::string& out) {
  if (!body.contains(key) || body[key].is_null()) {
    if (required) return invalid(key, "is required");
    return std::nullopt;
  }
  if (!body[key].is_string()) return invalid(key, "must be a string");
  out = body[key].get<std::string>();
  if (out.empty() || out.size() > max)
    return invalid(key, "must be 1 to " + std::to_string(max) + " characters");
  for (unsigned char c : out)
    if (c < 0x21 || c > 0x7e) return invalid(key, "must be printable ASCII without spaces");
  return std::nullopt;
}

std::string time_text(const std::string& ms) {
  try {
    return format_utc(from_unix_ms(std::stoll(ms)));
  } catch (...) {
    return ms;
  }
}

// The stored report as the API shows it: times as RFC 3339, JSON fields parsed.
json report_view(const json& stored) {
  json out{{"id", stored.value("id", "")},
           {"state", stored.value("state", "")},
           {"region", stored.value("region", "")},
           {"municipality", stored.value("municipality", "")},
           {"class", stored.value("class", "")},
           {"created_at", time_text(stored.value("created_at", ""))},
           {"updated_at", time_text(stored.value("updated_at", ""))},
           {"report", json::parse(stored.value("report", "{}"), nullptr, false)},
           {"triage", json::parse(stored.value("triage", "{}"), nullptr, false)},
           {"assignments", json::array()}};
  for (const auto& a : stored["assignments"]) {
    json view{{"id", a.value("id", "")},
              {"worker", a.value("worker", "")},
              {"state", a.value("state", "")},
              {"position", std::atoi(a.value("position", "0").c_str())},
              {"reason", a.value("reason", "")},
              {"created_at", time_text(a.value("created_at", ""))},
              {"deadline", time_text(a.value("deadline", ""))},
              {"candidates", json::parse(a.value("candidates", "[]"), nullptr, false)}};
    if (a.contains("accepted_at")) view["accepted_at"] = time_text(a["accepted_at"]);
    if (a.contains("declined_at")) view["declined_at"] = time_text(a["declined_at"]);
    out["assignments"].push_back(view);
  }
  return out;
}
}  // namespace

DispatcherService::DispatcherService(asio::io_context& io, const PiketConfig& config,
                                     const Clock& clock, RegionDirectory regions,
                                     TriageRules triage)
    : io_(io),
      config_(config),
      clock_(clock),
      regions_(std::move(regions)),
      triage_(std::move(triage)),
      redis_(io, config.redis, "dispatcher"),
      store_(redis_),
      rpc_(io, config.zmq.dispatcher_rpc, clock),
      scheduler_(io, config.zmq.scheduler_rpc,
                 zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                   config.zmq.request_retries},
                 clock),
      events_(io, config.zmq.dispatcher_events, clock) {
  redis_.on_connect([this]() { return check_durability(); });
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, dispatch_library()); });
  rpc_.on(msg::kReportSubmit, [this](const Envelope& e) { return submit(e); });
  rpc_.on(msg::kReportGet, [this](const Envelope& e) { return get_report(e); });
  rpc_.on(msg::kAssignmentAccept, [this](const Envelope& e) { return change_assignment(e, true); });
  rpc_.on(msg::kAssignmentDecline, [this](const Envelope& e) { return change_assignment(e, false); });
  rpc_.on(msg::kReportsOpen, [this](const Envelope& e) -> asio::awaitable<Result<json>> {
    std::string region;
    if (auto error = check_token(e.body, "region", true, 64, region)) co_return *error;
    if (!regions_.find(region)) co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
    auto ids = co_await store_.open_reports(region, clock_.now() - std::chrono::hours(24 * 30), 200);
    if (!ids.ok()) co_return ids.error();
    co_return json{{"region", region}, {"reports", *ids}};
  });
  rpc_.on(msg::kMetrics, [this](const Envelope&) -> asio::awaitable<Result<json>> {
    co_return json{{"content_type", "text/plain; version=0.0.4"}, {"text", metrics_.render()}};
  });
  metrics_.help("piket_reports_stored_total", "counter", "Reports stored, by triage class");
  metrics_.help("piket_intake_duration_seconds", "histogram", "Report intake: validation, triage and the fsynced store");
  metrics_.help("piket_alerts_queued_total", "counter", "Alerts queued for the notifier");
  metrics_.help("piket_match_duration_seconds", "histogram", "Matching job: context, on-call query and the assignment step");
  metrics_.help("piket_deadlines_fired_total", "counter", "Acceptance deadlines and re-match timers that fired");
  metrics_.help("piket_coverage_failures_total", "counter", "Matching jobs that found nobody on call");
  rpc_.on(msg::kPing, [this](const Envelope&) -> asio::awaitable<Result<json>> {
    co_return json{{"service", "dispatcher"}, {"redis", redis_.connected()}};
  });
  redis::StreamConsumerOptions options;
  options.stream = keys::match_stream();
  options.group = std::string(keys::kMatchGroup);
  options.consumer = "dispatcher-" + new_id("");
  options.claim_idle = std::chrono::milliseconds(config.dispatcher.match_claim_idle_ms);
  match_consumer_ = std::make_unique<redis::StreamConsumer>(
      io, config.redis, options,
      [this](const redis::StreamEntry& entry) { return handle_match_job(entry); });
}

asio::awaitable<Status> DispatcherService::check_durability() {
  // Durable before acknowledged: refuse a Redis that would not fsync each write.
  auto appendonly = co_await redis_.command(redis::args("CONFIG", "GET", "appendonly"));
  auto fsync = co_await redis_.command(redis::args("CONFIG", "GET", "appendfsync"));
  if (!appendonly.ok()) co_return appendonly.error();
  if (!fsync.ok()) co_return fsync.error();
  auto value = [](const redis::Value& v) { return v.elements.size() == 2 ? v.elements[1].str : ""; };
  if (value(*appendonly) != "yes" || value(*fsync) != "always")
    co_return make_error(ErrorCode::unavailable, "redis",
                         "redis must run with appendonly yes and appendfsync always "
                         "(reports are acknowledged only once on disk)");
  co_return ok_status();
}

Status DispatcherService::start() {
  if (auto s = rpc_.bind(); !s.ok()) return s;
  if (auto s = events_.bind(); !s.ok()) return s;
  running_ = true;
  rpc_.start();
  scheduler_.start();
  redis_.start();
  match_consumer_->start();
  asio::co_spawn(io_, timer_loop(), asio::detached);
  return ok_status();
}

void DispatcherService::stop() {
  running_ = false;
  rpc_.stop();  // intake first
  match_consumer_->stop();
  scheduler_.stop();
  events_.stop();
  redis_.stop();
}

asio::awaitable<Result<json>> DispatcherService::submit(const Envelope& request) {
  const auto started = std::chrono::steady_clock::now();
  const json& body = request.body;
  std::string key, actor = "api";
  if (auto e = check_token(body, "idempotency_key", true, 128, key)) co_return *e;
  if (auto e = check_token(body, "actor", false, 64, actor)) co_return *e;
  if (!body.contains("report")) co_return invalid("report", "is required");
  const TimePoint now = clock_.now();
  auto input = parse_report_input(body["report"], regions_, triage_, now);
  if (!input.ok()) co_return input.error();
  TriageFacts facts{input->indicators, input->source, input->child_ages(), now};
  const Region* region = regions_.find(input->region);
  facts.time_zone = region ? region->time_zone : config_.data.time_zone;  // advice: no region
  TriageResult triage = triage_.triage(facts);
  const bool dispatch = triage.acute() && !input->advice();  // advice is never dispatched
  const json report_json = input->to_json();
  const json triage_json = triage.to_json();
  const std::string fingerprint = sha256_hex(report_json.dump());
  const std::string report_id = new_id("r");
  auto outcome = co_await store_.submit(report_id, key, fingerprint, report_json, triage_json,
                                        input->region, input->municipality, dispatch, now,
                                        actor);
  if (!outcome.ok()) co_return outcome.error();
  metrics_.observe("piket_intake_duration_seconds", "",
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  if (outcome->created) {
    metrics_.count("piket_reports_stored_total", "class=\"" + triage.triage_class->id + "\"");
    log()->info("event=report_stored report={} class={} region={} acute={}", report_id,
                triage.triage_class->id, input->region, triage.acute());
    events_.publish(msg::kEventReportCreated,
                    {{"report", report_id}, {"class", triage.triage_class->id}, {"region", input->region}});
  }
  co_return json{{"id", outcome->report_id},
                 {"created", outcome->created},
                 {"region", input->region},
                 {"municipality", input->municipality},
                 {"state", dispatch ? "matching" : "queued"},
                 {"triage", triage_json}};
}

asio::awaitable<Result<json>> DispatcherService::get_report(const Envelope& request) {
  std::string id, actor = "api", purpose = "view";
  if (auto e = check_token(request.body, "id", true, 64, id)) co_return *e;
  if (!valid_report_id(id)) co_return make_error(ErrorCode::not_found, "id", "no such report");
  if (auto e = check_token(request.body, "actor", false, 64, actor)) co_return *e;
  if (auto e = check_token(request.body, "purpose", false, 64, purpose)) co_return *e;
  auto stored = co_await store_.read_report(id, clock_.now(), actor, purpose);
  if (!stored.ok()) co_return stored.error();
  co_return report_view(*stored);
}

asio::awaitable<Result<json>> DispatcherService::change_assignment(const Envelope& request,
                                                                   bool accept) {
  std::string id, actor = "api", reason = "declined";
  if (auto e = check_token(request.body, "id", true, 80, id)) co_return *e;
  if (!report_id_of_assignment(id)) co_return make_error(ErrorCode::not_found, "id", "no such assignment");
  if (auto e = check_token(request.body, "actor", false, 64, actor)) co_return *e;
  if (!accept && request.body.contains("reason")) {
    if (!request.body["reason"].is_string() || request.body["reason"].get<std::string>().size() > 200)
      co_return invalid("reason", "must be a string of at most 200 characters");
    reason = request.body["reason"].get<std::string>();
  }
  // (if/else, not ?:, around co_await: GCC 12 miscompiles the conditional.)
  Result<AssignmentChange> change = make_error(ErrorCode::internal, "", "not run");
  if (accept)
    change = co_await store_.accept(id, clock_.now(), actor);
  else
    change = co_await store_.decline(id, clock_.now(), actor, reason);
  if (!change.ok()) co_return change.error();
  if (change->changed) {
    log()->info("event=assignment_{} assignment={} report={} worker={}", change->state, id,
                change->report_id, change->worker_id);
    events_.publish(msg::kEventAssignmentChanged,
                    {{"assignment", id}, {"report", change->report_id}, {"state", change->state}});
  }
  co_return json{{"assignment", id},
                 {"report", change->report_id},
                 {"worker", change->worker_id},
                 {"state", change->state},
                 {"changed", change->changed}};
}

asio::awaitable<bool> DispatcherService::handle_match_job(const redis::StreamEntry& entry) {
  auto report_it = entry.fields.find("report");
  if (report_it == entry.fields.end() || !valid_report_id(report_it->second)) {
    log()->error("event=bad_match_job entry={}", entry.id);
    co_return (co_await store_.drop_job(entry.id)).ok();
  }
  const std::string& report_id = report_it->second;
  const auto started = std::chrono::steady_clock::now();
  auto context = co_await store_.match_context(report_id);
  if (!context.ok()) co_return false;  // Redis trouble: stays pending, retried
  if (!context->exists || (context->state != "matching" && context->state != "unassigned"))
    co_return (co_await store_.drop_job(entry.id)).ok();

  const TimePoint now = clock_.now();
  // (Built before the co_await: GCC 12 cannot keep brace-list temporaries in a coroutine frame.)
  json query{{"region", context->region}, {"role", "crisis_worker"}, {"at", format_utc(now)}};
  auto on_call = co_await scheduler_.call(msg::kOnCallQuery, std::move(query));
  if (!on_call.ok() && on_call.error().code == ErrorCode::unavailable) {
    log()->warn("event=scheduler_unavailable report={} retry=true", report_id);
    co_return false;
  }
  std::vector<Candidate> candidates;
  if (on_call.ok()) candidates = candidates_from_on_call(*on_call);
  auto choice = choose_candidate(candidates, context->alerted_workers);
  if (!choice) {
    std::string why = on_call.ok() ? "nobody on call for region " + context->region
                                   : "scheduler refused: " + on_call.error().to_string();
    log()->warn("event=coverage_gap report={} region={}", report_id, context->region);
    metrics_.count("piket_coverage_failures_total");
    auto retry_at = now + std::chrono::milliseconds(config_.dispatcher.rematch_delay_ms);
    co_return (co_await store_.no_candidate(report_id, entry.id, retry_at, now, why)).ok();
  }
  const Candidate& chosen = candidates[choice->index];
  NewAssignment a;
  a.report_id = report_id;
  a.assignment_id = assignment_id_for(report_id, static_cast<std::int64_t>(context->alerted_workers.size()) + 1);
  a.worker_id = chosen.worker_id;
  a.deadline = now + std::chrono::seconds(context->triage.value("accept_within_s", 300));
  a.match_entry_id = entry.id;
  a.position = chosen.position;
  a.reason = choice->reason;
  a.candidates = json::array();
  for (const auto& c : candidates)
    a.candidates.push_back({{"worker", c.worker_id}, {"position", c.position}, {"reason", c.reason}});
  // The alert names no one and tells nothing: a reference, the urgency, where, and a link.
  a.alert = {{"alert_id", a.assignment_id},
             {"reference", report_id},
             {"urgency", context->triage.value("class", std::string{})},
             {"municipality", context->municipality},
             {"region", context->region},
             {"worker", a.worker_id},
             {"deadline", format_utc(a.deadline)},
             {"link", config_.gateway.public_url + "/api/v1/assignments/" + a.assignment_id}};
  auto stored = co_await store_.assign(a, now);
  if (!stored.ok()) co_return false;
  metrics_.observe("piket_match_duration_seconds", "",
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  if (*stored == "assigned") {
    metrics_.count("piket_alerts_queued_total");
    log()->info("event=alert_queued report={} assignment={} worker={} reason=\"{}\"", report_id,
                a.assignment_id, a.worker_id, a.reason);
    events_.publish(msg::kEventAssignmentCreated,
                    {{"assignment", a.assignment_id}, {"report", report_id}, {"worker", a.worker_id}});
  }
  co_return true;
}

asio::awaitable<void> DispatcherService::timer_loop() {
  asio::steady_timer tick{io_};
  while (running_) {
    tick.expires_after(std::chrono::milliseconds(config_.dispatcher.timer_poll_ms));
    boost::system::error_code ec;
    co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!running_) break;
    if (!redis_.connected()) continue;
    auto fired = co_await store_.claim_due(clock_.now(), 100);
    if (!fired.ok()) continue;
    for (const auto& member : *fired) {
      metrics_.count("piket_deadlines_fired_total");
      log()->info("event=deadline_fired timer={}", member);
      events_.publish(msg::kEventAssignmentChanged, {{"timer", member}});
    }
  }
}

}  // namespace piket::dispatcher
