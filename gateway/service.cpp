#include "gateway/service.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/auth/access.hpp"
#include "common/auth/credentials.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "gateway/api/request_input.hpp"
#include "common/auth/totp.hpp"
#include "common/request_fields.hpp"
#include "gateway/api/router.hpp"
#include "gateway/auth/request_auth.hpp"

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
HttpResponse unauthenticated_field(std::string field, std::string message) {
  HttpResponse r = error_response(make_error(ErrorCode::unauthenticated, std::move(field), std::move(message)));
  r.headers["WWW-Authenticate"] = "Bearer realm=\"piket\"";
  return r;
}

HttpResponse unauthenticated(std::string message) { return unauthenticated_field("", std::move(message)); }

json session_json(const auth::Principal& p, const auth::SessionRecord& s, std::chrono::milliseconds idle) {
  return {{"id", s.id},
          {"user", p.id},
          {"created_at", format_utc(s.created_at)},
          {"expires_at", format_utc(s.expires_at)},
          {"idle_timeout_s", std::chrono::duration_cast<std::chrono::seconds>(idle).count()}};
}
}  // namespace

GatewayService::GatewayService(asio::io_context& io, const PiketConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      redis_(io, config.redis, "gateway"),
      accounts_(redis_),
      server_(io,
              HttpServerOptions{config.gateway.listen, static_cast<std::uint16_t>(config.gateway.port),
                                config.gateway.max_body_bytes, std::chrono::milliseconds(10000),
                                config.gateway.max_connections,
                                ClientLimitOptions{config.gateway.max_connections_per_client,
                                                   config.gateway.per_client_requests_per_s,
                                                   config.gateway.per_client_burst}},
              [this](HttpRequest r) { return handle(std::move(r)); }),
      dispatcher_(io, config.zmq.dispatcher_rpc_peers,
                  zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                    config.zmq.request_retries},
                  clock),
      scheduler_(io, config.zmq.scheduler_rpc_peers,
                 zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                   config.zmq.request_retries},
                 clock),
      events_(
          io, config.zmq.dispatcher_events_peers, "event.",
          [this](const Envelope& e) {
            metrics_.count("piket_events_received_total", {{"type", e.type}});
            wakeups_.wake_all();
          },
          [this](const zmqio::SequenceGap& gap) {
            metrics_.count("piket_event_gaps_total");
            wakeups_.wake_all();  // the feeds read Redis again, so what was missed comes too
            logger("gateway")->warn("event=event_gap source={} expected={} received={}", gap.source,
                                    gap.expected, gap.received);
          }) {
  session_limits_.idle = std::chrono::minutes(config.auth.session_idle_minutes);
  session_limits_.absolute = std::chrono::hours(config.auth.session_absolute_hours);
  login_limits_.account_max_failures = config.auth.login_max_failures;
  login_limits_.address_max_failures = config.auth.address_max_failures;
  login_limits_.lock_base = std::chrono::seconds(config.auth.login_lock_base_s);
  login_limits_.lock_max = std::chrono::seconds(config.auth.login_lock_max_s);
  login_limits_.forget = std::chrono::minutes(config.auth.login_forget_minutes);
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, auth_library()); });
  if (!config.zmq.scheduler_events_peers.empty())
    roster_events_ = std::make_unique<zmqio::Subscriber>(
        io, config.zmq.scheduler_events_peers, "event.",
        [this](const Envelope& e) { metrics_.count("piket_events_received_total", {{"type", e.type}}); },
        [this](const zmqio::SequenceGap&) { metrics_.count("piket_event_gaps_total"); });
  if (!config.zmq.notifier_rpc_peers.empty())
    notifier_ = std::make_unique<zmqio::RpcClient>(
        io, config.zmq.notifier_rpc_peers,
        zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms), config.zmq.request_retries},
        clock);
  metrics_.describe("piket_http_requests_total", MetricType::counter, "HTTP requests by route and status");
  metrics_.describe("piket_http_request_duration_seconds", MetricType::histogram, "HTTP request latency by route");
  metrics_.describe("piket_reports_received_total", MetricType::counter, "Reports stored (new, not repeats)");
  metrics_.describe("piket_events_received_total", MetricType::counter, "Events received from the dispatcher and scheduler");
  metrics_.describe("piket_event_gaps_total", MetricType::counter, "Gaps seen in event sequence numbers");
  metrics_.describe("piket_logins_total", MetricType::counter, "Sign-in attempts by outcome (signed_in, refused, locked)");
  metrics_.describe("piket_auth_refused_total", MetricType::counter, "Requests refused at authentication, by reason");
  metrics_.describe("piket_peer_up", MetricType::gauge, "Whether the daemon answered the last metrics request (1) or not (0)");
}

