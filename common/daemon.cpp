#include "common/daemon.hpp"

#include <systemd/sd-daemon.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/log.hpp"

namespace piket {

PiketConfig load_daemon_config(int argc, char** argv, const std::string& daemon_name) {
  std::string file = "config/piket.toml";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      file = argv[++i];
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::printf("usage: %s [--config FILE]\n", daemon_name.c_str());
      std::exit(0);
    } else {
      std::fprintf(stderr, "%s: unknown argument %s (usage: %s [--config FILE])\n",
                   daemon_name.c_str(), argv[i], daemon_name.c_str());
      std::exit(64);  // EX_USAGE
    }
  }
  PiketConfig config = load_config_or_exit(file);
  init_logging(config.log_level);
  return config;
}

Lifecycle::Lifecycle(boost::asio::io_context& io, std::string name,
                     std::chrono::milliseconds drain_timeout)
    : io_(io),
      name_(std::move(name)),
      drain_timeout_(drain_timeout),
      signals_(io, SIGINT, SIGTERM),
      watchdog_(io),
      deadline_(io) {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    logger(name_)->info("event=stopping signal={}", signal);
    stop();
  });
}

void Lifecycle::on_stop(std::function<void()> step) {
  stop_steps_.push_back([step = std::move(step)]() -> boost::asio::awaitable<void> {
    step();
    co_return;
  });
}

void Lifecycle::on_drain(DrainStep step) { stop_steps_.push_back(std::move(step)); }

void Lifecycle::ready() {
  sd_notify(0, "READY=1");
  logger(name_)->info("event=ready");
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    auto interval = std::chrono::microseconds(usec / 2);
    // A self-rescheduling ping: the loop itself proves it is alive.
    struct Pinger {
      boost::asio::steady_timer& timer;
      std::chrono::microseconds interval;
      void operator()(boost::system::error_code ec = {}) const {
        if (ec) return;
        sd_notify(0, "WATCHDOG=1");
        timer.expires_after(interval);
        timer.async_wait(*this);
      }
    };
    Pinger{watchdog_, interval}();
  }
}

void Lifecycle::ready_when_connected(redis::Client& client) {
  boost::asio::co_spawn(
      io_,
      [this, &client]() -> boost::asio::awaitable<void> {
        while (!co_await client.wait_connected(std::chrono::seconds(1)))
          if (stopping_) co_return;
        ready();
      },
      boost::asio::detached);
}

void Lifecycle::stop() {
  if (stopping_) return;
  stopping_ = true;
  sd_notify(0, "STOPPING=1");
  signals_.cancel();
  watchdog_.cancel();
  // Past the deadline the loop ends with work still in flight: that work is in Redis (stream
  // entries not acknowledged) and is taken up again at the next start or by another instance.
  deadline_.expires_after(drain_timeout_);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    logger(name_)->warn("event=drain_deadline timeout_ms={}", drain_timeout_.count());
    io_.stop();
  });
  boost::asio::co_spawn(io_, drain(), boost::asio::detached);
}

boost::asio::awaitable<void> Lifecycle::drain() {
  const auto started = std::chrono::steady_clock::now();
  for (auto it = stop_steps_.rbegin(); it != stop_steps_.rend(); ++it) co_await (*it)();
  drained_ = true;
  deadline_.cancel();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  logger(name_)->info("event=drained ms={}", took.count());
  io_.stop();
}

int Lifecycle::run() {
  io_.run();
  // Closing sockets and cancelling timers made their coroutines ready to finish: let them, while
  // everything they refer to still exists. A coroutine left suspended is destroyed with the
  // io_context after the daemon's objects, and must not touch them then.
  io_.restart();
  for (int round = 0; round < 100 && io_.poll() > 0; ++round) {
  }
  logger(name_)->info("event=stopped drained={}", drained_);
  return 0;
}

}  // namespace piket
