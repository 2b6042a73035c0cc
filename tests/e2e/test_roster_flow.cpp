// End to end through the gateway: the roster API (on call, leave, overrides, swaps, CSV import,
// iCal feeds) against the demo roster, on the real system clock. In the demo every region has a
// day and a night rotation of four workers each, all four on call at once (primary and three
// backups), and a minimum of two crisis workers on call.
#include <catch.hpp>

#include <algorithm>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::TimePoint;
using piket::test::Stack;

namespace {
const std::string kLead = "w-em-01";  // team lead of eemland

// Whole seconds, so what we send comes back in the same text.
TimePoint whole_seconds(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }
std::string utc(TimePoint t) { return piket::format_utc(t); }
TimePoint parse(const json& text) {
  TimePoint t;
  REQUIRE(text.is_string());
  REQUIRE(piket::parse_utc(text.get<std::string>(), t));
  return t;
}

std::vector<json> alerts_delivered(const Stack& stack, std::size_t n, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::vector<json> got;
    for (const auto& r : stack.received_alerts())
      if (r.value("status", 0) == 200) got.push_back(r);
    if (got.size() >= n || std::chrono::steady_clock::now() >= until) return got;
    std::this_thread::sleep_for(25ms);
  }
}

json on_call(const Stack& stack, const std::string& region, TimePoint at) {
  auto reply = stack.get("/api/v1/oncall?region=" + region + "&role=crisis_worker&at=" + utc(at));
  REQUIRE(reply.status == 200);
  return reply.json();
}

json on_call_now(const Stack& stack, const std::string& region) {
  auto reply = stack.get("/api/v1/oncall?region=" + region);
  REQUIRE(reply.status == 200);
  return reply.json();
}

std::vector<std::string> workers_of(const json& answer) {
  std::vector<std::string> out;
  for (const auto& e : answer["on_call"]) out.push_back(e["worker_id"]);
  return out;
}

bool lists(const json& answer, const std::string& worker) {
  auto w = workers_of(answer);
  return std::find(w.begin(), w.end(), worker) != w.end();
}

int position_of(const json& answer, const std::string& worker) {
  for (const auto& e : answer["on_call"])
    if (e["worker_id"] == worker) return e["position"];
  return -1;
}

// A start in the future, whole seconds, such that nobody's duty in `region` changes between it
// and start + length (shift boundaries at 08:00 and 20:00 must not fall inside the tests).
TimePoint calm_start(const Stack& stack, const std::string& region, std::chrono::minutes length) {
  TimePoint t = whole_seconds(stack.now() + 10min);
  for (int tries = 0; tries < 4; ++tries) {
    TimePoint earliest_end = t + std::chrono::hours(24 * 365);
    const json answer = on_call(stack, region, t);
    REQUIRE_FALSE(answer["on_call"].empty());
    for (const auto& e : answer["on_call"]) earliest_end = std::min(earliest_end, parse(e["shift_end"]));
    if (earliest_end >= t + length + 10min) return t;
    t = whole_seconds(earliest_end + 10min);
  }
  FAIL("no calm stretch of " << length.count() << " minutes found in " << region);
  return t;
}

json overrides_listing(const Stack& stack) {
  auto reply = stack.get("/api/v1/roster/overrides");
  REQUIRE(reply.status == 200);
  return reply.json();
}

std::size_t stored_changes(const Stack& stack) {
  auto all = overrides_listing(stack);
  return all["overrides"].size() + all["leave"].size() + all["swaps"].size();
}

json shifts_of(const Stack& stack, const std::string& worker, TimePoint from, TimePoint to) {
  auto reply = stack.get("/api/v1/roster/shifts?worker=" + worker + "&from=" + utc(from) + "&to=" + utc(to));
  REQUIRE(reply.status == 200);
  return reply.json()["shifts"];
}

json error_of(const piket::test::HttpReply& reply) { return reply.json()["error"]; }

piket::test::HttpReply post_csv(const Stack& stack, const std::string& csv) {
  return stack.request("POST", "/api/v1/roster/import/assignments", csv,
                           {{"Content-Type", "text/csv"}});
}

// iCalendar content lines, unfolded (RFC 5545 3.1).
std::vector<std::string> ical_lines(std::string text) {
  for (std::size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 3);
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

std::vector<std::string> with_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}
}  // namespace

