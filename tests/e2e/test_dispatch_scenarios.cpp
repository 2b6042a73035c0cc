// Scenarios on the demo regions with the daemons' clock set by the test: the whole stack as
// processes, the clock moved through nights, DST changes and escalation deadlines.
#include <catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "common/domain/workers.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::TimePoint;
using piket::test::Stack;

namespace {
TimePoint at(const std::string& utc) {
  TimePoint t;
  REQUIRE(piket::parse_utc(utc, t));
  return t;
}

json report(const std::string& municipality, std::vector<std::string> indicators,
            const std::string& family = "") {
  json r{{"source", "police"},
         {"municipality", municipality},
         {"indicators", indicators},
         {"narrative", "NARRATIVE-MUST-NOT-LEAK"},
         {"reporter", {{"name", "REPORTER-MUST-NOT-LEAK"}}},
         {"people", {{{"role", "child"}, {"age", 7}}}}};
  if (!family.empty()) r["family_reference"] = family;
  return r;
}

std::string submit(Stack& stack, const json& body) {
  auto reply = stack.post("/api/v1/reports", body);
  INFO(reply.body);
  REQUIRE(reply.status == 201);
  return reply.json()["id"];
}

// Delivered alerts of one report (by reference), in arrival order.
std::vector<json> alerts_of(const Stack& stack, const std::string& report, const std::string& kind = "") {
  std::vector<json> out;
  for (const auto& a : stack.received_alerts())
    if (a.value("status", 0) == 200 && a["body"].value("reference", "") == report &&
        (kind.empty() || a["body"].value("kind", "") == kind))
      out.push_back(a["body"]);
  return out;
}

std::vector<json> wait_alerts(const Stack& stack, const std::string& report, std::size_t n,
                              const std::string& kind = "", std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  auto got = alerts_of(stack, report, kind);
  while (got.size() < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(25ms);
    got = alerts_of(stack, report, kind);
  }
  return got;
}

json shown(const Stack& stack, const std::string& id) {
  auto reply = stack.get("/api/v1/reports/" + id);
  REQUIRE(reply.status == 200);
  return reply.json();
}

bool timeline_has(const json& report, const std::string& action, const std::string& text = "") {
  for (const auto& e : report["timeline"])
    if (e.value("action", "") == action && e.value("detail", "").find(text) != std::string::npos) return true;
  return false;
}

json on_call(const Stack& stack, const std::string& region, const std::string& role = "crisis_worker") {
  auto reply = stack.get("/api/v1/oncall?region=" + region + "&role=" + role + "&at=" + piket::format_utc(stack.now()));
  REQUIRE(reply.status == 200);
  return reply.json()["on_call"];
}

// The alerted worker accepts their call-out.
void accept(const Stack& stack, const json& alert) {
  const std::string assignment = alert["assignment"];
  auto reply = stack.as_worker(alert["worker"]).post("/api/v1/assignments/" + assignment + "/accept", nullptr);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
}

// A short ladder for the tests that let it run: every step a few seconds apart.
const char* kQuickLadder = R"(
[[policies]]
region = "*"
restart_after_s = 30
steps = [
  { after_s = 0, target = "first" },
  { after_s = 60, target = "repeat", channel = "second" },
  { after_s = 120, target = "next" },
  { after_s = 180, target = "neighbour" },
  { after_s = 240, target = "team_lead" },
  { after_s = 300, target = "all" },
]
)";
}  // namespace

