// Firing one step of the escalation ladder, decided on a snapshot: who is alerted (new or again),
// which steps are passed over and why, and when the next one is due.
#include <catch.hpp>

#include <string>
#include <vector>

#include "dispatcher/matching/ladder_step.hpp"

namespace {
using nlohmann::json;
using piket::dispatcher::AssignmentSeen;
using piket::dispatcher::decide_step;
using piket::dispatcher::StepDecision;
using piket::dispatcher::StepSnapshot;
using Outcome = StepDecision::Outcome;

json step(int after_s, const std::string& target, std::vector<std::string> workers, const std::string& skipped = "") {
  json targets = json::array();
  for (const auto& w : workers)
    targets.push_back({{"worker", w}, {"region", "eemland"}, {"why", "rank of " + w}, {"shift_end_ms", 9}, {"travel_ms", 7}});
  json s{{"after_s", after_s}, {"target", target}, {"channel", target == "repeat" ? "second" : "primary"},
         {"targets", targets}};
  s["skipped_reason"] = skipped.empty() ? json(nullptr) : json(skipped);
  return s;
}

// The default ladder's shape: first, repeat at +120, next at +300, neighbour at +600.
StepSnapshot ladder(int round = 1) {
  StepSnapshot s;
  s.ladder = json::array({step(0, "first", {"w-1"}), step(120, "repeat", {"w-1"}), step(300, "next", {"w-2"}),
                          step(600, "neighbour", {"w-9"})});
  s.round = round;
  s.base_ms = 1'000'000;
  s.restart_after_ms = 30'000;
  return s;
}

std::vector<std::string> workers(const StepDecision& d) {
  std::vector<std::string> out;
  for (const auto& a : d.alerts) out.push_back(a.worker + (a.repeat_of.empty() ? "" : "~" + a.repeat_of));
  return out;
}
}  // namespace

TEST_CASE("a step on schedule alerts its targets and sets the next step from the ladder's start",
          "[unit][ladder]") {
  struct Row {
    const char* what;
    int k;
    std::vector<AssignmentSeen> assignments;
    std::vector<std::string> alerted;
    std::int64_t next_timer_ms;
    int next_step;
  };
  const std::vector<Row> rows{
      {"the first step: a new assignment", 0, {}, {"w-1"}, 1'120'000, 1},
      {"the repeat pages the one still alerted, again", 1, {{"r-1", "w-1", "alerted", 1}}, {"w-1~r-1"}, 1'300'000, 2},
      {"the backup is new", 2, {{"r-1", "w-1", "alerted", 1}}, {"w-2"}, 1'600'000, 3},
      {"a worker alerted in an earlier round is paged again in this one", 0, {{"r-1", "w-1", "alerted", 0}},
       {"w-1~r-1"}, 1'120'000, 1},
      {"a cancelled assignment may be alerted anew", 0, {{"r-1", "w-1", "cancelled", 1}}, {"w-1"}, 1'120'000, 1},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto s = ladder();
    s.assignments = row.assignments;
    const auto d = decide_step(s, row.k, 1'000'000 + row.k * 1000, true);
    CHECK(d.outcome == Outcome::alerted);
    CHECK(d.step == row.k);
    CHECK(workers(d) == row.alerted);
    CHECK(d.next_timer_ms == row.next_timer_ms);
    CHECK(d.deadline_ms == row.next_timer_ms);
    CHECK(d.next_step == row.next_step);
    CHECK_FALSE(d.base_ms);  // on schedule: the base stays
    CHECK(d.skipped.empty());
  }
}

TEST_CASE("a step fired early moves the base, so the rest keep their spacing", "[unit][ladder]") {
  auto s = ladder();
  s.assignments = {{"r-1", "w-1", "declined", 1}};
  // Declined at +30 s: the repeat has nobody still alerted and is passed over, the backup goes now.
  const auto d = decide_step(s, 1, 1'030'000, false);
  CHECK(d.step == 2);
  CHECK(workers(d) == std::vector<std::string>{"w-2"});
  REQUIRE(d.skipped.size() == 1);
  CHECK(d.skipped[0].step == 1);
  CHECK(d.skipped[0].why == "everyone in this step was already alerted or declined");
  REQUIRE(d.base_ms);
  CHECK(*d.base_ms == 1'030'000 - 300'000);
  CHECK(d.next_timer_ms == 1'030'000 + 300'000);  // the neighbour 300 s after the backup, as planned
}

TEST_CASE("an empty step is passed over with its own reason", "[unit][ladder]") {
  auto s = ladder();
  s.ladder[2] = step(300, "next", {}, "no backup: every eligible worker on call in eemland was alerted before");
  const auto d = decide_step(s, 2, 1'300'000, true);
  CHECK(d.step == 3);
  CHECK(workers(d) == std::vector<std::string>{"w-9"});
  REQUIRE(d.skipped.size() == 1);
  CHECK(d.skipped[0].why == "no backup: every eligible worker on call in eemland was alerted before");
  CHECK(d.skipped[0].target == "next");
}

TEST_CASE("after the last step the report waits for a late answer, then is matched again", "[unit][ladder]") {
  auto s = ladder();
  SECTION("the last step alerts and sets the restart") {
    const auto d = decide_step(s, 3, 1'600'000, true);
    CHECK(d.last_step);
    CHECK(d.next_step == 5);
    CHECK(d.next_timer_ms == 1'600'000 + 30'000);
  }
  SECTION("past the end: matched again") {
    CHECK(decide_step(s, 5, 1'630'000, true).outcome == Outcome::restarted);
  }
  SECTION("every step left empty: exhausted, restarting after the wait") {
    s.assignments = {{"r-2", "w-2", "declined", 1}, {"r-9", "w-9", "declined", 1}};
    const auto d = decide_step(s, 2, 1'400'000, false);
    CHECK(d.outcome == Outcome::exhausted);
    CHECK(d.skipped.size() == 2);
    CHECK(d.next_step == 5);
    CHECK(d.next_timer_ms == 1'400'000 + 30'000);
  }
}

TEST_CASE("a decision carries what Redis writes, field by field", "[unit][ladder]") {
  auto d = decide_step(ladder(), 0, 1'000'000, false);
  const json j = d.to_json();
  CHECK(j["outcome"] == "alerted");
  CHECK(j["alerts"][0]["worker"] == "w-1");
  CHECK(j["alerts"][0]["repeat"] == "");
  CHECK(j["alerts"][0]["shift_end_ms"] == 9);
  CHECK(j["alerts"][0]["travel_ms"] == 7);
  CHECK(j["channel"] == "primary");
  CHECK(j["round"] == 1);
  CHECK(j["base_ms"] == 1'000'000);
}
