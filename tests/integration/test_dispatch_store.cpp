// The dispatcher's Redis Functions against a real redis-server: the ladder's steps at their
// times, exactly once with two claimers, empty steps skipped at once, visits never
// double-booked, two-person acceptance, and a broken record that never loses its deadline.
#include <catch.hpp>

#include <cctype>
#include <set>
#include <sstream>

#include "tests/integration/dispatch_fixture.hpp"

using namespace piket::test::dispatch;


TEST_CASE("the ladder fires each step at its time, skips an empty step at once and says why",
          "[integration][dispatch]") {
  Fixture f;
  const std::string id = f.report("r-ladder");
  json ladder = json::array({f.step(0, 0, "first", json::array({f.target("w-a")})),
                             f.step(1, 60, "repeat", json::array({f.target("w-a")})),
                             f.step(2, 120, "next", json::array(), "nobody else on call in utrecht-stad"),
                             f.step(3, 180, "team_lead", json::array({f.target("w-lead")}))});
  CHECK(f.start(id, ladder) == "alerted");
  REQUIRE(f.alerts().size() == 1);
  CHECK(f.alerts()[0]["worker"] == "w-a");
  CHECK(f.alerts()[0]["deadline_ms"] == piket::to_unix_ms(kStart + 60s));

  CHECK(f.claim(kStart + 59s).empty());
  CHECK(f.claim(kStart + 60s) == std::vector<std::string>{"step:r-ladder"});
  REQUIRE(f.alerts().size() == 2);
  CHECK(f.alerts()[1]["channel"] == "second");
  CHECK(f.alerts()[1]["assignment"] == f.alerts()[0]["assignment"]);

  // Step 2 has nobody: at +120 s the team lead is alerted at once, and the timeline says why.
  CHECK(f.claim(kStart + 120s).size() == 1);
  REQUIRE(f.alerts().size() == 3);
  CHECK(f.alerts()[2]["worker"] == "w-lead");
  json view = f.shown(id);
  CHECK(timeline_has(view, "escalation.step_skipped", "nobody else on call in utrecht-stad"));
  CHECK(view["state"] == "alerting");
}

TEST_CASE("two dispatchers claiming at once fire every deadline exactly once",
          "[integration][dispatch]") {
  Fixture f;
  for (int i = 0; i < 20; ++i) {
    const std::string id = f.report("r-twice-" + std::to_string(i));
    f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")})),
                             f.step(1, 60, "next", json::array({f.target("w-b")}))}));
  }
  piket::redis::Client second{f.io, f.config(), "second"};
  second.start();
  REQUIRE(run_async(f.io, second.wait_connected(5s)));
  DispatchStore other{second};
  // Both claims are in flight at once on two connections; Redis runs one Function, then the other.
  using Claimed = piket::Result<piket::dispatcher::ClaimedTimers>;
  std::vector<Claimed> answers;
  for (DispatchStore* store : {&f.store, &other})
    asio::co_spawn(f.io, store->claim_due(kStart + 61s, 100),
                   [&](std::exception_ptr, Claimed claimed) { answers.push_back(std::move(claimed)); });
  for (int i = 0; i < 500 && answers.size() < 2; ++i) piket::test::run_for(f.io, 10ms);
  REQUIRE(answers.size() == 2);
  // Each due step is handed to exactly one of them to decide, and each applies what it got.
  std::size_t claimed = 0;
  std::vector<std::pair<DispatchStore*, std::string>> to_fire;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    REQUIRE(answers[i].ok());
    claimed += answers[i]->fired.size() + answers[i]->decide.size();
    for (const auto& member : answers[i]->decide) to_fire.emplace_back(i == 0 ? &f.store : &other, member.substr(5));
  }
  CHECK(claimed == 20);
  for (const auto& [store, report] : to_fire)
    CHECK(run_async(f.io, piket::dispatcher::fire_next_step(*store, report, kStart + 61s, true)).value() == "alerted");
  CHECK(f.alerts().size() == 40);

  // A step decided by both at once (a lease that ran out on a slow one) alerts once: the
  // second's write is refused, and read again the step is gone.
  using Fired = piket::Result<std::string>;
  const std::string id = f.report("r-both");
  f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")})),
                           f.step(1, 60, "next", json::array({f.target("w-b")})),
                           f.step(2, 120, "next", json::array({f.target("w-c")}))}));
  std::vector<Fired> outcomes;
  for (DispatchStore* store : {&f.store, &other})
    asio::co_spawn(f.io, piket::dispatcher::fire_next_step(*store, id, kStart + 61s, true),
                   [&](std::exception_ptr, Fired fired) { outcomes.push_back(std::move(fired)); });
  for (int i = 0; i < 500 && outcomes.size() < 2; ++i) piket::test::run_for(f.io, 10ms);
  REQUIRE(outcomes.size() == 2);
  std::multiset<std::string> seen{outcomes[0].value(), outcomes[1].value()};
  CHECK(seen == std::multiset<std::string>{"alerted", "none"});
  std::size_t to_b = 0, to_c = 0;
  for (const auto& a : f.alerts()) {
    to_b += a["reference"] == id && a["worker"] == "w-b";
    to_c += a["reference"] == id && a["worker"] == "w-c";
  }
  CHECK(to_b == 1);
  CHECK(to_c == 0);  // the step after keeps its time
}