TEST_CASE("leave takes a worker off call at once, the dispatcher alerts the next one, and leave "
          "that leaves too few on call shows as a coverage gap",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  // Hours from a hand-off: the primary stays the primary while we look.
  const json before = on_call_now(stack, "eemland");
  REQUIRE(before["on_call"].size() == 4);
  REQUIRE(parse(before["on_call"][0]["shift_end"]) > stack.now() + 1h);
  CHECK(before["roster_complete"] == true);
  const std::string primary = before["on_call"][0]["worker_id"];
  const std::string first_backup = before["on_call"][1]["worker_id"];
  const std::string second_backup = before["on_call"][2]["worker_id"];
  const std::string last_backup = before["on_call"][3]["worker_id"];

  const TimePoint start = whole_seconds(stack.now() - 1min), end = whole_seconds(stack.now() + 2h);
  auto leave = stack.post("/api/v1/roster/leave",
                          {{"worker_id", primary}, {"start", utc(start)}, {"end", utc(end)}, {"category", "sick"}});
  REQUIRE(leave.status == 201);
  CHECK(leave.json()["leave"]["worker_id"] == primary);
  CHECK(leave.json()["leave"]["category"] == "sick");
  CHECK(leave.json()["leave"]["start"] == utc(start));
  CHECK(leave.json()["leave"]["end"] == utc(end));
  // Three of four still on call: above the minimum of two, so no gap.
  CHECK(leave.json()["gaps_created"].empty());

  json after = on_call_now(stack, "eemland");
  CHECK_FALSE(lists(after, primary));
  REQUIRE(after["on_call"].size() == 3);
  CHECK(after["on_call"][0]["worker_id"] == first_backup);
  CHECK(after["on_call"][0]["position"] == 0);

  // A crisis in Amersfoort goes to those the scheduler names on call, never to the sick one.
  auto report = stack.post("/api/v1/reports", {{"source", "police"}, {"municipality", "Amersfoort"}, {"indicators", {"threat_to_kill"}}});
  REQUIRE(report.status == 201);
  auto alerts = alerts_delivered(stack, 1, 10s);
  REQUIRE(alerts.size() >= 1);
  for (const auto& a : alerts) CHECK(a["body"]["worker"] != primary);
  auto shown = stack.get("/api/v1/reports/" + report.json()["id"].get<std::string>()).json();
  REQUIRE(shown["ranking"]["ranked"].size() == 3);
  for (const auto& c : shown["ranking"]["ranked"]) CHECK(c["worker_id"] != primary);

  // Two more on leave from ten minutes on: one left on call, below the minimum of two.
  const TimePoint later = whole_seconds(stack.now() + 10min);
  CHECK(stack.post("/api/v1/roster/leave", {{"worker_id", first_backup}, {"start", utc(later)}, {"end", utc(end)}, {"category", "training"}})
            .json()["gaps_created"]
            .empty());
  auto third = stack.post("/api/v1/roster/leave", {{"worker_id", second_backup}, {"start", utc(later)}, {"end", utc(end)}, {"category", "holiday"}});
  REQUIRE(third.status == 201);
  const json gaps = third.json()["gaps_created"];
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0]["region"] == "eemland");
  CHECK(gaps[0]["role"] == "crisis_worker");
  CHECK(gaps[0]["duty"] == "on_call");
  CHECK(gaps[0]["staffed"] == 1);
  CHECK(gaps[0]["minimum"] == 2);
  CHECK(gaps[0]["start"] == utc(later));
  CHECK(gaps[0]["end"] == utc(end));
  CHECK_FALSE(gaps[0]["start_local"].get<std::string>().empty());
  // The gap opens in ten minutes: every team lead on call in Eemland then is paged about it,
  // once (here the lead may be one of those on leave: then nobody is left to page).
  stack.settle();
  auto leads_reply = stack.get("/api/v1/oncall?region=eemland&role=team_lead");
  REQUIRE(leads_reply.status == 200);
  std::set<std::string> leads, paged;
  const json lead_list = leads_reply.json()["on_call"];
  for (const auto& l : lead_list) leads.insert(l["worker_id"].get<std::string>());
  std::size_t gap_pages = 0;
  for (const auto& a : stack.received_alerts())
    if (a.value("status", 0) == 200 && a["body"].value("kind", "") == "coverage_gap") {
      ++gap_pages;
      paged.insert(a["body"]["worker"].get<std::string>());
      CHECK(a["body"]["start"] == utc(later));
      CHECK(a["body"]["region"] == "eemland");
    }
  CHECK(paged == leads);
  CHECK(gap_pages == leads.size());

  auto coverage = stack.get("/api/v1/roster/coverage?from=" + utc(start) + "&to=" + utc(end + 1h));
  REQUIRE(coverage.status == 200);
  std::vector<json> eemland_gaps;
  const json all_gaps = coverage.json()["gaps"];
  for (const auto& g : all_gaps)
    if (g["region"] == "eemland") eemland_gaps.push_back(g);
  REQUIRE(eemland_gaps.size() == 1);
  CHECK(eemland_gaps[0]["start"] == utc(later));
  CHECK(eemland_gaps[0]["end"] == utc(end));
  CHECK(eemland_gaps[0]["staffed"] == 1);
  // Other regions are fully staffed.
  CHECK(all_gaps.size() == 1);

  json inside_gap = on_call(stack, "eemland", later + 5min);
  CHECK(workers_of(inside_gap) == std::vector<std::string>{last_backup});
  CHECK(overrides_listing(stack)["leave"].size() == 3);
}

