#pragma once
// First triage: the urgency class, route, required roles and skills and the first-contact
// deadline of a report, from rules kept as data (config/*/triage.toml). Pure: no I/O, tested in
// microseconds.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/config_reader.hpp"
#include "common/domain/holidays.hpp"
#include "common/domain/regions.hpp"
#include "common/result.hpp"
#include "dispatcher/triage/restraining_order.hpp"

namespace piket::dispatcher {

// Where a report goes next (DOMAIN.md, outcomes).
inline constexpr std::array<const char*, 5> kRoutes = {
    "crisis_intervention", "save_team", "local_team", "veilig_thuis_investigation",
    "child_protection_board_request"};
bool is_known_route(const std::string& route);

struct TriageClass {
  std::string id;    // "T1"
  std::string name;  // "acute, direct"
  int rank = 0;      // lower = more urgent; order in the file
  bool dispatch = false;  // paged to the on-call worker now
  std::chrono::seconds accept_within{0};  // alert -> accept deadline, when dispatched
  std::string first_contact;  // human text: "same day; on scene within 2 h"
  // Elapsed deadline from the report (T0/T1 2 h, T2 24 h) ...
  std::optional<std::chrono::seconds> first_contact_within;
  // ... or the end (next local midnight) of the n-th working day after the report's day (T3: 5).
  int first_contact_working_days = 0;
  std::vector<int> warn_at_working_days;  // T3: {3, 4}, each ended at local midnight
  std::string route;                      // default route of the class
};

// Who must be injured for a rule to fire. A report that marks nobody injured but has the
// `injury` indicator could mean anyone in the household, so then every person counts.
enum class InjuredCondition { none, child, adult, anyone };
std::optional<InjuredCondition> injured_condition_from_name(std::string_view name);

struct TriageCondition {
  std::vector<std::string> indicators_any;
  std::vector<std::string> indicators_all;
  std::vector<std::string> sources;
  // Fires only if some child (with injured = child: some injured child) has a known age <= this.
  int child_max_age = -1;
  InjuredCondition injured = InjuredCondition::none;
  // Minutes since local midnight, [from, to); wraps midnight when from > to ("22:00-07:00").
  std::optional<std::pair<int, int>> local_time;
  // A hard event (school ends, a flight) at most this long after the report.
  std::optional<std::chrono::seconds> hard_event_within;
  // The class decided by the other rules (or the desk) is one of these. Such a rule only adds
  // requirements (a night visit by two), so it is checked once the class is known.
  std::vector<std::string> classes;

  bool empty() const;
};

// Every condition kind that is set must hold. A rule without a class only adds requirements
// (a night visit needs two workers).
struct TriageRule {
  std::string id;
  std::string reason;
  std::string class_id;  // may be empty
  std::string route;     // may be empty
  std::vector<std::string> roles;
  std::vector<std::string> skills;
  bool two_person = false;
  bool physician = false;  // a confidential physician consult
  TriageCondition when;
};

struct TriagePerson {
  std::string role;  // child, parent, partner, other
  int age = -1;      // -1: unknown
  bool injured = false;
};

struct TriageFacts {
  std::vector<std::string> indicators;
  std::string source;
  std::vector<TriagePerson> people;
  TimePoint at{};               // when the report came in
  std::string time_zone = kDefaultTimeZone;  // the region's
  std::optional<TimePoint> hard_event_at;      // school ends, a flight: contact before it
};

struct TriageResult {
  const TriageClass* triage_class = nullptr;
  std::vector<const TriageRule*> fired;  // in file order
  std::string route;
  std::vector<std::string> roles;  // includes crisis_worker for a dispatched class
  std::vector<std::string> skills;
  bool two_person = false;
  bool physician = false;
  std::optional<TimePoint> first_contact_by;
  bool first_contact_before_event = false;  // the hard event came before the class's deadline
  std::vector<TimePoint> warnings;  // before first_contact_by, in order

  bool acute() const { return triage_class && triage_class->dispatch; }
  nlohmann::json to_json() const;
};

class TriageRules {
 public:
  TriageRules() = default;
  TriageRules(std::vector<TriageClass> classes, std::vector<TriageRule> rules,
              std::string default_class);

  // Working days skip these holidays; without a calendar only weekends are skipped.
  void set_holidays(HolidayCalendar calendar) { holidays_ = std::move(calendar); }
  // When the family left behind by a restraining order is first contacted (a local rule).
  void set_order_family_contact(FamilyContactRule rule) { order_family_contact_ = rule; }
  FamilyContactRule order_family_contact() const { return order_family_contact_; }

  bool knows_indicator(const std::string& indicator) const;
  bool knows_route(const std::string& route) const;
  const std::vector<std::string>& indicators() const { return indicators_; }
  const TriageClass* find_class(const std::string& id) const;

  // The most urgent class among the rules that fire (the default class when none does); the
  // route of the most urgent firing rule that has one and is not less urgent than that class,
  // else the class route; the requirements of every firing rule.
  TriageResult triage(const TriageFacts& facts) const;
  // The desk overrides the class (and, when `route` is not empty, the route): deadlines follow
  // the new class, the fired rules and their requirements stay. invalid_field "class" / "route"
  // for an unknown one.
  Result<TriageResult> with_override(const TriageFacts& facts, const std::string& class_id,
                                     const std::string& route) const;

 private:
  TriageResult decide(const TriageFacts& facts, const TriageClass* forced_class,
                      const std::string& forced_route) const;

  std::vector<TriageClass> classes_;
  std::vector<TriageRule> rules_;
  std::vector<std::string> indicators_;
  std::string default_class_;
  HolidayCalendar holidays_;
  FamilyContactRule order_family_contact_;
};

// Problems name their key: "rules[3].when.child_max_age".
TriageRules load_triage_rules(const std::string& file, std::vector<ConfigProblem>& problems);
TriageRules parse_triage_rules(const std::string& file, std::string_view text,
                               std::vector<ConfigProblem>& problems);

}  // namespace piket::dispatcher
