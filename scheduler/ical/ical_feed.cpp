#include "scheduler/ical/ical_feed.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "common/crypto.hpp"

namespace piket::scheduler {

namespace {

using Seconds = std::chrono::seconds;
using SysSeconds = date::sys_time<Seconds>;

constexpr std::size_t kMaxOctets = 75;

std::string format_offset(Seconds offset) {
  const char sign = offset < Seconds{0} ? '-' : '+';
  const auto minutes = std::abs(std::chrono::duration_cast<std::chrono::minutes>(offset).count());
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%c%02d%02d", sign, static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return buffer;
}

std::string format_utc_basic(TimePoint t) {
  return date::format("%Y%m%dT%H%M%SZ", std::chrono::floor<Seconds>(t));
}

// The instant that the EU rule changes the clocks in `month` (March or October) of `y`.
SysSeconds eu_change(date::year y, date::month month) {
  const date::sys_days sunday{date::year_month_weekday_last{y, month, date::Sunday[date::last]}};
  return SysSeconds{sunday} + std::chrono::hours{1};
}

struct ZoneRule {
  bool has_dst = false;
  Seconds standard{0};
  Seconds daylight{0};
  std::string standard_name;
  std::string daylight_name;
};

int year_of(TimePoint t) {
  return static_cast<int>(date::year_month_day{std::chrono::floor<date::days>(t)}.year());
}

ZoneRule zone_rule(const date::time_zone& zone, const std::vector<Shift>& shifts, TimePoint now) {
  std::set<int> years;
  for (const auto& s : shifts) {
    years.insert(year_of(s.start));
    years.insert(year_of(s.end));
  }
  // The EU rule holds from 1996 on; a default `now` (1970) must not pick an older year.
  const int reference = years.empty() ? std::max(year_of(now), 1996) : *years.begin();
  const date::year ry{reference};
  const auto january = zone.get_info(SysSeconds{date::sys_days{ry / date::January / 15}});
  const auto july = zone.get_info(SysSeconds{date::sys_days{ry / date::July / 15}});
  ZoneRule rule;
  rule.standard = january.offset;
  rule.standard_name = january.abbrev;
  rule.daylight = july.offset;
  rule.daylight_name = july.abbrev;
  rule.has_dst = january.offset != july.offset;
  if (years.empty()) years.insert(reference);
  for (int y : years) {
    const date::year yy{y};
    if (!rule.has_dst) {
      const auto info = zone.get_info(SysSeconds{date::sys_days{yy / date::January / 1}});
      if (info.offset != rule.standard ||
          info.end < SysSeconds{date::sys_days{(yy + date::years{1}) / date::January / 1}})
        throw std::invalid_argument("time zone " + zone.name() + " changes offset in " +
                                    std::to_string(y) +
                                    "; only fixed or EU-rule zones are supported");
      continue;
    }
    const auto spring = zone.get_info(eu_change(yy, date::March));
    const auto autumn = zone.get_info(eu_change(yy, date::October));
    if (spring.begin != eu_change(yy, date::March) || spring.offset != rule.daylight ||
        autumn.begin != eu_change(yy, date::October) || autumn.offset != rule.standard)
      throw std::invalid_argument("time zone " + zone.name() +
                                  " does not follow the EU DST rule in " + std::to_string(y));
  }
  return rule;
}

void line(std::string& out, std::string_view content) { out += fold_line(content); }

void vtimezone(std::string& out, const date::time_zone& zone, const ZoneRule& rule) {
  line(out, "BEGIN:VTIMEZONE");
  line(out, "TZID:" + std::string(zone.name()));
  line(out, "X-LIC-LOCATION:" + std::string(zone.name()));
  if (!rule.has_dst) {
    line(out, "BEGIN:STANDARD");
    line(out, "TZOFFSETFROM:" + format_offset(rule.standard));
    line(out, "TZOFFSETTO:" + format_offset(rule.standard));
    line(out, "TZNAME:" + escape_text(rule.standard_name));
    line(out, "DTSTART:19700101T000000");
    line(out, "END:STANDARD");
    line(out, "END:VTIMEZONE");
    return;
  }
  // DTSTART of an observance is the local time of the change in the offset before it:
  // 01:00 UTC is 02:00 CET in March and 03:00 CEST in October.
  const auto local_change = [](date::year y, date::month m, Seconds from) {
    return date::format("%Y%m%dT%H%M%S", eu_change(y, m) + from);
  };
  line(out, "BEGIN:DAYLIGHT");
  line(out, "TZOFFSETFROM:" + format_offset(rule.standard));
  line(out, "TZOFFSETTO:" + format_offset(rule.daylight));
  line(out, "TZNAME:" + escape_text(rule.daylight_name));
  line(out, "DTSTART:" + local_change(date::year{1970}, date::March, rule.standard));
  line(out, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
  line(out, "END:DAYLIGHT");
  line(out, "BEGIN:STANDARD");
  line(out, "TZOFFSETFROM:" + format_offset(rule.daylight));
  line(out, "TZOFFSETTO:" + format_offset(rule.standard));
  line(out, "TZNAME:" + escape_text(rule.standard_name));
  line(out, "DTSTART:" + local_change(date::year{1970}, date::October, rule.daylight));
  line(out, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
  line(out, "END:STANDARD");
  line(out, "END:VTIMEZONE");
}

// "DTSTART;TZID=Europe/Amsterdam:20261024T230000", or the UTC form for an instant in the
// repeated autumn hour: RFC 5545 reads such a local time as its first pass, ical.js (Thunderbird)
// as its second, so only UTC means the same instant to every client.
std::string date_time(std::string_view name, const date::time_zone& zone, TimePoint t) {
  const auto instant = std::chrono::floor<Seconds>(t);
  const auto local = zone.to_local(instant);
  if (zone.get_info(local).result != date::local_info::unique)
    return std::string(name) + ":" + format_utc_basic(t);
  return std::string(name) + ";TZID=" + std::string(zone.name()) + ":" +
         date::format("%Y%m%dT%H%M%S", local);
}

std::string role_words(std::string role) {
  for (auto& c : role)
    if (c == '_') c = ' ';
  return role;
}

}  // namespace

std::string event_uid(const Shift& shift) {
  // Unit separators keep ("ab","c") and ("a","bc") apart.
  std::string key;
  for (const std::string_view part :
       {std::string_view(shift.worker_id), std::string_view(shift.region),
        std::string_view(shift.role), duty_name(shift.duty), std::string_view(shift.source)}) {
    key += part;
    key += '\x1f';
  }
  key += std::to_string(to_unix_ms(shift.start));
  return sha256_hex(key).substr(0, 32) + "@piket";
}

std::string event_summary(const Shift& shift, const IcalOptions& options) {
  const auto named = options.region_names.find(shift.region);
  const std::string& region = named == options.region_names.end() ? shift.region : named->second;
  std::string text = shift.duty == DutyType::on_call ? "On call: " : "Shift: ";
  text += region + " " + role_words(shift.role);
  text += shift.position == 0 ? " (primary)" : " (backup " + std::to_string(shift.position) + ")";
  return text;
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fold_line(std::string_view content) {
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    // A continuation line starts with a space, which counts towards its 75 octets.
    const std::size_t room = first ? kMaxOctets : kMaxOctets - 1;
    if (content.size() - pos <= room) {
      if (!first) out += ' ';
      out.append(content.substr(pos));
      out += "\r\n";
      return out;
    }
    std::size_t cut = pos + room;
    // Never between the bytes of one UTF-8 character (continuation bytes have the top bits 10).
    while (cut > pos && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80) --cut;
    if (cut == pos) cut = pos + room;  // not UTF-8 at all: cut where the octets run out
    if (!first) out += ' ';
    out.append(content.substr(pos, cut - pos));
    out += "\r\n";
    pos = cut;
    first = false;
  }
}

std::string render_ical(const std::vector<Shift>& shifts, const IcalOptions& options) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(options.time_zone);
  } catch (const std::runtime_error&) {
    throw std::invalid_argument("unknown time zone " + options.time_zone);
  }
  const ZoneRule rule = zone_rule(*zone, shifts, options.now);
  const std::string stamp = format_utc_basic(options.now);