TEST_CASE("a report at night gets two professionals, both accept, the visit is planned for both "
          "within the night shift, check-ins are recorded and the outcome closes it",
          "[e2e][scenario]") {
  // Thursday 3 December 2026, 02:10 in Amsterdam.
  Stack stack{piket::test::four_on_call_at(at("2026-12-03T01:10:00Z"))};
  const std::string id = submit(stack, report("Utrecht", {"threat_to_kill"}));
  auto alerts = wait_alerts(stack, id, 2, "callout");
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0]["worker"] != alerts[1]["worker"]);
  auto view = shown(stack, id);
  CHECK(view["needed"] == 2);
  CHECK(view["triage"]["two_person"] == true);
  for (const auto& a : alerts) accept(stack, a);
  view = shown(stack, id);
  CHECK(view["state"] == "visit_planned");
  REQUIRE(view["visit"].is_object());
  CHECK(view["visit"]["workers"].size() == 2);
  TimePoint start, end;
  REQUIRE(piket::parse_utc(view["visit"]["start"], start));
  REQUIRE(piket::parse_utc(view["visit"]["end"], end));
  CHECK(start >= stack.now() - 5s);
  CHECK(start <= at("2026-12-03T07:00:00Z"));  // before the night shift ends at 08:00 local
  CHECK(view["visit"]["late"] == false);
  auto visit_alerts = wait_alerts(stack, id, 2, "visit");
  CHECK(visit_alerts.size() == 2);

  const std::string visit = view["visit"]["id"];
  const std::string worker = view["visit"]["workers"][0];
  const auto& professional = stack.as_worker(worker);
  auto checkin = professional.post("/api/v1/visits/" + visit + "/checkin", {{"status", "arrived"}});
  CHECK(checkin.status == 200);
  CHECK(checkin.json()["state"] == "in_progress");
  // Someone not on the visit cannot check in on it: to them it does not exist.
  auto stranger = stack.as_worker("w-em-01").post("/api/v1/visits/" + visit + "/checkin", {{"status", "ok"}});
  CHECK(stranger.status == 404);
  CHECK(stranger.json()["error"]["field"] == "id");
  // The worker's view of the visit has the case without the reporter.
  auto worker_view = professional.get("/api/v1/visits/" + visit);
  REQUIRE(worker_view.status == 200);
  CHECK(worker_view.body.find("REPORTER-MUST-NOT-LEAK") == std::string::npos);
  CHECK(professional.post("/api/v1/visits/" + visit + "/checkin", {{"status", "done"}}).status == 200);

  auto outcome = professional.post("/api/v1/reports/" + id + "/outcome",
                            {{"safety_agreements", true},
                             {"police_involved", false},
                             {"route", "local_team"},
                             {"consent", {{{"step", "visit"}, {"given", true}}, {{"step", "referral"}, {"given", true}}}}});
  INFO(outcome.body);
  REQUIRE(outcome.status == 200);
  CHECK(outcome.json()["state"] == "referred");
  view = shown(stack, id);
  CHECK(view["state"] == "referred");
  CHECK(view["outcome"]["route"] == "local_team");
  CHECK(view["outcome"]["consent"].size() == 2);
  CHECK(timeline_has(view, "visit.planned"));
  CHECK(timeline_has(view, "report.referred"));
  // Nothing personal left in any alert.
  for (const auto& a : stack.received_alerts()) {
    CHECK(a["raw"].get<std::string>().find("MUST-NOT-LEAK") == std::string::npos);
  }
}

