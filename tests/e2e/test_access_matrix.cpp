// The access matrix of docs/security.md against the real stack: every endpoint as every role
// (and as an integration client and as nobody), then what "own only" means where it matters:
// a worker's own case, a desk's regions, a manager's regions.
#include <catch.hpp>

#include <set>

#include "common/auth/access.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Caller;
using piket::test::Stack;

namespace {
struct Row {
  std::string request;  // the access table's name
  std::string method, path, body;
};

// One request per endpoint. Each is one every allowed role may make without changing what the
// next role sees: changes carry an invalid body or name an id that does not exist, so an
// allowed caller gets 2xx, 400 or 404 from the owner's checks and a refused one 403.
std::vector<Row> rows(const std::string& report) {
  return {
      {"report.submit", "POST", "/api/v1/reports", "{}"},
      {"report.list", "GET", "/api/v1/reports?region=eemland", ""},
      {"report.get", "GET", "/api/v1/reports/" + report, ""},
      {"report.break_glass", "POST", "/api/v1/reports/" + report + "/break-glass", "{}"},
      {"access.flagged.list", "GET", "/api/v1/access/flagged", ""},
      {"access.flagged.close", "POST", "/api/v1/access/flagged/0-1/close", "{}"},
      {"report.triage_override", "POST", "/api/v1/reports/" + report + "/triage", "{}"},
      {"report.outcome", "POST", "/api/v1/reports/" + report + "/outcome", "{}"},
      {"report.order_extend", "POST", "/api/v1/reports/" + report + "/restraining-order/extend", "{}"},
      {"advice.convert", "POST", "/api/v1/advice/" + report + "/convert", "{}"},
      {"assignment.accept", "POST", "/api/v1/assignments/rnope-1/accept", ""},
      {"assignment.decline", "POST", "/api/v1/assignments/rnope-1/decline", ""},
      {"visit.get", "GET", "/api/v1/visits/rnope-v", ""},
      {"visit.checkin", "POST", "/api/v1/visits/rnope-v/checkin", R"({"status":"ok"})"},
      {"assignment.mine", "GET", "/api/v1/assignments", ""},
      // A bad start: an allowed caller gets 400 at once instead of a stream that stays open.
      {"events.read", "GET", "/api/v1/events?after=x", ""},
      {"audit.verify", "GET", "/api/v1/audit/verify?stream=access", ""},
      {"oncall.query", "GET", "/api/v1/oncall?region=eemland", ""},
      {"roster.shifts", "GET", "/api/v1/roster/shifts?region=eemland", ""},
      {"roster.coverage", "GET", "/api/v1/roster/coverage", ""},
      {"roster.violations", "GET", "/api/v1/roster/violations", ""},
      {"roster.fairness", "GET", "/api/v1/roster/fairness", ""},
      {"roster.rotation.list", "GET", "/api/v1/roster/rotations", ""},
      {"roster.override.list", "GET", "/api/v1/roster/overrides", ""},
      {"roster.rotation.put", "POST", "/api/v1/roster/rotations", "{}"},
      {"roster.rotation.delete", "DELETE", "/api/v1/roster/rotations/nope", ""},
      {"roster.override.create", "POST", "/api/v1/roster/overrides", "{}"},
      {"roster.override.delete", "DELETE", "/api/v1/roster/overrides/nope", ""},
      {"roster.leave.create", "POST", "/api/v1/roster/leave", "{}"},
      {"roster.leave.delete", "DELETE", "/api/v1/roster/leave/nope", ""},
      {"roster.import.assignments", "POST", "/api/v1/roster/import/assignments", ""},
      {"roster.swap.request", "POST", "/api/v1/roster/swaps", "{}"},
      {"roster.swap.accept", "POST", "/api/v1/roster/swaps/nope/accept", ""},
      {"roster.swap.approve", "POST", "/api/v1/roster/swaps/nope/approve", ""},
      {"roster.swap.reject", "POST", "/api/v1/roster/swaps/nope/reject", ""},
      {"roster.ical.create", "POST", "/api/v1/roster/ical-feeds", "{}"},
      {"roster.ical.list", "GET", "/api/v1/roster/ical-feeds", ""},
      {"roster.ical.delete", "DELETE", "/api/v1/roster/ical-feeds/fnope", ""},
      {"handoff.list", "GET", "/api/v1/handoffs", ""},
      {"handoff.acknowledge", "POST", "/api/v1/handoffs/h-nope/acknowledge", ""},
      {"worker.list", "GET", "/api/v1/workers", ""},
      {"worker.get", "GET", "/api/v1/workers/w-em-02", ""},
      {"worker.put", "POST", "/api/v1/workers", "{}"},
      {"worker.import", "POST", "/api/v1/workers/import", ""},
      {"worker.delete", "DELETE", "/api/v1/workers/w-nobody", ""},
      {"worker.activate", "POST", "/api/v1/workers/w-nobody/activate", ""},
      {"worker.deactivate", "POST", "/api/v1/workers/w-nobody/deactivate", ""},
      {"contact.list", "GET", "/api/v1/workers/w-em-02/contact-methods", ""},
      {"contact.add", "POST", "/api/v1/workers/w-em-02/contact-methods", "{}"},
      {"contact.delete", "DELETE", "/api/v1/workers/w-em-02/contact-methods/nope", ""},
      {"contact.send_code", "POST", "/api/v1/workers/w-em-02/contact-methods/nope/send-code", ""},
      {"contact.verify", "POST", "/api/v1/workers/w-em-02/contact-methods/nope/verify", "{}"},
      {"contact.test", "POST", "/api/v1/workers/w-em-02/contact-methods/nope/test", ""},
      {"rules.get", "GET", "/api/v1/workers/w-em-02/notification-rules", ""},
      {"rules.put", "PUT", "/api/v1/workers/w-em-02/notification-rules", "{}"},
      {"rules.delete", "DELETE", "/api/v1/workers/w-em-02/notification-rules", ""},
      {"team.list", "GET", "/api/v1/teams", ""},
      {"team.put", "POST", "/api/v1/teams", "{}"},
      {"team.delete", "DELETE", "/api/v1/teams/nope", ""},
      {"session.get", "GET", "/api/v1/session", ""},
      {"session.totp.begin", "POST", "/api/v1/session/totp", "{}"},
      {"session.totp.confirm", "POST", "/api/v1/session/totp/confirm", "{}"},
      {"session.delete", "DELETE", "/api/v1/session", ""},
      {"gateway.metrics", "GET", "/metrics", ""},
  };
}

std::string submit(const Stack& stack, const std::string& municipality) {
  auto reply = stack.post("/api/v1/reports", {{"source", "police"}, {"municipality", municipality},
                                             {"indicators", {"threat_to_kill"}},
                                             {"reporter", {{"name", "REPORTER-NAME-SECRET"}, {"phone", "0612345678"}}}});
  REQUIRE(reply.status == 201);
  return reply.json()["id"];
}

std::string last_access_entry(const Stack& stack) {
  return stack.redis().cli("XREVRANGE piket:stream:access + - COUNT 1");
}
}  // namespace

