#include "scheduler/roster/roster_change.hpp"

#include <algorithm>

namespace piket::scheduler {

namespace {
template <typename T>
void put_all(std::vector<T>& entries, const std::vector<T>& stored) {
  for (const T& s : stored) {
    auto it =
        std::find_if(entries.begin(), entries.end(), [&](const T& e) { return e.id == s.id; });
    if (it == entries.end())
      entries.push_back(s);
    else
      *it = s;
  }
}

template <typename T>
bool holds(const std::vector<T>& entries, const std::string& id) {
  return std::any_of(entries.begin(), entries.end(), [&](const T& e) { return e.id == id; });
}

template <typename T>
void remove_id(std::vector<T>& entries, const std::string& id) {
  std::erase_if(entries, [&](const T& e) { return e.id == id; });
}
}  // namespace

bool has_entry(const Roster& roster, RosterPart part, const std::string& id) {
  switch (part) {
    case RosterPart::rotations:
      return holds(roster.rotations, id);
    case RosterPart::overrides:
      return holds(roster.overrides, id);
    case RosterPart::leave:
      return holds(roster.leave, id);
    case RosterPart::swaps:
      return holds(roster.swaps, id);
  }
  return false;
}

Roster applied(Roster roster, const RosterChange& change) {
  put_all(roster.rotations, change.rotations);
  put_all(roster.overrides, change.overrides);
  put_all(roster.leave, change.leave);
  put_all(roster.swaps, change.swaps);
  for (const auto& [part, id] : change.removals) {
    switch (part) {
      case RosterPart::rotations:
        remove_id(roster.rotations, id);
        break;
      case RosterPart::overrides:
        remove_id(roster.overrides, id);
        break;
      case RosterPart::leave:
        remove_id(roster.leave, id);
        break;
      case RosterPart::swaps:
        remove_id(roster.swaps, id);
        break;
    }
  }
  return roster;
}

}  // namespace piket::scheduler
