#include "scheduler/workers/worker_changes.hpp"

#include <algorithm>

namespace piket::scheduler {
namespace {
Error conflict(std::string field, std::string message) {
  return make_error(ErrorCode::conflict, std::move(field), std::move(message));
}

bool names(const Rotation& r, const std::string& id) {
  return std::find(r.participants.begin(), r.participants.end(), id) != r.participants.end();
}
}  // namespace

std::optional<Error> check_worker(const Worker& worker, const TeamDirectory& teams,
                                  const std::vector<Rotation>& rotations) {
  if (auto why = team_membership_problem(worker, teams); !why.empty())
    return make_error(teams.find(worker.team) ? ErrorCode::invalid_field : ErrorCode::not_found,
                      "team", why);
  for (const Rotation& r : rotations) {
    if (!names(r, worker.id)) continue;
    if (r.region != worker.region)
      return conflict("region", "the worker is in rotation \"" + r.id + "\" of region \"" +
                                    r.region + "\"; take them out of it first");
    if (!worker.has_role(r.role))
      return conflict("roles", "the worker is in rotation \"" + r.id + "\", which needs the role " +
                                   r.role + "; take them out of it first");
  }
  for (const Team& t : teams.teams()) {
    if (t.team_lead != worker.id) continue;
    if (t.region != worker.region)
      return conflict("region", "the worker leads team \"" + t.id + "\" of region \"" + t.region +
                                    "\"; give the team another lead first");
    if (!worker.has_role(kRoleTeamLead))
      return conflict("roles", "the worker leads team \"" + t.id +
                                   "\" and keeps the role team_lead while they do");
  }
  return std::nullopt;
}

std::optional<Error> check_team(const Team& team, const WorkerDirectory& workers) {
  if (auto why = team_lead_problem(team, workers); !why.empty())
    return make_error(
        workers.find(team.team_lead) ? ErrorCode::invalid_field : ErrorCode::not_found, "team_lead",
        why);
  for (const Worker& w : workers.workers())
    if (w.team == team.id && w.region != team.region)
      return conflict("region", "member \"" + w.id + "\" is in region \"" + w.region +
                                    "\"; move the members first");
  return std::nullopt;
}

std::optional<Error> check_worker_removal(const std::string& id, const Roster& roster,
                                          const TeamDirectory& teams) {
  auto named = [&](const std::string& what) {
    return conflict("id", "the worker is still named in " + what +
                              "; deactivate them instead, or take them out of it first");
  };
  for (const Rotation& r : roster.rotations)
    if (names(r, id)) return named("rotation \"" + r.id + "\"");
  for (const Override& o : roster.overrides)
    if (o.worker_id == id || o.replaced_worker_id == id) return named("override \"" + o.id + "\"");
  for (const SwapRequest& s : roster.swaps)
    if (s.requester_id == id || s.peer_id == id) return named("swap \"" + s.id + "\"");
  for (const Leave& l : roster.leave)
    if (l.worker_id == id) return named("leave \"" + l.id + "\"");
  for (const Team& t : teams.teams())
    if (t.team_lead == id) return named("team \"" + t.id + "\" as its lead");
  return std::nullopt;
}

std::optional<Error> check_team_removal(const std::string& id, const WorkerDirectory& workers) {
  for (const Worker& w : workers.workers())
    if (w.team == id)
      return conflict("id", "worker \"" + w.id + "\" is still in the team; move the members first");
  return std::nullopt;
}

}  // namespace piket::scheduler