TEST_CASE("a replace override puts the stand-in where the replaced worker was, and deleting it "
          "puts the replaced worker back",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const TimePoint start = calm_start(stack, "eemland", 120min), end = start + 2h, inside = start + 1h;
  const json before = on_call(stack, "eemland", inside);
  REQUIRE(before["on_call"].size() == 4);
  const std::string replaced = before["on_call"][0]["worker_id"];  // the primary
  const std::string stand_in = before["on_call"][3]["worker_id"];  // the last backup

  auto created = stack.post("/api/v1/roster/overrides",
                            {{"kind", "replace"}, {"region", "eemland"}, {"role", "crisis_worker"}, {"duty", "on_call"},
                             {"worker_id", stand_in}, {"replaced_worker_id", replaced}, {"start", utc(start)},
                             {"end", utc(end)}, {"reason", "dentist"}});
  REQUIRE(created.status == 201);
  CHECK(created.json()["created"] == true);
  CHECK(created.json()["violations"].empty());
  CHECK(created.json()["gaps_created"].empty());
  const std::string id = created.json()["override"]["id"];
  CHECK(created.json()["override"]["kind"] == "replace");
  CHECK(created.json()["override"]["start"] == utc(start));
  CHECK(created.json()["override"]["end"] == utc(end));

  const json during = on_call(stack, "eemland", inside);
  CHECK(during["on_call"][0]["worker_id"] == stand_in);
  CHECK(during["on_call"][0]["position"] == 0);
  CHECK(during["on_call"][0]["reason"].get<std::string>().find(id) != std::string::npos);
  CHECK_FALSE(lists(during, replaced));
  CHECK(during["on_call"].size() == 3);  // the stand-in is not counted twice
  // Outside the override nothing changed.
  CHECK(workers_of(on_call(stack, "eemland", start - 1s)) == workers_of(before));
  CHECK(workers_of(on_call(stack, "eemland", end + 1s)) == workers_of(before));

  bool from_override = false;
  for (const auto& s : shifts_of(stack, stand_in, start, end))
    if (s["source"] == "override:" + id) {
      from_override = true;
      CHECK(s["start"] == utc(start));
      CHECK(s["end"] == utc(end));
      CHECK(s["position"] == 0);
      CHECK(s["region"] == "eemland");
      CHECK(s["duty"] == "on_call");
    }
  CHECK(from_override);
  CHECK(shifts_of(stack, replaced, start, end).empty());
  REQUIRE(overrides_listing(stack)["overrides"].size() == 1);

  auto deleted = stack.request("DELETE", "/api/v1/roster/overrides/" + id);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.json()["deleted"] == id);
  const json restored = on_call(stack, "eemland", inside);
  CHECK(workers_of(restored) == workers_of(before));
  CHECK(overrides_listing(stack)["overrides"].empty());
  CHECK(stack.request("DELETE", "/api/v1/roster/overrides/" + id).status == 404);
}

