// The scheduler's answer read as candidates, and the ids that tie
// an assignment to its report.
#include <catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/envelope.hpp"
#include "dispatcher/matching/on_call_candidates.hpp"
#include "dispatcher/store/dispatch_store.hpp"

namespace {

using nlohmann::json;
using piket::dispatcher::Candidate;

std::vector<std::string> worker_ids(const std::vector<Candidate>& candidates) {
  std::vector<std::string> ids;
  for (const auto& c : candidates) ids.push_back(c.worker_id);
  return ids;
}

// A report id as the dispatcher makes one.
const std::string kReportId = "rabcdefghjkmnpqrstuvw";

}  // namespace

TEST_CASE("the scheduler's answer becomes candidates sorted by position", "[unit][matching]") {
  const json answer = {
      {"region", "utrecht-stad"},
      {"on_call", json::array({
                      {{"worker_id", "w-b"}, {"position", 2}, {"reason", "backup 2"}},
                      {{"worker_id", "w-p"}, {"position", 0}, {"reason", "primary"}},
                      {{"worker_id", "w-a"}, {"position", 1}, {"reason", "backup 1"}},
                  })}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  CHECK(worker_ids(candidates) == std::vector<std::string>{"w-p", "w-a", "w-b"});
  REQUIRE(candidates.size() == 3);
  CHECK(candidates[0].position == 0);
  CHECK(candidates[0].reason == "primary");
  CHECK(candidates[2].position == 2);
}

TEST_CASE("malformed entries in the scheduler's answer are dropped", "[unit][matching]") {
  const json answer = {
      {"on_call", json::array({
                      {{"worker_id", "w-1"}, {"position", 0}},
                      {{"position", 1}},                         // no worker
                      {{"worker_id", 17}, {"position", 1}},      // worker id not a string
                      "w-2",                                     // not an object
                      nullptr,
                      {{"worker_id", "w-3"}, {"position", 2}},
                  })}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  CHECK(worker_ids(candidates) == std::vector<std::string>{"w-1", "w-3"});
}

TEST_CASE("an answer without an on_call list gives no candidates", "[unit][matching]") {
  json answer;
  SECTION("no on_call") { answer = {{"region", "eemland"}}; }
  SECTION("on_call is not an array") { answer = {{"on_call", {{"worker_id", "w-1"}}}}; }
  SECTION("not an object") { answer = json::array(); }
  CHECK(piket::dispatcher::candidates_from_on_call(answer).empty());
}

TEST_CASE("a worker on call in two rotations is one candidate at the best position",
          "[unit][matching]") {
  // The scheduler lists entries by position, so the better position comes first.
  const json answer = {
      {"on_call", json::array({
                      {{"worker_id", "w-twice"}, {"position", 0}, {"reason", "primary of day"}},
                      {{"worker_id", "w-other"}, {"position", 1}, {"reason", "backup 1 of day"}},
                      {{"worker_id", "w-twice"}, {"position", 1}, {"reason", "backup 1 of night"}},
                  })}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  REQUIRE(worker_ids(candidates) == std::vector<std::string>{"w-twice", "w-other"});
  CHECK(candidates[0].position == 0);
  CHECK(candidates[0].reason == "primary of day");
}

TEST_CASE("an entry without a position counts as primary", "[unit][matching]") {
  const json answer = {{"on_call", json::array({{{"worker_id", "w-b"}, {"position", 1}},
                                                {{"worker_id", "w-p"}}})}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  CHECK(worker_ids(candidates) == std::vector<std::string>{"w-p", "w-b"});
}

TEST_CASE("an assignment id names its report and number and leads back to the report",
          "[unit][store]") {
  const std::string assignment = piket::dispatcher::assignment_id_for(kReportId, 3);
  CHECK(assignment == kReportId + "-3");
  auto report = piket::dispatcher::report_id_of_assignment(assignment);
  REQUIRE(report.has_value());
  CHECK(*report == kReportId);

  auto later = piket::dispatcher::report_id_of_assignment(
      piket::dispatcher::assignment_id_for(kReportId, 1234567));
  REQUIRE(later.has_value());
  CHECK(*later == kReportId);
}

TEST_CASE("every report id the dispatcher makes is a valid report id", "[unit][store]") {
  for (int i = 0; i < 200; ++i) {
    const std::string id = piket::new_id("r");
    CAPTURE(id);
    CHECK(piket::dispatcher::valid_report_id(id));
    CHECK(piket::dispatcher::report_id_of_assignment(id + "-1") == id);
  }
}

TEST_CASE("a malformed report id is not valid", "[unit][store]") {
  std::string id;
  SECTION("empty") { id = ""; }
  SECTION("too short") { id = "rabc"; }
  SECTION("one character too long") { id = kReportId + "x"; }
  SECTION("wrong prefix") { id = "q" + kReportId.substr(1); }
  SECTION("capitals") { id = "rABCDEFGHJKMNPQRSTUVW"; }
  SECTION("the digit 0") { id = "r0bcdefghjkmnpqrstuvw"; }
  SECTION("the digit 1") { id = "r1bcdefghjkmnpqrstuvw"; }
  SECTION("a dash inside") { id = "rabcdefghj-mnpqrstuvw"; }
  SECTION("a key separator") { id = "rabcdefghj:mnpqrstuvw"; }
  CAPTURE(id);
  CHECK_FALSE(piket::dispatcher::valid_report_id(id));
}

TEST_CASE("an assignment id that does not end in a number after a valid report id is refused",
          "[unit][store]") {
  std::string assignment;
  SECTION("empty") { assignment = ""; }
  SECTION("no number") { assignment = "x-1"; }
  SECTION("a report id and no dash") { assignment = kReportId; }
  SECTION("a dash and nothing after it") { assignment = kReportId + "-"; }
  SECTION("letters after the dash") { assignment = kReportId + "-abc"; }
  SECTION("a sign after the dash") { assignment = kReportId + "--1"; }
  SECTION("a report id with the digit 1") { assignment = "r1bcdefghjkmnpqrstuvw-1"; }
  SECTION("a key pattern") { assignment = "*-1"; }
  CAPTURE(assignment);
  CHECK_FALSE(piket::dispatcher::report_id_of_assignment(assignment).has_value());
}

TEST_CASE("a worker in two rotations keeps the best position, whatever the order of entries",
          "[unit][matching]") {
  json answer = {{"on_call",
                  {{{"worker_id", "w-x"}, {"position", 2}},
                   {{"worker_id", "w-y"}, {"position", 1}},
                   {{"worker_id", "w-x"}, {"position", 0}}}}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  CHECK(worker_ids(candidates) == std::vector<std::string>{"w-x", "w-y"});
  CHECK(candidates[0].position == 0);
}

TEST_CASE("a position too large for an int is dropped instead of wrapping to primary",
          "[unit][matching]") {
  json answer = {{"on_call",
                  {{{"worker_id", "w-x"}, {"position", 4294967296LL}},
                   {{"worker_id", "w-y"}, {"position", 1}}}}};
  CHECK(worker_ids(piket::dispatcher::candidates_from_on_call(answer)) ==
        std::vector<std::string>{"w-y"});
}

TEST_CASE("report ids with look-alike letters are not ours", "[unit][matching]") {
  CHECK_FALSE(piket::dispatcher::valid_report_id("rilolilolilolilolilol"));
  CHECK_FALSE(piket::dispatcher::report_id_of_assignment("rilolilolilolilolilol-1").has_value());
  CHECK(piket::dispatcher::valid_report_id(piket::new_id("r")));
}

TEST_CASE("the end of each worker's duty is read from the scheduler's answer",
          "[unit][matching]") {
  json answer = {{"on_call",
                  {{{"worker_id", "w-x"}, {"position", 0}, {"shift_end", "2026-03-02T19:00:00.000Z"}},
                   {{"worker_id", "w-y"}, {"position", 1}, {"shift_end", "tomorrow"}},
                   {{"worker_id", "w-z"}, {"position", 2}}}}};
  auto candidates = piket::dispatcher::candidates_from_on_call(answer);
  REQUIRE(worker_ids(candidates) == std::vector<std::string>{"w-x", "w-y", "w-z"});
  CHECK(piket::format_utc(candidates[0].shift_end) == "2026-03-02T19:00:00.000Z");
  // A malformed or missing end leaves the worker a candidate, with no end known.
  CHECK(candidates[1].shift_end == piket::TimePoint{});
  CHECK(candidates[2].shift_end == piket::TimePoint{});
}
