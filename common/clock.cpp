#include "common/clock.hpp"

#include <date/date.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace piket {

std::shared_ptr<void> Clock::on_moved(Listener) const { return nullptr; }

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

struct MoveListeners::Entry {
  Clock::Listener moved;
};

std::shared_ptr<void> MoveListeners::add(Clock::Listener moved) {
  auto entry = std::make_shared<Entry>(Entry{std::move(moved)});
  std::lock_guard lock{mutex_};
  entries_.push_back(entry);
  return entry;
}

void MoveListeners::notify() const {
  std::vector<std::shared_ptr<Entry>> alive;
  {
    std::lock_guard lock{mutex_};
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (auto entry = it->lock()) {
        alive.push_back(std::move(entry));
        ++it;
      } else {
        it = entries_.erase(it);
      }
    }
  }
  for (const auto& entry : alive) entry->moved();  // outside the lock: a listener may add one
}

TimePoint ManualClock::now() const { return from_unix_ms(now_ms_.load()); }

void ManualClock::set(TimePoint t) {
  now_ms_ = t.time_since_epoch().count();
  listeners_.notify();
}

void ManualClock::advance(std::chrono::milliseconds d) {
  now_ms_ += d.count();
  listeners_.notify();
}

OffsetFileClock::OffsetFileClock(std::string path) : path_(std::move(path)) {
  reread();
  const std::filesystem::path file{path_};
  const std::string folder = file.has_parent_path() ? file.parent_path().string() : ".";
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // The folder, not the file: the file is replaced by a rename.
  if (inotify_fd_ >= 0 && stop_fd_ >= 0 &&
      ::inotify_add_watch(inotify_fd_, folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) >= 0) {
    watcher_ = std::thread([this] { watch(); });
  } else {
    std::fprintf(stderr, "warning: cannot watch %s; a moved test clock is seen at the next poll\n",
                 path_.c_str());
  }
}

OffsetFileClock::~OffsetFileClock() {
  if (watcher_.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(stop_fd_, &one, sizeof one);
    watcher_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void OffsetFileClock::watch() {
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    while (::read(inotify_fd_, buffer, sizeof buffer) > 0) {
    }
    if (reread()) listeners_.notify();
  }
}

bool OffsetFileClock::reread() const {
  struct stat info {};
  std::lock_guard lock{mutex_};
  if (::stat(path_.c_str(), &info) != 0) return false;
  const std::int64_t changed = std::int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec;
  if (changed == seen_change_ns_) return false;
  std::ifstream in{path_};
  std::int64_t offset = 0;
  if (!(in >> offset)) return false;  // a half-written file keeps the old offset and is read again
  seen_change_ns_ = changed;
  const bool moved = offset != offset_ms_;
  offset_ms_ = offset;
  return moved;
}

TimePoint OffsetFileClock::now() const {
  // Read on every call too, so a request sent right after the test moved the clock sees it.
  if (reread()) listeners_.notify();
  std::lock_guard lock{mutex_};
  return SystemClock{}.now() + std::chrono::milliseconds{offset_ms_};
}

std::unique_ptr<Clock> make_daemon_clock() {
#ifdef PIKET_TEST_CLOCK
  const char* file = std::getenv("PIKET_TEST_CLOCK_FILE");
  if (file && *file) {
    // Loud on purpose: a moved clock in production would move every deadline.
    std::fprintf(stderr, "warning: PIKET_TEST_CLOCK_FILE=%s moves this daemon's clock (tests only)\n", file);
    return std::make_unique<OffsetFileClock>(file);
  }
#else
  // A production build never moves its clock; set by mistake, the variable stops the start
  // rather than being ignored in silence.
  if (const char* file = std::getenv("PIKET_TEST_CLOCK_FILE"); file && *file) {
    std::fprintf(stderr, "error: PIKET_TEST_CLOCK_FILE is set, but this is a production build: its "
                         "clock cannot be moved; unset it\n");
    std::exit(2);
  }
#endif
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
