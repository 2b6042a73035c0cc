#include "common/redis/client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <map>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.hpp"

namespace piket::redis {
namespace asio = boost::asio;
using Handler = asio::any_completion_handler<void(Result<Value>)>;
using SteadyClock = std::chrono::steady_clock;

std::string Value::text() const {
  if (kind == Kind::integer) return std::to_string(integer);
  return str;
}

Error error_from_redis(const std::string& text) {
  auto starts = [&](std::string_view prefix) { return text.rfind(prefix, 0) == 0; };
  // Our functions raise "CODE field|message" so the API can name the field.
  auto split = [&](std::size_t skip, ErrorCode code) {
    std::string rest = text.substr(std::min(skip, text.size()));
    auto bar = rest.find('|');
    if (bar == std::string::npos) return make_error(code, "", rest);
    return make_error(code, rest.substr(0, bar), rest.substr(bar + 1));
  };
  if (starts("CONFLICT ")) return split(9, ErrorCode::conflict);
  if (starts("NOT_FOUND ")) return split(10, ErrorCode::not_found);
  if (starts("INVALID ")) return split(8, ErrorCode::invalid_field);
  if (starts("LOADING") || starts("BUSY") || starts("MASTERDOWN") || starts("READONLY"))
    return make_error(ErrorCode::unavailable, "", "redis: " + text);
  return make_error(ErrorCode::internal, "", "redis: " + text);
}

namespace {
Value copy_reply(const redisReply* r) {
  Value v;
  switch (r->type) {
    case REDIS_REPLY_STRING: v.kind = Value::Kind::string; v.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: v.kind = Value::Kind::status; v.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: v.kind = Value::Kind::error; v.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: v.kind = Value::Kind::integer; v.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      v.kind = Value::Kind::array;
      v.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(copy_reply(r->element[i]));
      break;
    default: v.kind = Value::Kind::nil; break;
  }
  return v;
}

void complete(asio::io_context& io, Handler handler, Result<Value> result) {
  // Always resume the waiter outside hiredis's callback: it may issue commands or free things.
  asio::post(io, [h = std::move(handler), r = std::move(result)]() mutable {
    std::move(h)(std::move(r));
  });
}
}  // namespace

// One hiredis context and its socket, watched by Asio. Lives until hiredis calls cleanup.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Pending {
    Handler handler;
    SteadyClock::time_point deadline;
  };

  Connection(asio::io_context& io, Client& owner) : io_(io), owner_(&owner), fd_(io) {}

  bool open(const RedisConfig& config) {
    ac_ = redisAsyncConnect(config.host.c_str(), config.port);
    if (!ac_ || ac_->err) {
      error_ = ac_ ? ac_->errstr : "cannot allocate a redis context";
      if (ac_) redisAsyncFree(ac_);
      ac_ = nullptr;
      return false;
    }
    ac_->data = this;
    self_ = shared_from_this();  // kept until hiredis's cleanup hook
    fd_.assign(ac_->c.fd);
    ac_->ev.data = this;
    ac_->ev.addRead = [](void* p) {
      auto* c = static_cast<Connection*>(p);
      c->want(c->reading_, c->read_armed_, true);
    };
    ac_->ev.delRead = [](void* p) { static_cast<Connection*>(p)->reading_ = false; };
    ac_->ev.addWrite = [](void* p) {
      auto* c = static_cast<Connection*>(p);
      c->want(c->writing_, c->write_armed_, false);
    };
    ac_->ev.delWrite = [](void* p) { static_cast<Connection*>(p)->writing_ = false; };
    ac_->ev.cleanup = [](void* p) { static_cast<Connection*>(p)->cleanup(); };
    redisAsyncSetConnectCallback(ac_, [](const redisAsyncContext* c, int status) {
      auto* self = static_cast<Connection*>(c->data);
      if (status == REDIS_OK) {
        self->up_ = true;
        if (self->owner_) self->owner_->on_connection_up();
      } else {
        self->error_ = c->errstr;  // hiredis frees the context after this
      }
    });
    redisAsyncSetDisconnectCallback(ac_, [](const redisAsyncContext* c, int) {
      auto* self = static_cast<Connection*>(c->data);
      if (c->err) self->error_ = c->errstr;
    });
    connect_deadline_ = SteadyClock::now() + std::chrono::milliseconds(config.connect_timeout_ms);
    return true;
  }

  bool alive() const { return ac_ != nullptr; }
  bool up() const { return up_ && ac_ != nullptr; }
  const std::string& error() const { return error_; }

  void send(std::vector<std::string> args, std::chrono::milliseconds timeout, Handler handler) {
    if (!up()) {
      complete(io_, std::move(handler), make_error(ErrorCode::unavailable, "", "redis is not connected"));
      return;
    }
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    for (const auto& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    const std::uint64_t key = next_key_++;
    pending_.emplace(key, Pending{std::move(handler), SteadyClock::now() + timeout});
    int rc = redisAsyncCommandArgv(ac_, &Connection::on_reply, reinterpret_cast<void*>(key),
                                   static_cast<int>(argv.size()), argv.data(), argvlen.data());
    if (rc != REDIS_OK) {
      auto node = pending_.extract(key);
      if (!node.empty())
        complete(io_, std::move(node.mapped().handler),
                 make_error(ErrorCode::unavailable, "", "redis connection is closing"));
    }
  }

  // Drops the connection (after a missed deadline or at stop). Pending commands fail.
  void drop(const std::string& why) {
    if (!ac_) return;
    error_ = why;
    auto self = shared_from_this();
    asio::post(io_, [self] {
      if (self->ac_) redisAsyncFree(self->ac_);  // calls every pending callback with no reply
    });
  }

  bool overdue(SteadyClock::time_point now) const {
    if (!ac_) return false;
    if (!up_) return now > connect_deadline_;
    for (const auto& [key, p] : pending_)
      if (now > p.deadline) return true;
    return false;
  }

  void detach_owner() { owner_ = nullptr; }

 private:
  static void on_reply(redisAsyncContext* c, void* reply, void* privdata) {
    auto* self = static_cast<Connection*>(c->data);
    auto node = self->pending_.extract(reinterpret_cast<std::uint64_t>(privdata));
    if (node.empty()) return;
    if (!reply)
      complete(self->io_, std::move(node.mapped().handler),
               make_error(ErrorCode::unavailable, "", "redis connection lost: " + self->error_));
    else
      complete(self->io_, std::move(node.mapped().handler), copy_reply(static_cast<redisReply*>(reply)));
  }

  void want(bool& flag, bool& armed, bool read) {
    flag = true;
    if (armed) return;
    armed = true;
    auto self = shared_from_this();
    fd_.async_wait(read ? asio::posix::stream_descriptor::wait_read
                        : asio::posix::stream_descriptor::wait_write,
                   [self, read](boost::system::error_code ec) {
                     (read ? self->read_armed_ : self->write_armed_) = false;
                     if (ec || !self->ac_) return;
                     if (read && self->reading_) redisAsyncHandleRead(self->ac_);
                     if (!read && self->writing_) redisAsyncHandleWrite(self->ac_);
                     // hiredis may have freed the context inside the call above.
                     if (!self->ac_) return;
                     if (read && self->reading_) self->want(self->reading_, self->read_armed_, true);
                     if (!read && self->writing_)
                       self->want(self->writing_, self->write_armed_, false);
                   });
  }

  void cleanup() {
    // hiredis is freeing the context: it owns and closes the fd, so release it first.
    ac_ = nullptr;
    reading_ = writing_ = false;
    boost::system::error_code ignored;
    if (fd_.is_open()) fd_.release();
    (void)ignored;
    const bool was_up = up_;
    up_ = false;
    auto self = std::move(self_);
    if (owner_) {
      Client* owner = owner_;
      std::string why = error_.empty() ? (was_up ? "connection closed" : "connect failed") : error_;
      asio::post(io_, [owner, self, why] {
        if (owner->connection_ == self) owner->on_connection_lost(why);
      });
    }
  }

  asio::io_context& io_;
  Client* owner_;
  asio::posix::stream_descriptor fd_;
  redisAsyncContext* ac_ = nullptr;
  std::shared_ptr<Connection> self_;
  std::map<std::uint64_t, Pending> pending_;
  std::uint64_t next_key_ = 1;
  SteadyClock::time_point connect_deadline_;
  std::string error_;
  bool up_ = false;
  bool reading_ = false, writing_ = false, read_armed_ = false, write_armed_ = false;
};

