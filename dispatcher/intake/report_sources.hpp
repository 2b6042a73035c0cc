#pragma once
// Where a report can come from. Shared by intake (validates reports) and triage (rules on the
// source), so a rule cannot name a source that no report can have.
#include <algorithm>
#include <array>
#include <string_view>

namespace piket::dispatcher {

inline constexpr std::array<const char*, 6> kReportSources = {
    "police", "professional", "citizen", "school", "hospital", "restraining_order"};

inline bool is_report_source(std::string_view source) {
  return std::any_of(kReportSources.begin(), kReportSources.end(),
                     [&](const char* s) { return source == s; });
}

}  // namespace piket::dispatcher