TEST_CASE("an override that breaks the working-time law is refused unless a team lead forces it "
          "with a reason, and the forced one shows among the violations",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  // A 13-hour on-site shift (07:00-20:00 local) is over the 12-hour maximum.
  const json shift = {{"kind", "add"}, {"region", "eemland"}, {"role", "crisis_worker"}, {"duty", "shift"},
                      {"worker_id", "w-em-03"}, {"start", "2027-01-12T06:00:00Z"}, {"end", "2027-01-12T19:00:00Z"},
                      {"reason", "event cover"}};
  auto refused = stack.post("/api/v1/roster/overrides", shift);
  CHECK(refused.status == 409);
  CHECK(error_of(refused)["code"] == "conflict");
  CHECK(error_of(refused)["field"] == "working_time");
  CHECK(error_of(refused)["message"].get<std::string>().find("w-em-03") != std::string::npos);
  CHECK(overrides_listing(stack)["overrides"].empty());

  json forced_without_reason = shift;
  forced_without_reason["force"] = true;
  auto no_reason = stack.post("/api/v1/roster/overrides", forced_without_reason);
  CHECK(no_reason.status == 400);
  CHECK(error_of(no_reason)["field"] == "force_reason");
  CHECK(overrides_listing(stack)["overrides"].empty());

  json forced = forced_without_reason;
  forced["force_reason"] = "no one else trained for this event";
  auto accepted = stack.post("/api/v1/roster/overrides", forced);
  REQUIRE(accepted.status == 201);
  CHECK(accepted.json()["override"]["forced"] == true);
  CHECK(accepted.json()["override"]["force_reason"] == "no one else trained for this event");
  const json added = accepted.json()["violations"];
  REQUIRE_FALSE(added.empty());
  bool too_long = false;
  for (const auto& v : added)
    if (v["worker_id"] == "w-em-03" && v["rule"] == "max_shift_length") too_long = true;
  CHECK(too_long);
  CHECK(overrides_listing(stack)["overrides"].size() == 1);

  auto listed = stack.get("/api/v1/roster/violations?from=2027-01-11T00:00:00Z&to=2027-01-14T00:00:00Z");
  REQUIRE(listed.status == 200);
  bool shown = false;
  const json violations = listed.json()["violations"];
  for (const auto& v : violations)
    if (v["worker_id"] == "w-em-03" && v["rule"] == "max_shift_length") {
      shown = true;
      CHECK(parse(v["start"]) <= parse(json("2027-01-12T06:00:00Z")));
      CHECK(parse(v["end"]) >= parse(json("2027-01-12T19:00:00Z")));
    }
  CHECK(shown);
  // The shift itself is on the roster, as an override.
  bool on_roster = false;
  for (const auto& s : shifts_of(stack, "w-em-03", parse(json("2027-01-12T00:00:00Z")), parse(json("2027-01-13T00:00:00Z"))))
    if (s["duty"] == "shift" && s["source"] == "override:" + accepted.json()["override"]["id"].get<std::string>())
      on_roster = true;
  CHECK(on_roster);
}

