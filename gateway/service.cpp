#include "gateway/service.hpp"

#include <memory>
#include <vector>

#include "common/log.hpp"
#include "common/message_types.hpp"
#include "gateway/api/request_input.hpp"
#include "gateway/api/router.hpp"

namespace piket::gateway {
namespace asio = boost::asio;
using nlohmann::json;

HttpResponse json_response(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse error_response(const Error& error) {
  return json_response(http_status_for(error.code), json{{"error", error_to_json(error)}});
}

namespace {
HttpResponse rpc_response(const Result<json>& result, int ok_status = 200) {
  if (!result.ok()) return error_response(result.error());
  return json_response(ok_status, *result);
}

bool printable_token(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}
// The caller's name for the audit and access logs: X-Piket-Actor when it is a short token.
std::string actor_of(const HttpRequest& request) {
  const std::string named = header(request, "x-piket-actor");
  return printable_token(named, 64) ? named : std::string{"api"};
}
}  // namespace

GatewayService::GatewayService(asio::io_context& io, const PiketConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      server_(io,
              HttpServerOptions{config.gateway.listen, static_cast<std::uint16_t>(config.gateway.port),
                                config.gateway.max_body_bytes, std::chrono::milliseconds(10000),
                                config.gateway.max_connections},
              [this](HttpRequest r) { return handle(std::move(r)); }),
      dispatcher_(io, config.zmq.dispatcher_rpc,
                  zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                    config.zmq.request_retries},
                  clock),
      scheduler_(io, config.zmq.scheduler_rpc,
                 zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                   config.zmq.request_retries},
                 clock),
      events_(
          io, config.zmq.dispatcher_events, "event.",
          [this](const Envelope& e) { metrics_.count("piket_events_received_total", {{"type", e.type}}); },
          [this](const zmqio::SequenceGap& gap) {
            metrics_.count("piket_event_gaps_total");
            logger("gateway")->warn("event=event_gap source={} expected={} received={}", gap.source,
                                    gap.expected, gap.received);
          }) {
  if (!config.zmq.scheduler_events.empty())
    roster_events_ = std::make_unique<zmqio::Subscriber>(
        io, config.zmq.scheduler_events, "event.",
        [this](const Envelope& e) { metrics_.count("piket_events_received_total", {{"type", e.type}}); },
        [this](const zmqio::SequenceGap&) { metrics_.count("piket_event_gaps_total"); });
  if (!config.zmq.notifier_rpc.empty())
    notifier_ = std::make_unique<zmqio::RpcClient>(
        io, config.zmq.notifier_rpc,
        zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms), config.zmq.request_retries},
        clock);
  metrics_.describe("piket_http_requests_total", MetricType::counter, "HTTP requests by route and status");
  metrics_.describe("piket_http_request_duration_seconds", MetricType::histogram, "HTTP request latency by route");
  metrics_.describe("piket_reports_received_total", MetricType::counter, "Reports stored (new, not repeats)");
  metrics_.describe("piket_events_received_total", MetricType::counter, "Events received from the dispatcher and scheduler");
  metrics_.describe("piket_event_gaps_total", MetricType::counter, "Gaps seen in event sequence numbers");
  metrics_.describe("piket_peer_up", MetricType::gauge, "Whether the daemon answered the last metrics request (1) or not (0)");
}

Status GatewayService::start() {
  if (auto s = server_.listen(); !s.ok()) return s;
  dispatcher_.start();
  scheduler_.start();
  if (notifier_) notifier_->start();
  events_.start();
  if (roster_events_) roster_events_->start();
  server_.start();
  logger("gateway")->info("event=listening address={} port={}", config_.gateway.listen, server_.port());
  return ok_status();
}

void GatewayService::stop() {
  server_.stop();
  events_.stop();
  if (roster_events_) roster_events_->stop();
  if (notifier_) notifier_->stop();
  scheduler_.stop();
  dispatcher_.stop();
}

asio::awaitable<HttpResponse> GatewayService::handle(HttpRequest request) {
  const auto started = std::chrono::steady_clock::now();
  Route r = route(request.method, request.target);
  logger("gateway")->debug("event=request route={}", r.name);
  HttpResponse response;
  // Bytes that are not UTF-8 go no further than here: every answer and message is JSON.
  if (auto target = check_target(request.target); !target.ok()) r.kind = RouteKind::bad_target;
  switch (r.kind) {
    case RouteKind::bad_target: response = error_response(check_target(request.target).error()); break;
    case RouteKind::submit_report: response = co_await submit_report(request); break;
    case RouteKind::get_report: response = co_await get_report(request, r.id); break;
    case RouteKind::accept_assignment: response = co_await change_assignment(request, r.id, true); break;
    case RouteKind::decline_assignment: response = co_await change_assignment(request, r.id, false); break;
    case RouteKind::health: response = co_await health(); break;
    case RouteKind::metrics: response = co_await metrics_page(); break;
    case RouteKind::scheduler: response = co_await forward(request, r, scheduler_); break;
    case RouteKind::dispatcher: response = co_await forward(request, r, dispatcher_); break;
    case RouteKind::method_not_allowed:
      response = json_response(405, json{{"error", {{"code", "invalid_field"}, {"field", "method"},
                                                    {"message", request.method + " is not allowed here"}}}});
      break;
    case RouteKind::not_found:
      response = error_response(make_error(ErrorCode::not_found, "path", "no such endpoint"));
      break;
  }
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  metrics_.count("piket_http_requests_total", {{"route", r.name}, {"status", std::to_string(response.status)}});
  metrics_.observe("piket_http_request_duration_seconds", {{"route", r.name}}, took);
  co_return response;
}

