#pragma once
// Instants <-> a region's local wall time. Triage deadlines and restraining-order days are local
// calendar days, so every conversion goes through here with one rule for DST gaps and overlaps.
#include <date/tz.h>

#include <chrono>
#include <string>

#include "common/clock.hpp"

namespace piket::dispatcher {

using LocalTime = date::local_time<std::chrono::milliseconds>;

// The zone named; UTC when the tz database does not know it. Region zones are checked at
// start-up, so this fallback only keeps a request from throwing.
const date::time_zone& zone_or_utc(const std::string& name);

LocalTime to_local(const date::time_zone& zone, TimePoint t);
// A wall time skipped by a DST change maps to the change itself, a repeated one to its first
// occurrence: the earliest valid instant either way.
TimePoint from_local(const date::time_zone& zone, LocalTime t);

}  // namespace piket::dispatcher
