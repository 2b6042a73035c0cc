#pragma once
// RFC 5545 iCalendar feed of shifts, for the calendar apps of the workers (read-only
// subscription). Pure: text in, text out; the caller stores each event's SEQUENCE and bumps it
// when a shift changes, so clients replace the event instead of showing it twice.
//
// Times: DTSTART/DTEND carry the wall-clock time with TZID and a VTIMEZONE built from the tz
// database (EU rule: last Sunday of March and October at 01:00 UTC). An instant in the repeated
// autumn hour is written in UTC ("Z"): RFC 5545 reads an ambiguous local time as its first
// occurrence, but ical.js reads it as the second, so a local time there is not safe.
// Events never carry client data: who, which region and role, and when.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

struct IcalOptions {
  std::string calendar_name = "Piket roster";  // X-WR-CALNAME
  std::string time_zone = "Europe/Amsterdam";  // IANA name; must follow the EU DST rule
  std::string product_id = "-//Piket//Roster//EN";
  TimePoint now{};  // DTSTAMP of every event
  // SEQUENCE of the event with this UID; absent: 0.
  std::function<int(const std::string& uid)> sequence_of;
  // Region id -> display name for SUMMARY ("eemland" -> "Eemland"); absent: the id.
  std::map<std::string, std::string> region_names;
};

// Stable for the same duty: a hash of worker, region, role, duty, source and start instant,
// plus "@piket". Position and end are left out so that extending a shift keeps its UID.
std::string event_uid(const Shift& shift);

// "On call: Eemland crisis worker (primary)", "Shift: Eemland team lead (backup 1)".
std::string event_summary(const Shift& shift, const IcalOptions& options);

// TEXT value escaping: backslash, semicolon, comma, newline (CR dropped).
std::string escape_text(std::string_view text);

// One content line folded at 75 octets (continuations start with a space), never inside a
// UTF-8 character, each physical line ended by CRLF.
std::string fold_line(std::string_view line);

// The whole VCALENDAR. Throws std::invalid_argument when options.time_zone is unknown or does
// not follow the EU DST rule in the years of the shifts (a configuration error).
std::string render_ical(const std::vector<Shift>& shifts, const IcalOptions& options);

}  // namespace piket::scheduler
