// piket-notifier: flags, configuration, the service, the loop.
#include "common/daemon.hpp"
#include "common/log.hpp"
#include "notifier/service.hpp"

int main(int argc, char** argv) {
  using namespace piket;
  PiketConfig config = load_daemon_config(argc, argv, "piket-notifier");
  std::vector<ConfigProblem> problems;
  RegionDirectory regions = load_regions(config.data.regions_file, problems);
  WorkerDirectory workers = load_workers(config.data.workers_file, regions, problems);
  std::string secret = resolve_secret(config.notifier.webhook_secret, config.file, problems);
  notifier::ChannelConfig channels = notifier::load_channel_config(config, problems);
  notifier::RuleDefaults rules;
  if (!channels.rules_file.empty()) rules = notifier::load_rule_defaults(channels.rules_file, problems);
  if (!problems.empty()) exit_with_config_problems(problems);

  boost::asio::io_context io;
  const auto clock_owner = make_daemon_clock();
  const Clock& clock = *clock_owner;
  notifier::NotifierService service{io, config, clock, std::move(regions), std::move(workers),
                                    std::move(secret), std::move(channels), std::move(rules)};
  if (auto started = service.start(); !started.ok()) {
    logger("notifier")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return 69;  // EX_UNAVAILABLE
  }
  Lifecycle lifecycle{io, "notifier", std::chrono::milliseconds(config.shutdown_timeout_ms)};
  lifecycle.on_stop([&] { service.stop(); });
  lifecycle.on_drain([&] { return service.drain(); });  // runs first
  lifecycle.ready_when_connected(service.redis());  // until then: "unavailable"
  return lifecycle.run();
}
