#include "common/domain/regions.hpp"

#include <date/tz.h>

#include <cctype>
#include <set>
#include <stdexcept>

namespace piket {

std::string fold_case(const std::string& text) {
  // ASCII only: municipality names are typed by staff and by intake forms with stray spaces and
  // capitals ("  ijsselstein"); full Unicode folding is not needed for Dutch place names.
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out = text.substr(begin, end - begin);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

RegionDirectory::RegionDirectory(std::vector<Region> regions) : regions_(std::move(regions)) {
  // The first definition wins on duplicates; the loader has reported them already.
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    by_id_.emplace(regions_[i].id, i);
    for (const std::string& m : regions_[i].municipalities)
      by_municipality_.emplace(fold_case(m), std::make_pair(i, m));
  }
}

const Region* RegionDirectory::find(const std::string& region_id) const {
  auto it = by_id_.find(region_id);
  return it == by_id_.end() ? nullptr : &regions_[it->second];
}

std::string RegionDirectory::time_zone_of(const std::string& region_id) const {
  const Region* r = find(region_id);
  return r ? r->time_zone : kDefaultTimeZone;
}

const Region* RegionDirectory::region_for_municipality(const std::string& municipality) const {
  auto it = by_municipality_.find(fold_case(municipality));
  return it == by_municipality_.end() ? nullptr : &regions_[it->second.first];
}

std::optional<std::string> RegionDirectory::canonical_municipality(
    const std::string& municipality) const {
  auto it = by_municipality_.find(fold_case(municipality));
  if (it == by_municipality_.end()) return std::nullopt;
  return it->second.second;
}

namespace {

bool is_known_zone(const std::string& zone) {
  try {
    date::locate_zone(zone);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

RegionDirectory read_regions(ConfigReader& reader, const toml::table& root) {
  std::vector<Region> regions;
  std::set<std::string> ids;
  std::map<std::string, std::string> municipality_owner;  // folded name -> key where first seen
  for (const toml::table* t : reader.tables(root, "regions", "regions", true)) {
    const std::string path = "regions[" + std::to_string(regions.size()) + "]";
    Region r;
    r.id = reader.string(*t, "id", path + ".id");
    r.name = reader.string(*t, "name", path + ".name");
    r.time_zone = reader.string(*t, "time_zone", path + ".time_zone", r.time_zone);
    r.municipalities = reader.strings(*t, "municipalities", path + ".municipalities", true);
    r.neighbours = reader.strings(*t, "neighbours", path + ".neighbours", false);

    if (t->get("id") && fold_case(r.id).empty()) reader.problem(path + ".id", "must not be empty");
    if (!r.id.empty() && !ids.insert(r.id).second)
      reader.problem(path + ".id", "duplicate region id \"" + r.id + "\"");
    if (!is_known_zone(r.time_zone))
      reader.problem(path + ".time_zone", "unknown time zone \"" + r.time_zone + "\"");
    if (t->get("municipalities") && r.municipalities.empty())
      reader.problem(path + ".municipalities", "must name at least one municipality");
    for (std::size_t i = 0; i < r.municipalities.size(); ++i) {
      const std::string key = path + ".municipalities[" + std::to_string(i) + "]";
      const std::string folded = fold_case(r.municipalities[i]);
      if (folded.empty()) {
        reader.problem(key, "must not be empty");
        continue;
      }
      auto [it, fresh] = municipality_owner.emplace(folded, key);
      if (!fresh)
        reader.problem(key, "municipality \"" + r.municipalities[i] + "\" is already in " +
                                it->second + "; a municipality belongs to exactly one region");
    }
    regions.push_back(std::move(r));
  }
  // Neighbours may name regions defined further down, so check them once all ids are known.
  for (std::size_t r = 0; r < regions.size(); ++r) {
    for (std::size_t i = 0; i < regions[r].neighbours.size(); ++i) {
      const std::string& n = regions[r].neighbours[i];
      const std::string key =
          "regions[" + std::to_string(r) + "].neighbours[" + std::to_string(i) + "]";
      if (!ids.count(n))
        reader.problem(key, "unknown region \"" + n + "\"");
      else if (n == regions[r].id)
        reader.problem(key, "a region is not its own neighbour");
    }
  }
  return RegionDirectory(std::move(regions));
}

RegionDirectory finish(ConfigReader& reader, const std::optional<toml::table>& root,
                       std::vector<ConfigProblem>& problems) {
  RegionDirectory out;
  if (root) out = read_regions(reader, *root);
  problems.insert(problems.end(), reader.problems().begin(), reader.problems().end());
  return out;
}

}  // namespace

RegionDirectory load_regions(const std::string& file, std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_file();
  return finish(reader, root, problems);
}

RegionDirectory parse_regions(const std::string& file, std::string_view text,
                              std::vector<ConfigProblem>& problems) {
  ConfigReader reader(file);
  auto root = reader.parse_text(text);
  return finish(reader, root, problems);
}

}  // namespace piket
