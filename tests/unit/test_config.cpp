// The deployment configuration and every example data file in config/.
#include <catch.hpp>

#include "tests/support/config_problems.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/config.hpp"
#include "common/domain/places.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "dispatcher/matching/escalation.hpp"
#include "dispatcher/triage/triage.hpp"
#include "scheduler/roster/rotation.hpp"

namespace {

using piket::test::listed;
using piket::test::problem_for;

using piket::ConfigProblem;

const std::string kConfigDir = std::string(PIKET_SOURCE_DIR) + "/config/";
const std::string kDemo = kConfigDir + "demo/";



// A complete, valid configuration; cases replace one line at a time.
const std::string kValid = R"(
log_level = "info"

[data]
regions_file = "demo/regions.toml"
workers_file = "demo/workers.toml"

[redis]
port = 6390

[zmq]
dispatcher_rpc = "tcp://127.0.0.1:7101"
scheduler_rpc = "ipc:///tmp/piket-scheduler"
dispatcher_events = "inproc://events"

[gateway]
public_url = "https://piket.example.nl"

[dispatcher]
triage_file = "demo/triage.toml"

[scheduler]
rotations_file = "demo/rotations.toml"

[notifier]
webhook_secret_env = "PIKET_TEST_SECRET"
)";

// A temporary directory removed at the end of the case.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "piket-config-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("the example config/piket.toml loads without a single problem", "[unit][config]") {
  auto load = piket::load_config(kConfigDir + "piket.toml");
  INFO(listed(load.problems));
  REQUIRE(load.ok());
  CHECK(load.config.redis.port == 6390);
  CHECK(load.config.zmq.dispatcher_rpc == "tcp://127.0.0.1:7101");
  CHECK(load.config.gateway.public_url == "http://127.0.0.1:8080");
  // Paths are relative to the file, so the daemons find the demo data from any directory.
  CHECK(std::filesystem::exists(load.config.data.regions_file));
  CHECK(std::filesystem::exists(load.config.data.workers_file));
  CHECK(std::filesystem::exists(load.config.dispatcher.triage_file));
  CHECK(std::filesystem::exists(load.config.scheduler.rotations_file));
  CHECK(std::filesystem::exists(load.config.data.places_file));
  CHECK(std::filesystem::exists(load.config.dispatcher.escalation_file));
  CHECK(load.config.notifier.webhook_secret.env == "PIKET_WEBHOOK_SECRET");
}

TEST_CASE("a minimal valid config takes the documented defaults", "[unit][config]") {
  auto load = piket::parse_config("/etc/piket/piket.toml", kValid);
  INFO(listed(load.problems));
  REQUIRE(load.ok());
  CHECK(load.config.redis.host == "127.0.0.1");
  CHECK(load.config.gateway.port == 8080);
  CHECK(load.config.gateway.max_body_bytes == 64 * 1024);
  CHECK(load.config.notifier.max_attempts == 6);
  CHECK(load.config.data.time_zone == "Europe/Amsterdam");
  CHECK(load.config.data.regions_file == "/etc/piket/demo/regions.toml");
  // Optional files: without them matching has no distances and uses the product's ladder.
  CHECK(load.config.data.places_file.empty());
  CHECK(load.config.dispatcher.escalation_file.empty());
}

TEST_CASE("the places and escalation files are read relative to the config", "[unit][config]") {
  std::string text = kValid;
  text.replace(text.find("[redis]"), 0, "places_file = \"demo/places.toml\"\n\n");
  text.replace(text.find("triage_file"), 0, "escalation_file = \"demo/escalation.toml\"\n");
  auto load = piket::parse_config("/etc/piket/piket.toml", text);
  INFO(listed(load.problems));
  REQUIRE(load.ok());
  CHECK(load.config.data.places_file == "/etc/piket/demo/places.toml");
  CHECK(load.config.dispatcher.escalation_file == "/etc/piket/demo/escalation.toml");
}

TEST_CASE("a config with several faults reports all of them at once, each naming its key",
          "[unit][config]") {
  const std::string text = R"(
log_level = "loud"

[data]
regions_file = "demo/regions.toml"
workers_file = "demo/workers.toml"

[redis]
port = "x"

[zmq]
dispatcher_rpc = "http://x"
scheduler_rpc = "tcp://127.0.0.1:7102"
dispatcher_events = "tcp://127.0.0.1:7111"

[gateway]
port = 8080

[dispatcher]
triage_file = "demo/triage.toml"

[scheduler]
rotations_file = "demo/rotations.toml"

[notifier]
webhook_secret = "abc"
)";
  auto load = piket::parse_config("piket.toml", text);
  INFO(listed(load.problems));
  CHECK_FALSE(load.ok());
  for (const char* key : {"log_level", "redis.port", "zmq.dispatcher_rpc", "gateway.public_url",
                          "notifier.webhook_secret"}) {
    CAPTURE(key);
    const ConfigProblem* p = problem_for(load.problems, key);
    REQUIRE(p != nullptr);
    CHECK(p->file == "piket.toml");
    CHECK_FALSE(p->reason.empty());
  }
  CHECK(problem_for(load.problems, "notifier.webhook_secret")->reason.find("inline") !=
        std::string::npos);
  // The inline secret was not the only fault in [notifier]: no env or file is named either.
  CHECK(problem_for(load.problems, "notifier.webhook_secret_env") != nullptr);
  // Keys that are right are not blamed.
  CHECK(problem_for(load.problems, "zmq.scheduler_rpc") == nullptr);
  CHECK(problem_for(load.problems, "gateway.port") == nullptr);
}