TEST_CASE("the access matrix holds for every endpoint and every role against the running stack",
          "[e2e][auth][matrix]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const std::string report = submit(stack, "Amersfoort");
  stack.admin("add-client --id police-channel");
  struct Role {
    std::string name;  // a role of access_rules(), "client" or "nobody"
    Caller caller;
  };
  const std::vector<Role> roles{
      {"operator", stack.as_user("op-eemland", "--role operator --region eemland")},
      {"worker", stack.as_worker("w-em-02")},
      {"team_lead", stack.as_user("lead-em-a", "--role team_lead --team em-a")},
      {"manager", stack.as_user("mgr-eemland", "--role manager --region eemland")},
      {"admin", stack.as_user("admin-1", "--role admin")},
      {"privacy_officer", stack.as_user("po-1", "--role privacy_officer")},
      {"client", Caller(&stack, {{"Authorization", "Bearer " + stack.new_token("police-channel", "--scope reports:create")}})},
      {"nobody", Caller(&stack, {})},
  };
  std::set<std::string> walked;
  for (const auto& row : rows(report)) {
    walked.insert(row.request);
    const auto* rule = piket::auth::access_rule(row.request);
    REQUIRE(rule != nullptr);
    for (const auto& role : roles) {
      auto reply = role.caller.request(row.method, row.path, row.body,
                                       row.body.empty() ? std::map<std::string, std::string>{}
                                                        : std::map<std::string, std::string>{{"Content-Type", "application/json"}});
      CAPTURE(row.request, row.method, row.path, role.name, reply.status, reply.body);
      if (role.name == "nobody") {
        CHECK(reply.status == 401);
        continue;
      }
      piket::auth::Grant grant = piket::auth::Grant::refused;
      if (role.name == "client") {
        for (auto scope : rule->scopes) grant = (scope == "*" || scope == "reports:create") ? piket::auth::Grant::allowed : grant;
      } else {
        grant = piket::auth::grant_for_role(role.name, row.request);
      }
      if (grant == piket::auth::Grant::refused) {
        CHECK(reply.status == 403);
        CHECK(reply.json()["error"]["code"] == "forbidden");
      } else {
        // Past the gate: the owner's answer, never a refusal of the role itself.
        CHECK(reply.status != 401);
        CHECK(reply.status != 403);
        CHECK(reply.status < 500);
      }
    }
  }
  // Every row of the table was walked.
  for (const auto& rule : piket::auth::access_rules()) CHECK(walked.count(std::string(rule.request)) == 1);
  // The public ones need nobody: the health check and the secret iCal URLs (unknown: 404).
  CHECK(piket::test::http("GET", stack.url("/healthz")).status == 200);
  CHECK(piket::test::http("GET", stack.url("/ical/fnope.ics")).status == 404);
}

