// End to end through the gateway: workers and teams managed through the API, stored in Redis
// (seeded from config/demo/workers.toml), checked on every change, surviving a restart, and
// used at once by the scheduler (on call, gaps), the dispatcher (ranking) and the notifier
// (webhooks). On the real system clock, like the roster flow.
#include <algorithm>
#include <catch.hpp>
#include <thread>

#include "common/clock.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::TimePoint;
using piket::test::Stack;

namespace {
// The stack's time in whole seconds, so what we send comes back in the same text.
TimePoint now_s(const Stack& stack) { return std::chrono::floor<std::chrono::seconds>(stack.now()); }
std::string utc(TimePoint t) { return piket::format_utc(t); }
json error_of(const piket::test::HttpReply& reply) { return reply.json()["error"]; }

json new_worker(const Stack& stack, const std::string& id) {
  return {{"id", id},
          {"name", "Demo Worker " + id},
          {"region", "eemland"},
          {"roles", {"crisis_worker"}},
          {"skills", {"lang_polish"}},
          {"base", "Amersfoort"},
          {"contract_hours_per_week", 32},
          {"daily_case_limit", 3},
          {"team", "em-a"},
          {"webhook_url", stack.webhook_url(id)}};
}

std::vector<std::string> ids(const json& list) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e.contains("worker_id") ? e["worker_id"] : e["id"]);
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

json workers(const Stack& stack) {
  auto reply = stack.get("/api/v1/workers");
  REQUIRE(reply.status == 200);
  return reply.json()["workers"];
}

json on_call_now(const Stack& stack, const std::string& region, const std::string& role) {
  auto reply = stack.get("/api/v1/oncall?region=" + region + "&role=" + role);
  REQUIRE(reply.status == 200);
  return reply.json()["on_call"];
}

piket::test::HttpReply post_csv(const Stack& stack, const std::string& csv) {
  return stack.request("POST", "/api/v1/workers/import", csv,
                           {{"Content-Type", "text/csv"}});
}

piket::test::HttpReply del(const Stack& stack, const std::string& path) {
  return stack.request("DELETE", path);
}
}  // namespace

TEST_CASE(
    "a worker and a team created through the API are checked field by field, stored, and "
    "still there after the scheduler restarts",
    "[e2e][roster][workers]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  REQUIRE(workers(stack).size() == 40);  // the demo's, stored at the first start
  const json teams = stack.get("/api/v1/teams").json()["teams"];
  REQUIRE(teams.size() == 15);
  for (const auto& t : teams)
    if (t["id"] == "em-a") CHECK(t["members"] == json{"w-em-01", "w-em-02"});

  struct Case {
    const char* key;
    json value;
    int status;
    std::string field;
  };
  const std::vector<Case> bad = {
      {"region", "atlantis", 422, "region"},
      {"daily_case_limit", 0, 400, "daily_case_limit"},
      {"roles", {"crisis_worker", "chef"}, 400, "roles[1]"},
      {"base", "Atlantis", 400, "base"},
      {"webhook_url", "mailto:someone", 400, "webhook_url"},
      {"team", "em-z", 404, "team"},
      {"team", "ut-a", 400, "team"},
      {"phone", "0612345678", 400, "phone"},
  };
  for (const auto& c : bad) {
    json body = new_worker(stack, "w-em-10");
    body[c.key] = c.value;
    INFO(body.dump());
    auto reply = stack.post("/api/v1/workers", body);
    CHECK(reply.status == c.status);
    CHECK(error_of(reply)["field"] == c.field);
    CHECK_FALSE(error_of(reply)["message"].get<std::string>().empty());
  }
  CHECK(workers(stack).size() == 40);
  CHECK(stack.get("/api/v1/workers/w-em-10").status == 404);

  auto created = stack.post("/api/v1/workers", new_worker(stack, "w-em-10"));
  REQUIRE(created.status == 201);
  CHECK(created.json()["created"] == true);
  CHECK(created.json()["worker"]["base"] == "Amersfoort");
  CHECK(created.json()["gaps_created"].empty());
  json renamed = new_worker(stack, "w-em-10");
  renamed["name"] = "Demo Worker Eemland 10";
  auto replaced = stack.post("/api/v1/workers", renamed);
  REQUIRE(replaced.status == 200);
  CHECK(replaced.json()["created"] == false);

  auto team = stack.post(
      "/api/v1/teams",
      {{"id", "em-c"}, {"name", "Eemland C"}, {"region", "eemland"}, {"team_lead", "w-em-05"}});
  REQUIRE(team.status == 201);
  CHECK(team.json()["team"]["members"].empty());
  CHECK(stack
            .post("/api/v1/teams",
                  {{"id", "em-d"}, {"name", "D"}, {"region", "eemland"}, {"team_lead", "w-em-02"}})
            .json()["error"]["field"] == "team_lead");
  renamed["team"] = "em-c";
  REQUIRE(stack.post("/api/v1/workers", renamed).status == 200);

  // A worker in a rotation keeps what the rotation needs, and cannot be deleted.
  json w02 = stack.get("/api/v1/workers/w-em-02").json()["worker"];
  w02["region"] = "west";
  w02["team"] = "we-a";
  auto moved = stack.post("/api/v1/workers", w02);
  CHECK(moved.status == 409);
  CHECK(error_of(moved)["field"] == "region");
  auto kept = del(stack, "/api/v1/workers/w-em-02");
  CHECK(kept.status == 409);
  CHECK(error_of(kept)["message"].get<std::string>().find("rotation") != std::string::npos);
  CHECK(del(stack, "/api/v1/teams/em-a").status == 409);  // it has members

  stack.stop_daemon("scheduler");
  stack.start_daemon("scheduler");
  // The restarted scheduler answers once it has read the stored roster.
  REQUIRE(piket::test::eventually([&] {
    auto reply = stack.get("/api/v1/oncall?region=eemland");
    return reply.status == 200 && reply.json().value("roster_complete", false);
  }));
  auto after = stack.get("/api/v1/workers/w-em-10");
  REQUIRE(after.status == 200);
  CHECK(after.json()["worker"]["name"] == "Demo Worker Eemland 10");
  CHECK(after.json()["worker"]["team"] == "em-c");
  CHECK(after.json()["worker"]["daily_case_limit"] == 3);
  CHECK(workers(stack).size() == 41);
  bool team_kept = false;
  const json eemland_teams = stack.get("/api/v1/teams?region=eemland").json()["teams"];
  INFO(eemland_teams.dump());
  for (const auto& t : eemland_teams)
    if (t["id"] == "em-c")
      team_kept = t["members"] == json{"w-em-10"} && t["team_lead"] == "w-em-05";
  CHECK(team_kept);

  // Named nowhere in the plan: it can go.
  auto deleted = del(stack, "/api/v1/workers/w-em-10");
  REQUIRE(deleted.status == 200);
  CHECK(deleted.json()["deleted"] == "w-em-10");
  CHECK(stack.get("/api/v1/workers/w-em-10").status == 404);
  CHECK(del(stack, "/api/v1/teams/em-c").status == 200);
}

