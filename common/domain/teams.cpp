#include "common/domain/teams.hpp"

#include <set>

namespace piket {

TeamDirectory::TeamDirectory(std::vector<Team> teams) : teams_(std::move(teams)) {
  for (std::size_t i = 0; i < teams_.size(); ++i) by_id_.emplace(teams_[i].id, i);
}

const Team* TeamDirectory::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &teams_[it->second];
}

std::string team_lead_problem(const Team& team, const WorkerDirectory& workers) {
  if (team.team_lead.empty()) return {};
  const Worker* lead = workers.find(team.team_lead);
  if (!lead) return "unknown worker \"" + team.team_lead + "\"";
  if (lead->region != team.region)
    return "worker \"" + lead->id + "\" belongs to region \"" + lead->region + "\", not \"" +
           team.region + "\"";
  if (!lead->has_role(kRoleTeamLead)) return "worker \"" + lead->id + "\" lacks the role team_lead";
  return {};
}

std::string team_membership_problem(const Worker& worker, const TeamDirectory& teams) {
  if (worker.team.empty()) return {};
  const Team* team = teams.find(worker.team);
  if (!team) return "unknown team \"" + worker.team + "\"";
  if (team->region != worker.region)
    return "team \"" + team->id + "\" serves region \"" + team->region + "\", not \"" +
           worker.region + "\"";
  return {};
}

namespace {

TeamDirectory read_teams(ConfigReader& reader, const toml::table& root,
                         const RegionDirectory& regions, const WorkerDirectory& workers) {
  std::vector<Team> teams;
  std::set<std::string> ids;
  for (const toml::table* t : reader.tables(root, "teams", "teams", false)) {
    const std::string path = "teams[" + std::to_string(teams.size()) + "]";
    Team team;
    team.id = reader.string(*t, "id", path + ".id");
    team.name = reader.string(*t, "name", path + ".name");
    team.region = reader.string(*t, "region", path + ".region");
    team.team_lead = reader.string(*t, "team_lead", path + ".team_lead", "");
    if (t->get("id") && !id_problem(team.id).empty())
      reader.problem(path + ".id", id_problem(team.id));
    if (!team.id.empty() && !ids.insert(team.id).second)
      reader.problem(path + ".id", "duplicate team id \"" + team.id + "\"");
    if (t->get("name") && fold_case(team.name).empty())
      reader.problem(path + ".name", "must not be empty");
    if (t->get("region") && !regions.find(team.region))
      reader.problem(path + ".region", "unknown region \"" + team.region + "\"");
    else if (auto why = team_lead_problem(team, workers); !why.empty())
      reader.problem(path + ".team_lead", why);
    teams.push_back(std::move(team));
  }
  TeamDirectory out(std::move(teams));
  if (out.teams().empty()) return out;  // teams are optional; then `team` is free text
  for (std::size_t i = 0; i < workers.workers().size(); ++i)
    if (auto why = team_membership_problem(workers.workers()[i], out); !why.empty())
      reader.problem("workers[" + std::to_string(i) + "].team", why);
  return out;
}

TeamDirectory finish(ConfigReader& reader, const std::optional<toml::table>& root,
                     const RegionDirectory& regions, const WorkerDirectory& workers,
                     std::vector<ConfigProblem>& problems) {
  TeamDirectory out;
  if (root) out = read_teams(reader, *root, regions, workers);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

TeamDirectory load_teams(const std::string& file, const RegionDirectory& regions,
                         const WorkerDirectory& workers, std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  // A file that does not parse was reported by load_workers already.
  if (!root) return {};
  return finish(reader, root, regions, workers, problems);
}

TeamDirectory parse_teams(const std::string& file, std::string_view text,
                          const RegionDirectory& regions, const WorkerDirectory& workers,
                          std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  if (!root) return {};
  return finish(reader, root, regions, workers, problems);
}

}  // namespace piket
