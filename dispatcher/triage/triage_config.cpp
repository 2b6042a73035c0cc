// triage.toml: [[classes]] most urgent first, [[rules]] with a `when` table (or the older
// `indicator = "x"`), default_class. Every problem names its key.
#include <algorithm>
#include <initializer_list>
#include <set>

#include "common/domain/workers.hpp"
#include "dispatcher/intake/report_sources.hpp"
#include "dispatcher/triage/triage.hpp"

namespace piket::dispatcher {
namespace {

constexpr std::int64_t kWeek = 7 * 24 * 3600;

std::string route_list() {
  std::string out;
  for (const char* r : kRoutes) out += (out.empty() ? "" : ", ") + std::string(r);
  return out;
}

// A typo in a key would silently drop a condition or a requirement: refuse unknown keys.
void only_keys(ConfigReader& r, const toml::table& t, const std::string& path,
               std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : t)
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      r.problem(path + "." + std::string(key.str()), "unknown key");
}

void check_route(ConfigReader& r, const std::string& route, const std::string& path) {
  if (!route.empty() && !is_known_route(route))
    r.problem(path, "unknown route " + route + " (known: " + route_list() + ")");
}

// Non-empty names; `path` names the array ("rules[2].when.indicators_any").
std::vector<std::string> names(ConfigReader& r, const toml::table& t, std::string_view key,
                               const std::string& path) {
  auto out = r.strings(t, key, path, false);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].empty()) r.problem(path + "[" + std::to_string(i) + "]", "must not be empty");
  return out;
}

