// piket-scheduler: answers who is on call. Flags, configuration and the loop only; the logic is
// in the piket_scheduler library.
#include <boost/asio/io_context.hpp>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/daemon.hpp"
#include "common/domain/holidays.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/log.hpp"
#include "scheduler/coverage/staffing.hpp"
#include "scheduler/roster/rotation.hpp"
#include "common/domain/working_time.hpp"
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
  scheduler::SchedulerData data;
  data.teams = load_teams(config.data.workers_file, regions, workers, problems);
  data.rotations = scheduler::load_rotations(config.scheduler.rotations_file, regions, workers, problems);
  if (!config.scheduler.staffing_file.empty())
    data.minimums = scheduler::load_staffing(config.scheduler.staffing_file, regions, problems);
  if (!config.scheduler.working_time_file.empty())
    data.limits = load_working_time_limits(config.scheduler.working_time_file, problems);
  if (!config.scheduler.holidays_file.empty())
    data.holidays = HolidayCalendar(load_holidays(config.scheduler.holidays_file, problems));
  if (!scheduler::find_zone(config.data.time_zone))
    problems.push_back({config.file, "data.time_zone", "unknown time zone " + config.data.time_zone});
  if (!problems.empty()) exit_with_config_problems(problems);
  data.regions = std::move(regions);
  data.workers = std::move(workers);

  boost::asio::io_context io;
  const auto clock_owner = make_daemon_clock();
  const Clock& clock = *clock_owner;
  scheduler::SchedulerService service{io, config, clock, std::move(data)};
  if (auto started = service.start(); !started.ok()) {
    logger("scheduler")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return kExitUnavailable;
  }
  Lifecycle lifecycle{io, "scheduler", std::chrono::milliseconds(config.shutdown_timeout_ms)};
  lifecycle.on_stop([&service] { service.stop(); });
  lifecycle.on_drain([&service] { return service.rpc().drain(); });  // runs first
  lifecycle.ready();  // on-call answers come from memory; roster changes wait for Redis
  return lifecycle.run();
}