TEST_CASE("a swap needs the peer's accept and the region's team lead's approval, and only then "
          "puts the peer on call instead of the requester",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const TimePoint start = calm_start(stack, "eemland", 60min), end = start + 1h, inside = start + 30min;
  const json before = on_call(stack, "eemland", inside);
  REQUIRE(before["on_call"].size() == 4);
  // Requester and peer are not the team lead, and the peer is behind the requester.
  std::vector<std::string> others;
  for (const auto& w : workers_of(before))
    if (w != kLead) others.push_back(w);
  REQUIRE(others.size() == 3);
  const std::string requester = others[0], peer = others[1], bystander = others[2];
  const int requester_position = position_of(before, requester);

  // Each step is taken by the signed-in person it belongs to: the requester asks, the peer
  // accepts, a team lead of their teams approves; no body names who.
  const auto& lead = stack.as_user("lead-eemland", "--role team_lead --team em-a --team em-b");
  auto requested = stack.as_worker(requester).post("/api/v1/roster/swaps", {{"peer_id", peer}, {"region", "eemland"},
                                                       {"role", "crisis_worker"}, {"start", utc(start)}, {"end", utc(end)}});
  REQUIRE(requested.status == 201);
  CHECK(requested.json()["swap"]["state"] == "requested");
  const std::string id = requested.json()["swap"]["id"];
  const std::string path = "/api/v1/roster/swaps/" + id;

  auto wrong_accept = stack.as_worker(bystander).post(path + "/accept", nullptr);
  CHECK(wrong_accept.status == 403);
  CHECK(error_of(wrong_accept)["field"] == "by");
  auto early_approve = lead.post(path + "/approve", nullptr);
  CHECK(early_approve.status == 409);
  auto naming = stack.as_worker(peer).post(path + "/accept", {{"by", peer}});
  CHECK(naming.status == 400);
  CHECK(error_of(naming)["field"] == "by");

  auto accepted = stack.as_worker(peer).post(path + "/accept", nullptr);
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json()["swap"]["state"] == "accepted");
  // Accepted is not approved: the roster is unchanged.
  CHECK(workers_of(on_call(stack, "eemland", inside)) == workers_of(before));

  auto by_worker = stack.as_worker(bystander).post(path + "/approve", nullptr);
  CHECK(by_worker.status == 403);
  auto by_other_lead = stack.as_user("lead-utrecht", "--role team_lead --team ut-a").post(path + "/approve", nullptr);
  CHECK(by_other_lead.status == 403);
  CHECK(workers_of(on_call(stack, "eemland", inside)) == workers_of(before));

  auto approved = lead.post(path + "/approve", nullptr);
  REQUIRE(approved.status == 200);
  const json swap = approved.json()["swap"];
  CHECK(swap["state"] == "approved");
  REQUIRE(swap["history"].size() == 3);
  CHECK(swap["history"][0]["state"] == "requested");
  CHECK(swap["history"][0]["by"] == requester);  // the swap's own record names the worker
  CHECK(swap["history"][1]["state"] == "accepted");
  CHECK(swap["history"][1]["by"] == "u-" + peer);  // each step, the signed-in user
  CHECK(swap["history"][2]["state"] == "approved");
  CHECK(swap["history"][2]["by"] == "lead-eemland");

  const json during = on_call(stack, "eemland", inside);
  CHECK_FALSE(lists(during, requester));
  CHECK(position_of(during, peer) == requester_position);
  CHECK(during["on_call"].size() == 3);
  CHECK(lists(on_call(stack, "eemland", end + 1s), requester));
  bool from_swap = false;
  for (const auto& s : shifts_of(stack, peer, start, end))
    if (s["source"] == "swap:" + id && s["start"] == utc(start) && s["end"] == utc(end)) from_swap = true;
  CHECK(from_swap);
  // A finished swap takes no more steps.
  CHECK(lead.post(path + "/reject", nullptr).status == 409);
}

