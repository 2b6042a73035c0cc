#include "scheduler/coverage/staffing.hpp"

namespace piket::scheduler {

std::vector<StaffingMinimum> load_staffing(const std::string& file, const RegionDirectory& regions,
                                           std::vector<ConfigProblem>& problems) {
  ConfigReader r{file};
  std::vector<StaffingMinimum> out;
  if (auto root = r.parse_file()) {
    auto tables = r.tables(*root, "minimums", "minimums", true);
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const std::string path = "minimums[" + std::to_string(i) + "]";
      StaffingMinimum m;
      m.region = r.string(*tables[i], "region", path + ".region");
      if (!m.region.empty() && !regions.find(m.region)) r.problem(path + ".region", "unknown region " + m.region);
      m.role = r.string(*tables[i], "role", path + ".role", std::string(kRoleCrisisWorker));
      if (!is_known_role(m.role)) r.problem(path + ".role", "unknown role " + m.role);
      const std::string duty = r.string(*tables[i], "duty", path + ".duty", "on_call");
      if (auto d = duty_from_name(duty)) m.duty = *d;
      else r.problem(path + ".duty", "must be \"shift\" or \"on_call\"");
      m.minimum = static_cast<int>(r.integer(*tables[i], "minimum", path + ".minimum", std::nullopt, 0, 1000));
      out.push_back(m);
    }
  }
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return out;
}

}  // namespace piket::scheduler