TEST_CASE("visits of one worker never overlap, and a two-person report waits for both",
          "[integration][dispatch]") {
  Fixture f;
  const std::string one = f.report("r-one"), two = f.report("r-two");
  f.start(one, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  f.start(two, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  auto a = f.accept("r-one-1");
  auto b = f.accept("r-two-1");
  REQUIRE(a.visit_id == "r-one-v");
  REQUIRE(b.visit_id == "r-two-v");
  CHECK(a.visit_start_ms == piket::to_unix_ms(kStart + 15min));            // travel time
  CHECK(b.visit_start_ms == piket::to_unix_ms(kStart + 15min + 90min));    // after the first visit
  CHECK_FALSE(a.late);

  const std::string pair = f.report("r-pair", 2);
  f.start(pair, json::array({f.step(0, 0, "first", json::array({f.target("w-b"), f.target("w-c")})),
                             f.step(1, 120, "next", json::array({f.target("w-d")}))}));
  auto first = f.accept("r-pair-1");
  CHECK(first.visit_id.empty());
  CHECK(f.shown(pair)["state"] == "alerting");
  CHECK(f.claim(kStart + 121s).size() == 1);  // paging goes on for the second place
  auto second = f.accept("r-pair-3");         // w-d, the backup, takes it
  CHECK(second.visit_id == "r-pair-v");
  json view = f.shown(pair);
  CHECK(view["state"] == "visit_planned");
  CHECK(view["visit"]["workers"] == "w-b,w-d");
  // The one still alerted (w-c) is cancelled: the notifier stops paging them.
  for (const auto& a : view["assignments"])
    if (a["worker"] == "w-c") CHECK(a["state"] == "cancelled");
  CHECK(f.cli("ZSCORE piket:timers step:r-pair").find_first_of("0123456789") == std::string::npos);
}

TEST_CASE("an accepted call-out is recorded as work from setting off to the visit's end, once per "
          "assignment",
          "[integration][dispatch][working_time]") {
  Fixture f;
  const auto ms = [](TimePoint t) { return std::to_string(piket::to_unix_ms(t)); };
  const std::string one = f.report("r-one"), two = f.report("r-two");
  f.start(one, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  f.start(two, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  f.accept("r-one-1");
  f.accept("r-two-1");
  // The first visit starts after 15 min of travel and lasts 90; the second waits for it, and its
  // work starts when the worker sets off for it.
  CHECK(f.cli("ZSCORE piket:callouts 'w-a|r-one-1|" + ms(kStart + 105min) + "'").find(ms(kStart)) == 0);
  CHECK(f.cli("ZSCORE piket:callouts 'w-a|r-two-1|" + ms(kStart + 195min) + "'").find(ms(kStart + 90min)) == 0);
  // Matching reads both back: the call-outs, and when the worker is free of visits again.
  auto loads = run_async(f.io, f.store.worker_loads({"w-a", "w-z"}, kStart - 12h, kStart - 24h, kStart - 48h, kStart));
  REQUIRE(loads.ok());
  REQUIRE(loads->size() == 2);
  CHECK((*loads)[0].call_outs.size() == 2);
  CHECK((*loads)[0].busy_until_ms == piket::to_unix_ms(kStart + 195min));
  CHECK((*loads)[1].call_outs.empty());
  CHECK((*loads)[1].busy_until_ms == 0);

  const std::string pair = f.report("r-pair", 2);
  f.start(pair, json::array({f.step(0, 0, "first", json::array({f.target("w-b"), f.target("w-c")}))}));
  f.accept("r-pair-1", kStart + 1min);
  // Until the visit is known, the minimum call-out.
  CHECK(f.cli("ZSCORE piket:callouts 'w-b|r-pair-1|" + ms(kStart + 31min) + "'").find(ms(kStart + 1min)) == 0);
  f.accept("r-pair-2", kStart + 2min);
  // With the visit planned the first estimate is replaced, not added to.
  const std::string members = f.cli("ZRANGE piket:callouts 0 -1");
  CHECK(members.find("w-b|r-pair-1|" + ms(kStart + 31min)) == std::string::npos);
  CHECK(members.find("w-b|r-pair-1|" + ms(kStart + 17min + 90min)) != std::string::npos);
  CHECK(members.find("w-c|r-pair-2|" + ms(kStart + 17min + 90min)) != std::string::npos);
  CHECK(f.cli("ZCARD piket:callouts").find("4") == 0);
}

TEST_CASE("a record the timer cannot process keeps its deadline, retried and on record",
          "[integration][dispatch]") {
  Fixture f;
  const std::string id = f.report("r-broken");
  f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")})),
                           f.step(1, 60, "next", json::array({f.target("w-b")}))}));
  f.cli("HSET piket:report:r-broken ladder not-json");
  CHECK(f.claim(kStart + 61s).empty());
  // Held by the claim for five seconds, then tried again; the failure names what is wrong.
  CHECK(f.cli("ZSCORE piket:timers step:r-broken").rfind(std::to_string(piket::to_unix_ms(kStart + 66s)), 0) == 0);
  auto fired = run_async(f.io, piket::dispatcher::fire_next_step(f.store, id, kStart + 66s, true));
  REQUIRE_FALSE(fired.ok());
  CHECK(fired.error().to_string().find("stored ladder of r-broken") != std::string::npos);
  CHECK(f.claim(kStart + 67s).empty());
  CHECK(f.cli("ZSCORE piket:timers step:r-broken").rfind(std::to_string(piket::to_unix_ms(kStart + 72s)), 0) == 0);
}

TEST_CASE("the audit and access logs are hash chains: a removed or changed entry shows",
          "[integration][dispatch]") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    const std::string id = f.report("r-chain-" + std::to_string(i));
    f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
    f.shown(id);  // an access entry each
  }
  // The scheduler's roster entries share the audit stream outside the chain.
  f.cli("XADD piket:stream:audit * at 1 actor manager action roster.put report - detail x");
  auto audit = run_async(f.io, f.store.verify_chain("piket:stream:audit"));
  REQUIRE(audit.ok());
  CHECK(audit->broken.empty());
  CHECK(audit->checked == 12);  // per report: created, ranked, alerted, last step
  CHECK(audit->head == f.cli("GET piket:chain:piket:stream:audit").substr(0, 40));
  auto access = run_async(f.io, f.store.verify_chain("piket:stream:access"));
  REQUIRE(access.ok());
  CHECK(access->broken.empty());
  CHECK(access->checked == 3);

  SECTION("an entry removed from the middle") {
    const std::string ids = f.cli("XRANGE piket:stream:audit - + COUNT 5");
    // Entry ids are the lines that look like 1234-0; take the fourth entry's and the fifth's.
    std::vector<std::string> entry_ids;
    std::istringstream lines{ids};
    for (std::string line; std::getline(lines, line);)
      if (!line.empty() && line.find('-') != std::string::npos && std::isdigit(static_cast<unsigned char>(line[0])) &&
          line.find_first_not_of("0123456789-") == std::string::npos)
        entry_ids.push_back(line);
    REQUIRE(entry_ids.size() == 5);
    f.cli("XDEL piket:stream:audit " + entry_ids[3]);
    auto broken = run_async(f.io, f.store.verify_chain("piket:stream:audit"));
    REQUIRE(broken.ok());
    CHECK(broken->broken == entry_ids[4]);
    CHECK(broken->checked == 3);
  }
  SECTION("the last entry removed") {
    const std::string last = f.cli("XREVRANGE piket:stream:access + - COUNT 1");
    f.cli("XDEL piket:stream:access " + last.substr(0, last.find('\n')));
    auto broken = run_async(f.io, f.store.verify_chain("piket:stream:access"));
    REQUIRE(broken.ok());
    CHECK(broken->broken == "head");
  }
}
