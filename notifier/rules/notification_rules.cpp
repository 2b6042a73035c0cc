#include "notifier/rules/notification_rules.hpp"

#include <cctype>

namespace piket::notifier {
using nlohmann::json;

namespace {
bool is_urgency_key(const std::string& key) {
  if (key.empty() || key.size() > 32) return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

// One urgency's steps from JSON; the first problem, naming `path`.
Result<UrgencySteps> steps_from_json(const json& steps, const std::string& path) {
  if (!steps.is_array()) return invalid(path, "must be an array of {channel, after_s}");
  if (steps.empty()) return invalid(path, "must have at least one step");
  if (steps.size() > kMaxRuleSteps)
    return invalid(path, "has more than " + std::to_string(kMaxRuleSteps) + " steps");
  UrgencySteps out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const json& s = steps[i];
    if (!s.is_object()) return invalid(at, "must be an object {channel, after_s}");
    for (const auto& [key, value] : s.items())
      if (key != "channel" && key != "after_s") return invalid(at + "." + key, "is not a field of a step");
    if (!s.contains("channel") || !s["channel"].is_string())
      return invalid(at + ".channel", "is required: webhook, email, sms or voice");
    auto channel = channel_from_name(s["channel"].get<std::string>());
    if (!channel) return invalid(at + ".channel", "must be webhook, email, sms or voice");
    int after = 0;
    if (s.contains("after_s")) {
      if (!s["after_s"].is_number_integer())
        return invalid(at + ".after_s", "must be a whole number of seconds");
      const auto v = s["after_s"].get<std::int64_t>();
      if (v < 0 || v > kMaxRuleDelayS)
        return invalid(at + ".after_s", "must be 0 to " + std::to_string(kMaxRuleDelayS));
      after = static_cast<int>(v);
    }
    if (!out.empty() && after < out.back().after_s)
      return invalid(at + ".after_s", "must not be earlier than the step before");
    out.push_back({*channel, after});
  }
  return out;
}
}  // namespace

const UrgencySteps* NotificationRules::steps_for(const std::string& urgency) const {
  if (auto found = by_urgency.find(urgency); found != by_urgency.end()) return &found->second;
  if (auto found = by_urgency.find("default"); found != by_urgency.end()) return &found->second;
  return nullptr;
}

Result<NotificationRules> rules_from_json(const json& j) {
  if (!j.is_object() || j.empty())
    return invalid("rules", "must be an object of urgency -> steps, e.g. {\"T1\": [{\"channel\": "
                            "\"sms\", \"after_s\": 0}]}");
  NotificationRules out;
  for (const auto& [key, value] : j.items()) {
    if (!is_urgency_key(key))
      return invalid("rules." + key, "an urgency is a class id (T1), notice or default");
    auto steps = steps_from_json(value, "rules." + key);
    if (!steps) return steps.error();
    out.by_urgency[key] = std::move(*steps);
  }
  return out;
}

json to_json(const NotificationRules& rules) {
  json out = json::object();
  for (const auto& [urgency, steps] : rules.by_urgency) {
    json list = json::array();
    for (const auto& s : steps) list.push_back({{"channel", channel_name(s.channel)}, {"after_s", s.after_s}});
    out[urgency] = std::move(list);
  }
  return out;
}

const NotificationRules& RuleDefaults::for_worker(const Worker& worker) const {
  for (const auto& role : worker.roles)
    if (auto found = by_role.find(role); found != by_role.end()) return found->second;
  return fallback;
}

namespace {
// A TOML table of urgency -> [{channel, after_s}], through the JSON checks, so the file and the
// API refuse the same things with the same words.
NotificationRules rules_from_toml(ConfigReader& r, const toml::table& t, const std::string& path) {
  NotificationRules out;
  for (const auto& [key, node] : t) {
    const std::string urgency(key.str());
    const std::string at = path + "." + urgency;
    const auto* array = node.as_array();
    if (!is_urgency_key(urgency)) {
      r.problem(at, "an urgency is a class id (T1), notice or default");
      continue;
    }
    if (!array) {
      r.problem(at, "must be an array of {channel, after_s}");
      continue;
    }
    json steps = json::array();
    bool readable = true;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto* step = array->get(i)->as_table();
      if (!step) {
        r.problem(at + "[" + std::to_string(i) + "]", "must be a table {channel, after_s}");
        readable = false;
        continue;
      }
      json s = json::object();
      for (const auto& [name, value] : *step) {
        if (auto text = value.value<std::string>(); text && value.is_string()) s[std::string(name.str())] = *text;
        else if (auto number = value.value<std::int64_t>(); number && value.is_integer()) s[std::string(name.str())] = *number;
        else s[std::string(name.str())] = nullptr;  // refused below, with its name
      }
      steps.push_back(std::move(s));
    }
    if (!readable) continue;
    auto checked = steps_from_json(steps, at);
    if (!checked) {
      r.problem(checked.error().field, checked.error().message);
      continue;
    }
    out.by_urgency[urgency] = std::move(*checked);
  }
  return out;
}

RuleDefaults read_defaults(ConfigReader& r, const toml::table& root) {
  RuleDefaults out;
  for (const auto& [key, node] : root)
    if (key.str() != "defaults" && key.str() != "roles")
      r.problem(std::string(key.str()), "unknown key (expected [defaults] and [roles.<role>])");
  const auto& defaults = r.table(root, "defaults", "defaults", true);
  out.fallback = rules_from_toml(r, defaults, "defaults");
  if (out.fallback.by_urgency.count("default") == 0)
    r.problem("defaults.default", "is required: the steps for any urgency and role not listed");
  const auto& roles = r.table(root, "roles", "roles", false);
  for (const auto& [key, node] : roles) {
    const std::string role(key.str());
    if (!is_known_role(role)) {
      r.problem("roles." + role, "is not a known role");
      continue;
    }
    const auto* table = node.as_table();
    if (!table) {
      r.problem("roles." + role, "must be a table of urgency -> steps");
      continue;
    }
    out.by_role[role] = rules_from_toml(r, *table, "roles." + role);
  }
  return out;
}
}  // namespace

RuleDefaults parse_rule_defaults(const std::string& file, std::string_view text,
                                 std::vector<ConfigProblem>& problems) {
  ConfigReader r(file);
  RuleDefaults out;
  if (auto root = r.parse_text(text)) out = read_defaults(r, *root);
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return out;
}

RuleDefaults load_rule_defaults(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader r(file);
  RuleDefaults out;
  if (auto root = r.parse_file()) out = read_defaults(r, *root);
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return out;
}

}  // namespace piket::notifier