// "HH:MM" -> minutes after midnight.
std::optional<int> minutes_of(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

// "22:00-07:00": a window in local time, wrapping midnight when the end comes first.
std::optional<std::pair<int, int>> local_window(ConfigReader& r, const toml::table& when,
                                                const std::string& path) {
  if (!when.get("local_time")) return std::nullopt;
  const std::string text = r.string(when, "local_time", path);
  const auto dash = text.find('-');
  const auto from = dash == std::string::npos ? std::nullopt : minutes_of(text.substr(0, dash));
  const auto to = dash == std::string::npos ? std::nullopt : minutes_of(text.substr(dash + 1));
  if (!from || !to) {
    if (!text.empty()) r.problem(path, "must be \"HH:MM-HH:MM\", got \"" + text + "\"");
    return std::nullopt;
  }
  if (*from == *to) {
    r.problem(path, "is an empty window: from and to are the same");
    return std::nullopt;
  }
  return std::pair{*from, *to};
}

TriageClass read_class(ConfigReader& r, const toml::table& t, const std::string& path, int rank) {
  only_keys(r, t, path,
            {"id", "name", "dispatch", "accept_within_s", "first_contact", "first_contact_within_s",
             "first_contact_working_days", "warn_at_working_days", "route"});
  TriageClass c;
  c.id = r.string(t, "id", path + ".id");
  c.name = r.string(t, "name", path + ".name");
  c.rank = rank;
  c.dispatch = r.boolean(t, "dispatch", path + ".dispatch", false);
  c.accept_within =
      std::chrono::seconds(r.integer(t, "accept_within_s", path + ".accept_within_s", 0, 0, kWeek));
  if (c.dispatch && c.accept_within.count() == 0)
    r.problem(path + ".accept_within_s", "must be set (> 0) for a class that is dispatched");
  c.first_contact = r.string(t, "first_contact", path + ".first_contact", "");
  c.route = r.string(t, "route", path + ".route", "");
  check_route(r, c.route, path + ".route");

  if (t.get("first_contact_within_s"))
    c.first_contact_within = std::chrono::seconds(r.integer(
        t, "first_contact_within_s", path + ".first_contact_within_s", std::nullopt, 1, kWeek));
  c.first_contact_working_days = static_cast<int>(
      r.integer(t, "first_contact_working_days", path + ".first_contact_working_days", 0, 0, 60));
  if (c.first_contact_within && c.first_contact_working_days > 0)
    r.problem(path + ".first_contact_working_days",
              "give either first_contact_within_s or first_contact_working_days, not both");

  const std::string warn_path = path + ".warn_at_working_days";
  if (const toml::node* node = t.get("warn_at_working_days")) {
    const toml::array* days = node->as_array();
    if (!days) r.problem(warn_path, "must be an array of integers");
    if (days && !days->empty() && c.first_contact_working_days == 0)
      r.problem(warn_path, "needs first_contact_working_days");
    for (std::size_t i = 0; days && i < days->size(); ++i) {
      const std::string key = warn_path + "[" + std::to_string(i) + "]";
      const auto day = (*days)[i].value_exact<std::int64_t>();
      if (!day) {
        r.problem(key, "must be an integer");
      } else if (c.first_contact_working_days > 0 &&
                 (*day < 1 || *day >= c.first_contact_working_days)) {
        r.problem(key, "must be 1 to " + std::to_string(c.first_contact_working_days - 1) +
                           ": a warning comes before the deadline");
      } else if (!c.warn_at_working_days.empty() && *day <= c.warn_at_working_days.back()) {
        r.problem(key, "must be later than the warning before it");
      } else {
        c.warn_at_working_days.push_back(static_cast<int>(*day));
      }
    }
  }
  return c;
}

TriageCondition read_condition(ConfigReader& r, const toml::table& rule, const std::string& path,
                               const std::set<std::string>& class_ids) {
  TriageCondition when;
  const std::string when_path = path + ".when";
  const toml::table& w = r.table(rule, "when", when_path, false);
  only_keys(r, w, when_path,
            {"indicators_any", "indicators_all", "sources", "child_max_age", "injured",
             "local_time", "hard_event_within_s", "classes"});
  when.indicators_any = names(r, w, "indicators_any", when_path + ".indicators_any");
  when.indicators_all = names(r, w, "indicators_all", when_path + ".indicators_all");
  when.sources = r.strings(w, "sources", when_path + ".sources", false);
  for (std::size_t i = 0; i < when.sources.size(); ++i)
    if (!is_report_source(when.sources[i]))
      r.problem(when_path + ".sources[" + std::to_string(i) + "]",
                "unknown source " + when.sources[i]);
  if (w.get("child_max_age"))
    when.child_max_age = static_cast<int>(
        r.integer(w, "child_max_age", when_path + ".child_max_age", std::nullopt, 0, 17));
  when.local_time = local_window(r, w, when_path + ".local_time");
  if (w.get("injured")) {
    const std::string who = r.string(w, "injured", when_path + ".injured");
    if (auto parsed = injured_condition_from_name(who)) when.injured = *parsed;
    else r.problem(when_path + ".injured", "must be child, adult or anyone, got \"" + who + "\"");
  }
  if (when.child_max_age >= 0 && when.injured == InjuredCondition::adult)
    r.problem(when_path + ".child_max_age", "cannot hold for an injured adult");
  if (w.get("hard_event_within_s"))
    when.hard_event_within = std::chrono::seconds(r.integer(
        w, "hard_event_within_s", when_path + ".hard_event_within_s", std::nullopt, 1, 4 * kWeek));
  when.classes = names(r, w, "classes", when_path + ".classes");
  for (std::size_t i = 0; i < when.classes.size(); ++i)
    if (!class_ids.count(when.classes[i]))
      r.problem(when_path + ".classes[" + std::to_string(i) + "]", "unknown class " + when.classes[i]);

  // The older form: one indicator, the same as when.indicators_any = [it].
  if (const toml::node* node = rule.get("indicator")) {
    const std::string indicator = r.string(rule, "indicator", path + ".indicator");
    if (!when.indicators_any.empty())
      r.problem(path + ".indicator", "give either indicator or when.indicators_any, not both");
    else if (!indicator.empty())
      when.indicators_any.push_back(indicator);
    else if (node->is_string())
      r.problem(path + ".indicator", "must not be empty");
  } else if (when.empty() && !w.get("local_time") && !w.get("child_max_age") && !w.get("injured")) {
    r.problem(when_path,
              "is required: indicator, or when with indicators_any, indicators_all, sources, "
              "child_max_age, injured, local_time, hard_event_within_s or classes");
  }
  return when;
}

TriageRule read_rule(ConfigReader& r, const toml::table& t, const std::string& path,
                     const std::set<std::string>& class_ids) {
  only_keys(r, t, path,
            {"id", "reason", "indicator", "class", "route", "roles", "skills", "two_person",
             "physician", "when"});
  TriageRule rule;
  rule.id = r.string(t, "id", path + ".id");
  rule.reason = r.string(t, "reason", path + ".reason");
  rule.class_id = r.string(t, "class", path + ".class", "");
  rule.route = r.string(t, "route", path + ".route", "");
  check_route(r, rule.route, path + ".route");
  rule.roles = r.strings(t, "roles", path + ".roles", false);
  for (std::size_t i = 0; i < rule.roles.size(); ++i)
    if (!is_known_role(rule.roles[i]))
      r.problem(path + ".roles[" + std::to_string(i) + "]", "unknown role " + rule.roles[i]);
  rule.skills = names(r, t, "skills", path + ".skills");
  rule.two_person = r.boolean(t, "two_person", path + ".two_person", false);
  rule.physician = r.boolean(t, "physician", path + ".physician", false);
  rule.when = read_condition(r, t, path, class_ids);
  if (!rule.when.classes.empty() && !rule.class_id.empty())
    r.problem(path + ".class", "a rule on the decided class (when.classes) cannot set the class");

  if (!rule.class_id.empty() && !class_ids.count(rule.class_id))
    r.problem(path + ".class", "unknown class " + rule.class_id);
  const bool adds_something = !rule.route.empty() || !rule.roles.empty() || !rule.skills.empty() ||
                              rule.two_person || rule.physician;
  const toml::node* class_node = t.get("class");
  if (class_node && class_node->is_string() && rule.class_id.empty())
    r.problem(path + ".class", "must not be empty");
  else if (!class_node && !adds_something)
    r.problem(path + ".class",
              "is required for a rule that adds no route, roles, skills, two_person or physician");
  return rule;
}

// [restraining_order] family_contact_days_after = 1, family_contact_at = "12:00"
FamilyContactRule read_order_family_contact(ConfigReader& r, const toml::table& root) {
  FamilyContactRule rule;
  const toml::table& order = r.table(root, "restraining_order", "restraining_order", false);
  only_keys(r, order, "restraining_order", {"family_contact_days_after", "family_contact_at"});
  rule.days_after = static_cast<int>(r.integer(order, "family_contact_days_after",
                                               "restraining_order.family_contact_days_after", 1, 0, 7));
  const std::string at = r.string(order, "family_contact_at", "restraining_order.family_contact_at", "12:00");
  if (auto minutes = minutes_of(at)) rule.at_minute = *minutes;
  else r.problem("restraining_order.family_contact_at", "must be a local time such as 12:00, got \"" + at + "\"");
  return rule;
}

TriageRules read_triage(ConfigReader& r, const toml::table& root) {
  std::vector<TriageClass> classes;
  std::set<std::string> class_ids;
  auto class_tables = r.tables(root, "classes", "classes", true);
  for (std::size_t i = 0; i < class_tables.size(); ++i) {
    const std::string path = "classes[" + std::to_string(i) + "]";
    TriageClass c = read_class(r, *class_tables[i], path, static_cast<int>(i));
    if (!c.id.empty() && !class_ids.insert(c.id).second)
      r.problem(path + ".id", "duplicate class id " + c.id);
    classes.push_back(std::move(c));
  }
  std::vector<TriageRule> rules;
  std::set<std::string> rule_ids;
  auto rule_tables = r.tables(root, "rules", "rules", true);
  for (std::size_t i = 0; i < rule_tables.size(); ++i) {
    const std::string path = "rules[" + std::to_string(i) + "]";
    TriageRule rule = read_rule(r, *rule_tables[i], path, class_ids);
    if (!rule.id.empty() && !rule_ids.insert(rule.id).second)
      r.problem(path + ".id", "duplicate rule id " + rule.id);
    rules.push_back(std::move(rule));
  }
  std::string default_class = r.string(root, "default_class", "default_class");
  if (!default_class.empty() && !class_ids.count(default_class))
    r.problem("default_class", "unknown class " + default_class);
  TriageRules triage(std::move(classes), std::move(rules), std::move(default_class));
  triage.set_order_family_contact(read_order_family_contact(r, root));
  return triage;
}

TriageRules finish(ConfigReader& r, const std::optional<toml::table>& root,
                   std::vector<ConfigProblem>& problems) {
  TriageRules rules = root ? read_triage(r, *root) : TriageRules{};
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return rules;
}

}  // namespace

TriageRules load_triage_rules(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader r{file};
  auto root = r.parse_file();
  return finish(r, root, problems);
}

TriageRules parse_triage_rules(const std::string& file, std::string_view text,
                               std::vector<ConfigProblem>& problems) {
  ConfigReader r{file};
  auto root = r.parse_text(text);
  return finish(r, root, problems);
}

}  // namespace piket::dispatcher
