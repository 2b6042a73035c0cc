#include "scheduler/coverage/gap_pages.hpp"

namespace piket::scheduler {
using nlohmann::json;

std::vector<json> coverage_gap_pages(
    const json& gaps, TimePoint now, std::chrono::hours horizon,
    const std::function<std::vector<std::string>(const std::string& region)>& team_leads,
    const std::string& public_url) {
  std::vector<json> out;
  if (!gaps.is_array()) return out;
  for (const auto& gap : gaps) {
    TimePoint start, end;
    if (!gap.is_object() || !parse_utc(gap.value("start", ""), start) || !parse_utc(gap.value("end", ""), end))
      continue;
    if (end <= now || start > now + horizon) continue;
    const std::string region = gap.value("region", "");
    const std::string role = gap.value("role", "");
    for (const std::string& lead : team_leads(region)) {
      out.push_back({{"alert_id", "gap-" + region + "-" + role + "-" + std::to_string(to_unix_ms(start)) + "-" +
                                      std::to_string(to_unix_ms(end)) + "-" + lead},
                     {"kind", "coverage_gap"},
                     {"worker", lead},
                     {"region", region},
                     {"role", role},
                     {"start", gap.value("start", "")},
                     {"end", gap.value("end", "")},
                     {"staffed", gap.value("staffed", 0)},
                     {"minimum", gap.value("minimum", 0)},
                     {"link", public_url + "/api/v1/roster/coverage"}});
    }
  }
  return out;
}

}  // namespace piket::scheduler
