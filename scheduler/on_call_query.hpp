#pragma once
// The answer to "oncall.query": who is on call for a region and role at an instant. Pure (no
// sockets, no clock), so the service only wraps it and the tests call it directly.
#include <nlohmann/json.hpp>
#include <vector>

#include "common/clock.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

// Request body: {"region": string, "role"?: string (default crisis_worker), "at"?: RFC 3339
// (default `now`)}. Reply: {"region", "role", "at", "on_call": [{"worker_id", "rotation_id",
// "position", "shift_start", "shift_end", "reason"}]}, without inactive workers.
Result<nlohmann::json> answer_on_call_query(const nlohmann::json& body, TimePoint now,
                                            const RegionDirectory& regions,
                                            const WorkerDirectory& workers,
                                            const Roster& roster);

}  // namespace piket::scheduler
