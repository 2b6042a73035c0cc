#pragma once
// What every daemon's main() shares: flags, configuration, signals as loop events, and systemd
// notification (READY=1 once sockets are bound and Redis answers; watchdog pings from the loop
// itself, so a stuck loop is restarted).
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/redis/client.hpp"

namespace piket {

// Parses `--config FILE` (default config/piket.toml) and loads it, or exits 78 listing problems.
PiketConfig load_daemon_config(int argc, char** argv, const std::string& daemon_name);

class Lifecycle {
 public:
  Lifecycle(boost::asio::io_context& io, std::string name);
  // Runs on SIGTERM or SIGINT, in reverse order of registration.
  void on_stop(std::function<void()> step);
  // Tells systemd (if any) that the daemon is ready, and starts the watchdog pings.
  void ready();
  // Calls ready() once `client` is connected; until then the daemon serves "unavailable".
  void ready_when_connected(redis::Client& client);
  // Runs the loop until stopped; returns the exit code.
  int run();
  bool stopping() const { return stopping_; }

 private:
  void stop();
  boost::asio::io_context& io_;
  std::string name_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  std::vector<std::function<void()>> stop_steps_;
  bool stopping_ = false;
};

}  // namespace piket
