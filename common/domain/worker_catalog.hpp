#pragma once
// The workers as the scheduler stores them in Redis, for the daemons that only read them (the
// dispatcher ranks with their skills, base and limits; the notifier needs their contact). A
// cheap check of the version key at most once a second (not a round trip on every report or
// alert); the hash is read again only when it moved.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/redis/client.hpp"

namespace piket {

class WorkerCatalog {
 public:
  // `fresh_for`: how long a version check counts (0 = check on every use).
  WorkerCatalog(redis::Client& client, const RegionDirectory& regions, WorkerDirectory from_config,
                std::chrono::milliseconds fresh_for = std::chrono::seconds(1));

  // The workers to use now. Until the scheduler has stored any, those of config/; while Redis
  // cannot be read, the last ones read. The snapshot stays valid while a caller holds it.
  boost::asio::awaitable<std::shared_ptr<const WorkerDirectory>> current();

 private:
  redis::Client& client_;
  const RegionDirectory& regions_;
  std::shared_ptr<const WorkerDirectory> directory_;
  // The version read just before directory_ was; "" while it is config/'s. Labelling a newer
  // read with an older version costs one extra read at the next use, never a stale answer.
  std::string version_;
  std::chrono::milliseconds fresh_for_;
  std::chrono::steady_clock::time_point checked_{};  // when the version key was last read
};

}  // namespace piket
