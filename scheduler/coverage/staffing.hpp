#pragma once
// Minimum staffing as data (config/*/staffing.toml).
#include <string>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/regions.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

std::vector<StaffingMinimum> load_staffing(const std::string& file, const RegionDirectory& regions,
                                           std::vector<ConfigProblem>& problems);

}  // namespace piket::scheduler