TEST_CASE("with nobody answering the whole ladder fires at its deadlines, across the October DST "
          "night and a kill -9 of the dispatcher in the middle",
          "[e2e][scenario]") {
  // Sunday 25 October 2026, 01:30 CEST (23:30Z): the clocks go back at 03:00 CEST.
  Stack stack{piket::test::four_on_call_at(at("2026-10-24T23:30:00Z"), kQuickLadder)};
  const std::string id = submit(stack, report("Utrecht", {"child_alone"}));
  stack.settle();  // every first call-out delivered, one or two
  auto first = alerts_of(stack, id, "callout");
  REQUIRE(first.size() >= 1);
  const std::size_t pair = shown(stack, id)["needed"];
  REQUIRE(first.size() == pair);

  // Step 1 (repeat on the second channel) at +60 s.
  stack.advance_and_settle(61s);
  auto repeated = wait_alerts(stack, id, 2 * pair, "callout");
  REQUIRE(repeated.size() == 2 * pair);
  // The same assignments again, on the second channel (delivered in any order).
  std::set<std::string> paged, repaged;
  for (std::size_t i = 0; i < pair; ++i) paged.insert(repeated[i]["assignment"].get<std::string>());
  for (std::size_t i = pair; i < 2 * pair; ++i) {
    CHECK(repeated[i]["channel"] == "second");
    repaged.insert(repeated[i]["assignment"].get<std::string>());
  }
  CHECK(repaged == paged);

  stack.kill_daemon("dispatcher");  // the next deadline lives in Redis
  stack.advance(60s);                // step 2 (backup) is due at +120 s
  stack.start_daemon("dispatcher");
  REQUIRE(stack.wait_healthy(10s));
  stack.settle();
  auto backups = wait_alerts(stack, id, 3 * pair, "callout");
  REQUIRE(backups.size() == 3 * pair);
  std::set<std::string> first_workers;
  for (std::size_t i = 0; i < pair; ++i) first_workers.insert(first[i]["worker"]);
  CHECK_FALSE(first_workers.count(backups[2 * pair]["worker"]));

  stack.advance_and_settle(60s);  // neighbour at +180 s
  stack.advance_and_settle(60s);  // team lead at +240 s
  stack.advance_and_settle(60s);  // everyone at +300 s
  auto view = shown(stack, id);
  CHECK(timeline_has(view, "assignment.alerted", "target=neighbour"));
  CHECK((timeline_has(view, "assignment.alerted", "target=team_lead") ||
         timeline_has(view, "escalation.step_skipped", "target=team_lead")));
  // The last step ("all") alerts whoever is left, or, with nobody left, says so.
  CHECK((timeline_has(view, "escalation.last_step") || timeline_has(view, "escalation.exhausted")));
  // Each step fired exactly once, also with the restart in the middle.
  int step_two = 0;
  for (const auto& e : view["timeline"])
    if (e.value("detail", "").find("step=2 ") == 0) ++step_two;
  CHECK(step_two == static_cast<int>(pair));
  // The neighbour's worker comes from a neighbouring region of Utrecht Stad.
  bool neighbour_seen = false;
  for (const auto& a : view["assignments"])
    if (a["target"] == "neighbour") {
      neighbour_seen = true;
      CHECK(a["region"] != "utrecht-stad");
    } else if (a["target"] != "team_lead") {
      CHECK(a["region"] == "utrecht-stad");  // the local steps name the report's region
    }
  CHECK(neighbour_seen);
  for (const auto& step : view["ladder"])
    if (step["skipped_reason"].is_string())
      CHECK(step["skipped_reason"].get<std::string>().find(" in  (") == std::string::npos);

  // After the last step and restart_after: a coverage failure, and the ladder starts again.
  stack.advance_and_settle(31s);
  view = shown(stack, id);
  CHECK(timeline_has(view, "coverage.failure"));
  CHECK(timeline_has(view, "matching.ranked", "round=2"));
  // Anyone still alerted may accept late; that stops all paging.
  accept(stack, first[0]);
  view = shown(stack, id);
  CHECK((view["state"] == "visit_planned" || view["state"] == "alerting"));
}

TEST_CASE("the professional who knows the family is chosen when on call, and only informed "
          "when not",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string first_id = submit(stack, report("Utrecht", {"threat_to_kill"}, "FAM-77"));
  auto first = wait_alerts(stack, first_id, 1, "callout");
  REQUIRE(first.size() == 1);
  // The on-call primary declines; the backup takes the family.
  auto declined = stack.as_worker(first[0]["worker"])
                      .post("/api/v1/assignments/" + first[0]["assignment"].get<std::string>() + "/decline",
                            {{"reason", "on another call"}});
  INFO(declined.body);
  REQUIRE(declined.status == 200);
  auto second_alert = wait_alerts(stack, first_id, 2, "callout");
  REQUIRE(second_alert.size() == 2);
  const std::string family_worker = second_alert[1]["worker"];
  accept(stack, second_alert[1]);

  SECTION("the family's professional on call gets the next report first, with the reason") {
    stack.advance(10min);
    const std::string again = submit(stack, report("Utrecht", {"threat_to_kill"}, "FAM-77"));
    auto alerts = wait_alerts(stack, again, 1, "callout");
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0]["worker"] == family_worker);
    auto view = shown(stack, again);
    CHECK(view["ranking"]["ranked"][0]["worker_id"] == family_worker);
    CHECK(view["ranking"]["ranked"][0]["continuity"] == true);
    CHECK(view["assignments"][0]["reason"].get<std::string>().find("continuity") != std::string::npos);
  }
  SECTION("on leave, the family's professional is informed, not sent out, and the on-call worker goes") {
    const auto from = std::chrono::time_point_cast<std::chrono::seconds>(stack.now() - 1min);
    auto leave = stack.post("/api/v1/roster/leave", {{"worker_id", family_worker},
                                                     {"start", piket::format_utc(from)},
                                                     {"end", piket::format_utc(from + 4h)},
                                                     {"category", "sick"}});
    INFO(leave.body);
    REQUIRE(leave.status == 201);
    for (const auto& e : on_call(stack, "utrecht-stad")) CHECK(e["worker_id"] != family_worker);
    const std::string again = submit(stack, report("Utrecht", {"threat_to_kill"}, "FAM-77"));
    auto info = wait_alerts(stack, again, 1, "info");
    REQUIRE(info.size() == 1);
    CHECK(info[0]["worker"] == family_worker);
    CHECK(info[0].dump().find("MUST-NOT-LEAK") == std::string::npos);
    auto callouts = wait_alerts(stack, again, 1, "callout");
    REQUIRE(callouts.size() == 1);
    CHECK(callouts[0]["worker"] != family_worker);
    auto view = shown(stack, again);
    CHECK(view["ranking"]["informed"] == json::array({family_worker}));
    CHECK(timeline_has(view, "family_worker.informed", family_worker));
  }
}

