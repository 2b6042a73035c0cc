// End to end: redis-server, the four daemon binaries and a webhook receiver, as processes.
#include <catch.hpp>
#include <cstdlib>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/crypto.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;

namespace {
// A one-person T1 report (a weapon or a night would ask for two professionals).
json crisis_report(const std::string& municipality = "Amersfoort") {
  return {{"source", "police"},
          {"municipality", municipality},
          {"indicators", {"threat_to_kill"}},
          {"narrative", "NARRATIVE-MUST-NOT-LEAK"},
          {"reporter", {{"name", "REPORTER-NAME-MUST-NOT-LEAK"}, {"phone", "0612345678"}}},
          {"people", {{{"role", "child"}, {"age", 3}}}}};
}

std::vector<json> delivered(const std::vector<json>& requests) {
  std::vector<json> out;
  for (const auto& r : requests)
    if (r.value("status", 0) == 200) out.push_back(r);
  return out;
}

std::vector<json> wait_delivered(const Stack& stack, std::size_t n, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  auto got = delivered(stack.received_alerts());
  while (got.size() < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(25ms);
    got = delivered(stack.received_alerts());
  }
  return got;
}

std::string count_reports(Stack& stack) {
  auto out = stack.redis().cli("ZCARD piket:reports");
  return out.substr(0, out.find('\n'));
}
}  // namespace

