// The iCalendar feed of shifts: RFC 5545 line format, escaping, stable UIDs and wall-clock
// times over the DST changes. tests/integration/test_ical_with_icaljs.cpp has ical.js read it.
#include <algorithm>
#include <catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "scheduler/ical/ical_feed.hpp"

namespace {

using piket::TimePoint;
using piket::scheduler::DutyType;
using piket::scheduler::IcalOptions;
using piket::scheduler::Shift;
namespace sch = piket::scheduler;

TimePoint utc(const char* text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

Shift night(const char* start, const char* end) {
  Shift s;
  s.worker_id = "w-em-01";
  s.region = "eemland";
  s.role = piket::kRoleCrisisWorker;
  s.duty = DutyType::on_call;
  s.start = utc(start);
  s.end = utc(end);
  s.source = "rotation:night-eemland";
  return s;
}

IcalOptions options() {
  IcalOptions o;
  o.calendar_name = "Piket: Eemland";
  o.now = utc("2026-03-01T12:00:00Z");
  o.region_names = {{"eemland", "Eemland"}};
  return o;
}

// Physical lines, without their CRLF.
std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// Content lines after unfolding (RFC 5545 3.1).
std::vector<std::string> content_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (const auto& l : physical_lines(text)) {
    if (!l.empty() && l[0] == ' ')
      lines.back() += l.substr(1);
    else
      lines.push_back(l);
  }
  return lines;
}

// True when `text` is a sequence of complete UTF-8 characters.
bool whole_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// The first content line starting with `name`: in the first VEVENT for event properties,
// else in the calendar itself.
std::string value_of(const std::string& text, const std::string& name) {
  const auto lines = content_lines(text);
  auto from = std::find(lines.begin(), lines.end(), std::string("BEGIN:VEVENT"));
  if (name.rfind("X-WR-", 0) == 0) from = lines.begin();
  for (auto it = from; it != lines.end(); ++it)
    if (it->rfind(name, 0) == 0) return *it;
  return "";
}

}  // namespace

TEST_CASE("every line of the feed ends with CRLF and no bare LF or CR remains", "[unit][ical]") {
  const auto text =
      sch::render_ical({night("2026-03-10T22:00:00Z", "2026-03-11T07:00:00Z")}, options());
  REQUIRE(text.size() > 2);
  CHECK(text.substr(text.size() - 2) == "\r\n");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') CHECK((i > 0 && text[i - 1] == '\r'));
    if (text[i] == '\r') CHECK((i + 1 < text.size() && text[i + 1] == '\n'));
  }
  const auto lines = content_lines(text);
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  for (const char* expected :
       {"VERSION:2.0", "PRODID:-//Piket//Roster//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "X-WR-CALNAME:Piket: Eemland", "X-WR-TIMEZONE:Europe/Amsterdam", "TZID:Europe/Amsterdam",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "TZNAME:CET", "TZNAME:CEST", "DTSTAMP:20260301T120000Z", "SEQUENCE:0", "STATUS:CONFIRMED",
        "TRANSP:OPAQUE", "CATEGORIES:ON_CALL",
        "SUMMARY:On call: Eemland crisis worker (primary)"}) {
    INFO(expected);
    CHECK(std::find(lines.begin(), lines.end(), std::string(expected)) != lines.end());
  }
}

TEST_CASE("long lines are folded at 75 octets without splitting a UTF-8 character",
          "[unit][ical]") {
  IcalOptions o = options();
  std::string name;
  for (int i = 0; i < 12; ++i) name += "Gooi en Vechtstreek – Eemnes ëüé 😀 ";
  o.region_names["eemland"] = name;
  const auto text = sch::render_ical({night("2026-03-10T22:00:00Z", "2026-03-11T07:00:00Z")}, o);

  int continuations = 0;
  for (const auto& l : physical_lines(text)) {
    INFO(l);
    CHECK(l.size() <= 75);
    if (!l.empty() && l[0] == ' ') {
      ++continuations;
      // The first octet after the space starts a character: its top bits are never 10.
      REQUIRE(l.size() > 1);
      CHECK((static_cast<unsigned char>(l[1]) & 0xC0) != 0x80);
    }
    // And every physical line holds whole characters only.
    CHECK(whole_utf8(l));
  }
  CHECK(continuations >= 6);
  CHECK(value_of(text, "SUMMARY:") == "SUMMARY:On call: " + name + " crisis worker (primary)");
}

TEST_CASE("a line of multi-byte characters folds before a character, not inside it",
          "[unit][ical]") {
  std::string line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) line += "é";  // 2 octets each
  const auto folded = sch::fold_line(line);
  const auto lines = physical_lines(folded);
  REQUIRE(lines.size() == 2);
  // 8 ASCII octets + 33 characters = 74 octets: the 34th would make 76.
  CHECK(lines[0].size() == 74);
  CHECK(lines[1].substr(1).size() == 120 - 66);
  CHECK(lines[0] + lines[1].substr(1) == line);
}