TEST_CASE("a report asking for a skill is only sent to professionals who have it, and every "
          "exclusion says why",
          "[e2e][scenario]") {
  std::vector<piket::ConfigProblem> problems;
  const std::string demo = std::string(PIKET_SOURCE_DIR) + "/config/demo/";
  const auto regions = piket::load_regions(demo + "regions.toml", problems);
  const auto workers = piket::load_workers(demo + "workers.toml", regions, problems);
  REQUIRE(problems.empty());
  auto has_skill = [&](const std::string& id) {
    const auto* w = workers.find(id);
    return w && std::find(w->skills.begin(), w->skills.end(), "honour_based_violence") != w->skills.end();
  };

  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  std::size_t without_skill = 0;
  for (const auto& e : on_call(stack, "eemland")) without_skill += !has_skill(e["worker_id"]);
  REQUIRE(without_skill > 0);  // the demo roster has people on call in Eemland without it

  const std::string id = submit(stack, report("Amersfoort", {"honour_based_violence"}));
  auto alerts = wait_alerts(stack, id, 1, "callout");
  REQUIRE(alerts.size() >= 1);
  for (const auto& a : alerts) CHECK(has_skill(a["worker"]));
  auto view = shown(stack, id);
  CHECK(view["triage"]["skills"] == json::array({"honour_based_violence"}));
  CHECK(view["ranking"]["excluded"].size() == without_skill);
  for (const auto& e : view["ranking"]["excluded"]) {
    CHECK_FALSE(has_skill(e["worker_id"]));
    CHECK(e["reason"].get<std::string>().find("honour_based_violence") != std::string::npos);
  }
  for (const auto& r : view["ranking"]["ranked"]) CHECK(has_skill(r["worker_id"]));
  // Whoever the ladder names later (backup, neighbour, team lead) has the skill too.
  for (const auto& step : view["ladder"])
    if (step["target"] != "team_lead")
      for (const auto& t : step["targets"]) CHECK(has_skill(t["worker"]));
}

TEST_CASE("five crisis reports at once on a Friday afternoon are all accepted and planned the "
          "same day, and no professional is double-booked",
          "[e2e][scenario]") {
  // Friday 4 December 2026, 15:00 in Amsterdam.
  Stack stack{piket::test::four_on_call_at(at("2026-12-04T14:00:00Z"))};
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(submit(stack, report("Utrecht", {"threat_to_kill"})));
  std::map<std::string, json> visits;
  for (const auto& id : ids) {
    // Accept whatever comes first; a worker already planned may still take a later visit.
    auto alerts = wait_alerts(stack, id, 1, "callout");
    REQUIRE(alerts.size() >= 1);
    accept(stack, alerts[0]);
    auto view = shown(stack, id);
    REQUIRE(view["state"] == "visit_planned");
    visits[id] = view["visit"];
  }
  std::map<std::string, std::vector<std::pair<TimePoint, TimePoint>>> by_worker;
  for (const auto& [id, v] : visits) {
    TimePoint start, end;
    REQUIRE(piket::parse_utc(v["start"], start));
    REQUIRE(piket::parse_utc(v["end"], end));
    CHECK(end <= at("2026-12-04T23:00:00Z"));  // the same day, local time
    CHECK(v["late"] == false);                  // within the shift and the triage deadline
    for (const auto& w : v["workers"]) by_worker[w.get<std::string>()].emplace_back(start, end);
  }
  // Reports that come in together are spread over the professionals on call.
  CHECK(by_worker.size() >= 3);
  for (auto& [worker, slots] : by_worker) {
    std::sort(slots.begin(), slots.end());
    for (std::size_t i = 1; i < slots.size(); ++i) {
      INFO(worker);
      CHECK(slots[i].first >= slots[i - 1].second);
    }
  }
}

