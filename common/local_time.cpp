#include "common/local_time.hpp"

#include <cctype>
#include <stdexcept>

namespace piket {

namespace {
bool digits(std::string_view text, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  return true;
}

int number(std::string_view text, std::size_t from, std::size_t count) {
  int n = 0;
  for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (text[i] - '0');
  return n;
}
}  // namespace

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return nullptr;
  }
}

const date::time_zone& zone_or_utc(const std::string& name) {
  const date::time_zone* zone = find_zone(name);
  return zone ? *zone : *date::locate_zone("UTC");
}

LocalTime to_local(const date::time_zone& zone, TimePoint t) { return zone.to_local(t); }

TimePoint from_local(const date::time_zone& zone, LocalTime t) {
  return zone.to_sys(t, date::choose::earliest);
}

TimePoint resolve_local(const date::time_zone& zone, date::local_time<std::chrono::minutes> t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(zone.to_sys(t, date::choose::earliest));
}

std::optional<std::chrono::minutes> parse_local_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !digits(text, 0, 2) || !digits(text, 3, 2))
    return std::nullopt;
  const int hours = number(text, 0, 2);
  const int minutes = number(text, 3, 2);
  if (hours > 23 || minutes > 59) return std::nullopt;
  return std::chrono::minutes{hours * 60 + minutes};
}

std::optional<date::local_days> parse_local_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4) ||
      !digits(text, 5, 2) || !digits(text, 8, 2))
    return std::nullopt;
  const date::year_month_day ymd{date::year{number(text, 0, 4)},
                                 date::month{static_cast<unsigned>(number(text, 5, 2))},
                                 date::day{static_cast<unsigned>(number(text, 8, 2))}};
  if (!ymd.ok()) return std::nullopt;  // 2026-02-30
  return date::local_days{ymd};
}

}  // namespace piket
