#pragma once
// What a change to a worker or a team may not break in the rest of the plan. Pure: the
// scheduler asks before it stores. Each answer is the first problem, naming the field.
#include <optional>
#include <string>
#include <vector>

#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

// The worker as it would be stored: the team it names exists in its region, every rotation
// that names it still fits (its region and role), and a team it leads keeps a lead of its
// region with the team_lead role. Inactive workers may stay in rotations: that is a gap.
std::optional<Error> check_worker(const Worker& worker, const TeamDirectory& teams,
                                  const std::vector<Rotation>& rotations);

// The team as it would be stored: its lead fits (teams.hpp) and its members are of its region.
std::optional<Error> check_team(const Team& team, const WorkerDirectory& workers);

// A worker can be deleted only when nothing names them any more: no rotation, override, swap
// or leave, and no team as its lead. Until then, deactivate them.
std::optional<Error> check_worker_removal(const std::string& id, const Roster& roster,
                                          const TeamDirectory& teams);
// A team can be deleted only when no worker is in it.
std::optional<Error> check_team_removal(const std::string& id, const WorkerDirectory& workers);

}  // namespace piket::scheduler
