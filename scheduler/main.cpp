// piket-scheduler: answers who is on call. Flags, configuration and the loop only; the logic is
// in the piket_scheduler library.
#include <boost/asio/io_context.hpp>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/daemon.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/log.hpp"
#include "scheduler/roster/rotation.hpp"
#include "scheduler/service.hpp"

namespace {
constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE
}

int main(int argc, char** argv) {
  using namespace piket;
  const PiketConfig config = load_daemon_config(argc, argv, "piket-scheduler");

  std::vector<ConfigProblem> problems;
  RegionDirectory regions = load_regions(config.data.regions_file, problems);
  WorkerDirectory workers = load_workers(config.data.workers_file, regions, problems);
  std::vector<scheduler::Rotation> rotations =
      scheduler::load_rotations(config.scheduler.rotations_file, regions, workers, problems);
  if (!problems.empty()) exit_with_config_problems(problems);

  boost::asio::io_context io;
  SystemClock clock;
  scheduler::SchedulerService service{
      io, config, clock, std::move(regions), std::move(workers), std::move(rotations)};
  if (auto started = service.start(); !started.ok()) {
    logger("scheduler")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return kExitUnavailable;
  }
  Lifecycle lifecycle{io, "scheduler"};
  lifecycle.on_stop([&service] { service.stop(); });
  lifecycle.ready();
  return lifecycle.run();
}
