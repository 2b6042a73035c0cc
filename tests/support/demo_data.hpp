#pragma once
// The demo data of config/demo/, loaded once per test binary (and required to load cleanly).
#include <stdexcept>
#include <string>
#include <vector>

#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "scheduler/roster/rotation.hpp"

namespace piket::test {

struct DemoData {
  RegionDirectory regions;
  WorkerDirectory workers;
  std::vector<scheduler::Rotation> rotations;
};

inline const DemoData& demo_data() {
  static const DemoData data = [] {
    const std::string dir = std::string(PIKET_SOURCE_DIR) + "/config/demo/";
    std::vector<ConfigProblem> problems;
    DemoData d;
    d.regions = load_regions(dir + "regions.toml", problems);
    d.workers = load_workers(dir + "workers.toml", d.regions, problems);
    d.rotations = scheduler::load_rotations(dir + "rotations.toml", d.regions, d.workers, problems);
    if (!problems.empty()) throw std::runtime_error("demo data: " + problems.front().to_string());
    return d;
  }();
  return data;
}

}  // namespace piket::test
