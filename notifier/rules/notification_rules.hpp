#pragma once
// Notification rules: per urgency, which channels ring and when ("T1: webhook and SMS at once,
// voice after 1 minute, e-mail after 2"). A worker may have rules of their own (stored by the
// notifier, managed through the API); otherwise their role's defaults from config apply
// (notification_rules.toml). Pure: types, checks, JSON and TOML.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config_reader.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "notifier/contacts/contact_method.hpp"

namespace piket::notifier {

struct RuleStep {
  ChannelKind channel = ChannelKind::webhook;
  int after_s = 0;  // after the alert was taken
  bool operator==(const RuleStep&) const = default;
};

// The steps of one urgency, in the order given (a step's after_s never below the one before).
using UrgencySteps = std::vector<RuleStep>;

// Keys: an urgency class id ("T0" .. "T4"), "notice" (hand-offs, visits and the other notices
// that are not call-outs) or "default" (any urgency not listed).
struct NotificationRules {
  std::map<std::string, UrgencySteps> by_urgency;
  // The steps for an urgency: its own, else "default", else none.
  const UrgencySteps* steps_for(const std::string& urgency) const;
  bool operator==(const NotificationRules&) const = default;
};

inline constexpr int kMaxRuleSteps = 10;
inline constexpr int kMaxRuleDelayS = 3600;

// {"T1": [{"channel": "sms", "after_s": 0}, ...], ...}; every problem names its field
// ("rules.T1[2].after_s").
Result<NotificationRules> rules_from_json(const nlohmann::json& j);
nlohmann::json to_json(const NotificationRules& rules);

// Defaults per role from config: [defaults] for any role, [roles.<role>] per role; each maps
// urgency keys to arrays of {channel, after_s}.
struct RuleDefaults {
  NotificationRules fallback;
  std::map<std::string, NotificationRules> by_role;
  // The defaults of the worker's first role that has some, else the fallback.
  const NotificationRules& for_worker(const Worker& worker) const;
};
RuleDefaults parse_rule_defaults(const std::string& file, std::string_view text,
                                 std::vector<ConfigProblem>& problems);
RuleDefaults load_rule_defaults(const std::string& file, std::vector<ConfigProblem>& problems);

}  // namespace piket::notifier
