#pragma once
// An asynchronous Redis client on the Asio loop, over hiredis 0.14.
// hiredis 0.14 has no time-outs of its own: this client keeps a connect timer and a deadline per
// command; on a missed deadline it drops the connection (failing every pending command with
// "unavailable") and reconnects with back-off. While disconnected, commands fail at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/redis/value.hpp"
#include "common/result.hpp"

namespace piket::redis {

class Connection;

class Client {
 public:
  Client(boost::asio::io_context& io, RedisConfig config, std::string name);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting; reconnects by itself until stop().
  void start();
  void stop();
  bool connected() const;

  // Runs on every (re)connect before the client reports itself connected to waiters.
  // Use it to load functions or create consumer groups.
  void on_connect(std::function<boost::asio::awaitable<Status>()> hook);

  // One command. A Redis error reply is returned as an Error (code internal, or conflict for
  // errors whose text starts with the prefix "CONFLICT", not_found for "NOT_FOUND",
  // invalid_field for "INVALID"), so a function can speak the API's codes.
  boost::asio::awaitable<Result<Value>> command(
      std::vector<std::string> args, std::optional<std::chrono::milliseconds> timeout = {});
  // The raw reply, Redis errors included as Value::Kind::error.
  boost::asio::awaitable<Result<Value>> raw_command(
      std::vector<std::string> args, std::optional<std::chrono::milliseconds> timeout = {});

  // Waits until connected (and the on_connect hooks ran) or the time is up.
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds limit);

  const std::string& name() const { return name_; }

 private:
  friend class Connection;
  void connect_now();
  void schedule_reconnect();
  void on_connection_up();
  void on_connection_lost(const std::string& why);
  boost::asio::awaitable<void> run_hooks(std::uint64_t generation);
  void start_watchdog();

  boost::asio::io_context& io_;
  RedisConfig config_;
  std::string name_;
  std::shared_ptr<Connection> connection_;
  std::vector<std::function<boost::asio::awaitable<Status>()>> hooks_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer watchdog_timer_;
  std::chrono::milliseconds backoff_{100};
  std::uint64_t generation_ = 0;
  bool ready_ = false;
  bool stopping_ = true;
};

// Redis error text -> our error code (see Client::command).
Error error_from_redis(const std::string& text);

}  // namespace piket::redis
