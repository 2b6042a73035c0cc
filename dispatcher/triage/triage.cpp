#include "dispatcher/triage/triage.hpp"

#include <algorithm>
#include <climits>
#include <set>

#include "common/domain/workers.hpp"
#include "common/utf8.hpp"
#include "common/local_time.hpp"

namespace piket::dispatcher {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void add_unique(std::vector<std::string>& list, const std::vector<std::string>& more) {
  for (const auto& v : more)
    if (!contains(list, v)) list.push_back(v);
}

bool in_window(std::pair<int, int> window, int minute) {
  const auto [from, to] = window;
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

bool is_child(const TriagePerson& p) { return p.role == "child"; }

bool role_fits(InjuredCondition who, const TriagePerson& p) {
  switch (who) {
    case InjuredCondition::child: return is_child(p);
    case InjuredCondition::adult: return !is_child(p);
    case InjuredCondition::anyone: return true;
    case InjuredCondition::none: return false;
  }
  return false;
}

// Whether someone that fits the condition is injured. The people marked injured decide. A
// report with the injury indicator that marks nobody could mean anyone: then every person
// listed counts, and with nobody listed, someone of unknown role and age (a child is not ruled
// out, so the physician is still asked).
bool someone_injured(const TriageCondition& c, const TriageFacts& facts) {
  const bool attributed = std::any_of(facts.people.begin(), facts.people.end(),
                                      [](const TriagePerson& p) { return p.injured; });
  if (!attributed && !contains(facts.indicators, "injury")) return false;
  if (!attributed && facts.people.empty()) return c.child_max_age < 0;
  return std::any_of(facts.people.begin(), facts.people.end(), [&](const TriagePerson& p) {
    if (attributed && !p.injured) return false;
    if (!role_fits(c.injured, p)) return false;
    if (c.child_max_age < 0) return true;
    return is_child(p) && p.age >= 0 && p.age <= c.child_max_age;
  });
}

bool matches(const TriageCondition& c, const TriageFacts& facts, int local_minute) {
  if (!c.indicators_any.empty() &&
      std::none_of(c.indicators_any.begin(), c.indicators_any.end(),
                   [&](const std::string& i) { return contains(facts.indicators, i); }))
    return false;
  if (!std::all_of(c.indicators_all.begin(), c.indicators_all.end(),
                   [&](const std::string& i) { return contains(facts.indicators, i); }))
    return false;
  if (!c.sources.empty() && !contains(c.sources, facts.source)) return false;
  if (c.injured != InjuredCondition::none) {
    if (!someone_injured(c, facts)) return false;
  } else if (c.child_max_age >= 0 &&
             std::none_of(facts.people.begin(), facts.people.end(), [&](const TriagePerson& p) {
               return is_child(p) && p.age >= 0 && p.age <= c.child_max_age;
             })) {
    return false;
  }
  if (c.local_time && !in_window(*c.local_time, local_minute)) return false;
  if (c.hard_event_within &&
      (!facts.hard_event_at || *facts.hard_event_at > facts.at + *c.hard_event_within))
    return false;
  return true;
}

// "End of the n-th working day" is the next local midnight: the whole day counts.
TimePoint end_of_working_day(const HolidayCalendar& holidays, const date::time_zone& zone,
                             date::local_days report_day, int n) {
  const date::year_month_day day = holidays.add_working_days(date::year_month_day{report_day}, n);
  return from_local(zone, LocalTime{date::local_days{day} + date::days{1}});
}

}  // namespace

std::optional<InjuredCondition> injured_condition_from_name(std::string_view name) {
  if (name == "child") return InjuredCondition::child;
  if (name == "adult") return InjuredCondition::adult;
  if (name == "anyone") return InjuredCondition::anyone;
  return std::nullopt;
}

bool TriageCondition::empty() const {
  return indicators_any.empty() && indicators_all.empty() && sources.empty() &&
         child_max_age < 0 && injured == InjuredCondition::none && !local_time &&
         !hard_event_within && classes.empty();
}

nlohmann::json TriageResult::to_json() const {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto* r : fired) {
    nlohmann::json rule{{"rule", r->id}, {"class", r->class_id}, {"reason", r->reason}};
    // A one-indicator rule names it, as before conditions existed.
    if (r->when.indicators_any.size() == 1) rule["indicator"] = r->when.indicators_any[0];
    rules.push_back(std::move(rule));
  }
  nlohmann::json warning_times = nlohmann::json::array();
  for (const auto& w : warnings) warning_times.push_back(format_utc(w));
  const TriageClass* c = triage_class;
  return {{"class", c ? c->id : ""},
          {"class_name", c ? c->name : ""},
          {"acute", acute()},
          {"accept_within_s", c ? c->accept_within.count() : 0},
          {"first_contact", c ? c->first_contact : ""},
          {"rules_fired", rules},
          {"route", route},
          {"roles", roles},
          {"skills", skills},
          {"two_person", two_person},
          {"physician", physician},
          {"first_contact_by",
           first_contact_by ? nlohmann::json(format_utc(*first_contact_by)) : nlohmann::json()},
          {"first_contact_before_event", first_contact_before_event},
          {"warnings", warning_times}};
}