  std::string out;
  line(out, "BEGIN:VCALENDAR");
  line(out, "VERSION:2.0");
  line(out, "PRODID:" + options.product_id);
  line(out, "CALSCALE:GREGORIAN");
  line(out, "METHOD:PUBLISH");
  line(out, "X-WR-CALNAME:" + escape_text(options.calendar_name));
  line(out, "X-WR-TIMEZONE:" + options.time_zone);
  vtimezone(out, *zone, rule);
  for (const auto& shift : shifts) {
    const std::string uid = event_uid(shift);
    line(out, "BEGIN:VEVENT");
    line(out, "UID:" + uid);
    line(out, "DTSTAMP:" + stamp);
    line(out, date_time("DTSTART", *zone, shift.start));
    line(out, date_time("DTEND", *zone, shift.end));
    line(out, "SUMMARY:" + escape_text(event_summary(shift, options)));
    line(out, "SEQUENCE:" + std::to_string(options.sequence_of ? options.sequence_of(uid) : 0));
    line(out, "STATUS:CONFIRMED");
    line(out, "TRANSP:OPAQUE");
    line(out, std::string("CATEGORIES:") + (shift.duty == DutyType::on_call ? "ON_CALL" : "SHIFT"));
    line(out, "END:VEVENT");
  }
  line(out, "END:VCALENDAR");
  return out;
}

}  // namespace piket::scheduler