TEST_CASE("a roster CSV is imported whole or not at all, with errors naming the line and column",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const std::string header = "worker_id,region,role,duty,start_local,end_local\n";
  const std::string good_1 = "w-ut-02,eemland,crisis_worker,on_call,2027-01-12 08:00,2027-01-12 12:00\n";
  const std::string good_2 = "w-ut-03,eemland,crisis_worker,on_call,2027-01-13 08:00,2027-01-13 12:00\n";
  const std::string bad = "w-nobody,eemland,crisis_worker,on_call,2027-01-13 08:00,2027-01-13 12:00\n";

  auto refused = post_csv(stack, header + good_1 + bad);
  CHECK(refused.status == 400);
  CHECK(error_of(refused)["code"] == "invalid_field");
  CHECK(error_of(refused)["field"] == "line 3 column 1");
  CHECK(error_of(refused)["message"].get<std::string>().find("w-nobody") != std::string::npos);
  CHECK(overrides_listing(stack)["overrides"].empty());

  auto imported = post_csv(stack, header + good_1 + good_2);
  REQUIRE(imported.status == 201);
  CHECK(imported.json()["imported"] == 2);
  CHECK(imported.json()["created"] == true);
  CHECK(overrides_listing(stack)["overrides"].size() == 2);
  // 08:00-12:00 local in January is 07:00-11:00 UTC.
  bool on_roster = false;
  for (const auto& s : shifts_of(stack, "w-ut-02", parse(json("2027-01-12T00:00:00Z")), parse(json("2027-01-13T00:00:00Z"))))
    if (s["region"] == "eemland" && s["source"].get<std::string>().rfind("override:", 0) == 0 &&
        s["start"] == "2027-01-12T07:00:00.000Z" && s["end"] == "2027-01-12T11:00:00.000Z" &&
        s["start_local"] == "2027-01-12T08:00:00+01:00")
      on_roster = true;
  CHECK(on_roster);

  // 02:30 on 28 March 2027 does not exist in Europe/Amsterdam.
  auto gap = post_csv(stack, header + "w-ut-04,eemland,crisis_worker,on_call,2027-03-27 08:00,2027-03-27 12:00\n" +
                                 "w-ut-04,eemland,crisis_worker,on_call,2027-03-28 02:30,2027-03-28 06:00\n");
  CHECK(gap.status == 400);
  CHECK(error_of(gap)["field"] == "line 3 column 5");
  CHECK(error_of(gap)["message"].get<std::string>().find("2027-03-28 02:30") != std::string::npos);
  CHECK(overrides_listing(stack)["overrides"].size() == 2);

  auto empty = post_csv(stack, "");
  CHECK(empty.status == 400);
  CHECK(overrides_listing(stack)["overrides"].size() == 2);
}

TEST_CASE("a worker's iCal feed lists their duties in Amsterdam time, a shift cut short keeps "
          "its event with a higher SEQUENCE, and an unknown feed is not found",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  auto created = stack.post("/api/v1/roster/ical-feeds", {{"worker", "w-em-02"}});
  REQUIRE(created.status == 201);
  const std::string url = created.json()["url"];
  REQUIRE(url.rfind("/ical/", 0) == 0);
  REQUIRE(url.size() > 30);  // the token is the secret

  const TimePoint asked = stack.now();
  auto first = stack.get(url);
  REQUIRE(first.status == 200);
  CHECK(first.headers["content-type"].rfind("text/calendar", 0) == 0);
  const auto lines = ical_lines(first.body);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  const auto events = with_prefix(lines, "BEGIN:VEVENT");
  // The feed covers 30 days back to 120 days ahead, like this query.
  const json shifts = shifts_of(stack, "w-em-02", asked - std::chrono::hours(24 * 30), asked + std::chrono::hours(24 * 120));
  CHECK(events.size() > 100);  // on call every day and every night for five months
  // The feed holds whole duties that start in its window; the query also returns the one it
  // cut at its start.
  std::size_t starting_inside = 0;
  for (const auto& s : shifts)
    starting_inside += s["start"].get<std::string>() != piket::format_utc(asked - std::chrono::hours(24 * 30));
  CHECK(events.size() == starting_inside);
  const auto uids = with_prefix(lines, "UID:");
  CHECK(std::set<std::string>(uids.begin(), uids.end()).size() == events.size());
  std::size_t event_starts = 0;
  for (const auto& s : with_prefix(lines, "DTSTART")) {
    if (s.rfind("DTSTART:1970", 0) == 0) continue;  // the VTIMEZONE's observances
    ++event_starts;
    INFO(s);
    CHECK((s.rfind("DTSTART;TZID=Europe/Amsterdam:", 0) == 0 || s.back() == 'Z'));
  }
  CHECK(event_starts == events.size());
  CHECK_FALSE(with_prefix(lines, "SUMMARY:On call: Eemland crisis worker").empty());

  // A whole shift two days ahead; its last two hours go to a colleague from Utrecht.
  const json ahead = shifts_of(stack, "w-em-02", asked + 48h, asked + 72h);
  REQUIRE(ahead.size() >= 2);
  const json shift = ahead[1];
  auto basic_local = [](const json& local) {  // "2026-11-28T08:00:00+01:00" -> "20261128T080000"
    std::string out;
    for (char c : local.get<std::string>().substr(0, 19))
      if (c != '-' && c != ':') out += c;
    return out;
  };
  const std::string dtstart = "DTSTART;TZID=Europe/Amsterdam:" + basic_local(shift["start_local"]);
  auto event_of = [&](const std::vector<std::string>& feed, const std::string& starting) {
    std::vector<std::string> event;
    for (std::size_t i = 0; i < feed.size(); ++i) {
      if (feed[i] != starting) continue;
      std::size_t b = i, e = i;
      while (b > 0 && feed[b] != "BEGIN:VEVENT") --b;
      while (e < feed.size() && feed[e] != "END:VEVENT") ++e;
      event.assign(feed.begin() + static_cast<long>(b), feed.begin() + static_cast<long>(e));
    }
    return event;
  };
  const auto before = event_of(lines, dtstart);
  REQUIRE_FALSE(before.empty());
  CHECK(with_prefix(before, "SEQUENCE:") == std::vector<std::string>{"SEQUENCE:0"});

  const TimePoint cut = parse(shift["end"]) - 2h;
  auto replaced = stack.post("/api/v1/roster/overrides",
                             {{"kind", "replace"}, {"region", "eemland"}, {"worker_id", "w-ut-02"},
                              {"replaced_worker_id", "w-em-02"}, {"start", utc(cut)}, {"end", shift["end"]}});
  REQUIRE(replaced.status == 201);
  auto second = stack.get(url);
  REQUIRE(second.status == 200);
  const auto after = event_of(ical_lines(second.body), dtstart);
  REQUIRE_FALSE(after.empty());
  CHECK(with_prefix(after, "UID:") == with_prefix(before, "UID:"));
  CHECK(with_prefix(after, "SEQUENCE:") == std::vector<std::string>{"SEQUENCE:1"});
  CHECK(with_prefix(after, "DTEND") != with_prefix(before, "DTEND"));

  CHECK(stack.get("/ical/fnot-a-token.ics").status == 404);
  CHECK(stack.post("/api/v1/roster/ical-feeds", {{"worker", "w-nobody"}}).status == 404);
  CHECK(stack.post("/api/v1/roster/ical-feeds", {{"region", "atlantis"}}).status == 422);
}