TEST_CASE("a worker sees and answers only their own case: another worker gets 404 and the refused "
          "attempt is in the access log with the principal",
          "[e2e][auth][matrix]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const std::string id = submit(stack, "Amersfoort");
  REQUIRE(piket::test::eventually([&] { return !stack.received_alerts().empty(); }, 20s));
  stack.settle();  // every first-step alert is out
  std::set<std::string> alerted;
  std::string assignment, assigned;
  for (const auto& a : stack.received_alerts())
    if (a["body"].value("reference", "") == id && a["body"].value("kind", "") == "callout") {
      alerted.insert(a["body"]["worker"].get<std::string>());
      assignment = a["body"]["alert_id"];
      assigned = a["body"]["worker"];
    }
  REQUIRE_FALSE(assigned.empty());
  std::string stranger;
  for (const char* w : {"w-em-01", "w-em-02", "w-em-03", "w-em-04"})
    if (!alerted.count(w)) stranger = w;
  REQUIRE_FALSE(stranger.empty());

  // The alerted worker reads the case without the reporter.
  auto own = stack.as_worker(assigned).get("/api/v1/reports/" + id);
  REQUIRE(own.status == 200);
  CHECK(own.body.find("REPORTER-NAME-SECRET") == std::string::npos);
  CHECK(own.body.find("0612345678") == std::string::npos);
  // Another worker: as if the report did not exist, and the attempt is logged.
  const auto& other = stack.as_worker(stranger);
  auto theirs = other.get("/api/v1/reports/" + id + "?purpose=curious");
  CHECK(theirs.status == 404);
  CHECK(theirs.json()["error"]["message"] == stack.as_worker(stranger).get("/api/v1/reports/rnope").json()["error"]["message"]);
  std::string entry = last_access_entry(stack);
  CHECK(entry.find(id) != std::string::npos);
  CHECK(entry.find("refused") != std::string::npos);
  CHECK(entry.find("u-" + stranger) != std::string::npos);
  CHECK(entry.find("token t") != std::string::npos);
  CHECK(entry.find("curious") != std::string::npos);
  // Nor can they answer it for the assigned worker.
  CHECK(other.post("/api/v1/assignments/" + assignment + "/accept", nullptr).status == 404);
  CHECK(other.post("/api/v1/assignments/" + assignment + "/decline", nullptr).status == 404);
  CHECK(last_access_entry(stack).find("decline") != std::string::npos);
  // The desk of the report's region reads it whole; another region's desk does not see it.
  auto desk = stack.as_user("op-eemland", "--role operator --region eemland").get("/api/v1/reports/" + id);
  REQUIRE(desk.status == 200);
  CHECK(desk.body.find("REPORTER-NAME-SECRET") != std::string::npos);
  auto elsewhere = stack.as_user("op-utrecht", "--role operator --region utrecht-stad");
  CHECK(elsewhere.get("/api/v1/reports/" + id).status == 404);
  CHECK(elsewhere.get("/api/v1/reports?region=eemland").status == 403);
  CHECK(elsewhere.get("/api/v1/reports").json()["reports"].empty());
  // The assigned worker answers; the access chain still verifies.
  CHECK(stack.as_worker(assigned).post("/api/v1/assignments/" + assignment + "/accept", nullptr).status == 200);
  CHECK(stack.get("/api/v1/audit/verify?stream=access").json()["sound"] == true);
}