TEST_CASE(
    "a workers CSV with a bad row imports nothing and names the line and column, and the fixed "
    "file imports every row",
    "[e2e][roster][workers]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const std::string header = "id,name,region,roles,skills,webhook_url,base,team,daily_case_limit\n";
  const std::string good =
      "w-em-20,Demo Worker Eemland 20,eemland,crisis_worker,lang_arabic;elder_abuse," +
      stack.webhook_url("w-em-20") + ",Soest,em-b,3\n";
  const std::string bad = "w-em-21,Demo Worker Eemland 21,eemland,crisis_worker,," +
                          stack.webhook_url("w-em-21") + ",Soest,em-b,twenty\n";
  auto refused = post_csv(stack, header + good + bad);
  CHECK(refused.status == 400);
  CHECK(error_of(refused)["code"] == "invalid_field");
  CHECK(error_of(refused)["field"] == "line 3 column 9");
  CHECK(error_of(refused)["message"].get<std::string>().find("daily_case_limit") !=
        std::string::npos);
  CHECK(workers(stack).size() == 40);
  CHECK(stack.get("/api/v1/workers/w-em-20").status == 404);

  const std::string fixed = "w-em-21,Demo Worker Eemland 21,eemland,crisis_worker,," +
                            stack.webhook_url("w-em-21") + ",Soest,em-b,2\n";
  auto imported = post_csv(stack, header + good + fixed);
  REQUIRE(imported.status == 201);
  CHECK(imported.json()["imported"] == 2);
  CHECK(imported.json()["workers"] == json{"w-em-20", "w-em-21"});
  CHECK(workers(stack).size() == 42);
  const json w20 = stack.get("/api/v1/workers/w-em-20").json()["worker"];
  CHECK(w20["skills"] == json{"lang_arabic", "elder_abuse"});
  CHECK(w20["base"] == "Soest");
  CHECK(w20["daily_case_limit"] == 3);
  CHECK(w20["active"] == true);

  // The same file again: the ids exist now.
  auto again = post_csv(stack, header + good);
  CHECK(again.status == 400);
  CHECK(error_of(again)["field"] == "line 2 column 1");
  CHECK(post_csv(stack, "").status == 400);
  CHECK(workers(stack).size() == 42);
}

