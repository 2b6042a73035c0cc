// Every state change the desk and the field make, called as the dispatcher calls it, against a
// real redis-server: what it changes, and that a change decided on a stale read (another state,
// another round, a newer revision) is answered as a conflict and changes nothing.
#include <catch.hpp>

#include "dispatcher/visits/checkin_timer.hpp"
#include "tests/integration/dispatch_fixture.hpp"

using namespace piket::test::dispatch;
using piket::ErrorCode;

namespace {
std::string audit_of(Fixture& f) { return f.cli("XRANGE piket:stream:audit - +"); }

json call(Fixture& f, const std::string& function, const json& argument) {
  auto r = run_async(f.io, f.store.call_json(function, argument));
  INFO(function << ": " << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

piket::Error refused(Fixture& f, const std::string& function, const json& argument) {
  auto r = run_async(f.io, f.store.call_json(function, argument));
  REQUIRE_FALSE(r.ok());
  return r.error();
}

// A report with its visit planned: r-<name>, accepted by w-a.
std::string visited(Fixture& f, const std::string& name) {
  const std::string id = f.report("r-" + name);
  f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  REQUIRE(f.accept(id + "-1").visit_id == id + "-v");
  return id;
}
}  // namespace

TEST_CASE("a decline moves the ladder on, and a decline on a stale round changes nothing",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = f.report("r-decline");
  f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")})),
                           f.step(1, 300, "next", json::array({f.target("w-b")}))}));
  const auto before = audit_of(f);
  auto stale = run_async(f.io, piket::dispatcher::decline_assignment(f.store, id + "-1", kStart + 10s, "w-a", "busy", {{"round", 7}}));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().code == ErrorCode::conflict);
  CHECK(stale.error().field == "round");
  CHECK(audit_of(f) == before);
  CHECK(f.shown(id)["assignments"][0]["state"] == "alerted");

  auto declined = run_async(f.io, piket::dispatcher::decline_assignment(f.store, id + "-1", kStart + 10s, "w-a", "busy",
                                                  {{"state", "alerting"}, {"round", 1}}));
  REQUIRE(declined.ok());
  CHECK(declined->changed);
  REQUIRE(f.alerts().size() == 2);
  CHECK(f.alerts()[1]["worker"] == "w-b");  // at once, not at +300 s
  auto again = run_async(f.io, piket::dispatcher::decline_assignment(f.store, id + "-1", kStart + 11s, "w-a", "busy"));
  REQUIRE(again.ok());
  CHECK_FALSE(again->changed);
}

TEST_CASE("an acceptance decided on a stale read is refused and decided again",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = f.report("r-accept");
  f.start(id, json::array({f.step(0, 0, "first", json::array({f.target("w-a")}))}));
  piket::dispatcher::AcceptDecision decision{"alerting", 1, 1, kStart + 15min};

  SECTION("another round") {
    decision.round = 0;
    auto r = run_async(f.io, f.store.accept(id + "-1", kStart, "w-a", 90min, 30min, "http://piket", decision, 30min));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "round");
  }
  SECTION("a visit planned in the slot in between") {
    const std::string other = visited(f, "other");  // w-a's visit from +15 min
    REQUIRE(f.shown(other)["visit"]["start"] == std::to_string(piket::to_unix_ms(kStart + 15min)));
    auto r = run_async(f.io, f.store.accept(id + "-1", kStart, "w-a", 90min, 30min, "http://piket", decision, 30min));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "visit_start");
    CHECK(f.shown(id)["assignments"][0]["state"] == "alerted");  // nothing written
    // Decided again on a fresh read, it goes after the other visit.
    auto again = f.accept(id + "-1");
    CHECK(again.visit_start_ms == piket::to_unix_ms(kStart + 15min + 90min));
  }
}

