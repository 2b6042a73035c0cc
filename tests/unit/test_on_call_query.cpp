// The scheduler's "oncall.query" answer over the demo data: who is on call, and clear errors.
#include <catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "scheduler/on_call_query.hpp"
#include "scheduler/roster/rotation.hpp"

namespace {

using nlohmann::json;
using piket::ErrorCode;
using piket::TimePoint;

TimePoint utc(const char* text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

struct DemoData {
  piket::RegionDirectory regions;
  piket::WorkerDirectory workers;
  std::vector<piket::scheduler::Rotation> rotations;
};

std::string listed(const std::vector<piket::ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

const DemoData& demo() {
  static const DemoData data = [] {
    const std::string dir = PIKET_SOURCE_DIR "/config/demo/";
    std::vector<piket::ConfigProblem> problems;
    DemoData d;
    d.regions = piket::load_regions(dir + "regions.toml", problems);
    d.workers = piket::load_workers(dir + "workers.toml", d.regions, problems);
    d.rotations =
        piket::scheduler::load_rotations(dir + "rotations.toml", d.regions, d.workers, problems);
    INFO(listed(problems));
    REQUIRE(problems.empty());
    return d;
  }();
  return data;
}

piket::Result<json> ask(const json& body, TimePoint now = utc("2026-03-02T09:00:00Z")) {
  const auto& d = demo();
  return piket::scheduler::answer_on_call_query(body, now, d.regions, d.workers, piket::scheduler::Roster{d.rotations, {}, {}, {}, {}, {}});
}

void require_error(const piket::Result<json>& answer, ErrorCode code, const std::string& field) {
  REQUIRE_FALSE(answer.ok());
  INFO(answer.error().to_string());
  CHECK(answer.error().code == code);
  CHECK(answer.error().field == field);
  CHECK_FALSE(answer.error().message.empty());
}

}  // namespace

TEST_CASE("on a Monday morning in week 8 the first Utrecht day worker is primary", "[scheduler]") {
  // 2026-03-02 10:00 in Amsterdam: eight weekly turns after 2026-01-05, so turn 8 = participant 0.
  auto answer =
      ask({{"region", "utrecht-stad"}, {"role", "crisis_worker"}, {"at", "2026-03-02T09:00:00Z"}});
  REQUIRE(answer.ok());
  const json& a = *answer;
  CHECK(a["region"] == "utrecht-stad");
  CHECK(a["role"] == "crisis_worker");
  CHECK(a["at"] == "2026-03-02T09:00:00.000Z");
  REQUIRE(a["on_call"].size() == 2);  // two of the four on duty at once: primary and backup
  const json& primary = a["on_call"][0];
  CHECK(primary["worker_id"] == "w-ut-01");
  CHECK(primary["rotation_id"] == "day-utrecht-stad");
  CHECK(primary["position"] == 0);
  CHECK(primary["shift_start"] == "2026-03-02T07:00:00.000Z");  // 08:00 CET
  CHECK(primary["shift_end"] == "2026-03-02T19:00:00.000Z");    // 20:00 CET
  CHECK(primary["reason"].get<std::string>().find("day-utrecht-stad") != std::string::npos);
  CHECK(a["on_call"][1]["worker_id"] == "w-ut-02");
  CHECK(a["on_call"][1]["position"] == 1);
}

TEST_CASE("at night the night rotation answers, in summer time", "[scheduler]") {
  // Tuesday 2026-07-07 23:30 CEST. Turn 26 of the night rotation: participant 26 % 4 = 2 (the
  // night list is the day list: one pair is on call around the clock for the week).
  auto answer = ask({{"region", "utrecht-stad"}, {"at", "2026-07-07T21:30:00Z"}});
  REQUIRE(answer.ok());
  REQUIRE_FALSE((*answer)["on_call"].empty());
  const json& primary = (*answer)["on_call"][0];
  CHECK(primary["rotation_id"] == "night-utrecht-stad");
  CHECK(primary["worker_id"] == "w-ut-03");
  CHECK(primary["shift_start"] == "2026-07-07T18:00:00.000Z");  // 20:00 CEST
  CHECK(primary["shift_end"] == "2026-07-08T06:00:00.000Z");    // 08:00 CEST next day
}

TEST_CASE("without role and at the query means a crisis worker now", "[scheduler]") {
  auto answer = ask({{"region", "eemland"}}, utc("2026-03-02T09:00:00Z"));
  REQUIRE(answer.ok());
  CHECK((*answer)["role"] == "crisis_worker");
  CHECK((*answer)["at"] == "2026-03-02T09:00:00.000Z");
  REQUIRE_FALSE((*answer)["on_call"].empty());
  CHECK((*answer)["on_call"][0]["worker_id"] == "w-em-01");
}

TEST_CASE("a known role nobody rosters is an empty list, not an error", "[scheduler]") {
  auto answer = ask({{"region", "west"}, {"role", "behavioural_scientist"}});
  REQUIRE(answer.ok());
  CHECK((*answer)["on_call"].is_array());
  CHECK((*answer)["on_call"].empty());
}

TEST_CASE("the demo's team leads take weekly turns around the clock", "[scheduler]") {
  // Turn 8 of the team-lead rotation (two participants, one on duty at a time): the first
  // team lead is on call from Monday 08:00 CET to the next Monday 08:00, the other is off.
  auto answer = ask({{"region", "west"}, {"role", "team_lead"}, {"at", "2026-03-04T02:00:00Z"}});
  REQUIRE(answer.ok());
  const json& on_call = (*answer)["on_call"];
  REQUIRE(on_call.size() == 1);
  CHECK(on_call[0]["worker_id"] == "w-we-05");
  CHECK(on_call[0]["shift_start"] == "2026-03-02T07:00:00.000Z");
  CHECK(on_call[0]["shift_end"] == "2026-03-09T07:00:00.000Z");
  auto next_week = ask({{"region", "west"}, {"role", "team_lead"}, {"at", "2026-03-11T02:00:00Z"}});
  REQUIRE(next_week.ok());
  REQUIRE((*next_week)["on_call"].size() == 1);
  CHECK((*next_week)["on_call"][0]["worker_id"] == "w-we-06");
}

TEST_CASE("the demo's confidential physician of a region is on call for it", "[scheduler]") {
  auto answer = ask({{"region", "eemland"}, {"role", "confidential_physician"}});
  REQUIRE(answer.ok());
  REQUIRE((*answer)["on_call"].size() == 1);
  CHECK((*answer)["on_call"][0]["worker_id"] == "w-em-vA");
  CHECK((*answer)["on_call"][0]["position"] == 0);
}

TEST_CASE("an inactive worker is left out and the first backup comes first", "[scheduler]") {
  const auto& d = demo();
  std::vector<piket::Worker> workers = d.workers.workers();
  for (auto& w : workers)
    if (w.id == "w-ut-01") w.active = false;
  piket::WorkerDirectory with_inactive{std::move(workers)};
  auto answer = piket::scheduler::answer_on_call_query({{"region", "utrecht-stad"}},
                                                       utc("2026-03-02T09:00:00Z"), d.regions,
                                                       with_inactive, piket::scheduler::Roster{d.rotations, {}, {}, {}, {}, {}});
  REQUIRE(answer.ok());
  const json& on_call = (*answer)["on_call"];
  REQUIRE(on_call.size() == 1);  // the backup of the pair on duty
  CHECK(on_call[0]["worker_id"] == "w-ut-02");
  CHECK(on_call[0]["position"] == 1);
  for (const auto& entry : on_call) CHECK(entry["worker_id"] != "w-ut-01");
}

TEST_CASE("a bad query is answered with the code and the field at fault", "[scheduler]") {
  SECTION("region missing") {
    require_error(ask(json::object()), ErrorCode::invalid_field, "region");
  }
  SECTION("region not a string") {
    require_error(ask({{"region", 7}}), ErrorCode::invalid_field, "region");
  }
  SECTION("region unknown") {
    require_error(ask({{"region", "atlantis"}}), ErrorCode::unknown_region, "region");
  }
  SECTION("role unknown") {
    require_error(ask({{"region", "west"}, {"role", "wizard"}}), ErrorCode::invalid_field, "role");
  }
  SECTION("role not a string") {
    require_error(ask({{"region", "west"}, {"role", 3}}), ErrorCode::invalid_field, "role");
  }
  SECTION("at not a time") {
    require_error(ask({{"region", "west"}, {"at", "tomorrow"}}), ErrorCode::invalid_field, "at");
  }
  SECTION("at not a string") {
    require_error(ask({{"region", "west"}, {"at", 1767225600}}), ErrorCode::invalid_field, "at");
  }
  SECTION("body not an object") {
    require_error(ask(json::array()), ErrorCode::invalid_field, "body");
  }
}