// A feed window cut to the millisecond would change the first event's UID and the last one's end
// on every fetch: calendar clients would see deleted and new events, and SEQUENCE would grow.
TEST_CASE("fetching an unchanged iCal feed twice gives the same events, all at SEQUENCE 0",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  auto created = stack.post("/api/v1/roster/ical-feeds", {{"worker", "w-em-02"}});
  REQUIRE(created.status == 201);
  const std::string url = created.json()["url"];
  auto first = stack.get(url);
  REQUIRE(first.status == 200);
  stack.advance(1100ms);  // the clock moves on between two polls of a client
  auto second = stack.get(url);
  REQUIRE(second.status == 200);
  const auto uids = with_prefix(ical_lines(first.body), "UID:");
  const auto uids_again = with_prefix(ical_lines(second.body), "UID:");
  REQUIRE(uids.size() > 100);
  std::vector<std::string> changed_uids;  // in one fetch and not the other
  for (const auto& u : uids)
    if (std::find(uids_again.begin(), uids_again.end(), u) == uids_again.end()) changed_uids.push_back(u);
  for (const auto& u : uids_again)
    if (std::find(uids.begin(), uids.end(), u) == uids.end()) changed_uids.push_back(u);
  INFO("changed UIDs: " << changed_uids.size() << " of " << uids.size());
  CHECK(changed_uids.empty());
  std::size_t bumped = 0;
  for (const auto& s : with_prefix(ical_lines(second.body), "SEQUENCE:")) bumped += s != "SEQUENCE:0";
  CHECK(bumped == 0);
}

