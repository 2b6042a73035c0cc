// The roster in a real Redis: a change is stored only at the version it was decided on, all or
// nothing, with its audit entry; the snapshot and its version are read in one step.
#include <boost/asio/io_context.hpp>
#include <catch.hpp>

#include "common/keys.hpp"
#include "common/redis/functions.hpp"
#include "scheduler/store/roster_lua.hpp"
#include "scheduler/store/roster_store.hpp"
#include "tests/support/demo_data.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_async.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace sch = piket::scheduler;

namespace {
piket::TimePoint at(const char* text) {
  piket::TimePoint t;
  piket::parse_utc(text, t);
  return t;
}

sch::RosterChange leave_change(const char* id, const char* worker) {
  sch::RosterChange change;
  sch::Leave l;
  l.id = id;
  l.worker_id = worker;
  l.interval = {at("2026-12-10T07:00:00Z"), at("2026-12-11T07:00:00Z")};
  l.category = "holiday";
  change.leave = {l};
  change.action = "roster.leave";
  change.actor = "api";
  change.detail = std::string("id=") + id;
  return change;
}
}  // namespace

TEST_CASE("a roster change is stored only at the version it was decided on", "[redis][roster]") {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  client.on_connect(
      [&] { return piket::redis::ensure_functions(client, piket::roster_library()); });
  client.start();
  REQUIRE(piket::test::run_async(io, client.wait_connected(5s)));
  const auto& demo = piket::test::demo_data();
  sch::RosterStore store{client, demo.regions, demo.workers};
  const auto now = at("2026-12-02T13:00:00Z");

  auto empty = piket::test::run_async(io, store.load());
  REQUIRE(empty.ok());
  CHECK(empty->version == 0);
  CHECK(empty->leave.empty());

  auto first = piket::test::run_async(io, store.write(leave_change("l-1", "w-em-02"), 0, now));
  REQUIRE(first.ok());
  CHECK(*first == 1);
  CHECK(server.cli("XLEN " + piket::keys::audit_stream()) == "1\n");

  SECTION("a change decided on the old version is a conflict and stores nothing") {
    auto stale = piket::test::run_async(io, store.write(leave_change("l-2", "w-em-03"), 0, now));
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == piket::ErrorCode::conflict);
    CHECK(stale.error().field == "version");
    auto loaded = piket::test::run_async(io, store.load());
    REQUIRE(loaded.ok());
    CHECK(loaded->version == 1);
    REQUIRE(loaded->leave.size() == 1);
    CHECK(loaded->leave[0].id == "l-1");
    CHECK(piket::test::run_async(io, store.version()).value() == 1);
    // Decided again on the fresh version, it is stored.
    auto again = piket::test::run_async(io, store.write(leave_change("l-2", "w-em-03"), 1, now));
    REQUIRE(again.ok());
    CHECK(*again == 2);
    CHECK(piket::test::run_async(io, store.load())->leave.size() == 2);
  }
  SECTION("a removal of an entry that is gone stores nothing of the change") {
    sch::RosterChange change = leave_change("l-3", "w-em-04");
    change.removals = {{sch::RosterPart::overrides, "o-gone"}};
    auto refused = piket::test::run_async(io, store.write(change, 1, now));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == piket::ErrorCode::not_found);
    auto loaded = piket::test::run_async(io, store.load());
    CHECK(loaded->version == 1);
    CHECK(loaded->leave.size() == 1);
  }
  SECTION("a removal takes the entry out and bumps the version") {
    sch::RosterChange change;
    change.removals = {{sch::RosterPart::leave, "l-1"}};
    change.action = "roster.leave.removed";
    change.actor = "api";
    change.detail = "id=l-1";
    auto removed = piket::test::run_async(io, store.write(change, 1, now));
    REQUIRE(removed.ok());
    CHECK(*removed == 2);
    CHECK(piket::test::run_async(io, store.load())->leave.empty());
  }
  client.stop();
  piket::test::run_for(io, 50ms);
}
