#pragma once
// All time in Piket is read from a Clock, so tests can set and advance it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace piket {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override;
  void set(TimePoint t) { now_ms_ = t.time_since_epoch().count(); }
  void advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

// The system clock moved by an offset read from a file (milliseconds, one integer), re-read
// whenever the file changes. Only for end-to-end tests that must move the daemons' time (a
// night, a DST change, an escalation ladder) without waiting: PIKET_TEST_CLOCK_FILE turns it on.
class OffsetFileClock final : public Clock {
 public:
  explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
  TimePoint now() const override;

 private:
  std::string path_;
  mutable std::mutex mutex_;
  mutable std::int64_t seen_change_ns_ = -1;
  mutable std::int64_t offset_ms_ = 0;
};

// SystemClock, or OffsetFileClock when PIKET_TEST_CLOCK_FILE names a file.
std::unique_ptr<Clock> make_daemon_clock();

std::int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(std::int64_t ms);
// RFC 3339 in UTC with milliseconds: 2026-11-26T04:02:44.123Z
std::string format_utc(TimePoint t);
// Parses RFC 3339 with a Z or numeric offset; false on anything else.
bool parse_utc(const std::string& text, TimePoint& out);

}  // namespace piket
