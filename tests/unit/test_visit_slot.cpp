// The visit slot: after the travel time, never over another visit of any of its workers,
// within the search horizon.
#include <catch.hpp>

#include "dispatcher/visits/visit_slot.hpp"

using namespace std::chrono_literals;
using piket::dispatcher::BusyInterval;
using piket::dispatcher::find_visit_slot;

namespace {
const piket::TimePoint t0 = piket::from_unix_ms(1796212800000);  // 2026-12-02T13:20:00Z
}

TEST_CASE("a visit goes at the first free time of all its workers within the horizon", "[unit][visits]") {
  struct Row {
    const char* what;
    std::vector<BusyInterval> busy;
    std::chrono::minutes horizon;
    std::optional<std::chrono::minutes> start;  // after t0; nullopt: no slot
  };
  const std::vector<Row> rows{
      {"nothing planned: at once", {}, 24h, 0min},
      {"a visit that ends before", {{t0 - 2h, t0}}, 24h, 0min},
      {"a visit that starts after it ends", {{t0 + 90min, t0 + 3h}}, 24h, 0min},
      {"a visit in the way: after it", {{t0 - 30min, t0 + 60min}}, 24h, 60min},
      {"two back to back: after both", {{t0, t0 + 90min}, {t0 + 90min, t0 + 180min}}, 24h, 180min},
      {"a gap too short is skipped", {{t0, t0 + 60min}, {t0 + 120min, t0 + 180min}}, 24h, 180min},
      {"a gap long enough is taken", {{t0, t0 + 60min}, {t0 + 150min, t0 + 180min}}, 24h, 60min},
      {"given in any order", {{t0 + 150min, t0 + 180min}, {t0, t0 + 60min}}, 24h, 60min},
      {"one visit inside another", {{t0, t0 + 4h}, {t0 + 1h, t0 + 2h}}, 24h, 240min},
      {"no room within the horizon", {{t0, t0 + 23h}}, 24h, std::nullopt},
      {"just fits the horizon", {{t0, t0 + 22h + 30min}}, 24h, 22 * 60min + 30min},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto slot = find_visit_slot(row.busy, t0, 90min, row.horizon);
    if (row.start) {
      REQUIRE(slot);
      CHECK(*slot == t0 + *row.start);
    } else {
      CHECK_FALSE(slot);
    }
  }
}

TEST_CASE("many visits in a row are passed in one go, with no fixed number of tries", "[unit][visits]") {
  std::vector<BusyInterval> busy;
  for (int i = 0; i < 200; ++i) busy.push_back({t0 + i * 30min, t0 + (i + 1) * 30min});
  auto slot = find_visit_slot(busy, t0, 90min, 7 * 24h);
  REQUIRE(slot);
  CHECK(*slot == t0 + 200 * 30min);
}
