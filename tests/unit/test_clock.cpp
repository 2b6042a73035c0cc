// The test clock and the one time format on the wire (RFC 3339, UTC, milliseconds).
#include <catch.hpp>

#include <chrono>
#include <string>

#include "common/clock.hpp"

namespace {

using namespace std::chrono_literals;
using piket::TimePoint;

// 2026-11-26T04:02:44.123Z
constexpr std::int64_t kSampleMs = 1795665764123;

}  // namespace

TEST_CASE("a manual clock stands still until it is set or advanced", "[unit][clock]") {
  piket::ManualClock clock{piket::from_unix_ms(kSampleMs)};
  CHECK(piket::to_unix_ms(clock.now()) == kSampleMs);
  CHECK(piket::to_unix_ms(clock.now()) == kSampleMs);

  SECTION("advance moves it forward by exactly the duration") {
    clock.advance(1500ms);
    CHECK(piket::to_unix_ms(clock.now()) == kSampleMs + 1500);
    clock.advance(5min);
    CHECK(piket::to_unix_ms(clock.now()) == kSampleMs + 1500 + 300000);
  }
  SECTION("set jumps to the instant, also backwards") {
    clock.set(piket::from_unix_ms(1000));
    CHECK(piket::to_unix_ms(clock.now()) == 1000);
  }
}

TEST_CASE("a time is formatted in UTC with milliseconds and a Z", "[unit][clock]") {
  CHECK(piket::format_utc(piket::from_unix_ms(kSampleMs)) == "2026-11-26T04:02:44.123Z");
  CHECK(piket::format_utc(piket::from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(piket::format_utc(piket::from_unix_ms(7)) == "1970-01-01T00:00:00.007Z");
}

TEST_CASE("a formatted time parses back to the same millisecond", "[unit][clock]") {
  for (std::int64_t ms : {kSampleMs, std::int64_t{0}, std::int64_t{1}, std::int64_t{999},
                          std::int64_t{1774746000000}, std::int64_t{4102444799999}}) {
    const std::string text = piket::format_utc(piket::from_unix_ms(ms));
    CAPTURE(text);
    TimePoint parsed;
    REQUIRE(piket::parse_utc(text, parsed));
    CHECK(piket::to_unix_ms(parsed) == ms);
  }
}

TEST_CASE("a time without milliseconds parses to the whole second", "[unit][clock]") {
  TimePoint parsed;
  REQUIRE(piket::parse_utc("2026-11-26T04:02:44Z", parsed));
  CHECK(piket::to_unix_ms(parsed) == kSampleMs - 123);
}

TEST_CASE("a time with a numeric offset is converted to UTC", "[unit][clock]") {
  TimePoint parsed;
  SECTION("+01:00, Amsterdam in winter") {
    REQUIRE(piket::parse_utc("2026-11-26T05:02:44.123+01:00", parsed));
    CHECK(piket::to_unix_ms(parsed) == kSampleMs);
  }
  SECTION("-05:00") {
    REQUIRE(piket::parse_utc("2026-11-25T23:02:44.123-05:00", parsed));
    CHECK(piket::to_unix_ms(parsed) == kSampleMs);
  }
  SECTION("+00:00 equals Z") {
    REQUIRE(piket::parse_utc("2026-11-26T04:02:44.123+00:00", parsed));
    CHECK(piket::to_unix_ms(parsed) == kSampleMs);
  }
  CHECK(piket::format_utc(parsed) == "2026-11-26T04:02:44.123Z");
}

TEST_CASE("a text that is not an RFC 3339 time is refused and leaves the output alone",
          "[unit][clock]") {
  const TimePoint untouched = piket::from_unix_ms(42);
  TimePoint parsed = untouched;
  std::string text;
  SECTION("empty") { text = ""; }
  SECTION("words") { text = "tomorrow at noon"; }
  SECTION("a date only") { text = "2026-11-26"; }
  SECTION("no zone") { text = "2026-11-26T04:02:44.123"; }
  SECTION("a space instead of T") { text = "2026-11-26 04:02:44.123Z"; }
  SECTION("trailing text after Z") { text = "2026-11-26T04:02:44.123Zjunk"; }
  SECTION("trailing text after an offset") { text = "2026-11-26T05:02:44.123+01:00 extra"; }
  SECTION("a month that does not exist") { text = "2026-13-01T00:00:00Z"; }
  CAPTURE(text);
  CHECK_FALSE(piket::parse_utc(text, parsed));
  CHECK(parsed == untouched);
}
