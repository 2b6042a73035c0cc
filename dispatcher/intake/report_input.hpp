#pragma once
// A crisis report as the desk submits it, validated field by field. Pure: no I/O.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/domain/regions.hpp"
#include "common/result.hpp"
#include "dispatcher/triage/triage.hpp"

namespace piket::dispatcher {

struct Person {
  std::string role;  // child, parent, partner, other
  int age = -1;      // -1: unknown
  bool injured = false;  // injuries belong to people: an injured child asks for the physician
};

struct Reporter {
  std::string name;
  std::string phone;
  std::string organisation;
};

struct RestrainingOrderInput {
  TimePoint imposed_at;
};

struct ReportInput {
  std::string kind = "report";  // report | advice: advice may be anonymous, is never dispatched
  std::string source;  // police, professional, citizen, school, hospital, restraining_order
  std::string municipality;  // canonical spelling; may be empty for advice
  std::string region;        // the region that serves the municipality
  std::string address;
  std::string family_reference;  // opaque link to a case system; never a national ID
  std::vector<std::string> indicators;
  std::string narrative;  // stored, never sent in an alert
  std::optional<Reporter> reporter;  // kept from the family, alerts and workers who do not need it
  std::vector<Person> people;
  std::optional<RestrainingOrderInput> restraining_order;  // required for that source
  std::optional<TimePoint> hard_event_at;  // school ends, a flight: first contact before it

  bool advice() const { return kind == "advice"; }
  // What triage reads. Someone marked injured brings the injury indicator with them.
  TriageFacts triage_facts(TimePoint at, std::string time_zone) const;
  nlohmann::json to_json() const;
};

// The triage facts of a report as stored (ReportInput::to_json), for a later triage.
TriageFacts stored_triage_facts(const nlohmann::json& stored, TimePoint at, std::string time_zone);

// Validates and routes. The first problem found is returned, naming the field. `now` bounds a
// restraining order's imposed_at: at most 5 minutes ahead (clock skew), at most 28 days back.
Result<ReportInput> parse_report_input(const nlohmann::json& body, const RegionDirectory& regions,
                                       const TriageRules& triage, TimePoint now);

}  // namespace piket::dispatcher
