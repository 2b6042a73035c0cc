#pragma once
// The scheduler's changeable roster parts in Redis: rotations, overrides, leave and swaps, with
// one version for all of them. Redis is the truth; the scheduler keeps a copy in memory, writes
// only changes decided on the version it holds, and re-reads when the version moves.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <boost/asio/awaitable.hpp>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/redis/client.hpp"
#include "scheduler/model/roster.hpp"
#include "scheduler/roster/roster_change.hpp"

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

  // The roster and the version it is at, read in one step.
  boost::asio::awaitable<Result<StoredRoster>> load();
  // The version alone: a cheap check whether the roster moved since it was read.
  boost::asio::awaitable<Result<std::int64_t>> version();
  // The accepted call-outs (the dispatcher records them) that start from `from`, by worker:
  // the working-time rule counts them beside the duties.
  boost::asio::awaitable<Result<std::map<std::string, std::vector<Interval>>>> call_outs(TimePoint from);
  // Stores `change` if the roster is still at `expected`, with its audit entry, in one step.
  // Answers the new version, a conflict when the roster moved meanwhile (decide again on a
  // fresh copy), or not_found when an entry to remove is gone.
  boost::asio::awaitable<Result<std::int64_t>> write(const RosterChange& change,
                                                     std::int64_t expected, TimePoint now);
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
  // Queues alerts on the alert stream (coverage gaps opened by a change of the workers).
  boost::asio::awaitable<Status> page(const std::vector<std::string>& alerts);
  boost::asio::awaitable<Result<std::int64_t>> announce_handoffs(const std::string& expected,
                                                                 TimePoint until,
                                                                 const std::vector<std::string>& notices);
  // iCal feeds are kept under the SHA-256 of their secret token, never the token itself.
  struct IcalFeed {
    std::string id;          // public, for listing and revoking ("f" + 12 hex of the hash)
    std::string target;      // "worker:<id>" or "region:<id>"
    std::string created_at;  // UTC text
    std::string created_by;
    std::string token_hash;
  };
  // The target of the feed with this secret token; not_found when unknown or revoked.
  boost::asio::awaitable<Result<std::string>> ical_token_target(const std::string& token);
  // Stores a new feed; with `rotate`, the target's other feeds are revoked in the same step.
  // Returns how many were revoked.
  boost::asio::awaitable<Result<std::int64_t>> put_ical_feed(const std::string& token, const IcalFeed& feed,
                                                             bool rotate, TimePoint now);
  boost::asio::awaitable<Result<std::vector<IcalFeed>>> ical_feeds();
  boost::asio::awaitable<Status> revoke_ical_feed(const IcalFeed& feed, TimePoint now,
                                                  const std::string& actor);

 private:
  redis::Client& client_;
  const RegionDirectory& regions_;
  const WorkerDirectory& workers_;
};

}  // namespace piket::scheduler
