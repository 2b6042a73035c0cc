#pragma once
// Workers and teams in Redis. Redis is the truth; the scheduler keeps a copy in memory and
// reads it again on (re)connect. config/'s workers and teams are stored at the first start.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/redis/client.hpp"

namespace piket::scheduler {

struct StoredWorkers {
  bool seeded = false;  // false: nothing stored yet (the first start on this Redis)
  std::vector<Worker> workers;
  std::vector<Team> teams;
};

class WorkerStore {
 public:
  WorkerStore(redis::Client& client, const RegionDirectory& regions)
      : client_(client), regions_(regions) {}

  boost::asio::awaitable<Result<StoredWorkers>> load();
  // Stores config/'s workers and teams unless some were stored before; false in that case.
  boost::asio::awaitable<Result<bool>> seed(const WorkerDirectory& workers,
                                            const TeamDirectory& teams, TimePoint now);
  // One or several workers in one step (a CSV import is all or nothing); `action` goes in
  // the audit entry ("worker.saved", "worker.deactivated", "workers.imported").
  boost::asio::awaitable<Result<std::int64_t>> put(const std::vector<Worker>& workers,
                                                   TimePoint now, const std::string& actor,
                                                   const std::string& action);
  boost::asio::awaitable<Result<std::int64_t>> put(const Team& team, TimePoint now,
                                                   const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> remove_worker(const std::string& id, TimePoint now,
                                                             const std::string& actor);
  boost::asio::awaitable<Result<std::int64_t>> remove_team(const std::string& id, TimePoint now,
                                                           const std::string& actor);

 private:
  boost::asio::awaitable<Result<std::int64_t>> call(std::vector<std::string> command);
  redis::Client& client_;
  const RegionDirectory& regions_;
};

}  // namespace piket::scheduler
