#pragma once
// The dispatcher daemon: takes reports in (ZeroMQ RPC), triages and stores them durably,
// matches them to the on-call worker (asking the scheduler), alerts through the alert stream,
// and fires acceptance deadlines kept in Redis.
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/domain/regions.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/redis/stream_consumer.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "dispatcher/store/dispatch_store.hpp"
#include "dispatcher/triage/triage.hpp"

namespace piket::dispatcher {

class DispatcherService {
 public:
  DispatcherService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                    RegionDirectory regions, TriageRules triage);
  Status start();  // binds sockets, starts Redis clients, consumers and the timer loop
  void stop();
  redis::Client& redis() { return redis_; }

 private:
  boost::asio::awaitable<Result<nlohmann::json>> submit(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> get_report(const Envelope& request);
  boost::asio::awaitable<Result<nlohmann::json>> change_assignment(const Envelope& request,
                                                                   bool accept);
  boost::asio::awaitable<bool> handle_match_job(const redis::StreamEntry& entry);
  boost::asio::awaitable<void> timer_loop();
  boost::asio::awaitable<Status> check_durability();

  boost::asio::io_context& io_;
  PiketConfig config_;
  const Clock& clock_;
  RegionDirectory regions_;
  TriageRules triage_;
  redis::Client redis_;
  DispatchStore store_;
  zmqio::RpcServer rpc_;
  zmqio::RpcClient scheduler_;
  zmqio::Publisher events_;
  std::unique_ptr<redis::StreamConsumer> match_consumer_;
  Metrics metrics_;
  bool running_ = false;
};

}  // namespace piket::dispatcher
