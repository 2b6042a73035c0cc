// A change that opens a coverage gap soon pages the region's team leads on call now, once per
// gap and lead; gaps beyond the horizon or already over page nobody.
#include <catch.hpp>

#include "scheduler/coverage/gap_pages.hpp"

using nlohmann::json;
using piket::parse_utc;
using piket::TimePoint;
using piket::scheduler::coverage_gap_pages;

namespace {
TimePoint at(const char* text) {
  TimePoint t;
  REQUIRE(parse_utc(text, t));
  return t;
}
json gap(const char* region, const char* start, const char* end) {
  return {{"region", region}, {"role", "crisis_worker"}, {"duty", "on_call"}, {"start", start},
          {"end", end},       {"staffed", 1},            {"minimum", 2}};
}
}  // namespace

TEST_CASE("a coverage gap that opens soon pages the region's team leads and a later one does not",
          "[unit][coverage]") {
  const TimePoint now = at("2026-12-03T01:30:00Z");
  std::vector<std::string> asked;
  auto leads = [&](const std::string& region) {
    asked.push_back(region);
    if (region == "utrecht") return std::vector<std::string>{"w-ut-05", "w-ut-06"};
    return std::vector<std::string>{};
  };
  const json gaps = json::array({
      gap("utrecht", "2026-12-03T17:00:00Z", "2026-12-04T07:00:00Z"),  // tonight: paged
      gap("utrecht", "2026-12-20T17:00:00Z", "2026-12-21T07:00:00Z"),  // weeks ahead: console only
      gap("utrecht", "2026-12-02T17:00:00Z", "2026-12-03T01:00:00Z"),  // over already
      gap("eemland", "2026-12-03T02:00:00Z", "2026-12-03T03:00:00Z"),  // no lead on call
      gap("utrecht", "2026-12-03T01:00:00Z", "2026-12-03T02:00:00Z"),  // open now: paged
  });
  const auto pages = coverage_gap_pages(gaps, now, std::chrono::hours(48), leads, "https://piket.example");
  REQUIRE(pages.size() == 4);
  CHECK(pages[0]["worker"] == "w-ut-05");
  CHECK(pages[1]["worker"] == "w-ut-06");
  CHECK(pages[0]["kind"] == "coverage_gap");
  CHECK(pages[0]["start"] == "2026-12-03T17:00:00Z");
  CHECK(pages[0]["minimum"] == 2);
  CHECK(pages[0]["link"] == "https://piket.example/api/v1/roster/coverage");
  CHECK(pages[2]["start"] == "2026-12-03T01:00:00Z");
  // One alert id per gap and lead: the same gap made twice is delivered once.
  CHECK(pages[0]["alert_id"] != pages[1]["alert_id"]);
  CHECK(pages[0]["alert_id"] ==
        coverage_gap_pages(json::array({gaps[0]}), now, std::chrono::hours(48), leads, "x")[0]["alert_id"]);
  CHECK(coverage_gap_pages(gaps, now, std::chrono::hours(0), leads, "x").size() == 2);  // only the open one
}

TEST_CASE("unreadable gaps page nobody", "[unit][coverage]") {
  auto leads = [](const std::string&) { return std::vector<std::string>{"w-lead"}; };
  const TimePoint now = at("2026-12-03T01:30:00Z");
  CHECK(coverage_gap_pages(json::object(), now, std::chrono::hours(48), leads, "x").empty());
  CHECK(coverage_gap_pages(json::array({json{{"region", "utrecht"}, {"start", "soon"}}}), now,
                           std::chrono::hours(48), leads, "x")
            .empty());
}
