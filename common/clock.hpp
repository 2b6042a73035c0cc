#pragma once
// All time in Piket is read from a Clock, so tests can set and advance it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace piket {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  using Listener = std::function<void()>;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Calls `moved` (from any thread) whenever the clock jumps, so that whoever sleeps until a
  // deadline can compute the sleep again. The system clock never jumps this way. The listener
  // is called until the returned handle is destroyed.
  virtual std::shared_ptr<void> on_moved(Listener moved) const;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

// The listeners of a clock that can jump.
class MoveListeners {
 public:
  std::shared_ptr<void> add(Clock::Listener moved);
  void notify() const;

 private:
  struct Entry;
  mutable std::mutex mutex_;
  mutable std::list<std::weak_ptr<Entry>> entries_;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override;
  std::shared_ptr<void> on_moved(Listener moved) const override { return listeners_.add(std::move(moved)); }
  void set(TimePoint t);
  void advance(std::chrono::milliseconds d);

 private:
  std::atomic<std::int64_t> now_ms_;
  mutable MoveListeners listeners_;
};

// The system clock moved by an offset read from a file (milliseconds, one integer), re-read
// whenever the file changes. Only for end-to-end tests that must move the daemons' time (a
// night, a DST change, an escalation ladder) without waiting: PIKET_TEST_CLOCK_FILE turns it on
// in builds made with PIKET_TEST_CLOCK. A thread watches the file (inotify) and tells the
// listeners at once when the offset changes.
class OffsetFileClock final : public Clock {
 public:
  explicit OffsetFileClock(std::string path);
  ~OffsetFileClock() override;
  TimePoint now() const override;
  std::shared_ptr<void> on_moved(Listener moved) const override { return listeners_.add(std::move(moved)); }

 private:
  void watch();
  bool reread() const;  // true when the offset changed

  std::string path_;
  mutable std::mutex mutex_;
  mutable std::int64_t seen_change_ns_ = -1;
  mutable std::int64_t offset_ms_ = 0;
  mutable MoveListeners listeners_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread watcher_;
};

// SystemClock, or OffsetFileClock when PIKET_TEST_CLOCK_FILE names a file (test builds only).
std::unique_ptr<Clock> make_daemon_clock();

std::int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(std::int64_t ms);
// RFC 3339 in UTC with milliseconds: 2026-11-26T04:02:44.123Z
std::string format_utc(TimePoint t);
// Parses RFC 3339 with a Z or numeric offset; false on anything else.
bool parse_utc(const std::string& text, TimePoint& out);

}  // namespace piket
