// A temporary restraining order's clocks: 24 h elapsed for the address, 10 and 28 local calendar
// days for the end, which differ by an hour over a DST change.
#include <catch.hpp>
#include <string>

#include "common/clock.hpp"
#include "dispatcher/triage/restraining_order.hpp"

namespace {

using piket::TimePoint;
using piket::dispatcher::check_extension;
using piket::dispatcher::restraining_order_clocks;

TimePoint utc(const std::string& text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

}  // namespace

TEST_CASE("an order imposed before the October DST change ends at the same local hour",
          "[unit][restraining_order]") {
  // 10:00 summer time on 20 October; clocks go back on 25 October.
  const auto clocks = restraining_order_clocks(utc("2026-10-20T08:00:00Z"), "Europe/Amsterdam");
  CHECK(clocks.imposed_at == utc("2026-10-20T08:00:00Z"));
  CHECK(clocks.address_due == utc("2026-10-21T08:00:00Z"));  // 24 h elapsed
  CHECK(clocks.ends_at == utc("2026-10-30T09:00:00Z"));      // 10:00 winter time: 241 h later
  CHECK(clocks.latest_end == utc("2026-11-17T09:00:00Z"));   // 28 days, 10:00 winter time

  const auto j = clocks.to_json();
  CHECK(j["imposed_at"] == "2026-10-20T08:00:00.000Z");
  CHECK(j["address_due"] == "2026-10-21T08:00:00.000Z");
  CHECK(j["ends_at"] == "2026-10-30T09:00:00.000Z");
  CHECK(j["latest_end"] == "2026-11-17T09:00:00.000Z");
}

TEST_CASE("an order imposed before the March DST change ends an hour earlier in UTC",
          "[unit][restraining_order]") {
  // 10:00 winter time on 20 March; clocks go forward on 29 March.
  const auto clocks = restraining_order_clocks(utc("2026-03-20T09:00:00Z"), "Europe/Amsterdam");
  CHECK(clocks.address_due == utc("2026-03-21T09:00:00Z"));
  CHECK(clocks.ends_at == utc("2026-03-30T08:00:00Z"));  // 10:00 summer time: 239 h later
  CHECK(clocks.latest_end == utc("2026-04-17T08:00:00Z"));
}

TEST_CASE("an end whose local time is skipped or repeated takes the earliest valid instant",
          "[unit][restraining_order]") {
  SECTION("02:30 on 29 March 2026 does not exist: the end is the change itself, 03:00 CEST") {
    const auto clocks = restraining_order_clocks(utc("2026-03-19T01:30:00Z"), "Europe/Amsterdam");
    CHECK(clocks.ends_at == utc("2026-03-29T01:00:00Z"));
  }
  SECTION("02:30 on 25 October 2026 happens twice: the end is the first, in summer time") {
    const auto clocks = restraining_order_clocks(utc("2026-10-15T00:30:00Z"), "Europe/Amsterdam");
    CHECK(clocks.ends_at == utc("2026-10-25T00:30:00Z"));
  }
}

TEST_CASE("in a zone without DST ten days are 240 hours", "[unit][restraining_order]") {
  const auto clocks = restraining_order_clocks(utc("2026-10-20T08:00:00Z"), "UTC");
  CHECK(clocks.ends_at == utc("2026-10-30T08:00:00Z"));
  CHECK(clocks.latest_end == utc("2026-11-17T08:00:00Z"));
}

TEST_CASE("an extension ends after the current end and within 28 days",
          "[unit][restraining_order]") {
  const auto clocks = restraining_order_clocks(utc("2026-10-20T08:00:00Z"), "Europe/Amsterdam");
  SECTION("to a day in between") {
    auto until = check_extension(clocks, utc("2026-11-06T09:00:00Z"));
    REQUIRE(until.ok());
    CHECK(*until == utc("2026-11-06T09:00:00Z"));
  }
  SECTION("to the last moment allowed") {
    auto until = check_extension(clocks, clocks.latest_end);
    REQUIRE(until.ok());
    CHECK(*until == utc("2026-11-17T09:00:00Z"));
  }
  SECTION("refused naming until") {
    for (const auto& text : {"2026-10-30T09:00:00Z", "2026-10-25T09:00:00Z", "2026-11-17T09:00:01Z",
                             "2026-12-01T09:00:00Z"}) {
      CAPTURE(text);
      auto until = check_extension(clocks, utc(text));
      REQUIRE_FALSE(until.ok());
      CHECK(until.error().code == piket::ErrorCode::invalid_field);
      CHECK(until.error().field == "until");
    }
  }
}

TEST_CASE("the family left behind is first contacted by the local rule, in local time",
          "[unit][restraining_order]") {
  using piket::dispatcher::FamilyContactRule;
  // Imposed at 22:30 on Saturday 24 October 2026 (summer time); clocks go back that night.
  const auto at = utc("2026-10-24T20:30:00Z");
  SECTION("the demo rule: 12:00 the next day, which is winter time by then") {
    const auto clocks = restraining_order_clocks(at, "Europe/Amsterdam", FamilyContactRule{1, 12 * 60});
    CHECK(clocks.family_contact_by == utc("2026-10-25T11:00:00Z"));
    CHECK(clocks.to_json()["family_contact_by"] == "2026-10-25T11:00:00.000Z");
  }
  SECTION("the same day at 23:00") {
    const auto clocks = restraining_order_clocks(at, "Europe/Amsterdam", FamilyContactRule{0, 23 * 60});
    CHECK(clocks.family_contact_by == utc("2026-10-24T21:00:00Z"));
  }
}
