#include "common/clock.hpp"

#include <date/date.h>

#include <sstream>

namespace piket {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

TimePoint ManualClock::now() const { return from_unix_ms(now_ms_.load()); }

std::int64_t to_unix_ms(TimePoint t) { return t.time_since_epoch().count(); }

TimePoint from_unix_ms(std::int64_t ms) { return TimePoint{std::chrono::milliseconds{ms}}; }

std::string format_utc(TimePoint t) { return date::format("%FT%TZ", t); }

bool parse_utc(const std::string& text, TimePoint& out) {
  for (const char* fmt : {"%FT%T%Ez", "%FT%TZ"}) {
    std::istringstream in{text};
    TimePoint parsed;
    in >> date::parse(fmt, parsed);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      out = parsed;
      return true;
    }
  }
  return false;
}

}  // namespace piket