TEST_CASE("a manager changes only their regions' rosters and a worker sees only their own shifts "
          "and feed",
          "[e2e][auth][matrix]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const json leave{{"worker_id", "w-em-02"}, {"start", "2027-01-12T08:00:00Z"}, {"end", "2027-01-13T08:00:00Z"},
                   {"category", "holiday"}};
  auto other_region = stack.as_user("mgr-utrecht", "--role manager --region utrecht-stad").post("/api/v1/roster/leave", leave);
  CHECK(other_region.status == 403);
  CHECK(other_region.json()["error"]["field"] == "region");
  auto own_region = stack.as_user("mgr-eemland", "--role manager --region eemland").post("/api/v1/roster/leave", leave);
  CHECK(own_region.status == 201);
  const auto& worker = stack.as_worker("w-em-02");
  CHECK(worker.get("/api/v1/roster/shifts?worker=w-em-03").status == 403);
  auto mine = worker.get("/api/v1/roster/shifts?region=eemland");
  REQUIRE(mine.status == 200);
  for (const auto& s : mine.json()["shifts"]) CHECK(s["worker_id"] == "w-em-02");
  CHECK(worker.post("/api/v1/roster/ical-feeds", {{"worker", "w-em-03"}}).status == 403);
  auto feed = worker.post("/api/v1/roster/ical-feeds", json::object());
  REQUIRE(feed.status == 201);
  CHECK(feed.json()["for"] == "worker:w-em-02");
  CHECK(worker.get("/api/v1/workers/w-em-03").status == 403);
  CHECK(worker.get("/api/v1/workers/w-em-02").status == 200);
}

TEST_CASE("a worker lists, rotates and revokes their own iCal feeds, a revoked URL answers 404, "
          "and Redis never holds a feed's secret",
          "[e2e][auth][ical]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  auto fetch = [&](const std::string& url) { return piket::test::http("GET", stack.url(url)).status; };
  const auto& worker = stack.as_worker("w-em-02");
  auto first = worker.post("/api/v1/roster/ical-feeds", json::object());
  REQUIRE(first.status == 201);
  const std::string first_url = first.json()["url"];
  CHECK(fetch(first_url) == 200);
  const std::string secret = first_url.substr(6, first_url.size() - 6 - 4);  // /ical/<secret>.ics
  CHECK(stack.redis().cli("HGETALL piket:roster:ical_tokens").find(secret) == std::string::npos);

  auto rotated = worker.post("/api/v1/roster/ical-feeds", {{"rotate", true}});
  REQUIRE(rotated.status == 201);
  CHECK(rotated.json()["revoked"] == 1);
  const std::string second_url = rotated.json()["url"];
  const std::string second_id = rotated.json()["id"];
  CHECK(fetch(first_url) == 404);
  CHECK(fetch(second_url) == 200);
  auto listed = worker.get("/api/v1/roster/ical-feeds");
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["feeds"].size() == 1);
  CHECK(listed.json()["feeds"][0]["id"] == second_id);
  CHECK(listed.json()["feeds"][0]["for"] == "worker:w-em-02");
  CHECK(listed.body.find("/ical/") == std::string::npos);  // the secret URL is shown once only
  CHECK(worker.post("/api/v1/roster/ical-feeds", {{"rotate", "yes"}}).json()["error"]["field"] == "rotate");

  // Another worker's feed is neither listed nor revocable by this one; their manager can.
  auto others = stack.as_worker("w-em-03").post("/api/v1/roster/ical-feeds", json::object());
  REQUIRE(others.status == 201);
  const std::string others_id = others.json()["id"];
  CHECK(worker.get("/api/v1/roster/ical-feeds").json()["feeds"].size() == 1);
  CHECK(worker.del("/api/v1/roster/ical-feeds/" + others_id).status == 404);
  CHECK(fetch(others.json()["url"]) == 200);
  const auto& manager = stack.as_user("mgr-eemland", "--role manager --region eemland");
  CHECK(manager.get("/api/v1/roster/ical-feeds").json()["feeds"].size() == 2);
  CHECK(stack.as_user("mgr-utrecht", "--role manager --region utrecht-stad")
            .get("/api/v1/roster/ical-feeds")
            .json()["feeds"]
            .empty());
  CHECK(manager.del("/api/v1/roster/ical-feeds/" + others_id).status == 200);
  CHECK(fetch(others.json()["url"]) == 404);

  CHECK(worker.del("/api/v1/roster/ical-feeds/" + second_id).status == 200);
  CHECK(fetch(second_url) == 404);
  CHECK(worker.get("/api/v1/roster/ical-feeds").json()["feeds"].empty());
  CHECK(worker.del("/api/v1/roster/ical-feeds/" + second_id).status == 404);
}

