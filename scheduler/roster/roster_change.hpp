#pragma once
// One decided roster change as data: the entries it stores (new or replacing the one with the
// same id) and those it removes. The same change is applied to the roster in memory
// (applied()) and to Redis (RosterStore::write), so the two cannot drift apart. Pure.
#include <string>
#include <utility>
#include <vector>

#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

// The changeable parts of a roster, each a hash in Redis. The numbers are the order of the
// hashes' keys in the Redis Function piket_roster_change (roster.lua).
enum class RosterPart { rotations = 1, overrides = 2, leave = 3, swaps = 4 };

struct RosterChange {
  std::vector<Rotation> rotations;
  std::vector<Override> overrides;
  std::vector<Leave> leave;
  std::vector<SwapRequest> swaps;
  std::vector<std::pair<RosterPart, std::string>> removals;  // part and id
  // For the audit trail.
  std::string action;  // "roster.override", "roster.leave.removed", ...
  std::string actor;
  std::string detail;  // "id=o-..."
  // Alerts queued in the same step (coverage gaps the change opens, to the team leads).
  std::vector<std::string> pages;
};

// True when `part` of `roster` holds an entry with `id`.
bool has_entry(const Roster& roster, RosterPart part, const std::string& id);

// `roster` with `change` applied: stored entries replace those with the same id or are added
// at the end; removals take entries out. Minimums and the inactive set are kept.
Roster applied(Roster roster, const RosterChange& change);

}  // namespace piket::scheduler