TEST_CASE("a value out of range is reported with the allowed range", "[unit][config]") {
  std::string text = kValid;
  text.replace(text.find("port = 6390"), 11, "port = 70000");
  auto load = piket::parse_config("piket.toml", text);
  const ConfigProblem* p = problem_for(load.problems, "redis.port");
  REQUIRE(p != nullptr);
  CHECK(p->reason.find("65535") != std::string::npos);
  CHECK(p->reason.find("70000") != std::string::npos);
}

TEST_CASE("a config that is not TOML is reported with its line", "[unit][config]") {
  auto load = piket::parse_config("piket.toml", "log_level = \"info\"\n[redis\nport = 1\n");
  REQUIRE(load.problems.size() == 1);
  CHECK(load.problems[0].key.find("line 2") == 0);
}

TEST_CASE("a secret is read from its environment variable", "[unit][config]") {
  piket::SecretRef ref{"notifier.webhook_secret", "PIKET_UNIT_SECRET_ENV", ""};
  ::setenv("PIKET_UNIT_SECRET_ENV", "s3cret-from-env", 1);
  std::vector<ConfigProblem> problems;
  CHECK(piket::resolve_secret(ref, "piket.toml", problems) == "s3cret-from-env");
  CHECK(problems.empty());
  ::unsetenv("PIKET_UNIT_SECRET_ENV");
}

TEST_CASE("a secret is read from its file when the environment variable is not set",
          "[unit][config]") {
  TempDir dir;
  const auto file = (dir.path / "webhook_secret").string();
  std::ofstream{file} << "s3cret-from-file\n";
  ::unsetenv("PIKET_UNIT_SECRET_UNSET");

  std::vector<ConfigProblem> problems;
  SECTION("with an unset variable as the first choice") {
    piket::SecretRef ref{"notifier.webhook_secret", "PIKET_UNIT_SECRET_UNSET", file};
    CHECK(piket::resolve_secret(ref, "piket.toml", problems) == "s3cret-from-file");
  }
  SECTION("with only a file") {
    piket::SecretRef ref{"notifier.webhook_secret", "", file};
    CHECK(piket::resolve_secret(ref, "piket.toml", problems) == "s3cret-from-file");
  }
  CHECK(problems.empty());
}

TEST_CASE("a secret found nowhere is a problem naming the key", "[unit][config]") {
  ::unsetenv("PIKET_UNIT_SECRET_UNSET");
  std::vector<ConfigProblem> problems;
  SECTION("an unset variable and no file") {
    piket::SecretRef ref{"notifier.webhook_secret", "PIKET_UNIT_SECRET_UNSET", ""};
    CHECK(piket::resolve_secret(ref, "piket.toml", problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "notifier.webhook_secret_env");
    CHECK(problems[0].reason.find("PIKET_UNIT_SECRET_UNSET") != std::string::npos);
  }
  SECTION("an unset variable and a missing file") {
    piket::SecretRef ref{"notifier.webhook_secret", "PIKET_UNIT_SECRET_UNSET",
                         "/nonexistent/piket/webhook_secret"};
    CHECK(piket::resolve_secret(ref, "piket.toml", problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "notifier.webhook_secret_file");
    CHECK(problems[0].reason.find("/nonexistent/piket/webhook_secret") != std::string::npos);
  }
  SECTION("an empty file") {
    TempDir dir;
    const auto file = (dir.path / "empty").string();
    std::ofstream{file};
    piket::SecretRef ref{"notifier.webhook_secret", "", file};
    CHECK(piket::resolve_secret(ref, "piket.toml", problems).empty());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].key == "notifier.webhook_secret_file");
  }
  CHECK(problems[0].file == "piket.toml");
}

TEST_CASE("every demo data file in config/demo loads without a single problem", "[unit][config]") {
  std::vector<ConfigProblem> problems;
  auto regions = piket::load_regions(kDemo + "regions.toml", problems);
  auto workers = piket::load_workers(kDemo + "workers.toml", regions, problems);
  auto rotations =
      piket::scheduler::load_rotations(kDemo + "rotations.toml", regions, workers, problems);
  auto triage = piket::dispatcher::load_triage_rules(kDemo + "triage.toml", problems);
  auto places = piket::load_places(kDemo + "places.toml", regions, problems);
  auto escalation =
      piket::dispatcher::load_escalation_policies(kDemo + "escalation.toml", regions, problems);
  INFO(listed(problems));
  CHECK(problems.empty());
  CHECK(places.size() == 26);
  CHECK(escalation.policies().size() == 2);
  CHECK_FALSE(regions.regions().empty());
  CHECK_FALSE(workers.workers().empty());
  CHECK_FALSE(rotations.empty());
  CHECK_FALSE(triage.indicators().empty());
}

