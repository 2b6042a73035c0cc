// What an acceptance decides on its snapshot: the guard it carries, and the visit slot only when
// it completes the report — after the slowest travel time, around the workers' other visits.
#include <catch.hpp>

#include "dispatcher/visits/acceptance.hpp"

using namespace std::chrono_literals;
using piket::dispatcher::AcceptContext;
using piket::dispatcher::decide_acceptance;

namespace {
const piket::TimePoint t0 = piket::from_unix_ms(1796212800000);  // 2026-12-02T13:20:00Z
std::int64_t at(std::chrono::minutes m) { return piket::to_unix_ms(t0 + m); }

AcceptContext context(int needed, std::vector<std::chrono::minutes> travel,
                      std::vector<std::pair<std::int64_t, std::int64_t>> busy = {}) {
  AcceptContext c;
  c.exists = true;
  c.state = "alerted";
  c.report_state = "alerting";
  c.round = 2;
  c.needed = needed;
  c.visit_required = true;
  for (std::size_t i = 0; i < travel.size(); ++i) c.accepted.push_back({"w-" + std::to_string(i), travel[i], 0});
  c.busy = std::move(busy);
  return c;
}
}  // namespace

TEST_CASE("an acceptance carries what it read and plans the visit only when it completes the report",
          "[unit][visits]") {
  struct Row {
    const char* what;
    AcceptContext context;
    std::optional<std::chrono::minutes> start;  // after t0
  };
  auto no_visit = context(1, {15min});
  no_visit.visit_required = false;
  const std::vector<Row> rows{
      {"one of two accepted: no visit yet", context(2, {15min}), std::nullopt},
      {"a class without a visit", no_visit, std::nullopt},
      {"alone: after the travel time", context(1, {15min}), 15min},
      {"a pair: after the slower one's travel", context(2, {10min, 25min}), 25min},
      {"after another visit of one of them", context(2, {10min, 25min}, {{at(0min), at(60min)}}), 60min},
      {"no room within the day: right after the last visit", context(1, {0min}, {{at(0min), at(24 * 60min)}}),
       24 * 60min},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto d = decide_acceptance(row.context, t0, 90min, 24h);
    CHECK(d.state == "alerting");
    CHECK(d.round == 2);
    CHECK(d.accepted_seen == static_cast<int>(row.context.accepted.size()));
    CHECK(d.visit_start == (row.start ? std::optional(t0 + *row.start) : std::nullopt));
  }
}
