#pragma once
// Teams: the fixed group of professionals that serves an area, with its team lead. A team does
// not list its members: they are the workers whose `team` names it, so there is one truth.
#include <map>
#include <string>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"

namespace piket {

struct Team {
  std::string id;    // "em-a"
  std::string name;  // "Eemland A"
  std::string region;
  std::string team_lead;  // a worker id; "" when the team has none
};

class TeamDirectory {
 public:
  TeamDirectory() = default;
  explicit TeamDirectory(std::vector<Team> teams);
  const std::vector<Team>& teams() const { return teams_; }
  const Team* find(const std::string& id) const;

 private:
  std::vector<Team> teams_;
  std::map<std::string, std::size_t> by_id_;
};

// Why `team`'s lead cannot lead it, or "" when it can (or there is none): the lead is a
// worker of the team's region with the team_lead role.
std::string team_lead_problem(const Team& team, const WorkerDirectory& workers);
// Why `worker` cannot be in the team it names, or "" when it can (or it names none): the
// team exists and serves the worker's region.
std::string team_membership_problem(const Worker& worker, const TeamDirectory& teams);

// Loads [[teams]] of workers.toml: id, name, region, team_lead?. When the file names any team,
// every worker's team must be one of them (the file's workers are `workers`).
TeamDirectory load_teams(const std::string& file, const RegionDirectory& regions,
                         const WorkerDirectory& workers, std::vector<ConfigProblem>& problems);
TeamDirectory parse_teams(const std::string& file, std::string_view text,
                          const RegionDirectory& regions, const WorkerDirectory& workers,
                          std::vector<ConfigProblem>& problems);

}  // namespace piket
