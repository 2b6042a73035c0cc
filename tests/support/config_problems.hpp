#pragma once
// Looking at configuration problems in tests: all of them as text (for INFO), one by its key.
#include <string>
#include <vector>

#include "common/config_reader.hpp"

namespace piket::test {

inline std::string listed(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

inline const ConfigProblem* problem_for(const std::vector<ConfigProblem>& problems,
                                        const std::string& key) {
  for (const auto& p : problems)
    if (p.key == key) return &p;
  return nullptr;
}

}  // namespace piket::test
