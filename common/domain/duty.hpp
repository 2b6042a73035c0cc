#pragma once
// Duties as the working-time law sees them: an on-site shift or on-call standby
// ("consignatie") of one worker over a UTC interval. Shared by the scheduler (which plans
// them) and the dispatcher (which checks a call-out against them).
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace piket {

// On-site shift versus on-call standby: the working-time law treats them apart.
enum class DutyType { shift, on_call };
std::string_view duty_name(DutyType duty);
std::optional<DutyType> duty_from_name(std::string_view name);

struct Interval {
  TimePoint start;  // inclusive
  TimePoint end;    // exclusive
  bool contains(TimePoint t) const { return start <= t && t < end; }
};

// One concrete duty of one worker, after rotations, overrides, swaps and leave are applied.
struct Shift {
  std::string worker_id;
  std::string region;
  std::string role;
  DutyType duty = DutyType::on_call;
  TimePoint start;  // inclusive
  TimePoint end;    // exclusive
  int position = 0;  // 0 = primary, 1.. backups
  std::string source;  // "rotation:<id>", "override:<id>", "swap:<id>"
  std::string why;     // human text: "rotation night-eemland turn 12", "override o-3 (replace)"
};

}  // namespace piket