TEST_CASE("text values escape backslash, semicolon, comma and newline", "[unit][ical]") {
  CHECK(sch::escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf");
  IcalOptions o = options();
  o.calendar_name = "Eemland, nacht; \\team\nB";
  o.region_names["eemland"] = "Eemland, Soest";
  const auto text = sch::render_ical({night("2026-03-10T22:00:00Z", "2026-03-11T07:00:00Z")}, o);
  CHECK(value_of(text, "X-WR-CALNAME:") == "X-WR-CALNAME:Eemland\\, nacht\\; \\\\team\\nB");
  CHECK(value_of(text, "SUMMARY:") == "SUMMARY:On call: Eemland\\, Soest crisis worker (primary)");
}

TEST_CASE("the same duty keeps its UID and a different duty gets another", "[unit][ical]") {
  const Shift a = night("2026-03-10T22:00:00Z", "2026-03-11T07:00:00Z");
  Shift same = a;
  same.why = "explained differently";
  same.end = utc("2026-03-11T08:00:00Z");  // extended: still the same event, with a new SEQUENCE
  CHECK(sch::event_uid(a) == sch::event_uid(same));
  CHECK(sch::event_uid(a).size() == 32 + 6);
  CHECK(sch::event_uid(a).substr(32) == "@piket");

  Shift other_worker = a;
  other_worker.worker_id = "w-em-02";
  Shift other_start = a;
  other_start.start = utc("2026-03-11T22:00:00Z");
  Shift other_duty = a;
  other_duty.duty = DutyType::shift;
  Shift other_role = a;
  other_role.role = piket::kRoleTeamLead;
  Shift other_source = a;
  other_source.source = "override:o-7";
  Shift other_region = a;
  other_region.region = "utrecht-stad";
  for (const Shift* s :
       {&other_worker, &other_start, &other_duty, &other_role, &other_source, &other_region})
    CHECK(sch::event_uid(*s) != sch::event_uid(a));
}

TEST_CASE("each event carries the SEQUENCE the caller keeps for its UID", "[unit][ical]") {
  const Shift a = night("2026-03-10T22:00:00Z", "2026-03-11T07:00:00Z");
  IcalOptions o = options();
  o.sequence_of = [&](const std::string& uid) { return uid == sch::event_uid(a) ? 3 : 0; };
  const auto text = sch::render_ical({a}, o);
  CHECK(value_of(text, "SEQUENCE:") == "SEQUENCE:3");
  CHECK(value_of(text, "UID:") == "UID:" + sch::event_uid(a));
}

TEST_CASE("a night over the October 2026 DST change runs 23:00 to 08:00 local time",
          "[unit][ical]") {
  // 23:00 CEST is 21:00 UTC; 08:00 CET is 07:00 UTC: ten hours.
  const auto text =
      sch::render_ical({night("2026-10-24T21:00:00Z", "2026-10-25T07:00:00Z")}, options());
  CHECK(value_of(text, "DTSTART") == "DTSTART;TZID=Europe/Amsterdam:20261024T230000");
  CHECK(value_of(text, "DTEND") == "DTEND;TZID=Europe/Amsterdam:20261025T080000");
}

TEST_CASE("a night over the March 2026 DST change runs 23:00 to 08:00 local time", "[unit][ical]") {
  const auto text =
      sch::render_ical({night("2026-03-28T22:00:00Z", "2026-03-29T06:00:00Z")}, options());
  CHECK(value_of(text, "DTSTART") == "DTSTART;TZID=Europe/Amsterdam:20260328T230000");
  CHECK(value_of(text, "DTEND") == "DTEND;TZID=Europe/Amsterdam:20260329T080000");
}

TEST_CASE("an instant in the repeated autumn hour is written in UTC so it is not misread",
          "[unit][ical]") {
  // 02:30 happens twice on 25 October 2026 (00:30 and 01:30 UTC); clients disagree on which
  // one a local 02:30 names.
  const auto text =
      sch::render_ical({night("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")}, options());
  CHECK(value_of(text, "DTSTART") == "DTSTART:20261025T003000Z");
  CHECK(value_of(text, "DTEND") == "DTEND:20261025T013000Z");
}

TEST_CASE("a shift on duty, a backup and a shift duty are labelled apart", "[unit][ical]") {
  Shift s = night("2026-03-10T07:00:00Z", "2026-03-10T15:00:00Z");
  s.duty = DutyType::shift;
  s.position = 1;
  s.role = piket::kRoleTeamLead;
  const auto text = sch::render_ical({s}, options());
  CHECK(value_of(text, "SUMMARY:") == "SUMMARY:Shift: Eemland team lead (backup 1)");
  CHECK(value_of(text, "CATEGORIES:") == "CATEGORIES:SHIFT");
}

TEST_CASE("a time zone that is unknown is refused", "[unit][ical]") {
  IcalOptions o = options();
  o.time_zone = "Europe/Atlantis";
  CHECK_THROWS_AS(sch::render_ical({}, o), std::invalid_argument);
}
