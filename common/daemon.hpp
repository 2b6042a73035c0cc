#pragma once
// What every daemon's main() shares: flags, configuration, signals as loop events, and systemd
// notification (READY=1 once sockets are bound and Redis answers; watchdog pings from the loop
// itself, so a stuck loop is restarted).
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/redis/client.hpp"

namespace piket {

// Parses `--config FILE` (default config/piket.toml) and loads it, or exits 78 listing problems.
PiketConfig load_daemon_config(int argc, char** argv, const std::string& daemon_name);

// SIGTERM (or SIGINT) drains: the steps run one after the other in reverse order of
// registration (register in start-up order: intake is registered last, so it stops first), each
// awaited until its work in flight is done; the whole takes at most `drain_timeout`. Then the
// loop ends and run() returns 0.
class Lifecycle {
 public:
  using DrainStep = std::function<boost::asio::awaitable<void>()>;

  Lifecycle(boost::asio::io_context& io, std::string name,
            std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));
  void on_stop(std::function<void()> step);  // a step that finishes at once
  void on_drain(DrainStep step);              // a step that finishes when its work is done
  // Tells systemd (if any) that the daemon is ready, and starts the watchdog pings.
  void ready();
  // Calls ready() once `client` is connected; until then the daemon serves "unavailable".
  void ready_when_connected(redis::Client& client);
  // Runs the loop until stopped; returns the exit code.
  int run();
  bool stopping() const { return stopping_; }

 private:
  void stop();
  boost::asio::awaitable<void> drain();
  boost::asio::io_context& io_;
  std::string name_;
  std::chrono::milliseconds drain_timeout_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer deadline_;
  std::vector<DrainStep> stop_steps_;
  bool stopping_ = false;
  bool drained_ = false;
};

}  // namespace piket