TEST_CASE("bad roster input gets a clear error naming the field and stores nothing",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const json good = {{"kind", "replace"}, {"region", "eemland"}, {"worker_id", "w-em-04"}, {"replaced_worker_id", "w-em-02"},
                     {"start", "2027-01-12T08:00:00Z"}, {"end", "2027-01-12T10:00:00Z"}};
  struct Case {
    std::string what;
    std::string path;
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j.dump();
  };
  const std::string leave = R"({"worker_id":"w-em-02","start":"2027-01-12T08:00:00Z","end":"2027-01-13T08:00:00Z")";
  const std::vector<Case> cases = {
      {"end before start", "/api/v1/roster/overrides", with("end", "2027-01-12T07:00:00Z"), 400, "invalid_field", "end"},
      {"unknown region", "/api/v1/roster/overrides", with("region", "atlantis"), 422, "unknown_region", "region"},
      {"unknown worker", "/api/v1/roster/overrides", with("worker_id", "w-nobody"), 404, "not_found", "worker_id"},
      {"unknown kind", "/api/v1/roster/overrides", with("kind", "borrow"), 400, "invalid_field", "kind"},
      {"not a time", "/api/v1/roster/overrides", with("start", "tomorrow 8 o'clock"), 400, "invalid_field", "start"},
      {"malformed JSON", "/api/v1/roster/overrides", "{\"kind\": ", 400, "invalid_json", "body"},
      {"leave with the reason as category", "/api/v1/roster/leave", leave + R"(,"category":"flu and fever"})", 400,
       "invalid_field", "category"},
      {"leave of an unknown worker", "/api/v1/roster/leave",
       R"({"worker_id":"w-nobody","start":"2027-01-12T08:00:00Z","end":"2027-01-13T08:00:00Z","category":"sick"})", 404,
       "not_found", "worker_id"},
      {"malformed leave", "/api/v1/roster/leave", "[1,", 400, "invalid_json", "body"},
  };
  for (const auto& c : cases) {
    INFO(c.what << ": " << c.body);
    auto reply = stack.request("POST", c.path, c.body);
    CHECK(reply.status == c.status);
    CHECK(error_of(reply)["code"] == c.code);
    CHECK(error_of(reply)["field"] == c.field);
    CHECK_FALSE(error_of(reply)["message"].get<std::string>().empty());
  }
  CHECK(stack.get("/api/v1/oncall?region=atlantis").status == 422);
  CHECK(stack.get("/api/v1/oncall").status == 400);
  CHECK(stack.get("/api/v1/roster/shifts?from=2027-01-12T00:00:00Z&to=2027-01-11T00:00:00Z").status == 400);
  const auto& worker = stack.as_worker("w-em-02");
  auto with_oneself = worker.request("POST", "/api/v1/roster/swaps",
      R"({"peer_id":"w-em-02","region":"eemland","start":"2027-01-12T08:00:00Z","end":"2027-01-12T09:00:00Z"})");
  CHECK(with_oneself.status == 400);
  CHECK(error_of(with_oneself)["field"] == "peer_id");
  auto naming_requester = worker.request("POST", "/api/v1/roster/swaps",
      R"({"requester_id":"w-em-03","peer_id":"w-em-04","region":"eemland","start":"2027-01-12T08:00:00Z","end":"2027-01-12T09:00:00Z"})");
  CHECK(naming_requester.status == 400);
  CHECK(error_of(naming_requester)["field"] == "requester_id");
  CHECK(worker.post("/api/v1/roster/swaps/s-nope/accept", nullptr).status == 404);
  CHECK(stack.request("DELETE", "/api/v1/roster/overrides/o-nope").status == 404);
  CHECK(stack.request("PUT", "/api/v1/roster/overrides").status == 405);

  CHECK(stored_changes(stack) == 0);
  // The good request itself is taken: the checks above were about the input, not the route.
  CHECK(stack.post("/api/v1/roster/overrides", good).status == 201);
  CHECK(stored_changes(stack) == 1);
}

// The gateway turns query parameters into strings: "force" must still be read strictly.
TEST_CASE("an override whose force flag is not true or false is refused naming the field",
          "[e2e][roster]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  const json shift = {{"kind", "add"}, {"region", "eemland"}, {"duty", "shift"}, {"worker_id", "w-em-03"},
                      {"start", "2027-01-12T06:00:00Z"}, {"end", "2027-01-12T19:00:00Z"}, {"force_reason", "cover"}};
  json as_text = shift;
  as_text["force"] = "yes";
  auto in_body = stack.post("/api/v1/roster/overrides", as_text);
  CHECK(in_body.status == 400);
  CHECK(error_of(in_body)["field"] == "force");
  auto in_query = stack.post("/api/v1/roster/overrides?force=true", shift);
  CHECK(in_query.status != 500);
  CHECK(stored_changes(stack) <= 1);
}