TEST_CASE("check-ins move the visit, and one decided on a stale visit state is refused",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = visited(f, "checkin");
  const std::string visit = id + "-v";
  auto at = [](auto d) { return piket::to_unix_ms(kStart + d); };
  const json arrived{{"visit", visit}, {"worker", "w-a"}, {"status", "arrived"}, {"now", at(20min)}, {"actor", "w-a"}};

  json stale = arrived;
  stale["expect_state"] = "in_progress";
  auto e = refused(f, "piket_checkin", stale);
  CHECK(e.code == ErrorCode::conflict);
  CHECK(f.shown(id)["checkins"].empty());

  CHECK(call(f, "piket_checkin", arrived)["state"] == "in_progress");
  CHECK(f.cli("ZSCORE piket:timers checkin:" + visit).rfind(std::to_string(at(50min)), 0) == 0);
  json stranger = arrived;
  stranger["worker"] = "w-z";
  CHECK(refused(f, "piket_checkin", stranger).code == ErrorCode::invalid_field);
  json done = arrived;
  done["status"] = "done";
  CHECK(call(f, "piket_checkin", done)["state"] == "completed");
  CHECK(f.cli("ZSCORE piket:timers checkin:" + visit).find_first_of("0123456789") == std::string::npos);
  CHECK(refused(f, "piket_checkin", arrived).code == ErrorCode::conflict);
}

TEST_CASE("a missed check-in goes to the team lead at the policy's interval, and a check-in in between wins",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = visited(f, "missed");
  const std::string visit = id + "-v";
  // The visit starts at +15 min; its first check-in is due 30 min later.
  auto claimed = run_async(f.io, f.store.claim_due(kStart + 46min, 100));
  REQUIRE(claimed.ok());
  REQUIRE(claimed->decide == std::vector<std::string>{"checkin:" + visit});
  CHECK(claimed->fired.empty());
  // Held while it is decided: a second claimer does not get it.
  auto second = run_async(f.io, f.store.claim_due(kStart + 46min, 100));
  REQUIRE(second.ok());
  CHECK(second->decide.empty());

  SECTION("escalated and reminded") {
    auto reminder = [](const std::string& region) {
      CHECK(region == "utrecht-stad");
      return std::chrono::seconds(600);
    };
    auto alerted = run_async(f.io, piket::dispatcher::escalate_missed_checkin(f.store, visit, kStart + 46min, reminder));
    REQUIRE(alerted.ok());
    CHECK(*alerted == 1);
    bool lead = false;
    for (const auto& a : f.alerts()) lead = lead || (a["kind"] == "checkin_overdue" && a["worker"] == "w-lead");
    CHECK(lead);
    CHECK(f.shown(id)["visit"]["state"] == "overdue");
    CHECK(timeline_has(f.shown(id), "visit.checkin_overdue", "escalated to team lead w-lead"));
    CHECK(f.cli("ZSCORE piket:timers checkin:" + visit)
              .rfind(std::to_string(piket::to_unix_ms(kStart + 56min)), 0) == 0);
  }
  SECTION("a stale read is refused and changes nothing") {
    auto snapshot = call(f, "piket_checkin_snapshot", {{"visit", visit}});
    call(f, "piket_checkin", {{"visit", visit}, {"worker", "w-a"}, {"status", "ok"},
                              {"now", piket::to_unix_ms(kStart + 46min)}, {"actor", "w-a"}});
    auto e = refused(f, "piket_escalate_checkin",
                     {{"visit", visit}, {"now", piket::to_unix_ms(kStart + 46min)},
                      {"expect_state", snapshot["state"]}, {"expect_updated", snapshot["updated_at"]},
                      {"notify", {"w-lead"}}, {"remind_at", piket::to_unix_ms(kStart + 61min)}, {"note", "x"}});
    CHECK(e.code == ErrorCode::conflict);
    CHECK(f.shown(id)["visit"]["state"] == "in_progress");
    for (const auto& a : f.alerts()) CHECK(a["kind"] != "checkin_overdue");
  }
}