Client::Client(asio::io_context& io, RedisConfig config, std::string name)
    : io_(io),
      config_(std::move(config)),
      name_(std::move(name)),
      reconnect_timer_(io),
      watchdog_timer_(io) {}

Client::~Client() {
  stopping_ = true;
  if (connection_) {
    connection_->detach_owner();
    connection_->drop("client destroyed");
  }
}

void Client::start() {
  if (!stopping_) return;
  stopping_ = false;
  connect_now();
  start_watchdog();
}

void Client::stop() {
  stopping_ = true;
  reconnect_timer_.cancel();
  watchdog_timer_.cancel();
  ready_ = false;
  if (connection_) connection_->drop("stopped");
}

bool Client::connected() const { return ready_ && connection_ && connection_->up(); }

void Client::on_connect(std::function<asio::awaitable<Status>()> hook) {
  hooks_.push_back(std::move(hook));
}

void Client::connect_now() {
  if (stopping_) return;
  if (connection_) connection_->detach_owner();
  connection_ = std::make_shared<Connection>(io_, *this);
  if (!connection_->open(config_)) {
    logger("redis")->warn("client={} event=connect_failed reason=\"{}\"", name_, connection_->error());
    connection_.reset();
    schedule_reconnect();
  }
}

void Client::schedule_reconnect() {
  if (stopping_) return;
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  reconnect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect_now();
  });
}