// A report is stored at most once per Idempotency-Key. A caller that sends none gets one, and
// every answer carries the key in use: after a 503 (which can mean "stored, but the answer was
// lost") a retry with that key finds the stored report instead of storing it again.
asio::awaitable<HttpResponse> GatewayService::submit_report(const HttpRequest& request) {
  std::string key = header(request, "idempotency-key");
  if (key.empty()) {
    key = new_id("auto-");
  } else if (!printable_token(key, 128)) {
    co_return error_response(make_error(ErrorCode::invalid_field, "Idempotency-Key",
                                        "must be 1 to 128 printable characters without spaces"));
  }
  auto body = read_json_body(request.body, false);
  HttpResponse response;
  if (!body.ok()) {
    response = error_response(body.error());
  } else {
    json rpc_body{{"idempotency_key", key}, {"actor", actor_of(request)}, {"report", std::move(*body)}};
    auto result = co_await dispatcher_.call(msg::kReportSubmit, std::move(rpc_body));
    if (!result.ok()) {
      response = error_response(result.error());
    } else {
      const bool created = result->value("created", false);
      if (created) metrics_.count("piket_reports_received_total");
      response = json_response(created ? 201 : 200, *result);
      response.headers["Location"] = "/api/v1/reports/" + result->value("id", std::string{});
    }
  }
  response.headers["Idempotency-Key"] = key;
  co_return response;
}

// Who reads a report and why goes into the access log. Until users log in (the console), the
// caller names itself in X-Piket-Actor and the reason in ?purpose=.
asio::awaitable<HttpResponse> GatewayService::get_report(const HttpRequest& request, const std::string& id) {
  const auto query = read_query(request.target);
  if (!query.ok()) co_return error_response(query.error());
  const auto& params = *query;
  const auto purpose = params.find("purpose");
  json rpc_body{{"id", id}, {"actor", actor_of(request)},
                {"purpose", purpose == params.end() ? std::string{"view"} : purpose->second}};
  auto result = co_await dispatcher_.call(msg::kReportGet, std::move(rpc_body));
  co_return rpc_response(result);
}

asio::awaitable<HttpResponse> GatewayService::change_assignment(const HttpRequest& request,
                                                                const std::string& id, bool accept) {
  json rpc_body{{"id", id}, {"actor", actor_of(request)}};
  if (!request.body.empty()) {
    auto body = read_json_body(request.body, true);
    if (!body.ok()) co_return error_response(body.error());
    if (!accept && body->contains("reason")) rpc_body["reason"] = (*body)["reason"];
  }
  auto result = co_await dispatcher_.call(accept ? msg::kAssignmentAccept : msg::kAssignmentDecline,
                                          std::move(rpc_body));
  co_return rpc_response(result);
}

asio::awaitable<HttpResponse> GatewayService::health() {
  auto ping = co_await dispatcher_.call(msg::kPing, json::object());
  const bool dispatcher_up = ping.ok();
  const bool redis_up = ping.ok() && ping->value("redis", false);
  json body{{"status", dispatcher_up && redis_up ? "ok" : "degraded"},
            {"dispatcher", dispatcher_up ? "up" : "down"},
            {"redis", redis_up ? "up" : "down"},
            {"time", format_utc(clock_.now())}};
  co_return json_response(dispatcher_up && redis_up ? 200 : 503, body);
}

// The roster and follow-up API: the JSON body (or CSV text), the query parameters and the
// path's id become one request to the daemon. A reply with "content_type" and "text" is sent
// as that document.
asio::awaitable<HttpResponse> GatewayService::forward(const HttpRequest& request, const Route& r,
                                                      zmqio::RpcClient& daemon) {
  json body = json::object();
  if (r.body_is_text) {
    if (auto text = check_text_body(request.body); !text.ok()) co_return error_response(text.error());
    body["csv"] = request.body;
  } else if (!request.body.empty()) {
    auto parsed = read_json_body(request.body, true);
    if (!parsed.ok()) co_return error_response(parsed.error());
    body = std::move(*parsed);
  }
  const auto query = read_query(request.target);
  if (!query.ok()) co_return error_response(query.error());
  for (const auto& [name, value] : *query)
    if (!body.contains(name)) body[name] = value;
  if (!r.id.empty()) body["id"] = r.id;
  body["actor"] = actor_of(request);
  auto result = co_await daemon.call(r.rpc, std::move(body));
  if (!result.ok()) co_return error_response(result.error());
  if (result->contains("content_type") && result->contains("text")) {
    HttpResponse doc;
    doc.content_type = (*result)["content_type"].get<std::string>();
    doc.body = (*result)["text"].get<std::string>();
    co_return doc;
  }
  const int status = result->value("created", false) ? 201 : 200;
  co_return json_response(status, *result);
}

// The gateway's own figures, then each daemon's (asked over ZeroMQ), so one scrape sees all.
asio::awaitable<HttpResponse> GatewayService::metrics_page() {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  std::string peers_text;
  // A named vector, not a brace list: GCC 12 cannot keep brace-list temporaries across co_await.
  std::vector<std::pair<const char*, zmqio::RpcClient*>> peers{{"dispatcher", &dispatcher_},
                                                              {"scheduler", &scheduler_}};
  if (notifier_) peers.emplace_back("notifier", notifier_.get());
  for (const auto& [name, client] : peers) {
    auto peer = co_await client->call(msg::kMetrics, json::object());
    const bool answered = peer.ok() && peer->contains("text");
    if (answered) peers_text += (*peer)["text"].get<std::string>();
    metrics_.set("piket_peer_up", {{"peer", name}}, answered ? 1 : 0);
  }
  r.body = metrics_.render() + peers_text;
  co_return r;
}

}  // namespace piket::gateway