TEST_CASE("an overdue check-in escalates to the team lead on call", "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string id = submit(stack, report("Zeist", {"threat_to_kill"}));
  auto alerts = wait_alerts(stack, id, 1, "callout");
  REQUIRE(alerts.size() == 1);
  accept(stack, alerts[0]);
  auto view = shown(stack, id);
  REQUIRE(view["visit"].is_object());
  TimePoint start;
  REQUIRE(piket::parse_utc(view["visit"]["start"], start));
  stack.set_time_and_settle(start + std::chrono::seconds(view["visit"]["checkin_interval_s"].get<int>()) + 2s);
  // Every team lead on call is alerted (in whatever order the deliveries finish), nobody else.
  std::set<std::string> alerted, leads;
  for (const auto& a : alerts_of(stack, id, "checkin_overdue")) alerted.insert(a["worker"].get<std::string>());
  for (const auto& lead : on_call(stack, "zuidoost", "team_lead")) leads.insert(lead["worker_id"].get<std::string>());
  REQUIRE_FALSE(leads.empty());
  CHECK(alerted == leads);
  CHECK(timeline_has(shown(stack, id), "visit.checkin_overdue"));
}

TEST_CASE("an advice contact is recorded, not dispatched, and the desk can turn it into a report",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  auto advice = stack.post("/api/v1/reports", {{"kind", "advice"}, {"source", "citizen"},
                                               {"indicators", json::array()},
                                               {"narrative", "a neighbour asks what to do"}});
  INFO(advice.body);
  REQUIRE(advice.status == 201);
  CHECK(advice.json()["state"] == "advice");
  const std::string advice_id = advice.json()["id"];
  stack.settle();
  CHECK(alerts_of(stack, advice_id).empty());

  auto converted = stack.post("/api/v1/advice/" + advice_id + "/convert",
                              {{"report", report("Nieuwegein", {"threat_to_kill"})}});
  INFO(converted.body);
  REQUIRE(converted.status == 201);
  const std::string report_id = converted.json()["id"];
  CHECK(wait_alerts(stack, report_id, 1, "callout").size() == 1);
  CHECK(shown(stack, advice_id)["state"] == "converted");
  CHECK(shown(stack, report_id)["from_advice"] == advice_id);
  // Converting twice is refused.
  auto again = stack.post("/api/v1/advice/" + advice_id + "/convert",
                          {{"report", report("Nieuwegein", {"concern"})}});
  CHECK(again.status == 409);
}

