// Workers and teams in a real Redis: stored once from config/, changed in single steps with an
// audit entry, and read by the other daemons' WorkerCatalog only when the version moved.
#include <boost/asio/io_context.hpp>
#include <catch.hpp>

#include "common/domain/worker_catalog.hpp"
#include "common/keys.hpp"
#include "common/redis/functions.hpp"
#include "scheduler/store/worker_store.hpp"
#include "scheduler/store/workers_lua.hpp"
#include "tests/support/demo_data.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_clock.hpp"
#include "tests/support/run_async.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {
piket::TeamDirectory demo_teams() {
  std::vector<piket::ConfigProblem> problems;
  const auto& d = piket::test::demo_data();
  return piket::load_teams(std::string(PIKET_SOURCE_DIR) + "/config/demo/workers.toml", d.regions,
                           d.workers, problems);
}

piket::TimePoint now() { return piket::test::weekday_afternoon(); }
}  // namespace

TEST_CASE(
    "config's workers are stored once, a change bumps the version with an audit entry, and "
    "the catalog reads them again only then",
    "[redis][workers]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  client.on_connect(
      [&] { return piket::redis::ensure_functions(client, piket::workers_library()); });
  client.start();
  REQUIRE(piket::test::run_async(io, client.wait_connected(5s)));
  const auto& demo = piket::test::demo_data();
  piket::scheduler::WorkerStore store{client, demo.regions};
  piket::WorkerDirectory from_config({*demo.workers.find("w-em-02")});
  piket::WorkerCatalog catalog{client, demo.regions, from_config, std::chrono::milliseconds(0)};  // check every use

  // Nothing stored yet: the catalog answers config/'s.
  auto before = piket::test::run_async(io, catalog.current());
  CHECK(before->workers().size() == 1);
  auto empty = piket::test::run_async(io, store.load());
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->seeded);

  auto seeded = piket::test::run_async(io, store.seed(demo.workers, demo_teams(), now()));
  REQUIRE(seeded.ok());
  CHECK(*seeded);
  auto again = piket::test::run_async(io, store.seed(demo.workers, demo_teams(), now()));
  REQUIRE(again.ok());
  CHECK_FALSE(*again);  // stored once only
  auto loaded = piket::test::run_async(io, store.load());
  REQUIRE(loaded.ok());
  CHECK(loaded->seeded);
  CHECK(loaded->workers.size() == demo.workers.workers().size());
  CHECK(loaded->teams.size() == 15);

  auto stored = piket::test::run_async(io, catalog.current());
  CHECK(stored->workers().size() == demo.workers.workers().size());
  CHECK(piket::test::run_async(io, catalog.current()) == stored);  // unchanged: the same snapshot

  piket::Worker w = *demo.workers.find("w-em-02");
  w.id = "w-em-10";
  w.webhook_url = "http://127.0.0.1:1/hooks/w-em-10";
  const std::string audit_before = server.cli("XLEN " + piket::keys::audit_stream());
  auto put = piket::test::run_async(io, store.put({w}, now(), "api", "worker.created"));
  REQUIRE(put.ok());
  CHECK(*put == 2);
  CHECK(std::stoi(server.cli("XLEN " + piket::keys::audit_stream())) ==
        std::stoi(audit_before) + 1);
  auto reread = piket::test::run_async(io, catalog.current());
  REQUIRE(reread->find("w-em-10") != nullptr);
  CHECK(reread->find("w-em-10")->webhook_url == "http://127.0.0.1:1/hooks/w-em-10");
  CHECK(stored->find("w-em-10") == nullptr);  // a snapshot held stays as it was

  auto removed = piket::test::run_async(io, store.remove_worker("w-em-10", now(), "api"));
  REQUIRE(removed.ok());
  CHECK(piket::test::run_async(io, catalog.current())->find("w-em-10") == nullptr);
  auto twice = piket::test::run_async(io, store.remove_worker("w-em-10", now(), "api"));
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == piket::ErrorCode::not_found);
}
