// piket-notifier: flags, configuration, the service, the loop.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

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
  if (!problems.empty()) exit_with_config_problems(problems);

  boost::asio::io_context io;
  SystemClock clock;
  notifier::NotifierService service{io, config, clock, std::move(workers), std::move(secret)};
  service.start();
  Lifecycle lifecycle{io, "notifier"};
  lifecycle.on_stop([&] { service.stop(); });
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        while (!co_await service.redis().wait_connected(std::chrono::seconds(1)))
          if (lifecycle.stopping()) co_return;
        lifecycle.ready();
      },
      boost::asio::detached);
  return lifecycle.run();
}
