#pragma once
// The workers as the scheduler stores them in Redis, for the daemons that only read them (the
// dispatcher ranks with their skills, base and limits; the notifier needs their contact). A
// cheap check of the version key before each use; the hash is read again only when it moved.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/redis/client.hpp"

namespace piket {

class WorkerCatalog {
 public:
  WorkerCatalog(redis::Client& client, const RegionDirectory& regions, WorkerDirectory from_config);

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
};

}  // namespace piket
