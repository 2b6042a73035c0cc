#include "common/zmq/rpc.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/log.hpp"
#include "common/message_types.hpp"
#include "common/utf8.hpp"

namespace piket::zmqio {
namespace asio = boost::asio;
namespace {
constexpr std::size_t kRecentReplies = 4096;

std::string reply_payload(const Clock& clock, const std::string& request_id,
                          const Result<nlohmann::json>& result) {
  Envelope e;
  e.type = std::string(msg::kReply);
  e.id = new_id("p");
  e.correlation_id = request_id;
  e.sent_at = clock.now();
  e.body = result.ok() ? nlohmann::json{{"ok", result.value()}}
                       : nlohmann::json{{"error", error_to_json(result.error())}};
  return encode_envelope(e);
}
}  // namespace

Result<nlohmann::json> reply_body(const Envelope& reply) {
  if (reply.body.contains("ok")) return reply.body["ok"];
  if (reply.body.contains("error")) {
    auto error = error_from_json(reply.body["error"]);
    if (!error) return make_error(ErrorCode::internal, "error", "reply carries an unreadable error");
    return *error;
  }
  return make_error(ErrorCode::internal, "body", "reply has neither ok nor error");
}

RpcServer::RpcServer(asio::io_context& io, std::string endpoint, const Clock& clock)
    : io_(io), endpoint_(std::move(endpoint)), clock_(clock), socket_(io, shared_context(), zmq::socket_type::router) {
  socket_.socket().set(zmq::sockopt::router_mandatory, 1);  // see unroutable replies
}

void RpcServer::on(std::string_view type, Handler handler) {
  handlers_[std::string(type)] = std::move(handler);
}

Status RpcServer::bind() {
  try {
    socket_.socket().bind(endpoint_);
  } catch (const zmq::error_t& e) {
    return make_error(ErrorCode::unavailable, "endpoint", "cannot bind " + endpoint_ + ": " + e.what());
  }
  return ok_status();
}

void RpcServer::start() {
  running_ = true;
  asio::co_spawn(io_, run(), asio::detached);
}

asio::awaitable<void> RpcServer::drain() {
  draining_ = true;
  if (active_ > 0) {
    idle_waiter_ = std::make_unique<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await idle_waiter_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    idle_waiter_.reset();
  }
}

void RpcServer::stop() {
  running_ = false;
  // The last replies may still sit in ZeroMQ's queue: let them leave before the socket goes.
  socket_.socket().set(zmq::sockopt::linger, 1000);
  socket_.close();
}

void RpcServer::reply(const std::string& identity, const std::string& payload) {
  Multipart parts;
  parts.emplace_back(identity.data(), identity.size());
  parts.emplace_back(payload.data(), payload.size());
  if (!socket_.try_send(std::move(parts)))
    logger("zmq.rpc")->warn("endpoint={} event=reply_undeliverable", endpoint_);
}

void RpcServer::remember(const std::string& id, std::string payload) {
  if (recent_.emplace(id, std::move(payload)).second) recent_order_.push_back(id);
  while (recent_order_.size() > kRecentReplies) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

asio::awaitable<void> RpcServer::run() {
  while (running_) {
    auto parts = co_await socket_.receive();
    if (!parts) co_return;
    if (parts->size() != 2) {
      logger("zmq.rpc")->warn("endpoint={} event=bad_frame_count count={}", endpoint_, parts->size());
      continue;
    }
    std::string identity = to_string((*parts)[0]);
    auto request = decode_envelope(to_string((*parts)[1]));
    if (!request.ok()) {
      reply(identity, reply_payload(clock_, "", request.error()));
      continue;
    }
    if (auto cached = recent_.find(request->id); cached != recent_.end()) {
      reply(identity, cached->second);
      continue;
    }
    if (!in_flight_.insert(request->id).second) continue;  // a retry of one still running
    if (draining_) {
      in_flight_.erase(request->id);
      reply(identity, reply_payload(clock_, request->id,
                                    make_error(ErrorCode::unavailable, "", "shutting down")));
      continue;
    }
    ++active_;
    logger("zmq.rpc")->debug("endpoint={} event=request type={} request_id={}", endpoint_,
                             request->type, request->id);
    asio::co_spawn(io_, serve(std::move(identity), std::move(request).value()), asio::detached);
  }
}

// Every request is answered exactly once, whatever happens: an exception from the handler or
// from encoding its reply is logged once, with the request id, and answered `internal` naming
// that id (the id is what an operator searches the log for).
asio::awaitable<void> RpcServer::serve(std::string identity, Envelope request) {
  Result<nlohmann::json> result = make_error(ErrorCode::internal, "", "not handled");
  auto handler = handlers_.find(request.type);
  Status allowed = handler == handlers_.end() || !guard_ ? ok_status() : guard_(request);
  if (handler == handlers_.end()) {
    result = make_error(ErrorCode::invalid_field, "type", "unknown request type " + request.type);
  } else if (!allowed.ok()) {
    result = allowed.error();
  } else {
    std::string failure;
    try {
      result = co_await handler->second(request);
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    if (!failure.empty()) result = internal_failure(request, "handler_threw", failure);
  }
  std::string payload;
  try {
    payload = reply_payload(clock_, request.id, result);
  } catch (const std::exception& e) {
    payload = reply_payload(clock_, request.id, internal_failure(request, "reply_unencodable", e.what()));
  }
  in_flight_.erase(request.id);
  // Unavailable answers are not cached: a retry should try again.
  if (result.ok() || result.error().code != ErrorCode::unavailable) remember(request.id, payload);
  ++served_;
  if (running_) reply(identity, payload);
  if (--active_ == 0 && idle_waiter_) idle_waiter_->cancel();
}

Error RpcServer::internal_failure(const Envelope& request, std::string_view event,
                                  std::string_view what) const {
  logger("zmq.rpc")->error("endpoint={} type={} request_id={} event={} what=\"{}\"", endpoint_,
                           request.type, request.id, event, utf8_repaired(what));
  return make_error(ErrorCode::internal, "",
                    "the request could not be handled (request id " + request.id + ")");
}

RpcClient::RpcClient(asio::io_context& io, std::vector<std::string> endpoints, RpcOptions options,
                     const Clock& clock)
    : io_(io),
      endpoints_(std::move(endpoints)),
      endpoint_(fmt::format("{}", fmt::join(endpoints_, ","))),
      options_(options),
      clock_(clock),
      socket_(io, shared_context(), zmq::socket_type::dealer) {
  // Queue only to live peers: with no server, a send fails now instead of arriving much later.
  socket_.socket().set(zmq::sockopt::immediate, 1);
  socket_.socket().set(zmq::sockopt::reconnect_ivl, 100);
  socket_.socket().set(zmq::sockopt::reconnect_ivl_max, 2000);
}

void RpcClient::start() {
  for (const auto& endpoint : endpoints_) socket_.socket().connect(endpoint);
  running_ = true;
  asio::co_spawn(io_, run(), asio::detached);
}

void RpcClient::stop() {
  running_ = false;
  socket_.close();
  for (auto& [id, p] : pending_) p->timer.cancel();
}

asio::awaitable<void> RpcClient::run() {
  while (running_) {
    auto parts = co_await socket_.receive();
    if (!parts) co_return;
    if (parts->size() != 1) continue;
    auto reply = decode_envelope(to_string((*parts)[0]));
    if (!reply.ok()) {
      logger("zmq.rpc")->warn("endpoint={} event=bad_reply reason=\"{}\"", endpoint_,
                              reply.error().to_string());
      continue;
    }
    auto it = pending_.find(reply->correlation_id);
    if (it == pending_.end()) continue;  // a late reply to a request already given up
    it->second->reply = std::move(reply).value();
    it->second->timer.cancel();
  }
}

asio::awaitable<Result<nlohmann::json>> RpcClient::call(std::string_view type, nlohmann::json body,
                                                        std::optional<auth::Principal> principal) {
  Envelope request;
  request.principal = std::move(principal);
  request.type = std::string(type);
  request.id = new_id("q");
  request.sent_at = clock_.now();
  request.body = std::move(body);
  const std::string payload = encode_envelope(request);
  auto pending = std::make_shared<Pending>(io_);
  pending_[request.id] = pending;
  for (int attempt = 0; attempt <= options_.retries && running_; ++attempt) {
    Multipart parts;
    parts.emplace_back(payload.data(), payload.size());
    socket_.try_send(std::move(parts));  // if not sent, the wait below is the back-off
    pending->timer.expires_after(options_.timeout);
    boost::system::error_code ec;
    co_await pending->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (pending->reply) break;
  }
  pending_.erase(request.id);
  if (!pending->reply)
    co_return make_error(ErrorCode::unavailable, "", "no answer from " + endpoint_);
  co_return reply_body(*pending->reply);
}

}  // namespace piket::zmqio