Status GatewayService::start() {
  if (const auto root = default_web_root(); root.empty()) {
    logger("gateway")->warn("event=console_missing reason=\"no web/ beside the binary nor ../share/piket/web\"");
  } else if (auto files = StaticFiles::load(root); !files.ok()) {
    logger("gateway")->warn("event=console_missing reason=\"{}\"", files.error().message);
  } else {
    console_files_ = std::move(*files);
    logger("gateway")->info("event=console_loaded files={} root={}", console_files_.size(), root.string());
  }
  // Once, before the loop runs: the decoy costs what a real hash with these parameters costs.
  auth::PasswordCost cost{static_cast<std::uint64_t>(config_.auth.password_opslimit),
                          static_cast<std::size_t>(config_.auth.password_memlimit_kib) * 1024};
  auto decoy = auth::hash_password(new_id("decoy-"), cost);
  if (!decoy.ok()) return decoy.error();
  decoy_hash_ = *decoy;
  if (auto s = server_.listen(); !s.ok()) return s;
  redis_.start();
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
  wakeups_.close();
  events_.stop();
  if (roster_events_) roster_events_->stop();
  if (notifier_) notifier_->stop();
  scheduler_.stop();
  dispatcher_.stop();
  redis_.stop();
  hashing_.stop();
}

