#include "tests/support/test_clock.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace piket::test {

TimePoint weekday_afternoon() {
  TimePoint at;
  parse_utc("2026-12-02T13:00:00Z", at);
  return at;
}

void set_daemon_clock(const std::string& file, TimePoint at) {
  const std::int64_t offset_ms = to_unix_ms(at) - to_unix_ms(SystemClock{}.now());
  // Written aside and renamed, so a daemon never reads half a number.
  {
    std::ofstream out{file + ".tmp"};
    out << offset_ms << "\n";
  }
  std::filesystem::rename(file + ".tmp", file);
  ::setenv("PIKET_TEST_CLOCK_FILE", file.c_str(), 1);
}

}  // namespace piket::test
