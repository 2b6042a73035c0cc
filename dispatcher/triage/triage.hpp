#pragma once
// First triage: which urgency class a report gets, from indicator rules kept as data
// (config/*/triage.toml). Pure: no I/O, tested in microseconds.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/config_reader.hpp"

namespace piket::dispatcher {

struct TriageClass {
  std::string id;    // "T1"
  std::string name;  // "acute, direct"
  int rank = 0;      // lower = more urgent; order in the file
  bool dispatch = false;  // paged to the on-call worker now
  std::chrono::seconds accept_within{0};  // alert -> accept deadline, when dispatched
  std::string first_contact;  // human text: "same day; on scene within 2 h"
};

struct TriageRule {
  std::string id;
  std::string indicator;
  std::string class_id;
  std::string reason;
};

struct TriageResult {
  const TriageClass* triage_class = nullptr;
  std::vector<const TriageRule*> fired;
  bool acute() const { return triage_class && triage_class->dispatch; }
  nlohmann::json to_json() const;
};

class TriageRules {
 public:
  TriageRules() = default;
  TriageRules(std::vector<TriageClass> classes, std::vector<TriageRule> rules,
              std::string default_class);

  bool knows_indicator(const std::string& indicator) const;
  const std::vector<std::string>& indicators() const { return indicators_; }
  const TriageClass* find_class(const std::string& id) const;
  // The most urgent class among the rules that fire; the default class when none does.
  TriageResult triage(const std::vector<std::string>& indicators) const;

 private:
  std::vector<TriageClass> classes_;
  std::vector<TriageRule> rules_;
  std::vector<std::string> indicators_;
  std::string default_class_;
};

TriageRules load_triage_rules(const std::string& file, std::vector<ConfigProblem>& problems);
TriageRules parse_triage_rules(const std::string& file, std::string_view text,
                               std::vector<ConfigProblem>& problems);

}  // namespace piket::dispatcher
