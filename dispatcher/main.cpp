// piket-dispatcher: flags, configuration, the service, the loop.
#include "common/daemon.hpp"
#include "common/domain/holidays.hpp"
#include "common/log.hpp"
#include "dispatcher/service.hpp"

int main(int argc, char** argv) {
  using namespace piket;
  PiketConfig config = load_daemon_config(argc, argv, "piket-dispatcher");
  std::vector<ConfigProblem> problems;
  RegionDirectory regions = load_regions(config.data.regions_file, problems);
  dispatcher::TriageRules triage = dispatcher::load_triage_rules(config.dispatcher.triage_file, problems);
  // Working-day deadlines (T3) skip public holidays; without the file only weekends.
  if (!config.scheduler.holidays_file.empty())
    triage.set_holidays(HolidayCalendar(load_holidays(config.scheduler.holidays_file, problems)));
  if (!problems.empty()) exit_with_config_problems(problems);

  boost::asio::io_context io;
  SystemClock clock;
  dispatcher::DispatcherService service{io, config, clock, std::move(regions), std::move(triage)};
  if (auto started = service.start(); !started.ok()) {
    logger("dispatcher")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return 69;  // EX_UNAVAILABLE
  }
  Lifecycle lifecycle{io, "dispatcher"};
  lifecycle.on_stop([&] { service.stop(); });
  lifecycle.ready_when_connected(service.redis());  // until then: "unavailable"
  return lifecycle.run();
}