TEST_CASE("the desk overrides a triage with a reason: both results are kept, and a raised class "
          "starts the dispatch",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string id = submit(stack, report("Houten", {"concern"}));
  auto view = shown(stack, id);
  CHECK(view["state"] == "queued");
  CHECK(view["class"] == "T3");
  CHECK_FALSE(view["first_contact_by"].is_null());

  auto no_reason = stack.post("/api/v1/reports/" + id + "/triage", {{"class", "T1"}});
  CHECK(no_reason.status == 400);
  CHECK(no_reason.json()["error"]["field"] == "reason");
  auto unknown = stack.post("/api/v1/reports/" + id + "/triage", {{"class", "T9"}, {"reason", "x"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.json()["error"]["field"] == "class");

  auto raised = stack.post("/api/v1/reports/" + id + "/triage",
                           {{"class", "T1"}, {"reason", "the caller heard screaming during the call"}});
  INFO(raised.body);
  REQUIRE(raised.status == 200);
  CHECK(wait_alerts(stack, id, 1, "callout").size() == 1);
  view = shown(stack, id);
  CHECK(view["class"] == "T1");
  CHECK(view["triage_original"]["class"] == "T3");
  CHECK(view["triage_overrides"][0]["reason"] == "the caller heard screaming during the call");
  CHECK(timeline_has(view, "triage.overridden", "from=T3 to=T1"));
}

TEST_CASE("a regular report's working-day deadline warns before it expires", "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};  // Wednesday 2 December
  const std::string id = submit(stack, report("Houten", {"concern"}));
  auto view = shown(stack, id);
  TimePoint due;
  REQUIRE(piket::parse_utc(view["first_contact_by"], due));
  CHECK(due > at("2026-12-09T00:00:00Z"));  // five working days: into the next week
  stack.set_time_and_settle(due - 1min);
  view = shown(stack, id);
  CHECK(view["notices"].size() >= 2);  // the warnings at working day 3 and 4
  stack.set_time_and_settle(due + 1s);
  CHECK(timeline_has(shown(stack, id), "deadline.first_contact_due"));
}

TEST_CASE("a regular report's working-day warnings and its missed deadline page the team lead on "
          "call, once each",
          "[e2e][scenario][notices]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string id = submit(stack, report("Houten", {"concern"}));
  auto view = shown(stack, id);
  const std::string region = view["region"];
  std::vector<std::pair<std::string, TimePoint>> notices;
  for (std::size_t i = 0; i < view["triage"]["warnings"].size(); ++i)
    notices.emplace_back("first_contact_warning_" + std::to_string(i + 1), at(view["triage"]["warnings"][i]));
  notices.emplace_back("first_contact_due", at(view["first_contact_by"]));
  REQUIRE(notices.size() == 3);  // working day 3 and 4, then the deadline
  for (const auto& [label, when] : notices) {
    INFO(label);
    stack.set_time_and_settle(when + 1s);
    std::set<std::string> leads, paged;
    for (const auto& lead : on_call(stack, region, "team_lead")) leads.insert(lead["worker_id"].get<std::string>());
    REQUIRE_FALSE(leads.empty());
    for (const auto& a : wait_alerts(stack, id, leads.size(), "deadline"))
      if (a.value("notice", "") == label) paged.insert(a["worker"].get<std::string>());
    CHECK(paged == leads);
    CHECK(timeline_has(shown(stack, id), "deadline." + label, "paged"));
  }
  // Each page went out once, and none carries the report's narrative or names.
  std::set<std::string> ids;
  std::size_t deadline_pages = 0;
  for (const auto& a : alerts_of(stack, id, "deadline")) {
    ++deadline_pages;
    ids.insert(a["alert_id"].get<std::string>());
    CHECK(a.dump().find("MUST-NOT-LEAK") == std::string::npos);
  }
  CHECK(ids.size() == deadline_pages);
}

TEST_CASE("a restraining order's deadlines page the professional who accepted the case",
          "[e2e][scenario][notices]") {
  Stack stack{piket::test::four_on_call_at(at("2026-10-20T09:00:00Z"))};  // Tuesday, 11:00 CEST
  json body = report("Veenendaal", {"restraining_order"});
  body["source"] = "restraining_order";
  body["restraining_order"] = {{"imposed_at", "2026-10-20T08:00:00Z"}};
  const std::string id = submit(stack, body);
  auto alerts = wait_alerts(stack, id, 1, "callout");
  REQUIRE_FALSE(alerts.empty());
  accept(stack, alerts[0]);
  const std::string professional = alerts[0]["worker"];
  stack.set_time_and_settle(at("2026-10-21T08:00:01Z"));  // the address is due: 24 h elapsed
  auto pages = wait_alerts(stack, id, 1, "deadline");
  REQUIRE(pages.size() == 1);
  CHECK(pages[0]["worker"] == professional);
  CHECK(pages[0]["notice"] == "order_address_due");
  CHECK(timeline_has(shown(stack, id), "deadline.order_address_due", "paged " + professional));
}

TEST_CASE("bad input on the follow-up endpoints names the field and changes nothing",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string id = submit(stack, report("Houten", {"concern"}));
  struct Case {
    std::string path;
    json body;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"/api/v1/reports/" + id + "/outcome", {{"police_involved", false}, {"route", "local_team"}}, 400, "safety_agreements"},
      {"/api/v1/reports/" + id + "/outcome", {{"safety_agreements", true}, {"police_involved", false}, {"route", "moon"}}, 400, "route"},
      {"/api/v1/reports/" + id + "/outcome", {{"safety_agreements", true}, {"police_involved", false}, {"route", "local_team"}}, 400, "consent"},
      {"/api/v1/reports/" + id + "/outcome", {{"safety_agreements", true}, {"police_involved", false}, {"route", "local_team"}, {"consent", {{{"step", "visit"}}}}}, 400, "consent[0].given"},
      {"/api/v1/reports/" + id + "/triage", {{"class", "T1"}, {"reason", ""}}, 400, "reason"},
      {"/api/v1/reports/rnope/outcome", {{"safety_agreements", true}, {"police_involved", false}, {"route", "local_team"}, {"consent", {{{"step", "visit"}, {"given", true}}}}}, 404, "id"},
      {"/api/v1/advice/" + id + "/convert", {{"report", report("Houten", {"concern"})}}, 409, "id"},
  };
  for (const auto& c : cases) {
    INFO(c.path << " " << c.body.dump());
    auto reply = stack.post(c.path, c.body);
    CHECK(reply.status == c.status);
    CHECK(reply.json()["error"]["field"] == c.field);
  }
  // Check-ins are a worker's: the visit's id, the status and no name of a worker in the body.
  const auto& worker = stack.as_worker("w-ut-01");
  CHECK(worker.post("/api/v1/visits/nope/checkin", {{"status", "ok"}}).json()["error"]["field"] == "id");
  auto dancing = worker.post("/api/v1/visits/" + id + "-v/checkin", {{"status", "dancing"}});
  CHECK(dancing.status == 400);
  CHECK(dancing.json()["error"]["field"] == "status");
  auto naming = worker.post("/api/v1/visits/" + id + "-v/checkin", {{"worker", "w-ut-01"}, {"status", "ok"}});
  CHECK(naming.status == 400);
  CHECK(naming.json()["error"]["field"] == "worker");
  auto view = shown(stack, id);
  CHECK(view["state"] == "queued");
  CHECK(view["outcome"].is_null());
  CHECK(view["triage_overrides"].empty());
}

TEST_CASE("a mayor's restraining order gets its clocks in local and elapsed time across the "
          "October DST change, and can be extended to at most 28 days",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(at("2026-10-20T09:00:00Z"))};  // Tuesday, 11:00 CEST
  json body = report("Veenendaal", {"restraining_order"});
  body["source"] = "restraining_order";
  body["restraining_order"] = {{"imposed_at", "2026-10-20T08:00:00Z"}};
  const std::string id = submit(stack, body);
  auto view = shown(stack, id);
  const json order = view["triage"]["restraining_order"];
  CHECK(order["address_due"] == "2026-10-21T08:00:00.000Z");  // 24 h elapsed
  CHECK(order["ends_at"] == "2026-10-30T09:00:00.000Z");      // 10 days, same local time (10:00)
  CHECK(order["latest_end"] == "2026-11-17T09:00:00.000Z");

  auto too_long = stack.post("/api/v1/reports/" + id + "/restraining-order/extend",
                             {{"until", "2026-11-20T09:00:00Z"}, {"reason", "the mayor extended it"}});
  CHECK(too_long.status == 400);
  CHECK(too_long.json()["error"]["field"] == "until");
  auto extended = stack.post("/api/v1/reports/" + id + "/restraining-order/extend",
                             {{"until", "2026-11-17T09:00:00Z"}, {"reason", "the mayor extended it"}});
  INFO(extended.body);
  REQUIRE(extended.status == 200);
  view = shown(stack, id);
  CHECK(view["triage"]["restraining_order"]["ends_at"] == "2026-11-17T09:00:00.000Z");
  CHECK(timeline_has(view, "restraining_order.extended"));

  stack.set_time_and_settle(at("2026-10-21T08:00:01Z"));
  CHECK(timeline_has(shown(stack, id), "deadline.order_address_due"));
}

