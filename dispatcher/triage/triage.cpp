#include "dispatcher/triage/triage.hpp"

#include <algorithm>
#include <set>

namespace piket::dispatcher {

nlohmann::json TriageResult::to_json() const {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto* r : fired)
    rules.push_back({{"rule", r->id}, {"indicator", r->indicator}, {"class", r->class_id},
                     {"reason", r->reason}});
  return {{"class", triage_class->id},
          {"class_name", triage_class->name},
          {"acute", acute()},
          {"accept_within_s", triage_class->accept_within.count()},
          {"first_contact", triage_class->first_contact},
          {"rules_fired", rules}};
}

TriageRules::TriageRules(std::vector<TriageClass> classes, std::vector<TriageRule> rules,
                         std::string default_class)
    : classes_(std::move(classes)), rules_(std::move(rules)), default_class_(std::move(default_class)) {
  std::set<std::string> seen;
  for (const auto& r : rules_)
    if (seen.insert(r.indicator).second) indicators_.push_back(r.indicator);
}

bool TriageRules::knows_indicator(const std::string& indicator) const {
  return std::find(indicators_.begin(), indicators_.end(), indicator) != indicators_.end();
}

const TriageClass* TriageRules::find_class(const std::string& id) const {
  for (const auto& c : classes_)
    if (c.id == id) return &c;
  return nullptr;
}

TriageResult TriageRules::triage(const std::vector<std::string>& indicators) const {
  TriageResult result;
  for (const auto& rule : rules_) {
    if (std::find(indicators.begin(), indicators.end(), rule.indicator) == indicators.end()) continue;
    result.fired.push_back(&rule);
    const TriageClass* c = find_class(rule.class_id);
    if (c && (!result.triage_class || c->rank < result.triage_class->rank)) result.triage_class = c;
  }
  if (!result.triage_class) result.triage_class = find_class(default_class_);
  return result;
}

TriageRules parse_triage_table(ConfigReader& r, const toml::table& root) {
  std::vector<TriageClass> classes;
  std::set<std::string> class_ids;
  auto class_tables = r.tables(root, "classes", "classes", true);
  for (std::size_t i = 0; i < class_tables.size(); ++i) {
    const auto& t = *class_tables[i];
    const std::string path = "classes[" + std::to_string(i) + "]";
    TriageClass c;
    c.id = r.string(t, "id", path + ".id");
    c.name = r.string(t, "name", path + ".name");
    c.rank = static_cast<int>(i);
    c.dispatch = r.boolean(t, "dispatch", path + ".dispatch", false);
    c.accept_within = std::chrono::seconds(
        r.integer(t, "accept_within_s", path + ".accept_within_s", 0, 0, 7 * 24 * 3600));
    if (c.dispatch && c.accept_within.count() == 0)
      r.problem(path + ".accept_within_s", "must be set (> 0) for a class that is dispatched");
    c.first_contact = r.string(t, "first_contact", path + ".first_contact", "");
    if (!c.id.empty() && !class_ids.insert(c.id).second)
      r.problem(path + ".id", "duplicate class id " + c.id);
    classes.push_back(std::move(c));
  }
  std::vector<TriageRule> rules;
  std::set<std::string> rule_ids;
  auto rule_tables = r.tables(root, "rules", "rules", true);
  for (std::size_t i = 0; i < rule_tables.size(); ++i) {
    const auto& t = *rule_tables[i];
    const std::string path = "rules[" + std::to_string(i) + "]";
    TriageRule rule;
    rule.id = r.string(t, "id", path + ".id");
    rule.indicator = r.string(t, "indicator", path + ".indicator");
    rule.class_id = r.string(t, "class", path + ".class");
    rule.reason = r.string(t, "reason", path + ".reason");
    if (!rule.class_id.empty() && !class_ids.count(rule.class_id))
      r.problem(path + ".class", "unknown class " + rule.class_id);
    if (!rule.id.empty() && !rule_ids.insert(rule.id).second)
      r.problem(path + ".id", "duplicate rule id " + rule.id);
    rules.push_back(std::move(rule));
  }
  std::string default_class = r.string(root, "default_class", "default_class");
  if (!default_class.empty() && !class_ids.count(default_class))
    r.problem("default_class", "unknown class " + default_class);
  return TriageRules(std::move(classes), std::move(rules), std::move(default_class));
}

TriageRules load_triage_rules(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader r{file};
  auto root = r.parse_file();
  TriageRules rules = root ? parse_triage_table(r, *root) : TriageRules{};
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return rules;
}

TriageRules parse_triage_rules(const std::string& file, std::string_view text,
                               std::vector<ConfigProblem>& problems) {
  ConfigReader r{file};
  auto root = r.parse_text(text);
  TriageRules rules = root ? parse_triage_table(r, *root) : TriageRules{};
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return rules;
}

}  // namespace piket::dispatcher