TEST_CASE("an outcome closes the report and takes it off the open list, and a stale one changes nothing",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string waiting = f.report("r-waiting");
  json outcome{{"report", waiting}, {"outcome", "{}"}, {"state", "closed"}, {"route", "closed_no_further_help"},
               {"now", piket::to_unix_ms(kStart + 3h)}, {"actor", "w-a"}};
  CHECK(refused(f, "piket_record_outcome", outcome).code == ErrorCode::conflict);  // nobody accepted it

  const std::string id = visited(f, "outcome");
  outcome["report"] = id;
  json stale = outcome;
  stale["expect"] = {{"state", "alerting"}};
  CHECK(refused(f, "piket_record_outcome", stale).field == "state");
  CHECK(f.cli("ZSCORE piket:reports:open:utrecht-stad " + id).find_first_of("0123456789") != std::string::npos);

  outcome["expect"] = {{"state", "visit_planned"}};
  CHECK(call(f, "piket_record_outcome", outcome)["state"] == "closed");
  json view = f.shown(id);
  CHECK(view["state"] == "closed");
  CHECK(view["visit"]["state"] == "completed");
  CHECK(f.cli("ZSCORE piket:reports:open:utrecht-stad " + id).find_first_of("0123456789") == std::string::npos);
  CHECK(f.cli("ZSCORE piket:reports:open " + id).find_first_of("0123456789") == std::string::npos);
  CHECK(f.cli("ZSCORE piket:timers checkin:" + id + "-v").find_first_of("0123456789") == std::string::npos);
  CHECK(refused(f, "piket_record_outcome", outcome).code == ErrorCode::conflict);  // already closed
}

TEST_CASE("a triage override applies to the report as read, and not to one that moved on",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = f.report("r-override");
  json override_arg{{"report", id}, {"triage", json{{"class", "T3"}}.dump()}, {"class", "T3"}, {"dispatch", false},
                    {"reason", "the family is safe with the grandparents"}, {"now", piket::to_unix_ms(kStart + 1min)},
                    {"actor", "desk"}, {"needed", 1}, {"first_contact_by", 0}};
  json stale = override_arg;
  stale["expect"] = {{"state", "matching"}, {"round", 3}};
  CHECK(refused(f, "piket_override_triage", stale).field == "round");
  CHECK(f.shown(id)["class"] == "T1");

  override_arg["expect"] = {{"state", "matching"}, {"round", 0}};
  auto done = call(f, "piket_override_triage", override_arg);
  CHECK(done["state"] == "queued");
  CHECK(done["previous_class"] == "T1");
  json view = f.shown(id);
  CHECK(view["class"] == "T3");
  CHECK(view["triage_original"] == json{{"class", "T1"}}.dump());
  CHECK(view["overrides"].size() == 1);
  // The same decision again was made on the state before it: refused.
  CHECK(refused(f, "piket_override_triage", override_arg).field == "state");
}

TEST_CASE("an order's extension moves its notices, and one computed on an older revision is refused",
          "[integration][dispatch][guards]") {
  Fixture f;
  const std::string id = f.report("r-order");
  const auto rev = std::stoll(f.cli("HGET piket:report:" + id + " rev").empty() ? "0" : f.cli("HGET piket:report:" + id + " rev"));
  const auto until = kStart + 14 * 24h;
  json extend{{"report", id}, {"triage", json{{"class", "T1"}, {"restraining_order", {{"ends_at", "x"}}}}.dump()},
              {"until_ms", piket::to_unix_ms(until)}, {"now", piket::to_unix_ms(kStart + 1h)}, {"actor", "mayor"},
              {"reason", "the risk remains"}, {"expect", {{"rev", rev + 1}}}};
  CHECK(refused(f, "piket_extend_order", extend).field == "rev");
  CHECK(f.cli("ZSCORE piket:timers notice:" + id + ":order_ends").find_first_of("0123456789") == std::string::npos);

  extend["expect"] = {{"rev", rev}};
  CHECK(call(f, "piket_extend_order", extend)["report"] == id);
  CHECK(f.cli("ZSCORE piket:timers notice:" + id + ":order_ends").rfind(std::to_string(piket::to_unix_ms(until)), 0) == 0);
  CHECK(timeline_has(f.shown(id), "restraining_order.extended", "the risk remains"));
  // A second extension computed on the same read would undo the first: refused.
  CHECK(refused(f, "piket_extend_order", extend).field == "rev");
}