TEST_CASE("an injured baby asks for the confidential physician on call, who is consulted when "
          "the visit is planned",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  json body = report("Amersfoort", {"injury_young_child"});
  body["people"] = {{{"role", "child"}, {"age", 1}}};
  const std::string id = submit(stack, body);
  CHECK(shown(stack, id)["triage"]["physician"] == true);
  auto alerts = wait_alerts(stack, id, 1, "callout");
  REQUIRE(alerts.size() >= 1);
  for (const auto& a : alerts) accept(stack, a);
  auto physicians = on_call(stack, "eemland", "confidential_physician");
  REQUIRE(physicians.size() >= 1);
  auto consult = wait_alerts(stack, id, 1, "consult");
  REQUIRE(consult.size() == 1);
  CHECK(consult[0]["worker"] == physicians[0]["worker_id"]);
  CHECK(shown(stack, id)["visit"]["physician"] == physicians[0]["worker_id"]);
}

TEST_CASE("the desk's list shows open reports without personal details, by region and state",
          "[e2e][scenario]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string queued = submit(stack, report("Houten", {"concern"}));
  const std::string acute = submit(stack, report("Utrecht", {"threat_to_kill"}));
  REQUIRE(wait_alerts(stack, acute, 1, "callout").size() == 1);

  auto all = stack.get("/api/v1/reports");
  REQUIRE(all.status == 200);
  CHECK(all.json()["reports"].size() == 2);
  CHECK(all.body.find("MUST-NOT-LEAK") == std::string::npos);
  CHECK(all.body.find("narrative") == std::string::npos);
  const std::size_t reads_before = std::stoul(stack.redis().cli("XLEN piket:stream:access"));

  auto lekstroom = stack.get("/api/v1/reports?region=lekstroom").json()["reports"];
  REQUIRE(lekstroom.size() == 1);
  CHECK(lekstroom[0]["id"] == queued);
  CHECK(lekstroom[0]["state"] == "queued");
  CHECK(lekstroom[0]["class"] == "T3");
  CHECK_FALSE(lekstroom[0]["first_contact_by"].is_null());
  auto alerting = stack.get("/api/v1/reports?state=alerting").json()["reports"];
  REQUIRE(alerting.size() == 1);
  CHECK(alerting[0]["id"] == acute);
  // A list is not a read of a case: nothing in the access log.
  CHECK(std::stoul(stack.redis().cli("XLEN piket:stream:access")) == reads_before);

  // The access and audit logs are sound hash chains.
  shown(stack, queued);
  for (const char* stream : {"access", "audit"}) {
    auto verified = stack.get(std::string("/api/v1/audit/verify?stream=") + stream);
    REQUIRE(verified.status == 200);
    CHECK(verified.json()["sound"] == true);
    CHECK(verified.json()["checked"].get<int>() > 0);
  }
  CHECK(stack.get("/api/v1/audit/verify?stream=diary").status == 400);

  CHECK(stack.get("/api/v1/reports?region=atlantis").status == 422);
  auto bad_state = stack.get("/api/v1/reports?state=sleeping");
  CHECK(bad_state.status == 400);
  CHECK(bad_state.json()["error"]["field"] == "state");
  auto bad_limit = stack.get("/api/v1/reports?limit=0");
  CHECK(bad_limit.status == 400);
  CHECK(bad_limit.json()["error"]["field"] == "limit");
}

