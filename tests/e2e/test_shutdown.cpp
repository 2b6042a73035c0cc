// End to end: SIGTERM drains each daemon with work in flight. It exits 0, every request in flight
// is answered with its real result, and nothing is lost: every stored report still gets its alert
// once the daemon is started again.
#include <csignal>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch.hpp>

#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::eventually;
using piket::test::HttpReply;
using piket::test::Stack;

namespace {
json crisis_report() {
  return {{"source", "police"}, {"municipality", "Amersfoort"}, {"indicators", {"threat_to_kill"}}};
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The report ids that reached a worker as a delivered call-out.
std::set<std::string> alerted(const Stack& stack) {
  std::set<std::string> out;
  for (const auto& r : stack.received_alerts())
    if (r.value("status", 0) == 200 && r.contains("body") && r["body"].is_object() && r["body"].contains("reference"))
      out.insert(r["body"]["reference"].get<std::string>());
  return out;
}

bool all_alerted(const Stack& stack, const std::vector<std::string>& ids) {
  const auto got = alerted(stack);
  for (const auto& id : ids)
    if (!got.count(id)) return false;
  return true;
}

// Posts `n` reports at once from threads; the replies land in `replies`.
std::vector<std::thread> post_reports(const Stack& stack, int n, std::vector<HttpReply>& replies,
                                      const std::string& key_prefix) {
  replies.assign(n, HttpReply{});
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&stack, &replies, i, key_prefix] {
      replies[i] = stack.post("/api/v1/reports", crisis_report(),
                              {{"Idempotency-Key", key_prefix + std::to_string(i)}});
    });
  return threads;
}

std::vector<std::string> ids_of(const std::vector<HttpReply>& replies) {
  std::vector<std::string> ids;
  for (const auto& r : replies)
    if (r.status == 201 || r.status == 200) ids.push_back(r.json()["id"]);
  return ids;
}
}  // namespace

TEST_CASE("SIGTERM to the gateway with 8 requests in flight answers each with its stored report "
          "and exits 0",
          "[e2e][shutdown]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  // The dispatcher is held still, so the 8 requests wait in the gateway when SIGTERM comes.
  stack.signal_daemon("dispatcher", SIGSTOP);
  std::vector<HttpReply> replies;
  auto threads = post_reports(stack, 8, replies, "gw-drain-");
  // Read by the gateway and waiting on the dispatcher, not just connected.
  REQUIRE(eventually([&] { return count_of(stack.log("gateway"), "event=request route=reports") >= 8; }));
  stack.signal_daemon("gateway", SIGTERM);
  REQUIRE(eventually([&] { return stack.log("gateway").find("event=stopping") != std::string::npos; }));
  stack.signal_daemon("dispatcher", SIGCONT);
  for (auto& t : threads) t.join();

  for (const auto& reply : replies) {
    INFO(reply.body);
    CHECK(reply.status == 201);
  }
  CHECK(stack.wait_daemon_exit("gateway", 15s) == 0);
  CHECK(stack.log("gateway").find("event=drained") != std::string::npos);

  stack.start_daemon("gateway");
  REQUIRE(stack.wait_healthy(20s));
  const auto ids = ids_of(replies);
  CHECK(ids.size() == 8);
  CHECK(eventually([&] { return all_alerted(stack, ids); }, 20s));
}

TEST_CASE("SIGTERM to the dispatcher while its requests wait on Redis answers each with its stored "
          "report and exits 0",
          "[e2e][shutdown]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const auto before = count_of(stack.log("dispatcher"), "type=report.submit");
  // The gateway has just verified the desk's token (it trusts it for auth.cache_ms without
  // Redis), so the requests reach the dispatcher while Redis is held still.
  REQUIRE(stack.get("/api/v1/session").status == 200);
  // Redis is held still, so the dispatcher's handlers are under way when SIGTERM comes.
  stack.redis().freeze();
  std::vector<HttpReply> replies;
  auto threads = post_reports(stack, 4, replies, "dsp-inflight-");
  const bool received = eventually(
      [&] { return count_of(stack.log("dispatcher"), "type=report.submit") >= before + 4; });
  stack.signal_daemon("dispatcher", SIGTERM);
  const bool stopping = eventually(
      [&] { return stack.log("dispatcher").find("event=stopping") != std::string::npos; });
  stack.redis().thaw();
  for (auto& t : threads) t.join();
  REQUIRE(received);
  REQUIRE(stopping);

  for (const auto& reply : replies) {
    INFO(reply.body);
    CHECK(reply.status == 201);
  }
  CHECK(stack.wait_daemon_exit("dispatcher", 15s) == 0);
  stack.start_daemon("dispatcher");
  REQUIRE(stack.wait_healthy(20s));
  const auto ids = ids_of(replies);
  CHECK(ids.size() == 4);
  CHECK(eventually([&] { return all_alerted(stack, ids); }, 20s));
}

TEST_CASE("SIGTERM to the dispatcher right after intake exits 0 and every stored report is alerted "
          "after its restart",
          "[e2e][shutdown]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  std::vector<HttpReply> replies;
  auto threads = post_reports(stack, 6, replies, "dsp-drain-");
  for (auto& t : threads) t.join();
  // Matching jobs and alerts of these reports are in flight now.
  CHECK(stack.stop_daemon("dispatcher") == 0);
  for (const auto& reply : replies) CHECK(reply.status == 201);
  stack.start_daemon("dispatcher");
  REQUIRE(stack.wait_healthy(20s));
  const auto ids = ids_of(replies);
  CHECK(ids.size() == 6);
  CHECK(eventually([&] { return all_alerted(stack, ids); }, 20s));
}

TEST_CASE("SIGTERM to the notifier while alerts are being retried exits 0 and they are delivered "
          "after its restart",
          "[e2e][shutdown]") {
  piket::test::StackOptions options = piket::test::starting_at(piket::test::weekday_afternoon());
  options.webhook_fail_first = 3;  // the first attempts fail: deliveries wait to retry
  Stack stack{options};
  std::vector<HttpReply> replies;
  auto threads = post_reports(stack, 3, replies, "ntf-drain-");
  for (auto& t : threads) t.join();
  REQUIRE(eventually([&] { return stack.received_alerts().size() >= 1; }));
  CHECK(stack.stop_daemon("notifier") == 0);
  CHECK(stack.log("notifier").find("event=drained") != std::string::npos);
  stack.start_daemon("notifier");
  const auto ids = ids_of(replies);
  CHECK(ids.size() == 3);
  CHECK(eventually([&] { return all_alerted(stack, ids); }, 20s));
}

TEST_CASE("SIGTERM to the scheduler while reports are matched exits 0 and every report is alerted "
          "after its restart",
          "[e2e][shutdown]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  std::vector<HttpReply> replies;
  auto threads = post_reports(stack, 4, replies, "sch-drain-");
  for (auto& t : threads) t.join();
  CHECK(stack.stop_daemon("scheduler") == 0);
  CHECK(stack.log("scheduler").find("event=drained") != std::string::npos);
  stack.start_daemon("scheduler");
  const auto ids = ids_of(replies);
  CHECK(ids.size() == 4);
  CHECK(eventually([&] { return all_alerted(stack, ids); }, 30s));
}
