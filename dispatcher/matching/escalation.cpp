#include "dispatcher/matching/escalation.hpp"

#include <cstdint>
#include <set>
#include <utility>

namespace piket::dispatcher {

namespace {

constexpr std::pair<StepTarget, const char*> kTargetNames[] = {
    {StepTarget::first, "first"},         {StepTarget::repeat, "repeat"},
    {StepTarget::next, "next"},           {StepTarget::neighbour, "neighbour"},
    {StepTarget::team_lead, "team_lead"}, {StepTarget::all, "all"},
};

constexpr std::int64_t kMaxSeconds = 24 * 3600;

}  // namespace

std::string to_string(StepTarget target) {
  for (const auto& [t, name] : kTargetNames)
    if (t == target) return name;
  return "unknown";
}

std::optional<StepTarget> step_target_from(const std::string& name) {
  for (const auto& [t, known] : kTargetNames)
    if (name == known) return t;
  return std::nullopt;
}

EscalationPolicy default_escalation_policy() {
  using std::chrono::seconds;
  EscalationPolicy p;
  p.region = kDefaultPolicyRegion;
  p.steps = {{seconds{0}, StepTarget::first, kChannelPrimary},
             {seconds{120}, StepTarget::repeat, kChannelSecond},
             {seconds{300}, StepTarget::next, kChannelPrimary},
             {seconds{600}, StepTarget::neighbour, kChannelPrimary},
             {seconds{900}, StepTarget::team_lead, kChannelPrimary},
             {seconds{1200}, StepTarget::all, kChannelPrimary}};
  p.restart_after = seconds{300};
  return p;
}

EscalationPolicies::EscalationPolicies(std::vector<EscalationPolicy> policies)
    : policies_(std::move(policies)) {
  for (const auto& p : policies_)
    if (p.region == kDefaultPolicyRegion) {
      fallback_ = p;
      break;
    }
}

const EscalationPolicy& EscalationPolicies::for_region(const std::string& region) const {
  for (const auto& p : policies_)
    if (p.region == region) return p;
  return fallback_;
}

namespace {

EscalationStep read_step(ConfigReader& reader, const toml::table& t, const std::string& path) {
  EscalationStep step;
  step.after = std::chrono::seconds{
      reader.integer(t, "after_s", path + ".after_s", std::nullopt, 0, kMaxSeconds)};
  const std::string target = reader.string(t, "target", path + ".target");
  if (auto known = step_target_from(target))
    step.target = *known;
  else if (t.get("target") && t.get("target")->is_string())
    reader.problem(path + ".target",
                   "unknown target \"" + target +
                       "\" (known: first, repeat, next, neighbour, team_lead, all)");
  step.channel =
      reader.string(t, "channel", path + ".channel",
                    step.target == StepTarget::repeat ? kChannelSecond : kChannelPrimary);
  if (step.channel != kChannelPrimary && step.channel != kChannelSecond)
    reader.problem(path + ".channel",
                   "must be \"primary\" or \"second\", got \"" + step.channel + "\"");
  return step;
}

// Reports `reason` unless the reader already found this key missing or malformed.
void problem_once(ConfigReader& reader, const std::string& key, std::string reason) {
  for (const auto& p : reader.problems())
    if (p.key == key) return;
  reader.problem(key, std::move(reason));
}

EscalationPolicy read_policy(ConfigReader& reader, const toml::table& t, const std::string& path) {
  EscalationPolicy policy;
  policy.region = reader.string(t, "region", path + ".region");
  policy.restart_after = std::chrono::seconds{
      reader.integer(t, "restart_after_s", path + ".restart_after_s", 300, 1, kMaxSeconds)};
  policy.checkin_reminder = std::chrono::seconds{
      reader.integer(t, "checkin_reminder_s", path + ".checkin_reminder_s", 900, 60, kMaxSeconds)};
  policy.visit_search = std::chrono::hours{
      reader.integer(t, "visit_search_h", path + ".visit_search_h", 24, 1, 24 * 7)};
  const auto steps = reader.tables(t, "steps", path + ".steps", true);
  if (t.get("steps") && t.get("steps")->is_array() && steps.empty())
    reader.problem(path + ".steps", "must have at least one step");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string key = path + ".steps[" + std::to_string(i) + "]";
    EscalationStep step = read_step(reader, *steps[i], key);
    // The ladder starts with the first alert, at once.
    if (i == 0 && step.after.count() != 0)
      problem_once(
          reader, key + ".after_s",
          "the first step starts the ladder: must be 0, got " + std::to_string(step.after.count()));
    if (i == 0 && step.target != StepTarget::first)
      problem_once(reader, key + ".target", "the first step must be \"first\"");
    if (i > 0 && step.target == StepTarget::first)
      problem_once(reader, key + ".target", "only the first step may be \"first\"");
    if (i > 0 && step.after <= policy.steps.back().after)
      problem_once(reader, key + ".after_s",
                   "must be greater than the previous step's " +
                       std::to_string(policy.steps.back().after.count()) + ", got " +
                       std::to_string(step.after.count()));
    policy.steps.push_back(step);
  }
  return policy;
}

EscalationPolicies read_policies(ConfigReader& reader, const toml::table& root,
                                 const RegionDirectory& regions) {
  std::vector<EscalationPolicy> policies;
  std::set<std::string> seen;
  for (const toml::table* t : reader.tables(root, "policies", "policies", true)) {
    const std::string path = "policies[" + std::to_string(policies.size()) + "]";
    EscalationPolicy policy = read_policy(reader, *t, path);
    const bool named = t->get("region") && t->get("region")->is_string();
    if (named && policy.region != kDefaultPolicyRegion && !regions.find(policy.region))
      reader.problem(path + ".region", "unknown region \"" + policy.region + "\"");
    else if (named && !seen.insert(policy.region).second)
      reader.problem(path + ".region", "a second policy for \"" + policy.region + "\"");
    policies.push_back(std::move(policy));
  }
  if (root.get("policies") && !seen.count(kDefaultPolicyRegion))
    reader.problem("policies", "a default policy (region = \"*\") is required");
  return EscalationPolicies(std::move(policies));
}

EscalationPolicies finish(ConfigReader& reader, const std::optional<toml::table>& root,
                          const RegionDirectory& regions, std::vector<ConfigProblem>& problems) {
  EscalationPolicies out;
  if (root) out = read_policies(reader, *root, regions);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

EscalationPolicies load_escalation_policies(const std::string& file, const RegionDirectory& regions,
                                            std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, regions, problems);
}

EscalationPolicies parse_escalation_policies(const std::string& file, std::string_view text,
                                             const RegionDirectory& regions,
                                             std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, regions, problems);
}

}  // namespace piket::dispatcher
