#include "common/domain/workers.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace piket {

bool is_known_role(const std::string& role) {
  for (const char* known : {kRoleCrisisWorker, kRoleBehaviouralScientist, kRolePhysician,
                            kRoleTeamLead})
    if (role == known) return true;
  return false;
}

std::string id_problem(const std::string& id) {
  if (id.empty()) return "must not be empty";
  if (id.size() > 64) return "must be at most 64 characters";
  auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!plain(id.front())) return "must start with a letter or a digit";
  for (char c : id)
    if (!plain(c) && c != '-' && c != '_' && c != '.')
      return "may hold only letters, digits, '-', '_' and '.'";
  return {};
}

bool is_webhook_url(const std::string& url) {
  const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  const bool clean = std::none_of(url.begin(), url.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
  });
  return scheme && clean && url.size() <= 500;
}

bool Worker::has_role(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

WorkerDirectory::WorkerDirectory(std::vector<Worker> workers) : workers_(std::move(workers)) {
  // The first definition wins on duplicates; the loader has reported them already.
  for (std::size_t i = 0; i < workers_.size(); ++i) by_id_.emplace(workers_[i].id, i);
}

const Worker* WorkerDirectory::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &workers_[it->second];
}

std::set<std::string> WorkerDirectory::inactive_ids() const {
  std::set<std::string> out;
  for (const Worker& w : workers_)
    if (!w.active) out.insert(w.id);
  return out;
}

namespace {

WorkerDirectory read_workers(ConfigReader& reader, const toml::table& root,
                             const RegionDirectory& regions) {
  std::vector<Worker> workers;
  std::set<std::string> ids;
  for (const toml::table* t : reader.tables(root, "workers", "workers", true)) {
    const std::string path = "workers[" + std::to_string(workers.size()) + "]";
    Worker w;
    w.id = reader.string(*t, "id", path + ".id");
    w.name = reader.string(*t, "name", path + ".name");
    w.region = reader.string(*t, "region", path + ".region");
    w.roles = reader.strings(*t, "roles", path + ".roles", true);
    w.skills = reader.strings(*t, "skills", path + ".skills", false);
    w.webhook_url = reader.string(*t, "webhook_url", path + ".webhook_url");
    w.active = reader.boolean(*t, "active", path + ".active", true);
    w.base = reader.string(*t, "base", path + ".base", "");
    w.daily_case_limit = static_cast<int>(reader.integer(*t, "daily_case_limit",
                                                         path + ".daily_case_limit", 4,
                                                         kMinDailyCaseLimit, kMaxDailyCaseLimit));
    w.contract_hours_per_week =
        reader.number(*t, "contract_hours_per_week", path + ".contract_hours_per_week", 36.0, 0.0,
                      kMaxContractHours);
    w.team = reader.string(*t, "team", path + ".team", "");

    if (t->get("id") && !id_problem(w.id).empty()) reader.problem(path + ".id", id_problem(w.id));
    if (!w.id.empty() && !ids.insert(w.id).second)
      reader.problem(path + ".id", "duplicate worker id \"" + w.id + "\"");
    if (t->get("region") && !regions.find(w.region))
      reader.problem(path + ".region", "unknown region \"" + w.region + "\"");
    if (t->get("roles") && w.roles.empty())
      reader.problem(path + ".roles", "must name at least one role");
    for (std::size_t i = 0; i < w.roles.size(); ++i)
      if (!is_known_role(w.roles[i]))
        reader.problem(path + ".roles[" + std::to_string(i) + "]",
                       "unknown role \"" + w.roles[i] +
                           "\" (known: crisis_worker, behavioural_scientist, "
                           "confidential_physician, team_lead)");
    // A base outside every region is refused: distances are only known for configured places.
    auto given = [&](std::string_view key) { return t->get(key) && t->get(key)->is_string(); };
    if (given("base")) {
      if (auto canonical = regions.canonical_municipality(w.base))
        w.base = *canonical;
      else
        reader.problem(path + ".base", "unknown municipality \"" + w.base +
                                           "\" (not in any configured region)");
    }
    if (given("team") && fold_case(w.team).empty())
      reader.problem(path + ".team", "must not be empty; leave it out for no team");
    if (t->get("webhook_url") && !is_webhook_url(w.webhook_url))
      reader.problem(path + ".webhook_url",
                     "must start with http:// or https://, without spaces, at most 500 characters");
    workers.push_back(std::move(w));
  }
  return WorkerDirectory(std::move(workers));
}

WorkerDirectory finish(ConfigReader& reader, const std::optional<toml::table>& root,
                       const RegionDirectory& regions, std::vector<ConfigProblem>& problems) {
  WorkerDirectory out;
  if (root) out = read_workers(reader, *root, regions);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

WorkerDirectory load_workers(const std::string& file, const RegionDirectory& regions,
                             std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, regions, problems);
}

WorkerDirectory parse_workers(const std::string& file, std::string_view text,
                              const RegionDirectory& regions,
                              std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, regions, problems);
}

}  // namespace piket
