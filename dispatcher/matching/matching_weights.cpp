#include "dispatcher/matching/matching_weights.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace piket::dispatcher {

namespace {
MatchingWeights read_weights(ConfigReader& reader, const std::optional<toml::table>& root,
                             std::vector<ConfigProblem>& problems) {
  MatchingWeights w;
  if (root) {
    for (const auto& [name, node] : *root)
      if (name.str() != "weights") reader.problem(std::string(name.str()), "unknown section");
    const toml::table& t = reader.table(*root, "weights", "weights", false);
    const std::array<std::pair<const char*, double*>, 8> fields{{{"continuity", &w.continuity},
                                                                 {"preferred_skill", &w.preferred_skill},
                                                                 {"case_today", &w.case_today},
                                                                 {"km", &w.km},
                                                                 {"fairness", &w.fairness},
                                                                 {"position", &w.position},
                                                                 {"waiting_minute", &w.waiting_minute},
                                                                 {"late", &w.late}}};
    for (const auto& [key, node] : t) {
      const bool known = std::any_of(fields.begin(), fields.end(),
                                     [&](const auto& f) { return key.str() == f.first; });
      if (!known) reader.problem("weights." + std::string(key.str()), "unknown key");
    }
    for (const auto& [key, value] : fields)
      *value = reader.number(t, key, std::string("weights.") + key, *value, 0, 100000);
  }
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return w;
}
}  // namespace

MatchingWeights load_matching_weights(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  return read_weights(reader, reader.parse_file(), problems);
}

MatchingWeights parse_matching_weights(const std::string& file, std::string_view text,
                                       std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  return read_weights(reader, reader.parse_text(text), problems);
}

}  // namespace piket::dispatcher
