#pragma once
// The clock of a test: every test starts at a time it names, never at the wall clock's.
#include <string>

#include "common/clock.hpp"

namespace piket::test {

// Wednesday 2 December 2026, 14:00 in Amsterdam: a working day, day shifts on, no night rules.
TimePoint weekday_afternoon();

// Sets the clock of daemons started from now on by this process (through
// PIKET_TEST_CLOCK_FILE, which names `file`): they read `at` now and run on from there. Called
// again, it moves them at once.
void set_daemon_clock(const std::string& file, TimePoint at);

}  // namespace piket::test
