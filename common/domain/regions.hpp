#pragma once
// Regions and their municipalities: a report is routed by the municipality where the family
// lives. Data from config/ (regions.toml), never code.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/config_reader.hpp"

namespace piket {

// Where a region names no time zone, and where no region is known.
inline constexpr const char* kDefaultTimeZone = "Europe/Amsterdam";

struct Region {
  std::string id;    // "utrecht-stad"
  std::string name;  // "Utrecht Stad"
  std::string time_zone = kDefaultTimeZone;
  std::vector<std::string> municipalities;
  std::vector<std::string> neighbours;  // region ids, for later escalation steps
};

class RegionDirectory {
 public:
  RegionDirectory() = default;
  explicit RegionDirectory(std::vector<Region> regions);

  const std::vector<Region>& regions() const { return regions_; }
  const Region* find(const std::string& region_id) const;
  // The region's time zone; kDefaultTimeZone for an unknown region.
  std::string time_zone_of(const std::string& region_id) const;
  // Matches the municipality name case-insensitively; nullptr if no region serves it.
  const Region* region_for_municipality(const std::string& municipality) const;
  // The municipality's canonical spelling, or nullopt.
  std::optional<std::string> canonical_municipality(const std::string& municipality) const;

 private:
  std::vector<Region> regions_;
  std::map<std::string, std::size_t> by_id_;
  std::map<std::string, std::pair<std::size_t, std::string>> by_municipality_;  // folded name
};

// Loads and validates regions.toml: [[regions]] id, name, time_zone?, municipalities, neighbours?
// Ids unique, every municipality in exactly one region, neighbours known.
RegionDirectory load_regions(const std::string& file, std::vector<ConfigProblem>& problems);
RegionDirectory parse_regions(const std::string& file, std::string_view text,
                              std::vector<ConfigProblem>& problems);

std::string fold_case(const std::string& text);

}  // namespace piket
