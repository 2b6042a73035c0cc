#pragma once
// Call-outs: the work an accepted alert means for a worker, from when they set off (or accept)
// to the end of the planned visit, at least the working-time rule's minimum. The dispatcher's
// Functions record them in one sorted set (keys::call_outs(), scored by the start, member
// "worker|assignment|end_ms"); the working-time rule counts them when the dispatcher matches a
// report and when the scheduler checks a roster change.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/duty.hpp"
#include "common/redis/value.hpp"

namespace piket {

struct CallOut {
  std::string worker_id;
  std::string assignment_id;
  Interval work;
};

// One sorted-set member and its score; nullopt when it is not of the recorded form.
std::optional<CallOut> parse_call_out(std::string_view member, std::int64_t start_ms);

// The reply of ZRANGE ... WITHSCORES (member, score, member, score ...) by worker; malformed
// members are skipped.
std::map<std::string, std::vector<Interval>> call_outs_by_worker(const redis::Value& reply);

}  // namespace piket