TEST_CASE("break-glass: a manager reads a case only by giving a reason, the read is flagged, and "
          "the privacy officer lists and closes it",
          "[e2e][auth][break_glass]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const std::string report = submit(stack, "Amersfoort");
  const auto& manager = stack.as_user("mgr-eemland", "--role manager --region eemland");
  const std::string path = "/api/v1/reports/" + report + "/break-glass";
  CHECK(manager.get("/api/v1/reports/" + report).status == 403);  // no need to know
  CHECK(manager.post(path, json::object()).json()["error"]["field"] == "reason");
  CHECK(manager.post(path, {{"reason", "urgent"}}).json()["error"]["field"] == "reason");
  CHECK(stack.as_worker("w-em-02").post(path, {{"reason", "I want to know who called"}}).status == 403);
  CHECK(manager.post("/api/v1/reports/rnope/break-glass", {{"reason", "the police ask for it now"}}).status == 404);

  const std::string reason = "police on the phone: the child's school needs the address now";
  auto read = manager.post(path, {{"reason", reason}});
  REQUIRE(read.status == 200);
  CHECK(read.json()["break_glass"] == true);
  CHECK(read.body.find("REPORTER-NAME-SECRET") != std::string::npos);  // the whole case
  const std::string logged = last_access_entry(stack);
  CHECK(logged.find("break_glass") != std::string::npos);
  CHECK(logged.find(reason) != std::string::npos);
  CHECK(logged.find("mgr-eemland") != std::string::npos);
  // The desk of the region has the right anyway: its read is ordinary, not flagged.
  auto desk = stack.as_user("op-eemland", "--role operator --region eemland").post(path, {{"reason", reason}});
  REQUIRE(desk.status == 200);
  CHECK(desk.json()["break_glass"] == false);

  const auto& officer = stack.as_user("po-1", "--role privacy_officer");
  CHECK(manager.get("/api/v1/access/flagged").status == 403);
  auto flagged = officer.get("/api/v1/access/flagged");
  REQUIRE(flagged.status == 200);
  REQUIRE(flagged.json()["flagged"].size() == 1);
  const json entry = flagged.json()["flagged"][0];
  CHECK(entry["actor"].get<std::string>().find("mgr-eemland") != std::string::npos);
  CHECK(entry["report"] == report);
  CHECK(entry["reason"] == reason);
  const std::string close = "/api/v1/access/flagged/" + entry["id"].get<std::string>() + "/close";
  CHECK(officer.post(close, json::object()).json()["error"]["field"] == "note");
  CHECK(officer.post(close, {{"note", "asked the manager: the school call was real"}}).status == 200);
  CHECK(officer.get("/api/v1/access/flagged").json()["flagged"].empty());
  CHECK(officer.post(close, {{"note", "again"}}).status == 404);
  CHECK(stack.redis().cli("XREVRANGE piket:stream:audit + - COUNT 1").find("access.flag_closed") != std::string::npos);
  auto chain = stack.as_user("admin-1", "--role admin").get("/api/v1/audit/verify?stream=access");
  REQUIRE(chain.status == 200);
  CHECK(chain.json()["sound"] == true);
}
