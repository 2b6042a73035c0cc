#pragma once
// Workers and teams as JSON: what the API takes and returns and what Redis stores. Parsing
// checks every field on its own and names the first one at fault; checks against other records
// (the team exists, rotations still fit) belong to the scheduler, which owns them.
#include <nlohmann/json.hpp>

#include "common/domain/regions.hpp"
#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"

namespace piket {

nlohmann::json to_json(const Worker& w);
nlohmann::json to_json(const Team& t);

// {id, name, region, roles, skills?, base?, contract_hours_per_week? (0..60, default 36),
// daily_case_limit? (1..20, default 4), team?, active? (default true), webhook_url}. Unknown
// fields are refused. The base is kept in the municipality's own spelling.
Result<Worker> worker_from_json(const nlohmann::json& j, const RegionDirectory& regions);
// {id, name, region, team_lead?}; unknown fields are refused.
Result<Team> team_from_json(const nlohmann::json& j, const RegionDirectory& regions);

}  // namespace piket
