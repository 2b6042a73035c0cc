#include "dispatcher/triage/local_time.hpp"

#include <stdexcept>

namespace piket::dispatcher {

const date::time_zone& zone_or_utc(const std::string& name) {
  try {
    return *date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return *date::locate_zone("UTC");
  }
}

LocalTime to_local(const date::time_zone& zone, TimePoint t) { return zone.to_local(t); }

TimePoint from_local(const date::time_zone& zone, LocalTime t) {
  return zone.to_sys(t, date::choose::earliest);
}

}  // namespace piket::dispatcher