TEST_CASE(
    "a deactivated worker is off the on-call answer at once and the gap it leaves is "
    "reported, and activating brings them back",
    "[e2e][roster][workers]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  json before = on_call_now(stack, "eemland", "crisis_worker");
  REQUIRE(before.size() == 2);  // the week's pair
  // Hours from a hand-off: the primary stays the primary while we look.
  TimePoint shift_end;
  REQUIRE(piket::parse_utc(before[0]["shift_end"].get<std::string>(), shift_end));
  REQUIRE(shift_end > now_s(stack) + 1h);
  const std::string primary = before[0]["worker_id"], next = before[1]["worker_id"];

  auto off = stack.post("/api/v1/workers/" + primary + "/deactivate", json::object());
  REQUIRE(off.status == 200);
  CHECK(off.json()["changed"] == true);
  CHECK(off.json()["worker"]["active"] == false);
  // One of the pair left on call, under the minimum of two: a gap now and in their next turns.
  const json opened = off.json()["gaps_created"];
  REQUIRE_FALSE(opened.empty());
  CHECK(opened[0]["role"] == "crisis_worker");
  CHECK(opened[0]["staffed"] == 1);
  // The gap is open now: the team lead on call in Eemland is paged about it, once.
  stack.settle();
  const json leads = on_call_now(stack, "eemland", "team_lead");
  REQUIRE(leads.size() == 1);
  std::vector<std::string> paged;
  for (const auto& a : stack.received_alerts())
    if (a.value("status", 0) == 200 && a["body"].value("kind", "") == "coverage_gap" &&
        a["body"].value("start", "") == opened[0]["start"])
      paged.push_back(a["body"]["worker"]);
  CHECK(paged == std::vector<std::string>{leads[0]["worker_id"].get<std::string>()});
  const json during = on_call_now(stack, "eemland", "crisis_worker");
  CHECK_FALSE(has(ids(during), primary));
  REQUIRE(during.size() == 1);
  CHECK(during[0]["worker_id"] == next);
  CHECK(during[0]["position"] == 0);
  // The dispatcher asks the same scheduler: a crisis never reaches the deactivated worker.
  CHECK(
      stack.post("/api/v1/workers/" + primary + "/deactivate", json::object()).json()["changed"] ==
      false);

  // The physician on call this week (the two take weekly turns): deactivating leaves nobody in
  // each of their turns up to the coverage horizon (eight weeks: every other week, this one first).
  const json physicians = on_call_now(stack, "eemland", "confidential_physician");
  REQUIRE(physicians.size() == 1);
  const std::string physician_id = physicians[0]["worker_id"];
  auto physician = stack.post("/api/v1/workers/" + physician_id + "/deactivate", json::object());
  REQUIRE(physician.status == 200);
  const json gaps = physician.json()["gaps_created"];
  REQUIRE(gaps.size() >= 4);
  for (const auto& g : gaps) {
    CHECK(g["region"] == "eemland");
    CHECK(g["role"] == "confidential_physician");
    CHECK(g["staffed"] == 0);
    CHECK(g["minimum"] == 1);
  }
  TimePoint gap_start;
  REQUIRE(piket::parse_utc(gaps[0]["start"].get<std::string>(), gap_start));
  CHECK(gap_start <= now_s(stack) + 1min);  // from now on
  CHECK(on_call_now(stack, "eemland", "confidential_physician").empty());
  const json coverage = stack.get("/api/v1/roster/coverage").json()["gaps"];
  bool shown = false;
  for (const auto& g : coverage)
    shown |= g["region"] == "eemland" && g["role"] == "confidential_physician";
  CHECK(shown);
  // Still in a rotation: deactivated, not deleted.
  CHECK(del(stack, "/api/v1/workers/" + physician_id).status == 409);

  auto on = stack.post("/api/v1/workers/" + physician_id + "/activate", json::object());
  REQUIRE(on.status == 200);
  CHECK(on.json()["gaps_created"].empty());
  CHECK(ids(on_call_now(stack, "eemland", "confidential_physician")) == std::vector<std::string>{physician_id});
  REQUIRE(stack.post("/api/v1/workers/" + primary + "/activate", json::object()).status == 200);
  CHECK(on_call_now(stack, "eemland", "crisis_worker").size() == 2);
  CHECK(stack.post("/api/v1/workers/w-nobody/deactivate", json::object()).status == 404);
}

