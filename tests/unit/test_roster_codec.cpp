#include <catch.hpp>

#include "scheduler/store/roster_codec.hpp"
#include "tests/support/demo_data.hpp"

using nlohmann::json;
using piket::ErrorCode;
using namespace piket::scheduler;

namespace {
const piket::test::DemoData& demo() { return piket::test::demo_data(); }

json replace_override() {
  return {{"kind", "replace"},         {"region", "eemland"},
          {"worker_id", "w-em-02"},    {"replaced_worker_id", "w-em-01"},
          {"start", "2026-10-24T23:00:00+02:00"}, {"end", "2026-10-25T08:00:00+01:00"},
          {"reason", "swap of nights"}};
}
}  // namespace

TEST_CASE("an override read from JSON keeps its instants and survives a round trip",
          "[unit][roster]") {
  auto o = override_from_json(replace_override(), demo().regions, demo().workers);
  REQUIRE(o.ok());
  CHECK(o->kind == Override::Kind::replace);
  // 23:00 CEST is 21:00 UTC; 08:00 CET is 07:00 UTC: ten hours over the October change.
  CHECK(o->interval.end - o->interval.start == std::chrono::hours(10));
  auto again = override_from_json(to_json(*o), demo().regions, demo().workers);
  REQUIRE(again.ok());
  CHECK(again->interval.start == o->interval.start);
  CHECK(again->worker_id == "w-em-02");
}

TEST_CASE("a bad override is refused naming the field", "[unit][roster]") {
  struct Case {
    const char* key;
    json value;
    const char* field;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"kind", "swap", "kind", ErrorCode::invalid_field},
      {"region", "atlantis", "region", ErrorCode::unknown_region},
      {"worker_id", "w-nobody", "worker_id", ErrorCode::not_found},
      {"replaced_worker_id", "w-em-02", "worker_id", ErrorCode::invalid_field},
      {"end", "2026-10-24T22:00:00+02:00", "end", ErrorCode::invalid_field},
      {"start", "tomorrow", "start", ErrorCode::invalid_field},
      {"duty", "nap", "duty", ErrorCode::invalid_field},
      {"role", "wizard", "role", ErrorCode::invalid_field},
      {"forced", true, "force_reason", ErrorCode::invalid_field},
  };
  for (const auto& c : cases) {
    json body = replace_override();
    body[c.key] = c.value;
    INFO(c.key);
    auto o = override_from_json(body, demo().regions, demo().workers);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().field == c.field);
    CHECK(o.error().code == c.code);
  }
}

TEST_CASE("leave keeps only a category, never the reason", "[unit][roster]") {
  json body{{"worker_id", "w-ut-01"}, {"start", "2026-07-01T00:00:00Z"},
            {"end", "2026-07-15T00:00:00Z"}, {"category", "holiday"}};
  REQUIRE(leave_from_json(body, demo().workers).ok());
  body["category"] = "surgery on the knee";
  auto refused = leave_from_json(body, demo().workers);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "category");
}
