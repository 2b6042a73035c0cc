// Workers and teams as JSON (the API and what Redis stores): every field is checked on its own
// and the error names the one at fault.
#include <catch.hpp>
#include <string>
#include <vector>

#include "common/domain/worker_codec.hpp"
#include "tests/support/demo_data.hpp"

namespace {
using nlohmann::json;
using piket::ErrorCode;

const piket::RegionDirectory& regions() { return piket::test::demo_data().regions; }

json good_worker() {
  return {{"id", "w-em-10"},
          {"name", "Demo Worker Eemland 10"},
          {"region", "eemland"},
          {"roles", {"crisis_worker", "team_lead"}},
          {"skills", {"elder_abuse"}},
          {"base", "  amersfoort"},
          {"contract_hours_per_week", 28.5},
          {"daily_case_limit", 3},
          {"team", "em-a"},
          {"active", true},
          {"webhook_url", "http://127.0.0.1:8099/hooks/w-em-10"}};
}
}  // namespace

TEST_CASE("a worker read from JSON keeps every field and survives a round trip",
          "[unit][workers]") {
  auto w = piket::worker_from_json(good_worker(), regions());
  REQUIRE(w.ok());
  CHECK(w->base == "Amersfoort");  // the municipality's own spelling
  CHECK(w->roles == std::vector<std::string>{"crisis_worker", "team_lead"});
  CHECK(w->contract_hours_per_week == 28.5);
  CHECK(w->daily_case_limit == 3);
  CHECK(w->team == "em-a");
  auto again = piket::worker_from_json(piket::to_json(*w), regions());
  REQUIRE(again.ok());
  CHECK(piket::to_json(*again) == piket::to_json(*w));
}

TEST_CASE("a worker's optional fields take the documented defaults", "[unit][workers]") {
  json minimal = good_worker();
  for (const char* key :
       {"skills", "base", "contract_hours_per_week", "daily_case_limit", "team", "active"})
    minimal.erase(key);
  auto w = piket::worker_from_json(minimal, regions());
  REQUIRE(w.ok());
  CHECK(w->skills.empty());
  CHECK(w->base.empty());
  CHECK(w->contract_hours_per_week == 36);
  CHECK(w->daily_case_limit == 4);
  CHECK(w->team.empty());
  CHECK(w->active);
}

TEST_CASE("a bad worker is refused naming the field", "[unit][workers]") {
  struct Case {
    const char* key;
    json value;
    ErrorCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"id", "", ErrorCode::invalid_field, "id"},
      {"id", "w em 10", ErrorCode::invalid_field, "id"},
      {"id", std::string(65, 'w'), ErrorCode::invalid_field, "id"},
      {"name", 7, ErrorCode::invalid_field, "name"},
      {"name", "  ", ErrorCode::invalid_field, "name"},
      {"region", "atlantis", ErrorCode::unknown_region, "region"},
      {"roles", json::array(), ErrorCode::invalid_field, "roles"},
      {"roles", "crisis_worker", ErrorCode::invalid_field, "roles"},
      {"roles", {"crisis_worker", "chef"}, ErrorCode::invalid_field, "roles[1]"},
      {"roles", {"crisis_worker", "crisis_worker"}, ErrorCode::invalid_field, "roles[1]"},
      {"skills", {"lang_arabic", 3}, ErrorCode::invalid_field, "skills[1]"},
      {"base", "Atlantis", ErrorCode::invalid_field, "base"},
      {"contract_hours_per_week", 61, ErrorCode::invalid_field, "contract_hours_per_week"},
      {"contract_hours_per_week", "36", ErrorCode::invalid_field, "contract_hours_per_week"},
      {"daily_case_limit", 0, ErrorCode::invalid_field, "daily_case_limit"},
      {"daily_case_limit", 2.5, ErrorCode::invalid_field, "daily_case_limit"},
      {"team", 1, ErrorCode::invalid_field, "team"},
      {"active", "yes", ErrorCode::invalid_field, "active"},
      {"webhook_url", "ftp://h.example/a", ErrorCode::invalid_field, "webhook_url"},
      {"webhook_url", "http://h.example/a b", ErrorCode::invalid_field, "webhook_url"},
      {"phone", "0612345678", ErrorCode::invalid_field, "phone"},  // unknown fields are refused
  };
  for (const auto& c : cases) {
    json j = good_worker();
    j[c.key] = c.value;
    INFO(j.dump());
    auto w = piket::worker_from_json(j, regions());
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().code == c.code);
    CHECK(w.error().field == c.field);
    CHECK_FALSE(w.error().message.empty());
  }
  for (const char* required : {"id", "name", "region", "roles", "webhook_url"}) {
    json j = good_worker();
    j.erase(required);
    auto w = piket::worker_from_json(j, regions());
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().field == required);
  }
  CHECK_FALSE(piket::worker_from_json(json::array(), regions()).ok());
}

TEST_CASE("a team read from JSON keeps its fields, and a bad one names the field",
          "[unit][workers]") {
  const json good{
      {"id", "em-c"}, {"name", "Eemland C"}, {"region", "eemland"}, {"team_lead", "w-em-05"}};
  auto t = piket::team_from_json(good, regions());
  REQUIRE(t.ok());
  CHECK(piket::to_json(*t) == good);
  json no_lead = good;
  no_lead.erase("team_lead");
  REQUIRE(piket::team_from_json(no_lead, regions()).ok());

  json bad = good;
  bad["region"] = "atlantis";
  CHECK(piket::team_from_json(bad, regions()).error().code == ErrorCode::unknown_region);
  bad = good;
  bad["members"] = json::array();  // implied by the workers, never stored with the team
  CHECK(piket::team_from_json(bad, regions()).error().field == "members");
  bad = good;
  bad.erase("name");
  CHECK(piket::team_from_json(bad, regions()).error().field == "name");
}
