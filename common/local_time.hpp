#pragma once
// Instants <-> local wall time, and the local dates and times people write, with one rule
// for every daemon: a wall time skipped by a DST change maps to the change itself, a repeated
// one to its first occurrence (the earliest valid instant either way). Rosters, triage
// deadlines, restraining-order days and the working-time rule's nights all go through here.
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace piket {

using LocalTime = date::local_time<std::chrono::milliseconds>;

// nullptr when the tz database does not know the zone.
const date::time_zone* find_zone(const std::string& name);
// The zone named; UTC when the tz database does not know it. Zones in config are checked at
// start-up, so this fallback only keeps a request from throwing.
const date::time_zone& zone_or_utc(const std::string& name);

LocalTime to_local(const date::time_zone& zone, TimePoint t);
TimePoint from_local(const date::time_zone& zone, LocalTime t);
// The same rule for a wall time in whole minutes (rosters, rules).
TimePoint resolve_local(const date::time_zone& zone, date::local_time<std::chrono::minutes> t);

// "HH:MM" (00:00..23:59) -> minutes after local midnight.
std::optional<std::chrono::minutes> parse_local_time(std::string_view text);
// "YYYY-MM-DD" -> a local calendar day (2026-02-30 is refused).
std::optional<date::local_days> parse_local_date(std::string_view text);

}  // namespace piket
