// Managers plan rotations through the API; they are stored in Redis and survive a restart.
#include <catch.hpp>

#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;

namespace {
json layer_rotation() {
  // A higher layer for region west: w-we-04 then w-we-03, on call all day, every day.
  return {{"id", "west-cover"},
          {"region", "west"},
          {"role", "crisis_worker"},
          {"start_date", "2026-01-05"},
          {"handoff_time", "08:00"},
          {"turn_days", 7},
          {"layer", 5},
          {"participants", {"w-we-04", "w-we-03"}},
          {"force", true},
          {"force_reason", "cover week for the whole region"}};
}

// Wednesday 9 December 2026, 14:00 in Amsterdam: turn 48 of layer_rotation() (counted from 0
// on Monday 2026-01-05), an even one, so w-we-04 has it.
piket::TimePoint even_week_afternoon() {
  piket::TimePoint at;
  piket::parse_utc("2026-12-09T13:00:00Z", at);
  return at;
}

std::string primary_of(const piket::test::Stack& stack, const std::string& region) {
  auto reply = stack.get("/api/v1/oncall?region=" + region).json();
  return reply["on_call"].empty() ? "" : reply["on_call"][0]["worker_id"].get<std::string>();
}
}  // namespace

TEST_CASE("a rotation set up through the API decides who is on call and survives a restart of "
          "the scheduler",
          "[e2e][roster]") {
  piket::test::Stack stack{piket::test::starting_at(even_week_afternoon())};
  auto listed = stack.get("/api/v1/roster/rotations").json();
  CHECK(listed["rotations"].size() == 20);  // the demo's, seeded into Redis at the first start

  auto saved = stack.post("/api/v1/roster/rotations", layer_rotation());
  REQUIRE(saved.status == 201);
  CHECK(saved.json()["rotation"]["layer"] == 5);
  CHECK(primary_of(stack, "west") == "w-we-04");

  stack.stop_daemon("scheduler");
  stack.start_daemon("scheduler");
  // The restarted scheduler answers once it has read the stored roster.
  CHECK(piket::test::eventually([&] {
    return stack.get("/api/v1/oncall?region=west").json().value("roster_complete", false);
  }));
  CHECK(primary_of(stack, "west") == "w-we-04");
  // A week later the turn has moved on to w-we-03.
  stack.advance(std::chrono::hours(24 * 7));
  CHECK(primary_of(stack, "west") == "w-we-03");

  auto removed = stack.request("DELETE", "/api/v1/roster/rotations/west-cover");
  CHECK(removed.status == 200);
  CHECK(primary_of(stack, "west") != "w-we-04");
  CHECK(stack.get("/api/v1/roster/rotations").json()["rotations"].size() == 20);
}

TEST_CASE("a bad rotation is refused naming the field, and nothing changes", "[e2e][roster]") {
  piket::test::Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  struct Case {
    const char* key;
    json value;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"handoff_time", "02:30", "handoff_time"},  // with turn_days 1: the spring gap
      {"participants", json::array(), "participants"},
      {"participants", {"w-nobody"}, "participants[0]"},
      {"participants", {"w-ut-01"}, "participants[0]"},  // another region's worker
      {"start_date", "2026-02-30", "start_date"},
      {"on_duty", 3, "on_duty"},  // more than the two participants
      {"on_duty", 0, "on_duty"},
      {"turn_days", 0, "turn_days"},
      {"region", "atlantis", "region"},
  };
  for (const auto& c : cases) {
    json body = layer_rotation();
    body["turn_days"] = 1;
    body[c.key] = c.value;
    INFO(c.key << " = " << c.value.dump());
    auto reply = stack.post("/api/v1/roster/rotations", body);
    CHECK(reply.status >= 400);
    CHECK(reply.status < 500);
    CHECK(reply.json()["error"]["field"] == c.field);
  }
  CHECK(stack.get("/api/v1/roster/rotations").json()["rotations"].size() == 20);
}

TEST_CASE("with Redis down the scheduler still answers who is on call, and refuses changes as "
          "unavailable",
          "[e2e][roster]") {
  piket::test::Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  const std::string before = primary_of(stack, "eemland");
  REQUIRE_FALSE(before.empty());
  stack.redis().kill_hard();
  auto answer = stack.get("/api/v1/oncall?region=eemland");
  CHECK(answer.status == 200);
  CHECK(primary_of(stack, "eemland") == before);
  auto change = stack.post("/api/v1/roster/leave", {{"worker_id", before},
                                                     {"start", "2027-01-04T08:00:00Z"},
                                                     {"end", "2027-01-05T08:00:00Z"},
                                                     {"category", "sick"}});
  CHECK(change.status == 503);
  CHECK(change.json()["error"]["code"] == "unavailable");
  stack.redis().restart();
  // The scheduler reconnects with back-off.
  CHECK(piket::test::eventually([&] {
    return stack.post("/api/v1/roster/leave", {{"worker_id", before},
                                               {"start", "2027-01-04T08:00:00Z"},
                                               {"end", "2027-01-05T08:00:00Z"},
                                               {"category", "sick"}})
               .status == 201;
  }));
}
