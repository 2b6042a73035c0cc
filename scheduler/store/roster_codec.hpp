#pragma once
// JSON for the roster's changeable parts (overrides, leave, swaps): parsing validates every
// field and names the one at fault; encoding is what Redis stores and the API returns.
#include <nlohmann/json.hpp>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

nlohmann::json to_json(const Rotation& r);
nlohmann::json to_json(const Override& o);
nlohmann::json to_json(const Leave& l);
nlohmann::json to_json(const SwapRequest& s);
nlohmann::json to_json(const Shift& s, const date::time_zone& zone);

// From an API request (the id is given by the caller) or from storage.
Result<Override> override_from_json(const nlohmann::json& j, const RegionDirectory& regions,
                                    const WorkerDirectory& workers);
// Validated as in rotations.toml (validate_rotation); the error names the first problem's key.
Result<Rotation> rotation_from_json(const nlohmann::json& j, const RegionDirectory& regions,
                                    const WorkerDirectory& workers);
Result<Leave> leave_from_json(const nlohmann::json& j, const WorkerDirectory& workers);
Result<SwapRequest> swap_from_json(const nlohmann::json& j, const RegionDirectory& regions,
                                   const WorkerDirectory& workers);

// "start"/"end" as RFC 3339; end after start; at most `max_days` long.
Result<Interval> interval_from_json(const nlohmann::json& j, int max_days = 400);
std::string local_text(TimePoint t, const date::time_zone& zone);  // "2026-10-24T23:00:00+02:00"

}  // namespace piket::scheduler
