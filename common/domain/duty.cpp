#include "common/domain/duty.hpp"

namespace piket {

std::string_view duty_name(DutyType duty) { return duty == DutyType::shift ? "shift" : "on_call"; }

std::optional<DutyType> duty_from_name(std::string_view name) {
  if (name == "shift") return DutyType::shift;
  if (name == "on_call") return DutyType::on_call;
  return std::nullopt;
}

}  // namespace piket
