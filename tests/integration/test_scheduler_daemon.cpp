// The real piket-scheduler binary: it answers who is on call over ZeroMQ, and a broken
// configuration stops it at start-up with every problem listed and exit code 78.
#include <boost/asio/io_context.hpp>
#include <catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/clock.hpp"
#include "common/message_types.hpp"
#include "common/zmq/rpc.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_clock.hpp"
#include "tests/support/run_async.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;

std::string scheduler_binary() { return piket::test::build_dir() + "/scheduler/piket-scheduler"; }

std::string demo_file(const std::string& name) {
  return piket::test::source_dir() + "/config/demo/" + name;
}

// Every section config.cpp requires; `data` and `redis` are passed in so a test can break them.
std::string config_text(int scheduler_port, const std::string& data_section,
                        const std::string& redis_section) {
  std::ostringstream t;
  t << "log_level = \"info\"\n\n"
    << data_section << "\n"
    << redis_section << "\n"
    << "[zmq]\n"
    << "dispatcher_rpc = \"tcp://127.0.0.1:" << piket::test::free_port() << "\"\n"
    << "scheduler_rpc = \"tcp://127.0.0.1:" << scheduler_port << "\"\n"
    << "dispatcher_events = \"tcp://127.0.0.1:" << piket::test::free_port() << "\"\n\n"
    << "[gateway]\nport = " << piket::test::free_port()
    << "\npublic_url = \"http://127.0.0.1:8080\"\n\n"
    << "[dispatcher]\ntriage_file = \"triage.toml\"\n\n"
    << "[scheduler]\nrotations_file = \"" << demo_file("rotations.toml") << "\"\n\n"
    << "[notifier]\nwebhook_secret_env = \"PIKET_TEST_SECRET\"\n";
  return t.str();
}

std::string good_data_section() {
  return "[data]\nregions_file = \"" + demo_file("regions.toml") + "\"\nworkers_file = \"" +
         demo_file("workers.toml") + "\"\n";
}

std::string write_config(const std::string& dir, const std::string& text) {
  const std::string file = dir + "/piket.toml";
  std::ofstream{file} << text;
  return file;
}

std::string read_all(const std::string& file) {
  std::ifstream in{file};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("the scheduler daemon tells who is on call for a region", "[scheduler]") {
  ::setenv("PIKET_TEST_SECRET", "test-secret", 1);
  const std::string dir = piket::test::make_temp_dir("piket-scheduler");
  const int port = piket::test::free_port();
  const std::string config =
      write_config(dir, config_text(port, good_data_section(), "[redis]\nport = 6379\n"));
  const std::string log = dir + "/scheduler.log";
  piket::test::set_daemon_clock(dir + "/clock", piket::test::weekday_afternoon());
  piket::test::Process daemon{{scheduler_binary(), "--config", config}, log};
  if (!piket::test::wait_for_port(port, 10s))
    FAIL("the scheduler did not bind:\n" << read_all(log));

  asio::io_context io;
  piket::ManualClock clock{piket::test::weekday_afternoon()};
  piket::zmqio::RpcClient client{io, "tcp://127.0.0.1:" + std::to_string(port),
                                 piket::zmqio::RpcOptions{1000ms, 3}, clock};
  client.start();
  // As the gateway sends it: who asks, verified.
  piket::auth::Principal desk;
  desk.id = "desk-1";
  desk.roles = {"operator"};
  desk.regions = {"*"};

  SECTION("a question without a verified principal is refused, and one from a role that may not ask") {
    auto anonymous = piket::test::run_async(io, client.call(piket::msg::kOnCallQuery, {{"region", "eemland"}}));
    REQUIRE_FALSE(anonymous.ok());
    CHECK(anonymous.error().code == piket::ErrorCode::unauthenticated);
    piket::auth::Principal officer;
    officer.id = "po-1";
    officer.roles = {"privacy_officer"};
    auto refused = piket::test::run_async(io, client.call(piket::msg::kOnCallQuery, {{"region", "eemland"}}, officer));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == piket::ErrorCode::forbidden);
  }
  SECTION("the primary and backups are workers of that region") {
    auto reply = piket::test::run_async(
        io, client.call(piket::msg::kOnCallQuery, {{"region", "utrecht-stad"}}, desk));
    REQUIRE(reply.ok());
    CHECK((*reply)["region"] == "utrecht-stad");
    CHECK((*reply)["role"] == "crisis_worker");
    const json& on_call = (*reply)["on_call"];
    REQUIRE_FALSE(on_call.empty());  // the demo roster covers every instant
    CHECK(on_call[0]["position"] == 0);
    for (const auto& entry : on_call)
      CHECK(entry["worker_id"].get<std::string>().rfind("w-ut-", 0) == 0);
  }
  SECTION("a fixed instant gives the rostered primary") {
    auto reply = piket::test::run_async(
        io, client.call(piket::msg::kOnCallQuery,
                        {{"region", "eemland"}, {"at", "2026-03-02T09:00:00Z"}}, desk));
    REQUIRE(reply.ok());
    REQUIRE_FALSE((*reply)["on_call"].empty());
    CHECK((*reply)["on_call"][0]["worker_id"] == "w-em-01");
  }
  SECTION("an unknown region is an error naming the field") {
    auto reply =
        piket::test::run_async(io, client.call(piket::msg::kOnCallQuery, {{"region", "atlantis"}}, desk));
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == piket::ErrorCode::unknown_region);
    CHECK(reply.error().field == "region");
  }
  SECTION("ping names the service") {
    auto reply = piket::test::run_async(io, client.call(piket::msg::kPing, json::object()));
    REQUIRE(reply.ok());
    CHECK((*reply)["service"] == "scheduler");
  }

  client.stop();
  piket::test::run_for(io, 50ms);
  CHECK(daemon.stop() == 0);  // SIGTERM is a clean shutdown
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST_CASE("a scheduler with a broken configuration exits 78 listing every problem", "[scheduler]") {
  ::setenv("PIKET_TEST_SECRET", "test-secret", 1);
  const std::string dir = piket::test::make_temp_dir("piket-scheduler-bad");
  const std::string data_without_regions =
      "[data]\nworkers_file = \"" + demo_file("workers.toml") + "\"\n";
  const std::string config = write_config(
      dir, config_text(piket::test::free_port(), data_without_regions, "[redis]\nport = \"x\"\n"));
  const std::string log = dir + "/scheduler.log";

  piket::test::set_daemon_clock(dir + "/clock", piket::test::weekday_afternoon());
  piket::test::Process daemon{{scheduler_binary(), "--config", config}, log};
  const int code = daemon.wait_exit(10s);
  const std::string output = read_all(log);
  INFO(output);
  CHECK(code == 78);
  CHECK(output.find("redis.port") != std::string::npos);
  CHECK(output.find("data.regions_file") != std::string::npos);
  CHECK(output.find(config) != std::string::npos);  // problems name the file
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