asio::awaitable<HttpResponse> GatewayService::handle(HttpRequest request) {
  const auto started = std::chrono::steady_clock::now();
  Route r = route(request.method, request.target);
  logger("gateway")->debug("event=request route={}", r.name);
  HttpResponse response;
  // Bytes that are not UTF-8 go no further than here: every answer and message is JSON.
  if (auto target = check_target(request.target); !target.ok()) r.kind = RouteKind::bad_target;
  // Every route but the public ones needs a verified principal, before anything else is read.
  const bool needs_principal = !r.public_access && r.kind != RouteKind::bad_target &&
                               r.kind != RouteKind::not_found && r.kind != RouteKind::method_not_allowed;
  Result<Who> who = make_error(ErrorCode::unauthenticated, "", "sign in first");
  bool answered = false;
  if (needs_principal) {
    who = co_await authenticate(request);
    if (!who.ok()) {
      response = who.error().code == ErrorCode::unauthenticated ? unauthenticated(who.error().message)
                                                                 : error_response(who.error());
      answered = true;
    }
  }
  const Who* caller = nullptr;  // named: no conditional inside a co_await (GCC 12)
  if (who.ok()) caller = &*who;
  if (!answered) switch (r.kind) {
    case RouteKind::bad_target: response = error_response(check_target(request.target).error()); break;
    case RouteKind::submit_report: response = co_await submit_report(request, *who); break;
    case RouteKind::get_report: response = co_await get_report(request, r.id, *who); break;
    case RouteKind::accept_assignment: response = co_await change_assignment(request, r.id, true, *who); break;
    case RouteKind::decline_assignment: response = co_await change_assignment(request, r.id, false, *who); break;
    case RouteKind::health: response = co_await health(); break;
    case RouteKind::console:
      response = console_files_.empty()
                     ? error_response(make_error(ErrorCode::not_found, "path", "the console is not installed"))
                     : console_files_.serve(r.id, request.method, header(request, "if-none-match"));
      break;
    case RouteKind::events: response = co_await events(request, *who); break;
    case RouteKind::metrics: response = co_await metrics_page(*who); break;
    case RouteKind::sign_in: response = co_await sign_in(request); break;
    case RouteKind::who_am_i: response = co_await who_am_i(*who); break;
    case RouteKind::sign_out: response = co_await sign_out(*who); break;
    case RouteKind::totp_begin: response = co_await totp_begin(*who); break;
    case RouteKind::totp_confirm: response = co_await totp_confirm(request, *who); break;
    // (No variable is declared inside a case: GCC 12 mis-destroys the coroutine frame of a
    // switch whose cases open scopes around a co_await; `caller` is set before the switch.)
    case RouteKind::scheduler: response = co_await forward(request, r, scheduler_, caller); break;
    case RouteKind::dispatcher: response = co_await forward(request, r, dispatcher_, &*who); break;
    case RouteKind::notifier:
      if (notifier_)
        response = co_await forward(request, r, *notifier_, caller);  // none on a public receipt
      else
        response = error_response(make_error(ErrorCode::unavailable, "", "no notifier is configured (zmq.notifier_rpc)"));
      break;
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
asio::awaitable<HttpResponse> GatewayService::submit_report(const HttpRequest& request, const Who& who) {
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
    json rpc_body{{"idempotency_key", key}, {"report", std::move(*body)}};
    auto result = co_await dispatcher_.call(msg::kReportSubmit, std::move(rpc_body), who.principal);
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

// Who reads a report (the principal) and why (?purpose=) goes into the access log.
asio::awaitable<HttpResponse> GatewayService::get_report(const HttpRequest& request, const std::string& id,
                                                         const Who& who) {
  const auto query = read_query(request.target);
  if (!query.ok()) co_return error_response(query.error());
  const auto& params = *query;
  const auto purpose = params.find("purpose");
  json rpc_body{{"id", id}, {"purpose", purpose == params.end() ? std::string{"view"} : purpose->second}};
  auto result = co_await dispatcher_.call(msg::kReportGet, std::move(rpc_body), who.principal);
  co_return rpc_response(result);
}

asio::awaitable<HttpResponse> GatewayService::change_assignment(const HttpRequest& request,
                                                                const std::string& id, bool accept,
                                                                const Who& who) {
  json rpc_body{{"id", id}};
  if (!request.body.empty()) {
    auto body = read_json_body(request.body, true);
    if (!body.ok()) co_return error_response(body.error());
    if (!accept && body->contains("reason")) rpc_body["reason"] = (*body)["reason"];
  }
  const std::string_view type = accept ? msg::kAssignmentAccept : msg::kAssignmentDecline;  // not inside co_await (GCC 12)
  auto result = co_await dispatcher_.call(type, std::move(rpc_body), who.principal);
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
                                                      zmqio::RpcClient& daemon, const Who* who) {
  json body = json::object();
  if (r.signed_callback) {
    if (auto text = check_text_body(request.body); !text.ok()) co_return error_response(text.error());
    const auto params = read_query(request.target);
    if (!params.ok()) co_return error_response(params.error());
    const auto token = params->find("token");
    const json callback{{"id", r.id},
                        {"raw", request.body},
                        {"content_type", header(request, "content-type")},
                        {"timestamp", header(request, "x-piket-timestamp")},
                        {"signature", header(request, "x-piket-signature")},
                        {"token", token == params->end() ? std::string{} : token->second}};
    auto result = co_await daemon.call(r.rpc, callback, std::nullopt);
    if (!result.ok()) co_return error_response(result.error());
    co_return json_response(200, *result);
  }
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
  if (!r.method_id.empty()) body["method"] = r.method_id;
  std::optional<auth::Principal> principal;
  if (who) principal = who->principal;
  auto result = co_await daemon.call(r.rpc, std::move(body), std::move(principal));
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
asio::awaitable<Result<GatewayService::Who>> GatewayService::authenticate(const HttpRequest& request) {
  const auto credentials = request_credentials(request);
  if (credentials.malformed_authorization)
    co_return make_error(ErrorCode::unauthenticated, "", "the Authorization header must be \"Bearer <token>\"");
  if (!credentials.bearer.empty()) {
    const std::string key = auth::secret_hash("token:" + credentials.bearer);
    if (const CachedAuth* cached = cached_auth(key)) co_return cached->who;
    auto who = co_await accounts_.use_token(credentials.bearer, clock_.now());
    if (!who.ok() && who.error().code == ErrorCode::not_found) {
      metrics_.count("piket_auth_refused_total", {{"reason", "token"}});
      co_return make_error(ErrorCode::unauthenticated, "", "the token is unknown or revoked");
    }
    if (who.ok()) remember_auth(key, *who);
    co_return who;
  }
  if (!credentials.session.empty()) {
    const std::string key = auth::secret_hash("session:" + credentials.session);
    Result<Who> who = make_error(ErrorCode::internal, "", "not verified");
    if (const CachedAuth* cached = cached_auth(key)) {
      who = cached->who;
    } else {
      who = co_await accounts_.use_session(credentials.session, clock_.now(), session_limits_);
      if (!who.ok() && who.error().code == ErrorCode::not_found) {
        metrics_.count("piket_auth_refused_total", {{"reason", "session"}});
        co_return make_error(ErrorCode::unauthenticated, "", "the session has ended or expired; sign in again");
      }
      if (who.ok()) remember_auth(key, *who);
    }
    if (!who.ok()) co_return who.error();
    // A browser sends the cookie with any request to this site; only the console's own page
    // knows the CSRF token, so a change made from another site is refused.
    if (changes_state(request.method) && !auth::same_hash(header(request, kCsrfHeader), who->csrf)) {
      metrics_.count("piket_auth_refused_total", {{"reason", "csrf"}});
      co_return make_error(ErrorCode::forbidden, "X-CSRF-Token",
                           "a change from a signed-in browser needs the session's CSRF token");
    }
    co_return who;
  }
  co_return make_error(ErrorCode::unauthenticated, "", "sign in first (a session or an API token)");
}

const GatewayService::CachedAuth* GatewayService::cached_auth(const std::string& key) {
  auto it = auth_cache_.find(key);
  if (it == auth_cache_.end()) return nullptr;
  const auto ttl = std::chrono::milliseconds(config_.auth.cache_ms);
  const TimePoint now = clock_.now();
  // Trusted for the cache time by the clock (a test clock moved past a session's idle limit
  // asks Redis again) and in real time.
  if (now < it->second.verified_at || now - it->second.verified_at >= ttl ||
      std::chrono::steady_clock::now() >= it->second.until) {
    auth_cache_.erase(it);
    return nullptr;
  }
  return &it->second;
}

void GatewayService::remember_auth(const std::string& key, const auth::Authenticated& who) {
  if (config_.auth.cache_ms <= 0) return;
  if (auth_cache_.size() >= 10000) auth_cache_.clear();  // bounded; the next requests ask Redis
  auth_cache_[key] = CachedAuth{who, clock_.now(),
                                std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.auth.cache_ms)};
}

// The check runs on the hashing pool as a plain function (no coroutine frame ever runs there);
// its answer is posted back to this coroutine's executor, the loop.
asio::awaitable<bool> GatewayService::password_matches(std::string stored, std::string password) {
  auto loop = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [this, loop](auto handler, std::string stored_hash, std::string attempt) {
        asio::post(hashing_, [handler = std::move(handler), loop, stored_hash = std::move(stored_hash),
                              attempt = std::move(attempt)]() mutable {
          const bool matches = auth::verify_password(stored_hash, attempt);
          asio::post(loop, [handler = std::move(handler), matches]() mutable { std::move(handler)(matches); });
        });
      },
      asio::use_awaitable, std::move(stored), std::move(password));
}

// The second factor, after a right password: asked of every account that has one, and
// refused to a role that reads report details and has none. A TOTP code is good once (its
// time step must be after the last one used); a recovery code once. A wrong one leaves the
// attempt counted, as a wrong password does.
asio::awaitable<std::optional<HttpResponse>> GatewayService::second_factor_refusal(const auth::Account& account,
                                                                                   const json& body,
                                                                                   TimePoint now) {
  std::string otp, recovery;
  if (auto e = read_token(body, "otp", false, 16, otp)) co_return error_response(*e);
  if (auto e = read_token(body, "recovery_code", false, 32, recovery)) co_return error_response(*e);
  if (account.totp_secret.empty()) {
    const auto& needs = config_.auth.second_factor_roles;
    for (const auto& role : account.roles)
      if (std::find(needs.begin(), needs.end(), role) != needs.end())
        co_return error_response(make_error(
            ErrorCode::forbidden, "otp",
            "the role " + role + " signs in with a second factor, and this account has none yet: "
            "an administrator enrols one (piket-admin enrol-totp)"));
    co_return std::nullopt;
  }
  if (!otp.empty()) {
    const auto step = auth::totp_step(account.totp_secret, now, otp);
    if (!step) co_return unauthenticated_field("otp", "wrong or expired code");
    auto fresh = co_await accounts_.use_totp_step(account.id, *step);
    if (!fresh.ok()) co_return error_response(fresh.error());
    if (!*fresh) co_return unauthenticated_field("otp", "this code was used already: wait for the next one");
    co_return std::nullopt;
  }
  if (!recovery.empty()) {
    auto used = co_await accounts_.use_recovery_code(account.id, auth::recovery_code_hash(recovery));
    if (!used.ok()) co_return error_response(used.error());
    if (!*used) co_return unauthenticated_field("recovery_code", "not a recovery code of this account, or used");
    co_return std::nullopt;
  }
  co_return unauthenticated_field("otp", "a second factor is required: otp (the 6 digits your "
                                         "authenticator shows) or a recovery_code");
}

// Sign-in: every attempt counts against the account name and the client address before the
// password is checked; a lock-out answers 429 with Retry-After and checks nothing. An unknown
// name costs what a wrong password costs and gets the same answer.
asio::awaitable<HttpResponse> GatewayService::sign_in(const HttpRequest& request) {
  auto body = read_json_body(request.body, true);
  if (!body.ok()) co_return error_response(body.error());
  const json& b = *body;
  if (!b.contains("user") || !b["user"].is_string() || !auth::valid_name(b["user"].get<std::string>()))
    co_return error_response(invalid("user", "is required: the user id"));
  if (!b.contains("password") || !b["password"].is_string() ||
      b["password"].get_ref<const std::string&>().size() > auth::kMaxPasswordBytes)
    co_return error_response(invalid("password", "is required"));
  const std::string user = b["user"].get<std::string>();
  const std::string address = client_address(request.remote);
  const TimePoint now = clock_.now();
  auto locked = co_await accounts_.login_begin(user, address, now, login_limits_);
  if (!locked.ok()) co_return error_response(locked.error());
  if (*locked) {
    const auto wait = std::chrono::duration_cast<std::chrono::seconds>(**locked - now).count() + 1;
    metrics_.count("piket_logins_total", {{"outcome", "locked"}});
    logger("gateway.auth")->warn("event=login_locked user={} address={} retry_after_s={}", user, address, wait);
    HttpResponse r = error_response(make_error(ErrorCode::too_many_requests, "",
                                               "too many failed sign-ins; try again in " + std::to_string(wait) + " s"));
    r.headers["Retry-After"] = std::to_string(wait);
    co_return r;
  }
  auto account = co_await accounts_.account(user);
  if (!account.ok()) co_return error_response(account.error());
  const bool usable = *account && (*account)->kind == auth::PrincipalKind::user && !(*account)->disabled &&
                      !(*account)->password_hash.empty();
  // Named first: GCC 12 miscompiles a conditional inside a co_await expression.
  std::string stored = decoy_hash_;
  if (usable) stored = (*account)->password_hash;
  std::string password = b["password"].get<std::string>();
  const bool matches = co_await password_matches(std::move(stored), std::move(password));
  if (!usable || !matches) {
    metrics_.count("piket_logins_total", {{"outcome", "refused"}});
    logger("gateway.auth")->info("event=login_failed user={} address={}", user, address);
    co_return unauthenticated("wrong user or password");
  }
  if (auto refused = co_await second_factor_refusal(**account, b, now)) {
    metrics_.count("piket_logins_total", {{"outcome", "second_factor_refused"}});
    logger("gateway.auth")->info("event=login_second_factor_refused user={} address={}", user, address);
    co_return *refused;
  }
  if (auto done = co_await accounts_.login_succeeded(user, address, login_limits_); !done.ok())
    co_return error_response(done.error());
  // A new session id at every sign-in; the one this browser held before ends.
  std::string replaces;
  if (auto held = auth::parse_secret(request_credentials(request).session)) {
    replaces = held->id;
    std::erase_if(auth_cache_, [&](const auto& entry) { return entry.second.who.principal.session == replaces; });
  }
  auto session = co_await accounts_.create_session(user, now, session_limits_, replaces);
  if (!session.ok()) co_return error_response(session.error());
  metrics_.count("piket_logins_total", {{"outcome", "signed_in"}});
  logger("gateway.auth")->info("event=login user={} session={} address={}", user, session->record.id, address);
  auth::Principal p;
  p.id = user;
  p.roles = (*account)->roles;
  p.worker = (*account)->worker;
  p.teams = (*account)->teams;
  p.regions = (*account)->regions;
  p.session = session->record.id;
  json out{{"session", session_json(p, session->record, session_limits_.idle)},
           {"principal", auth::to_json(p)},
           {"csrf_token", session->csrf}};
  HttpResponse r = json_response(201, out);
  r.headers["Set-Cookie"] = session_cookie(
      session->cookie, std::chrono::duration_cast<std::chrono::seconds>(session_limits_.absolute),
      config_.auth.cookie_secure);
  r.headers["Cache-Control"] = "no-store";
  co_return r;
}

asio::awaitable<HttpResponse> GatewayService::who_am_i(const Who& who) {
  json out{{"principal", auth::to_json(who.principal)}};
  if (who.session) {
    out["session"] = session_json(who.principal, *who.session, session_limits_.idle);
    out["csrf_token"] = who.csrf;  // a reloaded console page reads it here
  }
  HttpResponse r = json_response(200, out);
  r.headers["Cache-Control"] = "no-store";
  co_return r;
}

// Self-enrolment of the second factor: a secret offered to the signed-in user (shown once,
// as an otpauth URI for the authenticator app), which counts only once a code from it is
// confirmed. An account with a second factor keeps it: an administrator resets a lost one.
asio::awaitable<HttpResponse> GatewayService::totp_begin(const Who& who) {
  if (auth::grant_for(who.principal, msg::kSessionTotpBegin) == auth::Grant::refused)
    co_return error_response(make_error(ErrorCode::forbidden, "", "only a user enrols a second factor"));
  auto account = co_await accounts_.account(who.principal.id);
  if (!account.ok()) co_return error_response(account.error());
  if (!*account) co_return error_response(make_error(ErrorCode::not_found, "user", "no such user"));
  if (!(*account)->totp_secret.empty())
    co_return error_response(make_error(ErrorCode::conflict, "otp",
                                        "a second factor is enrolled; an administrator resets a lost one "
                                        "(piket-admin reset-totp)"));
  const std::string secret = auth::new_totp_secret();
  if (auto stored = co_await accounts_.set_totp_pending(who.principal.id, secret); !stored.ok())
    co_return error_response(stored.error());
  logger("gateway.auth")->info("event=totp_offered user={}", who.principal.id);
  HttpResponse r = json_response(200, json{{"secret", secret}, {"otpauth_uri", auth::otpauth_uri(who.principal.id, secret)}});
  r.headers["Cache-Control"] = "no-store";
  co_return r;
}

asio::awaitable<HttpResponse> GatewayService::totp_confirm(const HttpRequest& request, const Who& who) {
  if (auth::grant_for(who.principal, msg::kSessionTotpConfirm) == auth::Grant::refused)
    co_return error_response(make_error(ErrorCode::forbidden, "", "only a user enrols a second factor"));
  auto body = read_json_body(request.body, true);
  if (!body.ok()) co_return error_response(body.error());
  std::string otp;
  if (auto e = read_token(*body, "otp", true, 16, otp)) co_return error_response(*e);
  auto account = co_await accounts_.account(who.principal.id);
  if (!account.ok()) co_return error_response(account.error());
  if (!*account || (*account)->totp_pending.empty())
    co_return error_response(make_error(ErrorCode::conflict, "otp", "no second factor offered: POST /api/v1/session/totp first"));
  const auto step = auth::totp_step((*account)->totp_pending, clock_.now(), otp);
  if (!step) co_return error_response(invalid("otp", "wrong or expired code"));
  const auto codes = auth::new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& code : codes) hashes.push_back(auth::recovery_code_hash(code));
  if (auto stored = co_await accounts_.set_totp(who.principal.id, (*account)->totp_pending, hashes, clock_.now());
      !stored.ok())
    co_return error_response(stored.error());
  // The confirming code is used: it cannot sign in a second time.
  if (auto used = co_await accounts_.use_totp_step(who.principal.id, *step); !used.ok())
    co_return error_response(used.error());
  logger("gateway.auth")->info("event=totp_enrolled user={}", who.principal.id);
  HttpResponse r = json_response(200, json{{"enrolled", true}, {"recovery_codes", codes}});
  r.headers["Cache-Control"] = "no-store";
  co_return r;
}

asio::awaitable<HttpResponse> GatewayService::sign_out(const Who& who) {
  if (!who.session)
    co_return error_response(invalid("Authorization", "sign-out ends a session; an API token is revoked "
                                                      "with piket-admin revoke-token"));
  // This gateway forgets it at once (others within auth.cache_ms).
  std::erase_if(auth_cache_, [&](const auto& entry) { return entry.second.who.principal.session == who.principal.session; });
  if (auto ended = co_await accounts_.end_session(who.principal.session); !ended.ok() &&
                                                                           ended.error().code != ErrorCode::not_found)
    co_return error_response(ended.error());
  logger("gateway.auth")->info("event=logout user={} session={}", who.principal.id, who.principal.session);
  HttpResponse r;
  r.status = 204;
  r.headers["Set-Cookie"] = cleared_session_cookie(config_.auth.cookie_secure);
  co_return r;
}

asio::awaitable<HttpResponse> GatewayService::metrics_page(const Who& who) {
  if (auth::grant_for(who.principal, "gateway.metrics") == auth::Grant::refused)
    co_return error_response(make_error(ErrorCode::forbidden, "", "the metrics are for administrators "
                                                                  "and tokens with the metrics:read scope"));
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
