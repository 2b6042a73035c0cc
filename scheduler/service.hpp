#pragma once
// The scheduler daemon's request side: a ROUTER on zmq.scheduler_rpc answering "oncall.query"
// (who is on call for a region and role) and "ping". The answer itself is pure
// (on_call_query.hpp); this class only puts it on the socket.
#include <boost/asio/io_context.hpp>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "common/zmq/rpc.hpp"
#include "scheduler/roster/rotation.hpp"

namespace piket::scheduler {

class SchedulerService {
 public:
  SchedulerService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                   RegionDirectory regions, WorkerDirectory workers,
                   std::vector<Rotation> rotations);
  SchedulerService(const SchedulerService&) = delete;
  SchedulerService& operator=(const SchedulerService&) = delete;

  // Binds zmq.scheduler_rpc and starts answering; an error names the endpoint.
  Status start();
  // Stops intake; requests in flight are answered if the loop still runs.
  void stop();

  std::uint64_t requests_served() const { return server_.requests_served(); }

 private:
  const Clock& clock_;
  RegionDirectory regions_;
  WorkerDirectory workers_;
  std::vector<Rotation> rotations_;
  zmqio::RpcServer server_;
};

}  // namespace piket::scheduler