TEST_CASE("an alert to a worker created through the API reaches that worker's webhook",
          "[e2e][roster][workers]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  REQUIRE(stack.post("/api/v1/workers", new_worker(stack, "w-em-10")).status == 201);
  // Everyone else on call in Eemland is away; the new worker stands in for two hours.
  const TimePoint start = now_s(stack) - 1min, end = now_s(stack) + 2h;
  for (const auto& w : ids(on_call_now(stack, "eemland", "crisis_worker")))
    REQUIRE(stack
                .post("/api/v1/roster/leave", {{"worker_id", w},
                                               {"start", utc(start)},
                                               {"end", utc(end)},
                                               {"category", "training"}})
                .status == 201);
  auto added = stack.post("/api/v1/roster/overrides", {{"kind", "add"},
                                                       {"region", "eemland"},
                                                       {"role", "crisis_worker"},
                                                       {"worker_id", "w-em-10"},
                                                       {"start", utc(start)},
                                                       {"end", utc(end)}});
  REQUIRE(added.status == 201);
  REQUIRE(ids(on_call_now(stack, "eemland", "crisis_worker")) ==
          std::vector<std::string>{"w-em-10"});

  auto report = stack.post(
      "/api/v1/reports",
      {{"source", "police"}, {"municipality", "Amersfoort"}, {"indicators", {"threat_to_kill"}}});
  REQUIRE(report.status == 201);
  std::vector<json> delivered;
  for (int i = 0; i < 400 && delivered.empty(); ++i) {
    for (const auto& a : stack.received_alerts())
      if (a.value("path", "") == "/hooks/w-em-10") delivered.push_back(a);
    if (delivered.empty()) std::this_thread::sleep_for(25ms);
  }
  REQUIRE_FALSE(delivered.empty());
  CHECK(delivered[0]["body"]["worker"] == "w-em-10");
  CHECK(delivered[0]["signature_valid"] == true);
  // The dispatcher ranked the new worker with their own figures: known, not "unknown worker".
  const json shown = stack.get("/api/v1/reports/" + report.json()["id"].get<std::string>()).json();
  REQUIRE(shown["ranking"]["ranked"].size() == 1);
  CHECK(shown["ranking"]["ranked"][0]["worker_id"] == "w-em-10");
  CHECK(shown["ranking"]["ranked"][0]["km"] == 0);  // based in Amersfoort
}

TEST_CASE(
    "deleting an override answers with the gap it reopens, and deleting leave with the gaps "
    "it opens, which are none",
    "[e2e][roster][workers]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  REQUIRE(stack.post("/api/v1/workers", new_worker(stack, "w-em-10")).status == 201);
  const TimePoint start = now_s(stack) + 1h, end = start + 2h;
  const std::vector<std::string> everyone = ids(on_call_now(stack, "eemland", "crisis_worker"));
  REQUIRE(everyone.size() == 2);  // the week's pair
  std::vector<std::string> leave_ids;
  json gaps;
  for (std::size_t i = 0; i < 1; ++i) {
    auto leave = stack.post("/api/v1/roster/leave", {{"worker_id", everyone[i]},
                                                     {"start", utc(start)},
                                                     {"end", utc(end)},
                                                     {"category", "holiday"}});
    REQUIRE(leave.status == 201);
    leave_ids.push_back(leave.json()["leave"]["id"]);
    gaps = leave.json()["gaps_created"];
  }
  REQUIRE(gaps.size() == 1);  // the leave leaves one on call, under the minimum of two

  auto cover = stack.post("/api/v1/roster/overrides", {{"kind", "add"},
                                                       {"region", "eemland"},
                                                       {"worker_id", "w-em-10"},
                                                       {"start", utc(start)},
                                                       {"end", utc(end)}});
  REQUIRE(cover.status == 201);
  const std::string override_id = cover.json()["override"]["id"];

  auto removed = del(stack, "/api/v1/roster/overrides/" + override_id);
  REQUIRE(removed.status == 200);
  CHECK(removed.json()["deleted"] == override_id);
  const json reopened = removed.json()["gaps_created"];
  REQUIRE(reopened.size() == 1);
  CHECK(reopened[0]["region"] == "eemland");
  CHECK(reopened[0]["role"] == "crisis_worker");
  CHECK(reopened[0]["start"] == utc(start));
  CHECK(reopened[0]["end"] == utc(end));
  CHECK(reopened[0]["staffed"] == 1);
  CHECK(reopened[0]["minimum"] == 2);

  // A worker back from leave only adds staff: the answer has the same shape, with no gap.
  auto back = del(stack, "/api/v1/roster/leave/" + leave_ids[0]);
  REQUIRE(back.status == 200);
  CHECK(back.json()["deleted"] == leave_ids[0]);
  REQUIRE(back.json().contains("gaps_created"));
  CHECK(back.json()["gaps_created"].empty());
  // Two on call again: the gap is gone from the coverage report.
  bool still = false;
  const json coverage = stack.get("/api/v1/roster/coverage").json();  // named: the loop outlives it
  for (const auto& g : coverage["gaps"]) still |= g["region"] == "eemland";
  CHECK_FALSE(still);
  CHECK(del(stack, "/api/v1/roster/leave/" + leave_ids[0]).status == 404);
}
