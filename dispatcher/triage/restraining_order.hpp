#pragma once
// The clocks of a mayor's temporary restraining order (Wet tijdelijk huisverbod): the barred
// person gives an address within 24 h (elapsed time); the order lasts 10 calendar days and may
// be extended to 28 in all (local calendar days, same wall time). Over a DST change the two
// kinds of time differ by an hour, so they are kept apart here. Pure.
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace piket::dispatcher {

// The local rule for the first contact with the family left behind (triage.toml's
// [restraining_order]): `days_after` local days after the order, at `at_minute` local time.
struct FamilyContactRule {
  int days_after = 1;
  int at_minute = 12 * 60;  // 12:00
};

struct RestrainingOrderClocks {
  TimePoint imposed_at;
  TimePoint address_due;  // imposed_at + 24 h
  TimePoint ends_at;      // 10 local calendar days later, same wall time
  TimePoint latest_end;   // 28 local calendar days later, same wall time
  TimePoint family_contact_by;  // by the FamilyContactRule

  nlohmann::json to_json() const;  // RFC 3339 UTC times
};

// A wall time that does not exist or repeats on the target day resolves to the earliest valid
// instant.
RestrainingOrderClocks restraining_order_clocks(TimePoint imposed_at, const std::string& time_zone,
                                                FamilyContactRule family_contact = {});

// An extension ends after the current end and not after the 28-day limit; invalid_field "until"
// otherwise. Returns the new end.
Result<TimePoint> check_extension(const RestrainingOrderClocks& clocks, TimePoint new_end);

}  // namespace piket::dispatcher
