#pragma once
// The scheduler's changeable roster parts in Redis: overrides, leave and swaps. Redis is the
// truth; the scheduler keeps a copy in memory and reloads it on (re)connect.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <boost/asio/awaitable.hpp>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/redis/client.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

struct StoredRoster {
  std::vector<Rotation> rotations;  // empty until seeded from config/ at the first start
  std::vector<Override> overrides;
  std::vector<Leave> leave;
  std::vector<SwapRequest> swaps;
  std::int64_t version = 0;
};

class RosterStore {
 public:
  RosterStore(redis::Client& client, const RegionDirectory& regions, const WorkerDirectory& workers)
      : client_(client), regions_(regions), workers_(workers) {}

  boost::asio::awaitable<Result<StoredRoster>> load();
  boost::asio::awaitable<Result<std::int64_t>> put(const Rotation& r, TimePoint now, const std::string& actor);
  // The first start: the rotations of config/ become the stored ones, in one step.
  boost::asio::awaitable<Result<std::int64_t>> seed_rotations(const std::vector<Rotation>& rotations,
                                                              TimePoint now);
  boost::asio::awaitable<Result<std::int64_t>> remove_rotation(const std::string& id, TimePoint now,
                                                               const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> put(const Override& o, TimePoint now, const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> put(const Leave& l, TimePoint now, const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> put(const SwapRequest& s, TimePoint now, const std::string& actor);
  // Several overrides in one atomic step (a CSV import is all or nothing).
  boost::asio::awaitable<Result<std::int64_t>> put_overrides(
      const std::vector<std::pair<std::string, std::string>>& id_json, TimePoint now,
      const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> remove_override(const std::string& id, TimePoint now, const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> remove_leave(const std::string& id, TimePoint now, const std::string& actor);
  // SEQUENCE per event uid, bumped where the fingerprint changed since the last feed.
  boost::asio::awaitable<Result<std::vector<int>>> sequences(
      const std::vector<std::pair<std::string, std::string>>& uid_fingerprints);
  // The instant up to which hand-offs were announced ("" when never).
  boost::asio::awaitable<Result<std::string>> handoffs_until();
  // The incoming worker acknowledges a hand-off notice: true when it changed now.
  boost::asio::awaitable<Result<bool>> acknowledge_handoff(const std::string& id,
                                                           const std::string& worker, TimePoint now);
  // Hand-offs announced since `since`, newest first, as stored (strings).
  boost::asio::awaitable<Result<std::vector<nlohmann::json>>> handoffs_since(TimePoint since, int limit);
  // Moves it from `expected` to `until` and queues the notices, or answers -1 when another
  // scheduler did so first.
  boost::asio::awaitable<Result<std::int64_t>> announce_handoffs(const std::string& expected,
                                                                 TimePoint until,
                                                                 const std::vector<std::string>& notices);
  boost::asio::awaitable<Result<std::string>> ical_token_target(const std::string& token);
  boost::asio::awaitable<Status> put_ical_token(const std::string& token, const std::string& target);

 private:
  boost::asio::awaitable<Result<std::int64_t>> put_json(const std::string& hash, const std::string& id,
                                                        const std::string& json, TimePoint now,
                                                        const std::string& actor,
                                                        const std::string& action);
  redis::Client& client_;
  const RegionDirectory& regions_;
  const WorkerDirectory& workers_;
};

}  // namespace piket::scheduler