TEST_CASE("a professional whose call-outs already fill 13 hours on call is not called out again, "
          "and the ranking says why",
          "[e2e][scenario][working_time]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const auto eemland = on_call(stack, "eemland");
  REQUIRE_FALSE(eemland.empty());
  const std::string tired = eemland[0]["worker_id"];
  // Earlier call-outs as the dispatcher records them: 12 h of work that ended 10 minutes ago.
  const auto now_ms = piket::to_unix_ms(stack.now());
  stack.redis().cli("ZADD piket:callouts " + std::to_string(now_ms - 12 * 3600000 - 600000) + " '" + tired +
                    "|earlier-1|" + std::to_string(now_ms - 600000) + "'");

  const std::string id = submit(stack, report("Amersfoort", {"threat_to_kill"}));
  auto alerts = wait_alerts(stack, id, 1, "callout");
  REQUIRE_FALSE(alerts.empty());
  for (const auto& a : alerts) CHECK(a["worker"] != tired);
  auto view = shown(stack, id);
  bool excluded = false;
  for (const auto& e : view["ranking"]["excluded"])
    if (e["worker_id"] == tired) {
      excluded = true;
      CHECK(e["reason"].get<std::string>().find("working time: max_on_call_work_24h 13.5 h > 13 h") !=
            std::string::npos);
    }
  CHECK(excluded);
}
