#pragma once
// A crisis report as the desk submits it, validated field by field. Pure: no I/O.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/domain/regions.hpp"
#include "common/result.hpp"
#include "dispatcher/triage/triage.hpp"

namespace piket::dispatcher {

struct Person {
  std::string role;  // child, parent, partner, other
  int age = -1;      // -1: unknown
};

struct Reporter {
  std::string name;
  std::string phone;
  std::string organisation;
};

struct ReportInput {
  std::string source;  // police, professional, citizen, school, hospital, restraining_order
  std::string municipality;  // canonical spelling
  std::string region;        // the region that serves the municipality
  std::string address;
  std::string family_reference;  // opaque link to a case system; never a national ID
  std::vector<std::string> indicators;
  std::string narrative;  // stored, never sent in an alert
  std::optional<Reporter> reporter;  // kept from the family, alerts and workers who do not need it
  std::vector<Person> people;

  nlohmann::json to_json() const;
};

// Validates and routes. The first problem found is returned, naming the field.
Result<ReportInput> parse_report_input(const nlohmann::json& body, const RegionDirectory& regions,
                                       const TriageRules& triage);

}  // namespace piket::dispatcher
