#pragma once
// Escalation policies as data (escalation.toml): when, after an alert goes unanswered, whom to
// alert next. A region may have its own policy; every other region uses the default ("*").
// The ladder for one report is built from a policy by build_ladder() (ladder.hpp).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/regions.hpp"

namespace piket::dispatcher {

// first: the best-ranked local worker(s); repeat: the same again on the second channel;
// next: the next ranked local worker(s), the backups; neighbour: the best of the neighbouring
// regions; team_lead: the team leads on call; all: every remaining ranked local worker.
enum class StepTarget { first, repeat, next, neighbour, team_lead, all };
std::string to_string(StepTarget target);
std::optional<StepTarget> step_target_from(const std::string& name);

// A worker's contact methods in their order: "primary" is the first, "second" another one, so
// a re-page does not go to the phone that stayed silent.
inline constexpr const char* kChannelPrimary = "primary";
inline constexpr const char* kChannelSecond = "second";

struct EscalationStep {
  std::chrono::seconds after{0};  // from the start of the ladder
  StepTarget target = StepTarget::first;
  std::string channel = kChannelPrimary;  // repeat uses kChannelSecond
};

struct EscalationPolicy {
  std::string region;  // region id, or "*" for the default
  std::vector<EscalationStep> steps;
  // After the last step: record a coverage failure and start the ladder again.
  std::chrono::seconds restart_after{300};
  // While a visit's check-in is overdue, the team lead is alerted again this often.
  std::chrono::seconds checkin_reminder{900};
  // How far ahead of the earliest possible start a visit slot is looked for; past it the
  // visit is planned at the end of the horizon and marked late.
  std::chrono::hours visit_search{24};
};

inline constexpr const char* kDefaultPolicyRegion = "*";

// The product default: first at 0, repeat on the second channel at 2 min, backup at 5 min,
// neighbouring region at 10 min, team lead at 15 min, everyone left at 20 min; again 5 min
// after that. Used as is when no escalation file is configured.
EscalationPolicy default_escalation_policy();

class EscalationPolicies {
 public:
  EscalationPolicies() = default;  // only the product default
  explicit EscalationPolicies(std::vector<EscalationPolicy> policies);

  // The region's own policy, else the configured default, else the product default.
  const EscalationPolicy& for_region(const std::string& region) const;
  const std::vector<EscalationPolicy>& policies() const { return policies_; }

 private:
  std::vector<EscalationPolicy> policies_;
  EscalationPolicy fallback_ = default_escalation_policy();
};

// escalation.toml: [[policies]] region ("*" or a region id), restart_after_s? (default 300),
// checkin_reminder_s? (default 900), visit_search_h? (default 24),
// [[policies.steps]] after_s, target, channel? ("primary" | "second"; repeat defaults to
// "second"). The first step is at after_s 0 with target "first"; after_s strictly increases;
// one policy per region; a default policy ("*") is required.
EscalationPolicies load_escalation_policies(const std::string& file, const RegionDirectory& regions,
                                            std::vector<ConfigProblem>& problems);
EscalationPolicies parse_escalation_policies(const std::string& file, std::string_view text,
                                             const RegionDirectory& regions,
                                             std::vector<ConfigProblem>& problems);

}  // namespace piket::dispatcher
