// End to end: bytes that are not UTF-8, and error texts that quote input ending in a multibyte
// character, are answered at once with the field at fault; the stack keeps running. A report sent
// without an Idempotency-Key gets one back, so that a retry after a lost answer finds it.
#include <catch.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;

namespace {
const std::string e_acute = "\xc3\xa9";

json report_with(const std::string& municipality, const std::string& indicator) {
  return {{"source", "police"}, {"municipality", municipality}, {"indicators", {indicator}}};
}

// The answer came quickly (not after the gateway's time-out), as JSON, with this code and field.
void check_refused(const piket::test::HttpReply& reply, int status, const std::string& code,
                   const std::string& field) {
  INFO(reply.body);
  CHECK(reply.status == status);
  const json body = reply.json();
  REQUIRE(body.is_object());
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["field"] == field);
}

piket::test::HttpReply timed(const std::function<piket::test::HttpReply()>& call) {
  const auto started = std::chrono::steady_clock::now();
  auto reply = call();
  CHECK(std::chrono::steady_clock::now() - started < 1s);  // answered, not timed out (503)
  return reply;
}
}  // namespace

TEST_CASE("bad bytes and cut characters are refused naming the field, and the stack keeps running",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};

  SECTION("a municipality of 99 x a and an e-acute: its region is unknown, said in one piece") {
    auto reply = timed([&] {
      return stack.post("/api/v1/reports", report_with(std::string(99, 'a') + e_acute, "threat_to_kill"));
    });
    check_refused(reply, 422, "unknown_region", "municipality");
    CHECK(reply.json()["error"]["message"].get<std::string>().find(std::string(99, 'a') + ";") !=
          std::string::npos);
  }
  SECTION("an indicator of 63 x a and an e-acute: unknown, naming the indicator") {
    auto reply = timed([&] {
      return stack.post("/api/v1/reports", report_with("Amersfoort", std::string(63, 'a') + e_acute));
    });
    check_refused(reply, 400, "invalid_field", "indicators[0]");
  }
  SECTION("%ff in a query string: refused naming the parameter") {
    check_refused(timed([&] { return stack.get("/api/v1/reports?region=%ff"); }), 400,
                  "invalid_field", "region");
    check_refused(timed([&] { return stack.get("/api/v1/reports/r-x?purpose=%ff"); }), 400,
                  "invalid_field", "purpose");
    check_refused(timed([&] { return stack.get("/api/v1/roster/shifts?from=%ff"); }), 400,
                  "invalid_field", "from");
  }
  SECTION("a CSV body that is not UTF-8: refused as the body, naming the line") {
    auto reply = timed([&] {
      return stack.request("POST", "/api/v1/workers/import",
                               "id,name\nw-x-01,Jos\xe9\n", {{"Content-Type", "text/csv"}});
    });
    check_refused(reply, 400, "invalid_field", "body");
    CHECK(reply.json()["error"]["message"].get<std::string>().find("line 2") != std::string::npos);
  }
  SECTION("a JSON body with a Latin-1 byte in a string: refused naming that member") {
    const std::string body = R"({"source":"police","municipality":"Amersfoort","indicators":[],)"
                             R"("reporter":{"name":"Jos)" "\xe9" R"("}})";
    auto reply = timed([&] {
      return stack.request("POST", "/api/v1/reports", body,
                               {{"Content-Type", "application/json"}});
    });
    check_refused(reply, 400, "invalid_field", "reporter.name");
  }

  // Whatever was refused, the stack still takes a report.
  auto good = stack.post("/api/v1/reports", report_with("Amersfoort", "threat_to_kill"),
                         {{"Idempotency-Key", "after-bad-bytes"}});
  CHECK(good.status == 201);
  CHECK(stack.get("/healthz").status == 200);
}

TEST_CASE("a report sent without an Idempotency-Key gets one back, and a retry with it finds the "
          "stored report",
          "[e2e]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const json report = report_with("Amersfoort", "threat_to_kill");
  auto first = stack.post("/api/v1/reports", report);
  REQUIRE(first.status == 201);
  const std::string key = first.headers["idempotency-key"];
  REQUIRE_FALSE(key.empty());

  auto retry = stack.post("/api/v1/reports", report, {{"Idempotency-Key", key}});
  CHECK(retry.status == 200);
  CHECK(retry.json()["id"] == first.json()["id"]);
  CHECK(retry.headers["idempotency-key"] == key);

  // A refused report carries the key too: it is on every answer of the intake.
  auto refused = stack.post("/api/v1/reports", json{{"source", "police"}});
  CHECK(refused.status == 400);
  CHECK_FALSE(refused.headers["idempotency-key"].empty());
}