void Client::on_connection_up() {
  backoff_ = std::chrono::milliseconds(100);
  const auto generation = ++generation_;
  asio::co_spawn(io_, run_hooks(generation), asio::detached);
}

asio::awaitable<void> Client::run_hooks(std::uint64_t generation) {
  for (auto& hook : hooks_) {
    Status status = co_await hook();
    if (generation != generation_) co_return;
    if (!status.ok()) {
      logger("redis")->error("client={} event=connect_hook_failed reason=\"{}\"", name_,
                             status.error().to_string());
      if (connection_) connection_->drop("start-up step failed");
      co_return;
    }
  }
  if (generation != generation_ || !connection_ || !connection_->up()) co_return;
  ready_ = true;
  logger("redis")->info("client={} event=connected host={} port={}", name_, config_.host, config_.port);
}

void Client::on_connection_lost(const std::string& why) {
  const bool was_ready = ready_;
  ready_ = false;
  ++generation_;
  connection_.reset();
  if (stopping_) return;
  if (was_ready)
    logger("redis")->warn("client={} event=disconnected reason=\"{}\"", name_, why);
  else
    logger("redis")->debug("client={} event=connect_failed reason=\"{}\"", name_, why);
  schedule_reconnect();
}

void Client::start_watchdog() {
  watchdog_timer_.expires_after(std::chrono::milliseconds(50));
  watchdog_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    if (connection_ && connection_->overdue(SteadyClock::now()))
      connection_->drop("redis did not answer in time");
    start_watchdog();
  });
}

asio::awaitable<Result<Value>> Client::raw_command(std::vector<std::string> args,
                                                   std::optional<std::chrono::milliseconds> timeout) {
  auto limit = timeout.value_or(std::chrono::milliseconds(config_.command_timeout_ms));
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result<Value>)>(
      [this, limit](auto handler, std::vector<std::string> a) {
        Handler h{std::move(handler)};
        if (!connection_)
          complete(io_, std::move(h), make_error(ErrorCode::unavailable, "", "redis is not connected"));
        else
          connection_->send(std::move(a), limit, std::move(h));
      },
      asio::use_awaitable, std::move(args));
}

asio::awaitable<Result<Value>> Client::command(std::vector<std::string> args,
                                               std::optional<std::chrono::milliseconds> timeout) {
  auto reply = co_await raw_command(std::move(args), timeout);
  if (reply.ok() && reply->is_error()) co_return error_from_redis(reply->str);
  co_return reply;
}

asio::awaitable<bool> Client::wait_connected(std::chrono::milliseconds limit) {
  auto until = SteadyClock::now() + limit;
  while (!connected() && SteadyClock::now() < until) {
    asio::steady_timer wait{io_};
    wait.expires_after(std::min<SteadyClock::duration>(until - SteadyClock::now(),
                                                      std::chrono::milliseconds(20)));
    boost::system::error_code ec;
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return connected();
}

}  // namespace piket::redis