TriageRules::TriageRules(std::vector<TriageClass> classes, std::vector<TriageRule> rules,
                         std::string default_class)
    : classes_(std::move(classes)), rules_(std::move(rules)), default_class_(std::move(default_class)) {
  std::set<std::string> seen;
  for (const auto& r : rules_)
    for (const auto* list : {&r.when.indicators_any, &r.when.indicators_all})
      for (const auto& i : *list)
        if (seen.insert(i).second) indicators_.push_back(i);
}

bool TriageRules::knows_indicator(const std::string& indicator) const {
  return contains(indicators_, indicator);
}

bool is_known_route(const std::string& route) {
  return std::any_of(kRoutes.begin(), kRoutes.end(), [&](const char* r) { return route == r; });
}

bool TriageRules::knows_route(const std::string& route) const { return is_known_route(route); }

const TriageClass* TriageRules::find_class(const std::string& id) const {
  for (const auto& c : classes_)
    if (c.id == id) return &c;
  return nullptr;
}

TriageResult TriageRules::triage(const TriageFacts& facts) const {
  return decide(facts, nullptr, "");
}

Result<TriageResult> TriageRules::with_override(const TriageFacts& facts,
                                                const std::string& class_id,
                                                const std::string& route) const {
  const TriageClass* c = find_class(class_id);
  if (!c)
    return make_error(ErrorCode::invalid_field, "class",
                      class_id.empty() ? "is required" : "unknown class " + utf8_prefix(class_id, 64));
  if (!route.empty() && !knows_route(route))
    return make_error(ErrorCode::invalid_field, "route", "unknown route " + utf8_prefix(route, 64));
  return decide(facts, c, route);
}

TriageResult TriageRules::decide(const TriageFacts& facts, const TriageClass* forced_class,
                                 const std::string& forced_route) const {
  const date::time_zone& zone = zone_or_utc(facts.time_zone);
  const LocalTime local = to_local(zone, facts.at);
  const date::local_days local_day = date::floor<date::days>(local);
  const int local_minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - local_day).count());

  TriageResult result;
  auto fire = [&](const TriageRule& rule) {
    result.fired.push_back(&rule);
    add_unique(result.roles, rule.roles);
    add_unique(result.skills, rule.skills);
    result.two_person = result.two_person || rule.two_person;
    result.physician = result.physician || rule.physician;
  };
  for (const auto& rule : rules_) {
    if (!rule.when.classes.empty() || !matches(rule.when, facts, local_minute)) continue;
    fire(rule);
    const TriageClass* c = rule.class_id.empty() ? nullptr : find_class(rule.class_id);
    if (c && (!result.triage_class || c->rank < result.triage_class->rank)) result.triage_class = c;
  }
  if (forced_class) result.triage_class = forced_class;
  if (!result.triage_class) result.triage_class = find_class(default_class_);
  const TriageClass* c = result.triage_class;
  // Rules on the class itself (two workers for every acute visit at night) come after it.
  for (const auto& rule : rules_)
    if (c && contains(rule.when.classes, c->id) && matches(rule.when, facts, local_minute)) fire(rule);

  // A rule less urgent than the class does not steer the route: "concern" beside "weapon"
  // still goes to crisis intervention. Rules without a class rank after every class.
  const TriageRule* route_rule = nullptr;
  int route_rank = INT_MAX;
  for (const TriageRule* rule : result.fired) {
    if (rule->route.empty()) continue;
    const TriageClass* rc = rule->class_id.empty() ? nullptr : find_class(rule->class_id);
    const int rank = rc ? rc->rank : INT_MAX;
    if (rc && c && rank > c->rank) continue;
    if (!route_rule || rank < route_rank) {
      route_rule = rule;
      route_rank = rank;
    }
  }
  if (!forced_route.empty())
    result.route = forced_route;
  else if (route_rule)
    result.route = route_rule->route;
  else if (c)
    result.route = c->route;

  if (!c) return result;
  if (c->dispatch && !contains(result.roles, kRoleCrisisWorker))
    result.roles.insert(result.roles.begin(), kRoleCrisisWorker);
  if (c->first_contact_within) {
    result.first_contact_by = facts.at + *c->first_contact_within;
  } else if (c->first_contact_working_days > 0) {
    result.first_contact_by =
        end_of_working_day(holidays_, zone, local_day, c->first_contact_working_days);
    for (int day : c->warn_at_working_days)
      result.warnings.push_back(end_of_working_day(holidays_, zone, local_day, day));
  }
  // Contact before a hard event (school ends, a flight) when it comes before the deadline.
  if (facts.hard_event_at && result.first_contact_by && *facts.hard_event_at < *result.first_contact_by &&
      *facts.hard_event_at > facts.at) {
    result.first_contact_by = *facts.hard_event_at;
    result.first_contact_before_event = true;
    std::erase_if(result.warnings, [&](TimePoint w) { return w >= *facts.hard_event_at; });
  }
  return result;
}

}  // namespace piket::dispatcher
