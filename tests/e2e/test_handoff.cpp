// Hand-offs: when the primary of a region changes, the incoming worker gets a notice.
#include <catch.hpp>

#include "common/clock.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("when an override makes another worker primary, that worker gets a hand-off notice",
          "[e2e][roster]") {
  piket::test::Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  auto report = stack.post("/api/v1/reports", {{"source", "police"},
                                               {"municipality", "Amersfoort"},
                                               {"indicators", {"weapon"}}});
  REQUIRE(report.status == 201);
  const std::string report_id = report.json()["id"];
  auto on_call = stack.get("/api/v1/oncall?region=eemland").json();
  REQUIRE(on_call["on_call"].size() >= 2);
  const std::string primary = on_call["on_call"][0]["worker_id"];
  const std::string backup = on_call["on_call"][1]["worker_id"];
  const auto now = stack.now();
  auto created = stack.post("/api/v1/roster/overrides",
                            {{"kind", "replace"},
                             {"region", "eemland"},
                             {"worker_id", backup},
                             {"replaced_worker_id", primary},
                             {"start", piket::format_utc(now + 30min)},
                             {"end", piket::format_utc(now + 2h)},
                             {"reason", "covering for a colleague"},
                             {"force", true},
                             {"force_reason", "test: the backup covers"}});
  REQUIRE(created.status == 201);

  stack.advance_and_settle(31min);  // the override has begun; the notice is delivered
  json notice;
  for (const auto& request : stack.received_alerts())
    if (request["body"].value("kind", "") == "handoff" && request["body"]["worker"] == backup)
      notice = request;
  INFO(stack.log("scheduler"));
  REQUIRE_FALSE(notice.is_null());
  CHECK(notice["body"]["outgoing"] == primary);
  CHECK(notice["body"]["region"] == "eemland");
  // The incoming worker learns which cases are open in the region: ids only, no details.
  CHECK(notice["body"]["open_cases_known"] == true);
  CHECK(notice["body"]["open_cases"] == json::array({report_id}));
  CHECK(notice["raw"].get<std::string>().find("Amersfoort") == std::string::npos);
  CHECK(notice["status"] == 200);
  // Once only, however often the scheduler looks again.
  for (int look = 0; look < 3; ++look) stack.advance_and_settle(1min);
  int notices = 0;
  for (const auto& request : stack.received_alerts())
    if (request["body"].value("kind", "") == "handoff" && request["body"]["worker"] == backup) ++notices;
  CHECK(notices == 1);

  // The incoming worker acknowledges it; nobody else can, and the team lead sees who did.
  const std::string id = notice["body"]["alert_id"];
  CHECK(notice["body"]["acknowledge"] == stack.url("/api/v1/handoffs/" + id + "/acknowledge"));
  CHECK(stack.get("/api/v1/handoffs?region=eemland&state=sent").json()["handoffs"].size() >= 1);
  auto stranger = stack.as_worker(primary).post("/api/v1/handoffs/" + id + "/acknowledge", nullptr);
  CHECK(stranger.status == 400);
  CHECK(stranger.json()["error"]["field"] == "worker");
  const auto& incoming = stack.as_worker(backup);
  auto acked = incoming.post("/api/v1/handoffs/" + id + "/acknowledge", nullptr);
  REQUIRE(acked.status == 200);
  CHECK(acked.json()["changed"] == true);
  CHECK(incoming.post("/api/v1/handoffs/" + id + "/acknowledge", nullptr).json()["changed"] == false);
  CHECK(incoming.post("/api/v1/handoffs/h-nope/acknowledge", nullptr).status == 404);
  // Nobody acknowledges for someone else: a body naming the worker is refused.
  CHECK(incoming.post("/api/v1/handoffs/" + id + "/acknowledge", {{"worker", backup}}).status == 400);
  bool listed = false;
  const json handoffs = stack.get("/api/v1/handoffs?region=eemland&state=acknowledged").json();
  for (const auto& h : handoffs["handoffs"])
    if (h["id"] == id) listed = h["worker"] == backup && !h["acknowledged_at"].is_null();
  CHECK(listed);
}
