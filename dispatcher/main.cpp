// piket-dispatcher: flags, configuration, the service, the loop.
#include "common/daemon.hpp"
#include "common/domain/holidays.hpp"
#include "common/log.hpp"
#include "dispatcher/service.hpp"

int main(int argc, char** argv) {
  using namespace piket;
  PiketConfig config = load_daemon_config(argc, argv, "piket-dispatcher");
  std::vector<ConfigProblem> problems;
  dispatcher::DispatcherData data;
  data.regions = load_regions(config.data.regions_file, problems);
  data.workers = load_workers(config.data.workers_file, data.regions, problems);
  if (!config.data.places_file.empty())
    data.places = load_places(config.data.places_file, data.regions, problems);
  data.triage = dispatcher::load_triage_rules(config.dispatcher.triage_file, problems);
  if (!config.scheduler.holidays_file.empty())
    data.triage.set_holidays(HolidayCalendar(load_holidays(config.scheduler.holidays_file, problems)));
  if (!config.dispatcher.escalation_file.empty())
    data.escalation = dispatcher::load_escalation_policies(config.dispatcher.escalation_file, data.regions, problems);
  if (!config.dispatcher.matching_file.empty())
    data.weights = dispatcher::load_matching_weights(config.dispatcher.matching_file, problems);
  // The one working-time rule: a call-out must keep the worker within it (as a roster must).
  if (!config.scheduler.working_time_file.empty())
    data.limits = load_working_time_limits(config.scheduler.working_time_file, problems);
  if (!problems.empty()) exit_with_config_problems(problems);

  boost::asio::io_context io;
  const auto clock_owner = make_daemon_clock();
  const Clock& clock = *clock_owner;
  dispatcher::DispatcherService service{io, config, clock, std::move(data)};
  if (auto started = service.start(); !started.ok()) {
    logger("dispatcher")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return 69;  // EX_UNAVAILABLE
  }
  Lifecycle lifecycle{io, "dispatcher", std::chrono::milliseconds(config.shutdown_timeout_ms)};
  lifecycle.on_stop([&] { service.stop(); });
  // Drained in reverse: requests in flight are answered, then the matching jobs they queued
  // are finished (or left pending for the next start), then everything closes.
  lifecycle.on_drain([&] { return service.match_consumer().drain(); });
  lifecycle.on_drain([&] { return service.rpc().drain(); });
  lifecycle.ready_when_connected(service.redis());  // until then: "unavailable"
  return lifecycle.run();
}
