#pragma once
// Roster expansion: the concrete duties of every worker once rotations, layers, approved swaps,
// overrides and leave are applied. Pure functions over the model; all instants UTC.
//
// How one instant is decided, for one region, role and duty ("a group"):
//  1. Rotations. Each rotation in force (a daily window, or the whole turn, cut at hand-offs:
//     duty_pieces()) lists its participants in turn order: the primary, then backups 1..n-1.
//  2. Layers. Rotations are taken by layer, highest first. Within one layer the lists are
//     interleaved as who_is_on_call() does: every primary (by rotation id), then every first
//     backup, and so on. Each lower layer's list follows behind the whole list of the layers
//     above it, so its positions are offset by the number of people above. A higher layer
//     only covers where it has someone: where none of its rotations is in force, the next
//     layer down comes first. A worker listed twice keeps only the first (best) place.
//  3. Approved swaps (state "approved"; every duty of the swap's region and role), in roster
//     order: like replace, requester -> peer, over the swap interval.
//  4. Overrides, in roster order (a team lead's word comes after a swap between workers):
//     - replace: replaced_worker_id's place goes to worker_id. If worker_id is already listed
//       further back, that later place is dropped; if worker_id is already listed ahead, the
//       replaced worker is simply taken off. No effect where replaced_worker_id is not on duty.
//     - add: worker_id joins at the end of the list; no effect if already listed.
//     - remove: replaced_worker_id (or worker_id when that is empty) is taken off.
//  5. Leave takes the worker off every duty of every group, and so does being inactive.
//  Positions are the final list order: 0 = primary; whoever is behind a removed worker moves up.
//
// A Shift is a maximal stretch where one worker keeps the same position, the same origin
// (source and why) and the same rotation piece, so every change above splits a shift exactly
// at its instant: adjacent pieces share their boundary instant, with no gap and no overlap.
// A replacement keeps the rotation piece it took over, so it too splits at window edges.
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "scheduler/model/roster.hpp"
#include "scheduler/roster/rotation.hpp"

namespace piket::scheduler {

// Every concrete duty intersecting `window`, clipped to it. `region` "" means every region.
// Sorted by start, then region, role, duty, position and worker.
// Sources: "rotation:<id>", "override:<id>", "swap:<id>"; why: "rotation <id> turn <k>"
// (+ " backup <i>" with the rotation's own backup number), "override <id> (replace|add)",
// "swap <id> (from <requester>)".
std::vector<Shift> expand(const Roster& roster, const std::string& region, Interval window);

// The part of the roster that decides duties in `region`: its rotations, overrides, swaps and
// minimums, and the leave and inactive state of every worker who appears in them. expand() and on_call_at() give
// the same answers for that region on the slice as on the whole roster, only faster.
Roster slice(const Roster& roster, const std::string& region);

// Who is on duty for region and role at `at`, consistent with expand(): one entry per shift
// containing `at`, ordered by position, then duty (shift before on_call: on site is nearer),
// then source. `duty` nullopt means both duty types. shift_start/shift_end are the extent of
// that expand() shift (looked at within 30 days of `at` and any override or swap in force).
// rotation_id is the rotation whose piece the entry stands on ("" for an added worker).
std::vector<OnCallEntry> on_call_at(const Roster& roster, const std::string& region,
                                    const std::string& role, TimePoint at,
                                    std::optional<DutyType> duty = std::nullopt);

// How many distinct workers are on duty for one region, role and duty, as consecutive
// stretches that partition `window` in order (a stretch with nobody has staffed 0);
// neighbouring stretches always differ in count. The same sweep as expand(), without names.
struct StaffedStretch {
  Interval interval;
  int staffed = 0;
};
std::vector<StaffedStretch> staffing(const Roster& roster, const std::string& region,
                                     const std::string& role, DutyType duty, Interval window);

}  // namespace piket::scheduler
