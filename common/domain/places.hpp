#pragma once
// Where municipalities are, for the travel-distance term of matching. Straight-line (haversine)
// distance between two municipalities' reference points: a ranking hint, not a route.
// Data from config/ (places.toml), never code.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config_reader.hpp"
#include "common/domain/regions.hpp"

namespace piket {

struct Coordinates {
  double lat = 0;  // WGS84 degrees
  double lon = 0;
};

// Great-circle distance on a sphere of the Earth's mean radius.
double haversine_km(Coordinates a, Coordinates b);

class Places {
 public:
  Places() = default;
  explicit Places(std::map<std::string, Coordinates> by_municipality);  // names as configured

  // Names are matched case-insensitively (fold_case); nullopt when either is unknown.
  std::optional<Coordinates> find(const std::string& municipality) const;
  std::optional<double> distance_km(const std::string& municipality_a,
                                    const std::string& municipality_b) const;
  std::size_t size() const { return by_folded_.size(); }

 private:
  std::map<std::string, Coordinates> by_folded_;
};

// Loads places.toml: [[places]] municipality, lat, lon. Every municipality of `regions` needs
// coordinates; a place outside the regions, or listed twice, is a problem too.
Places load_places(const std::string& file, const RegionDirectory& regions,
                   std::vector<ConfigProblem>& problems);
Places parse_places(const std::string& file, std::string_view text, const RegionDirectory& regions,
                    std::vector<ConfigProblem>& problems);

}  // namespace piket
