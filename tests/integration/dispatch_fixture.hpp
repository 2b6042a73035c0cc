#pragma once
// A real redis-server with the dispatcher's Functions loaded, and the calls the dispatcher makes,
// for the integration tests of the dispatcher's store (one fixture per test case).
#include <catch.hpp>

#include <boost/asio/io_context.hpp>

#include "common/redis/client.hpp"
#include "common/redis/functions.hpp"
#include "dispatcher/ladder_steps.hpp"
#include "dispatcher/store/dispatch_lua.hpp"
#include "dispatcher/store/dispatch_store.hpp"
#include "dispatcher/visits/acceptance.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_async.hpp"

namespace piket::test::dispatch {

using namespace std::chrono_literals;
using nlohmann::json;
using piket::TimePoint;
using piket::dispatcher::DispatchStore;
using piket::test::run_async;
namespace asio = boost::asio;

inline const TimePoint kStart = piket::from_unix_ms(1796212800000);  // 2026-12-02T12:00:00Z

struct Fixture {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, config(), "test"};
  DispatchStore store{client};

  Fixture() {
    client.start();
    REQUIRE(run_async(io, client.wait_connected(5s)));
    REQUIRE(run_async(io, piket::redis::ensure_functions(client, piket::dispatch_library())).ok());
    server.cli("XGROUP CREATE piket:stream:match dispatchers $ MKSTREAM");
  }
  piket::RedisConfig config() const {
    piket::RedisConfig c;
    c.port = server.port();
    return c;
  }
  std::string cli(const std::string& command) { return server.cli(command); }

  static piket::dispatcher::NewReport new_report(const std::string& id, int needed = 1,
                                                 const std::string& region = "utrecht-stad") {
    piket::dispatcher::NewReport r;
    r.id = id;
    r.idempotency_key = "key-" + id;
    r.fingerprint = "f-" + id;
    r.actor = "test";
    r.report = json{{"source", "police"}};
    r.triage = json{{"class", "T1"}};
    r.region = region;
    r.municipality = "Utrecht";
    r.triage_class = "T1";
    r.state = "matching";
    r.needed = needed;
    r.visit_required = true;
    r.first_contact_by_ms = piket::to_unix_ms(kStart + 2h);
    return r;
  }

  std::string report(const std::string& id, int needed = 1, TimePoint at = kStart,
                     const std::string& region = "utrecht-stad") {
    auto created = run_async(io, store.submit(new_report(id, needed, region), at));
    REQUIRE(created.ok());
    return id;
  }

  json target(const std::string& worker) {
    return {{"worker", worker}, {"region", "utrecht-stad"}, {"why", "rank of " + worker},
            {"shift_end_ms", piket::to_unix_ms(kStart + 6h)}, {"travel_ms", 15 * 60 * 1000}};
  }

  json step(int index, int after_s, const std::string& kind, json targets, const std::string& skipped = "") {
    json s{{"index", index}, {"after_s", after_s}, {"target", kind}, {"channel", kind == "repeat" ? "second" : "primary"},
           {"targets", targets}};
    s["skipped_reason"] = skipped.empty() ? json(nullptr) : json(skipped);
    return s;
  }

  std::string start(const std::string& report_id, json ladder, TimePoint now = kStart) {
    json plan{{"report", report_id}, {"now", piket::to_unix_ms(now)}, {"entry", "0-1"}, {"ladder", ladder},
              {"ranking", json::object()}, {"alert_template", {{"reference", report_id}}},
              {"restart_after_ms", 30000}, {"informed", json::array()}, {"team_leads", {"w-lead"}},
              {"physician", ""}, {"summary", "test"}, {"actor", "test"}};
    auto context = run_async(io, store.match_context(report_id));
    REQUIRE(context.ok());
    piket::dispatcher::add_first_step(plan, *context, now);
    auto started = run_async(io, store.start_ladder(plan));
    REQUIRE(started.ok());
    return *started;
  }

  std::vector<std::string> claim(TimePoint now) {
    // As the dispatcher's timer loop does: what Redis fires itself, then the ladder steps
    // decided here.
    auto claimed = run_async(io, store.claim_due(now, 100));
    REQUIRE(claimed.ok());
    std::vector<std::string> fired = claimed->fired;
    for (const auto& member : claimed->decide) {
      if (!member.starts_with("step:")) continue;
      // A step that cannot be decided stays held by its claim and fires again, as in the daemon.
      auto outcome = run_async(io, piket::dispatcher::fire_next_step(store, member.substr(5), now, true));
      if (outcome.ok() && *outcome != "none") fired.push_back(member);
    }
    return fired;
  }

  json alerts() {
    json out = json::array();
    const std::string raw = cli("XRANGE piket:stream:alerts - +");
    for (std::size_t at = raw.find('{'); at != std::string::npos; at = raw.find("\n{", at + 1)) {
      const auto end = raw.find('\n', at + 1);
      out.push_back(json::parse(raw.substr(at, end == std::string::npos ? end : end - at), nullptr, false));
    }
    return out;
  }

  json shown(const std::string& id) {
    auto r = run_async(io, store.read_report(id, kStart, "test", "check"));
    REQUIRE(r.ok());
    return *r;
  }

  piket::dispatcher::AssignmentChange accept(const std::string& assignment, TimePoint now = kStart) {
    auto a = run_async(io, piket::dispatcher::accept_assignment(
                               store, assignment, now, "test", {90min, 30min, "http://piket"},
                               [](const std::string&) { return std::chrono::hours(24); }));
    INFO((a.ok() ? "" : a.error().to_string()));
    REQUIRE(a.ok());
    return *a;
  }
};

inline bool timeline_has(const json& report, const std::string& action, const std::string& text = "") {
  for (const auto& e : report["timeline"])
    if (e.value("action", "") == action && e.value("detail", "").find(text) != std::string::npos) return true;
  return false;
}

}  // namespace piket::test::dispatch
