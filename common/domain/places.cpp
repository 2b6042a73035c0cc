#include "common/domain/places.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace piket {

double haversine_km(Coordinates a, Coordinates b) {
  constexpr double kEarthRadiusKm = 6371.0088;  // IUGG mean radius
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

Places::Places(std::map<std::string, Coordinates> by_municipality) {
  // The first definition wins on duplicates; the loader has reported them already.
  for (const auto& [name, where] : by_municipality) by_folded_.emplace(fold_case(name), where);
}

std::optional<Coordinates> Places::find(const std::string& municipality) const {
  auto it = by_folded_.find(fold_case(municipality));
  if (it == by_folded_.end()) return std::nullopt;
  return it->second;
}

std::optional<double> Places::distance_km(const std::string& municipality_a,
                                          const std::string& municipality_b) const {
  auto a = find(municipality_a);
  auto b = find(municipality_b);
  if (!a || !b) return std::nullopt;
  return haversine_km(*a, *b);
}

namespace {

Places read_places(ConfigReader& reader, const toml::table& root, const RegionDirectory& regions) {
  std::map<std::string, Coordinates> places;
  std::map<std::string, std::string> seen;  // folded name -> key where first seen
  std::size_t index = 0;
  for (const toml::table* t : reader.tables(root, "places", "places", true)) {
    const std::string path = "places[" + std::to_string(index++) + "]";
    const std::string name = reader.string(*t, "municipality", path + ".municipality");
    Coordinates where;
    where.lat = reader.number(*t, "lat", path + ".lat", std::nullopt, -90.0, 90.0);
    where.lon = reader.number(*t, "lon", path + ".lon", std::nullopt, -180.0, 180.0);
    if (!t->get("municipality") || !t->get("municipality")->is_string()) continue;
    const auto canonical = regions.canonical_municipality(name);
    if (!canonical) {
      reader.problem(path + ".municipality",
                     "unknown municipality \"" + name + "\" (not in any configured region)");
      continue;
    }
    auto [it, fresh] = seen.emplace(fold_case(name), path + ".municipality");
    if (!fresh) {
      reader.problem(path + ".municipality",
                     "municipality \"" + name + "\" is already in " + it->second);
      continue;
    }
    places.emplace(*canonical, where);
  }
  // Listed once after the entries, in region order, so a new municipality is easy to spot.
  for (const Region& region : regions.regions())
    for (const std::string& m : region.municipalities)
      if (!seen.count(fold_case(m)))
        reader.problem("places", "no coordinates for municipality \"" + m + "\" of region \"" +
                                     region.id + "\"");
  return Places(std::move(places));
}

Places finish(ConfigReader& reader, const std::optional<toml::table>& root,
              const RegionDirectory& regions, std::vector<ConfigProblem>& problems) {
  Places out;
  if (root) out = read_places(reader, *root, regions);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

Places load_places(const std::string& file, const RegionDirectory& regions,
                   std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, regions, problems);
}

Places parse_places(const std::string& file, std::string_view text, const RegionDirectory& regions,
                    std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, regions, problems);
}

}  // namespace piket
