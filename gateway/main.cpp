// piket-gateway: flags, configuration, the service, the loop.
#include "common/daemon.hpp"
#include "common/log.hpp"
#include "gateway/service.hpp"

int main(int argc, char** argv) {
  using namespace piket;
  PiketConfig config = load_daemon_config(argc, argv, "piket-gateway");
  boost::asio::io_context io;
  const auto clock_owner = make_daemon_clock();
  const Clock& clock = *clock_owner;
  gateway::GatewayService service{io, config, clock};
  if (auto started = service.start(); !started.ok()) {
    logger("gateway")->critical("event=start_failed reason=\"{}\"", started.error().to_string());
    return 69;  // EX_UNAVAILABLE
  }
  Lifecycle lifecycle{io, "gateway", std::chrono::milliseconds(config.shutdown_timeout_ms)};
  lifecycle.on_stop([&] { service.stop(); });
  // Runs first: no new connections, every request in flight answered with its real result
  // while the daemons behind are still reachable.
  lifecycle.on_drain([&] { return service.drain(); });
  lifecycle.ready();  // the port is bound; peers are reached per request
  return lifecycle.run();
}
