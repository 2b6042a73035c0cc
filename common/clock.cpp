#include "common/clock.hpp"

#include <date/date.h>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace piket {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

TimePoint ManualClock::now() const { return from_unix_ms(now_ms_.load()); }

TimePoint OffsetFileClock::now() const {
  struct stat info {};
  std::lock_guard lock{mutex_};
  if (::stat(path_.c_str(), &info) == 0) {
    const std::int64_t changed = std::int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec;
    if (changed != seen_change_ns_) {
      std::ifstream in{path_};
      std::int64_t offset = 0;
      if (in >> offset) {  // a half-written file keeps the old offset and is read again
        offset_ms_ = offset;
        seen_change_ns_ = changed;
      }
    }
  }
  return SystemClock{}.now() + std::chrono::milliseconds{offset_ms_};
}

std::unique_ptr<Clock> make_daemon_clock() {
  const char* file = std::getenv("PIKET_TEST_CLOCK_FILE");
  if (file && *file) {
    // Loud on purpose: a moved clock in production would move every deadline.
    std::fprintf(stderr, "warning: PIKET_TEST_CLOCK_FILE=%s moves this daemon's clock (tests only)\n", file);
    return std::make_unique<OffsetFileClock>(file);
  }
  return std::make_unique<SystemClock>();
}

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