TEST_CASE("every data file the example config names loads without a single problem",
          "[unit][config]") {
  auto load = piket::load_config(kConfigDir + "piket.toml");
  REQUIRE(load.ok());
  const auto& c = load.config;
  std::vector<ConfigProblem> problems;
  auto regions = piket::load_regions(c.data.regions_file, problems);
  auto workers = piket::load_workers(c.data.workers_file, regions, problems);
  piket::scheduler::load_rotations(c.scheduler.rotations_file, regions, workers, problems);
  piket::dispatcher::load_triage_rules(c.dispatcher.triage_file, problems);
  piket::load_places(c.data.places_file, regions, problems);
  piket::dispatcher::load_escalation_policies(c.dispatcher.escalation_file, regions, problems);
  INFO(listed(problems));
  CHECK(problems.empty());
}

TEST_CASE("the notifier's claim-idle time is derived from its longest delivery when left out",
          "[unit][config][notifier]") {
  auto load = piket::parse_config("/etc/piket/piket.toml", kValid);
  INFO(listed(load.problems));
  REQUIRE(load.ok());
  // 6 attempts x 5000 ms, and 500 + 1000 + 2000 + 4000 + 8000 ms of back-off between them.
  CHECK(piket::longest_delivery(load.config.notifier) == std::chrono::milliseconds(45500));
  CHECK(load.config.notifier.claim_idle_ms == 45500 + 10000);
  CHECK(load.config.notifier.max_in_flight == 32);
  CHECK_FALSE(load.config.notifier.allow_plain_http);
  CHECK(load.config.notifier.ca_file.empty());
}

TEST_CASE("a notifier claim-idle time shorter than its longest delivery is refused, naming the keys",
          "[unit][config][notifier]") {
  std::string text = kValid + "max_attempts = 4\nhttp_timeout_ms = 1000\nretry_base_ms = 100\n"
                              "retry_max_ms = 400\n";
  SECTION("shorter: two notifiers would page twice") {
    auto load = piket::parse_config("/etc/piket/piket.toml", text + "claim_idle_ms = 4699\n");
    const auto* problem = problem_for(load.problems, "notifier.claim_idle_ms");
    REQUIRE(problem != nullptr);
    INFO(problem->reason);
    for (const char* key : {"notifier.max_attempts", "notifier.http_timeout_ms",
                            "notifier.retry_base_ms", "notifier.retry_max_ms", "4700", "twice"})
      CHECK(problem->reason.find(key) != std::string::npos);
    CHECK(load.problems.size() == 1);
  }
  SECTION("as long as the longest delivery: accepted") {
    auto load = piket::parse_config("/etc/piket/piket.toml", text + "claim_idle_ms = 4700\n");
    INFO(listed(load.problems));
    CHECK(load.ok());
    CHECK(load.config.notifier.claim_idle_ms == 4700);
  }
}

TEST_CASE("a notifier CA file that cannot be read is a configuration problem",
          "[unit][config][notifier]") {
  auto load = piket::parse_config("/etc/piket/piket.toml",
                                  kValid + "ca_file = \"/nonexistent/piket-ca.pem\"\n");
  const auto* problem = problem_for(load.problems, "notifier.ca_file");
  REQUIRE(problem != nullptr);
  CHECK(problem->reason.find("/nonexistent/piket-ca.pem") != std::string::npos);
}

TEST_CASE("the clients connect to every instance listed in zmq's peers, or to the one endpoint",
          "[unit][config]") {
  auto single = piket::parse_config("/etc/piket/piket.toml", kValid);
  REQUIRE(single.ok());
  CHECK(single.config.zmq.dispatcher_rpc_peers == std::vector<std::string>{"tcp://127.0.0.1:7101"});
  CHECK(single.config.zmq.notifier_rpc_peers.empty());  // no notifier endpoint: nothing to ask

  std::string text = kValid;
  text.replace(text.find("[gateway]"), 0,
               "dispatcher_rpc_peers = [\"tcp://127.0.0.1:7101\", \"tcp://10.0.0.12:7101\"]\n"
               "scheduler_rpc_peers = [\"tcp://127.0.0.1:7201\", \"smoke signals\"]\n"
               "dispatcher_events_peers = []\n\n");
  auto load = piket::parse_config("/etc/piket/piket.toml", text);
  CHECK(load.config.zmq.dispatcher_rpc_peers ==
        std::vector<std::string>{"tcp://127.0.0.1:7101", "tcp://10.0.0.12:7101"});
  REQUIRE(problem_for(load.problems, "zmq.scheduler_rpc_peers[1]") != nullptr);
  CHECK(problem_for(load.problems, "zmq.scheduler_rpc_peers[1]")->reason.find("ZeroMQ endpoint") != std::string::npos);
  CHECK(problem_for(load.problems, "zmq.dispatcher_events_peers") != nullptr);
  CHECK(problem_for(load.problems, "zmq.dispatcher_rpc_peers") == nullptr);
}
