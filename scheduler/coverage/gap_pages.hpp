#pragma once
// The pages a roster change's new coverage gaps send: each gap that starts soon (within the
// horizon, or has started) goes to the team leads on call in its region now, so someone can
// fill it before it opens. Later gaps are on the console and the coverage report only: nobody
// is woken at night for a gap weeks ahead. Pure.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace piket::scheduler {

// `gaps`: the change's "gaps_created" ({region, role, duty, start, end, staffed, minimum}).
// The alert id is the gap and the worker, so the same gap made twice pages nobody twice.
std::vector<nlohmann::json> coverage_gap_pages(
    const nlohmann::json& gaps, TimePoint now, std::chrono::hours horizon,
    const std::function<std::vector<std::string>(const std::string& region)>& team_leads,
    const std::string& public_url);

}  // namespace piket::scheduler
