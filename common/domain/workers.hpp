#pragma once
// Professionals who can be on call. Fictional in the demo. A worker's contact methods are
// needed by the notifier only; alerts never carry client data.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/regions.hpp"

namespace piket {

// Role names used in rosters and triage.
inline constexpr const char* kRoleCrisisWorker = "crisis_worker";
inline constexpr const char* kRoleBehaviouralScientist = "behavioural_scientist";
inline constexpr const char* kRolePhysician = "confidential_physician";
inline constexpr const char* kRoleTeamLead = "team_lead";
bool is_known_role(const std::string& role);

// Limits on a worker's figures, the same in workers.toml, the API and CSV import.
inline constexpr int kMinDailyCaseLimit = 1;
inline constexpr int kMaxDailyCaseLimit = 20;
inline constexpr double kMaxContractHours = 60;

// Why `id` cannot name a worker or a team, or "" when it can: 1 to 64 letters, digits, '-',
// '_' or '.', starting with a letter or digit (ids appear in URLs and Redis keys).
std::string id_problem(const std::string& id);
bool is_webhook_url(const std::string& url);  // http:// or https://, no spaces, at most 500

struct Worker {
  std::string id;    // "w-ut-01"
  std::string name;  // display name for the roster views, never sent in alerts
  std::string region;
  std::vector<std::string> roles;
  std::vector<std::string> skills;
  std::string webhook_url;  // contact method for the skeleton's webhook channel
  bool active = true;
  // Municipality of the home base (canonical spelling), for travel distance; "" when unknown.
  std::string base;
  int daily_case_limit = 4;  // cases a day; once reached, matching passes the worker by
  double contract_hours_per_week = 36;
  std::string team;  // team id, free text; "" when none

  bool has_role(const std::string& role) const;
};

class WorkerDirectory {
 public:
  WorkerDirectory() = default;
  explicit WorkerDirectory(std::vector<Worker> workers);
  const std::vector<Worker>& workers() const { return workers_; }
  const Worker* find(const std::string& id) const;
  std::set<std::string> inactive_ids() const;

 private:
  std::vector<Worker> workers_;
  std::map<std::string, std::size_t> by_id_;
};

// Loads workers.toml: [[workers]] id, name, region, roles, skills?, webhook_url, active?,
// base? (a municipality of any configured region), daily_case_limit? (1..20, default 4),
// contract_hours_per_week? (0..60, default 36), team?
WorkerDirectory load_workers(const std::string& file, const RegionDirectory& regions,
                             std::vector<ConfigProblem>& problems);
WorkerDirectory parse_workers(const std::string& file, std::string_view text,
                              const RegionDirectory& regions, std::vector<ConfigProblem>& problems);

}  // namespace piket