TEST_CASE("a crisis report reaches the on-call worker as a signed alert without names, and the "
          "accept shows on the report",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  auto submitted = stack.post("/api/v1/reports", crisis_report(), {{"Idempotency-Key", "e2e-1"}});
  REQUIRE(submitted.status == 201);
  auto report = submitted.json();
  CHECK(report["triage"]["class"] == "T1");
  CHECK(report["region"] == "eemland");
  CHECK(report["triage"]["rules_fired"][0]["rule"] == "threat-to-kill");
  const std::string id = report["id"];

  auto alerts = wait_delivered(stack, 1, 10s);
  REQUIRE(alerts.size() == 1);
  const json& alert = alerts[0];
  // Signed over "<timestamp>.<body>", the timestamp being the notifier's clock (the test's).
  const std::string timestamp = alert["timestamp"];
  CHECK(alert["signature"] == "v1=" + piket::hmac_sha256_hex(stack.secret(),
                                                             timestamp + "." + alert["raw"].get<std::string>()));
  CHECK(std::abs(std::stoll(timestamp) - piket::to_unix_ms(stack.now()) / 1000) < 60);
  CHECK(alert["signature_valid"] == true);
  CHECK(alert["notification_id"].get<std::string>().rfind("n-", 0) == 0);
  CHECK(alert["body"]["reference"] == id);
  CHECK(alert["body"]["urgency"] == "T1");
  CHECK(alert["body"]["municipality"] == "Amersfoort");
  CHECK(alert["body"]["worker"].get<std::string>().rfind("w-em-", 0) == 0);
  const std::string raw = alert["raw"];
  CHECK(raw.find("NARRATIVE") == std::string::npos);
  CHECK(raw.find("REPORTER") == std::string::npos);
  CHECK(raw.find("0612345678") == std::string::npos);
  const std::string assignment = alert["body"]["alert_id"];
  CHECK(alert["body"]["link"] == stack.url("/api/v1/reports/" + id));
  CHECK(alert["body"]["kind"] == "callout");

  // Only the alerted worker answers the call-out.
  const std::string other = alert["body"]["worker"] == "w-em-04" ? "w-em-03" : "w-em-04";
  CHECK(stack.as_worker(other).post("/api/v1/assignments/" + assignment + "/accept", nullptr).status == 404);
  auto accepted = stack.as_worker(alert["body"]["worker"]).post("/api/v1/assignments/" + assignment + "/accept", nullptr);
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json()["state"] == "accepted");

  auto shown = stack.get("/api/v1/reports/" + id);
  REQUIRE(shown.status == 200);
  CHECK(shown.json()["state"] == "visit_planned");
  REQUIRE(shown.json()["assignments"].size() == 1);
  CHECK(shown.json()["assignments"][0]["state"] == "accepted");
  CHECK(shown.json()["assignments"][0]["worker"] == alert["body"]["worker"]);
  // Every read of the report's details is logged: who, when, why (beside the other worker's
  // refused attempt to accept).
  CHECK(stack.redis().cli("XLEN piket:stream:access").rfind("2", 0) == 0);
  // The reader is the signed-in user (here through a browser session), never a name the
  // request gives.
  stack.as_user("desk-anna", "--role operator --region eemland");
  auto named = stack.sign_in("desk-anna").request("GET", "/api/v1/reports/" + id + "?purpose=supervision", "",
                                                  {{"X-Piket-Actor", "someone-else"}});
  CHECK(named.status == 200);
  const std::string access = stack.redis().cli("XREVRANGE piket:stream:access + - COUNT 1");
  CHECK(access.find("desk-anna") != std::string::npos);
  CHECK(access.find("someone-else") == std::string::npos);
  CHECK(access.find("supervision") != std::string::npos);
  CHECK(access.find(id) != std::string::npos);
  // One scrape shows every daemon's figures, each series with its daemon's instance label.
  const std::string metrics = stack.get("/metrics").body;
  INFO(metrics);
  auto has = [&](const std::string& pattern) {
    return std::regex_search(metrics, std::regex(pattern, std::regex::multiline));
  };
  CHECK(has(R"(^piket_reports_stored_total\{class="T1",instance="dispatcher@[^"]+"\} 1$)"));
  CHECK(has(R"(^piket_alerts_queued_total\{instance="dispatcher@[^"]+"\} 1$)"));
  CHECK(has(R"(^piket_oncall_query_duration_seconds_count\{instance="scheduler@[^"]+"\} )"));
  CHECK(has(R"(^piket_webhook_attempts_total\{outcome="delivered",instance="notifier@[^"]+"\} [1-9][0-9]*$)"));
  for (const char* peer : {"dispatcher", "scheduler", "notifier"})
    CHECK(has(std::string(R"(^piket_peer_up\{peer=")") + peer + R"(",instance="gateway@[^"]+"\} 1$)"));
  // One HELP and one TYPE per metric in the whole scrape.
  CHECK(has(R"(^# HELP piket_webhook_attempts_total )"));
  std::set<std::string> typed;
  std::istringstream lines{metrics};
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("# TYPE ", 0) == 0) CHECK(typed.insert(line.substr(7, line.find(' ', 7) - 7)).second);
}

TEST_CASE("a decline alerts the next on-call worker at once", "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  REQUIRE(stack.post("/api/v1/reports", crisis_report("Utrecht")).status == 201);
  auto first = wait_delivered(stack, 1, 10s);
  REQUIRE(first.size() == 1);
  const std::string assignment = first[0]["body"]["alert_id"];
  const auto& worker = stack.as_worker(first[0]["body"]["worker"]);
  auto declined = worker.post("/api/v1/assignments/" + assignment + "/decline", {{"reason", "on another call"}});
  REQUIRE(declined.status == 200);
  CHECK(declined.json()["state"] == "declined");

  auto both = wait_delivered(stack, 2, 10s);
  REQUIRE(both.size() == 2);
  CHECK(both[1]["body"]["worker"] != both[0]["body"]["worker"]);
  CHECK(both[1]["body"]["reference"] == both[0]["body"]["reference"]);
  // Declining twice changes nothing; accepting a declined assignment is refused.
  CHECK(worker.post("/api/v1/assignments/" + assignment + "/decline", nullptr).json()["changed"] == false);
  auto late = worker.post("/api/v1/assignments/" + assignment + "/accept", nullptr);
  CHECK(late.status == 409);
  CHECK(late.json()["error"]["code"] == "conflict");
}

TEST_CASE("the same Idempotency-Key twice stores one report, and reusing it for another report "
          "is refused",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  auto first = stack.post("/api/v1/reports", crisis_report(), {{"Idempotency-Key", "same-key"}});
  auto second = stack.post("/api/v1/reports", crisis_report(), {{"Idempotency-Key", "same-key"}});
  REQUIRE(first.status == 201);
  REQUIRE(second.status == 200);
  CHECK(first.json()["id"] == second.json()["id"]);
  CHECK(second.json()["created"] == false);
  auto other = stack.post("/api/v1/reports", crisis_report("Utrecht"), {{"Idempotency-Key", "same-key"}});
  CHECK(other.status == 409);
  CHECK(other.json()["error"]["field"] == "Idempotency-Key");
  CHECK(count_reports(stack) == "1");
  CHECK(wait_delivered(stack, 1, 10s).size() == 1);
}

TEST_CASE("bad input gets a clear error naming the field, stores nothing, and the stack keeps "
          "running",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  std::vector<Case> cases = {
      {"{not json", 400, "invalid_json", "body"},
      {R"({"municipality":"Utrecht","indicators":[]})", 400, "invalid_field", "source"},
      {R"({"source":"police","indicators":[]})", 400, "invalid_field", "municipality"},
      {R"({"source":"police","municipality":42,"indicators":[]})", 400, "invalid_field", "municipality"},
      {R"({"source":"police","municipality":"Utrecht","indicators":"weapon"})", 400, "invalid_field", "indicators"},
      {R"({"source":"police","municipality":"Utrecht","indicators":["weapon","x"]})", 400, "invalid_field", "indicators[1]"},
      {R"({"source":"police","municipality":"Maastricht","indicators":[]})", 422, "unknown_region", "municipality"},
      {R"({"source":"police","municipality":"Utrecht","indicators":[],"bsn":"123456782"})", 400, "invalid_field", "bsn"},
      {R"({"source":"police","municipality":"Utrecht","indicators":[],"people":[{"role":"child","age":300}]})", 400, "invalid_field", "people[0].age"},
      {R"([1,2,3])", 400, "invalid_field", ""},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    auto reply = stack.request("POST", "/api/v1/reports", c.body);
    CHECK(reply.status == c.status);
    CHECK(reply.json()["error"]["code"] == c.code);
    CHECK(reply.json()["error"]["field"] == c.field);
    CHECK_FALSE(reply.json()["error"]["message"].get<std::string>().empty());
  }
  SECTION("an oversized body") {
    json big = crisis_report();
    big["narrative"] = std::string(20000, 'x');
    auto reply = stack.post("/api/v1/reports", big);
    CHECK(reply.status == 413);
    CHECK(reply.json()["error"]["code"] == "too_large");
  }
  SECTION("unknown reports and assignments") {
    CHECK(stack.get("/api/v1/reports/rnope").status == 404);
    CHECK(stack.as_worker("w-em-01").post("/api/v1/assignments/x-1/accept", nullptr).status == 404);
    CHECK(stack.get("/api/v1/nothing").status == 404);
    CHECK(stack.del("/api/v1/reports").status == 405);
  }
  CHECK(count_reports(stack) == "0");
  CHECK(stack.redis().cli("XLEN piket:stream:alerts").rfind("0", 0) == 0);
  CHECK(stack.wait_healthy(2s));
}

TEST_CASE("the gateway answers 503 while the dispatcher is down and recovers when it returns",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.kill_daemon("dispatcher");
  auto down = stack.post("/api/v1/reports", crisis_report());
  CHECK(down.status == 503);
  CHECK(down.json()["error"]["code"] == "unavailable");
  CHECK(stack.get("/healthz").status == 503);
  stack.start_daemon("dispatcher");
  REQUIRE(stack.wait_healthy(10s));
  CHECK(stack.post("/api/v1/reports", crisis_report()).status == 201);
}

TEST_CASE("with Redis down reports are refused as unavailable, and taken again once it is back",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.redis().kill_hard();
  auto down = stack.post("/api/v1/reports", crisis_report());
  CHECK(down.status == 503);
  CHECK(down.json()["error"]["code"] == "unavailable");
  stack.redis().restart();
  // Retried with the same key until taken: one report, one alert.
  CHECK(piket::test::eventually([&] {
    return stack.post("/api/v1/reports", crisis_report(), {{"Idempotency-Key", "after-redis"}}).status / 100 == 2;
  }));
  stack.settle();
  CHECK(count_reports(stack) == "1");
  CHECK(delivered(stack.received_alerts()).size() == 1);
}

TEST_CASE("every acknowledged report survives kill -9 of the dispatcher and of Redis, and every "
          "pending alert still goes out",
          "[e2e][durability]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.stop_daemon("notifier");  // alerts queue up undelivered
  std::set<std::string> acknowledged;
  for (int i = 0; i < 20; ++i) {
    auto reply = stack.post("/api/v1/reports", crisis_report(i % 2 ? "Utrecht" : "Woerden"),
                            {{"Idempotency-Key", "durable-" + std::to_string(i)}});
    REQUIRE(reply.status == 201);
    acknowledged.insert(reply.json()["id"].get<std::string>());
  }
  stack.kill_daemon("dispatcher");
  stack.redis().kill_hard();
  stack.redis().restart();
  stack.start_daemon("dispatcher");
  stack.start_daemon("notifier");
  REQUIRE(stack.wait_healthy(20s));
  for (const auto& id : acknowledged) CHECK(stack.get("/api/v1/reports/" + id).status == 200);
  auto alerts = wait_delivered(stack, acknowledged.size(), 30s);
  std::set<std::string> alerted;
  for (const auto& a : alerts) alerted.insert(a["body"]["reference"].get<std::string>());
  CHECK(alerted == acknowledged);
}

TEST_CASE("a failing webhook is retried with back-off and every attempt is recorded", "[e2e]") {
  piket::test::StackOptions options = piket::test::starting_at(piket::test::weekday_afternoon());
  options.webhook_fail_first = 2;
  Stack stack{options};
  REQUIRE(stack.post("/api/v1/reports", crisis_report()).status == 201);
  auto alerts = wait_delivered(stack, 1, 15s);
  REQUIRE(alerts.size() == 1);
  const std::string id = alerts[0]["body"]["alert_id"];
  stack.settle();  // the record is written with the stream entry's acknowledgement
  CHECK(stack.redis().cli("LLEN piket:alert:" + id + ":attempts").rfind("3", 0) == 0);
  CHECK(stack.redis().cli("HGET piket:alert:" + id + " status").rfind("delivered", 0) == 0);
  CHECK(stack.redis().cli("XPENDING piket:stream:alerts notifiers").rfind("0", 0) == 0);
}
