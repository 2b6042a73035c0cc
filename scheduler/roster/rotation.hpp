#pragma once
// Rotations: who is on call for a region and role, defined in local wall-clock time.
// Pure functions over plain structs; no I/O except the loader.
//
// Local times are resolved to UTC with one rule everywhere (resolve_local):
//  - a time that happens twice (autumn, 02:00-03:00 in Europe/Amsterdam) takes its EARLIEST
//    instant (date::choose::earliest);
//  - a time that does not exist (spring gap) moves forward to the end of the gap, the first
//    instant that exists (this is what date::choose::earliest does for a non-existent time).
// Because the end of one shift and the start of the next are the same local time resolved by
// the same rule, neighbouring shifts share one boundary instant: no gap, no overlap, and the
// repeated autumn hour belongs to exactly one shift.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/tz.h>

#include "common/clock.hpp"
#include "common/config_reader.hpp"
#include "common/domain/duty.hpp"
#include "common/local_time.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"

namespace piket::scheduler {

// Duty types, intervals and shifts are shared with the dispatcher (common/domain/duty.hpp).
using piket::duty_from_name;
using piket::duty_name;
using piket::DutyType;
using piket::Interval;
using piket::Shift;

struct Rotation {
  std::string id;      // "night-utrecht-stad"
  std::string region;  // region id
  std::string role = kRoleCrisisWorker;
  std::string time_zone = "Europe/Amsterdam";  // IANA name
  date::local_days start_date{};               // local date of boundary 0
  std::chrono::minutes handoff_time{0};        // local time of day the turn passes on
  int turn_days = 7;                           // 1..28
  // Daily on-call window in local time; end <= start means it ends on the next day.
  // Both absent: on call for the whole turn.
  std::optional<std::chrono::minutes> shift_start;
  std::optional<std::chrono::minutes> shift_end;
  std::vector<std::string> participants;  // worker ids, in turn order
  // How many participants are on duty at once: the turn's primary and on_duty - 1 backups
  // after it in turn order (0 = all of them). A small team cannot be on call every day
  // within the working-time rules; this keeps the rest of the list off duty.
  int on_duty = 0;
  // Layers for one region, role and duty: where a higher layer has someone on duty, it comes
  // first and lower layers move behind it (see roster_expander.hpp). 0..10.
  int layer = 0;
  DutyType duty = DutyType::on_call;
};


// Participants on duty at once (on_duty, or all when 0 or more than there are).
std::size_t on_duty_count(const Rotation& rotation);

struct OnCallEntry {
  std::string worker_id;
  std::string rotation_id;
  int position = 0;  // 0 = primary, then backups in rotation order
  TimePoint shift_start;
  TimePoint shift_end;
  std::string reason;
  DutyType duty = DutyType::on_call;
  std::string source;  // "rotation:<id>", "override:<id>", "swap:<id>"
};

// Local dates, times and zones are read with common/local_time.hpp's one rule.
using piket::find_zone;
using piket::parse_local_date;
using piket::parse_local_time;

// The single local -> UTC rule described at the top of this file.
using piket::resolve_local;

// Boundary k: the instant turn k starts (k may be negative; turn k < 0 is before the rotation).
TimePoint turn_boundary(const Rotation& rotation, std::int64_t k);
// The turn in force at `at`, or nullopt before boundary 0.
std::optional<std::int64_t> turn_at(const Rotation& rotation, TimePoint at);
Interval turn_interval(const Rotation& rotation, std::int64_t k);
// The on-call window that starts on local day `day` (requires shift_start/shift_end).
Interval window_on(const Rotation& rotation, date::local_days day);
// The window containing `at` (the turn itself for a rotation without a window); nullopt when
// `at` falls outside every window.
std::optional<Interval> window_at(const Rotation& rotation, TimePoint at);

// One stretch of a rotation with a single turn in force: a daily window (or, without a window,
// the whole turn) cut where a hand-off falls inside it.
struct DutyPiece {
  Interval interval;
  std::int64_t turn = 0;
};
// Every piece intersecting `range`, clipped to it, in time order. Nothing before boundary 0;
// nothing for a rotation with an unknown zone, a bad turn length or no participants.
std::vector<DutyPiece> duty_pieces(const Rotation& rotation, Interval range);

// Primary (position 0) and backups for region and role at `at`, ordered by position then
// rotation id. Empty when nobody is on call. Rotations only: it ignores layers, duty types,
// overrides, swaps and leave; the full answer is on_call_at() in roster_expander.hpp.
std::vector<OnCallEntry> who_is_on_call(const std::vector<Rotation>& rotations,
                                        const std::string& region, const std::string& role,
                                        TimePoint at);

// Semantic checks of one rotation against the directories; keys are prefixed with `path`
// ("rotations[3]").
std::vector<ConfigProblem> validate_rotation(const Rotation& rotation, const std::string& file,
                                             const std::string& path,
                                             const RegionDirectory& regions,
                                             const WorkerDirectory& workers);

// rotations.toml: [[rotations]] id, region, role?, time_zone? (default: the region's zone),
// start_date, handoff_time, turn_days, shift_start?, shift_end?, participants,
// layer? (0..10, default 0), duty? ("shift" | "on_call", default "on_call"),
// on_duty? (1..participants, default all).
std::vector<Rotation> load_rotations(const std::string& file, const RegionDirectory& regions,
                                     const WorkerDirectory& workers,
                                     std::vector<ConfigProblem>& problems);
std::vector<Rotation> parse_rotations(const std::string& file, std::string_view text,
                                      const RegionDirectory& regions,
                                      const WorkerDirectory& workers,
                                      std::vector<ConfigProblem>& problems);

}  // namespace piket::scheduler
