#include "dispatcher/triage/restraining_order.hpp"

#include "dispatcher/triage/local_time.hpp"

namespace piket::dispatcher {
namespace {

constexpr int kOrderDays = 10;
constexpr int kMaxDays = 28;

TimePoint plus_local_days(const date::time_zone& zone, TimePoint t, int days) {
  return from_local(zone, to_local(zone, t) + date::days{days});
}

}  // namespace

nlohmann::json RestrainingOrderClocks::to_json() const {
  return {{"imposed_at", format_utc(imposed_at)},
          {"address_due", format_utc(address_due)},
          {"ends_at", format_utc(ends_at)},
          {"latest_end", format_utc(latest_end)}};
}

RestrainingOrderClocks restraining_order_clocks(TimePoint imposed_at,
                                                const std::string& time_zone) {
  const date::time_zone& zone = zone_or_utc(time_zone);
  return {imposed_at, imposed_at + std::chrono::hours(24),
          plus_local_days(zone, imposed_at, kOrderDays),
          plus_local_days(zone, imposed_at, kMaxDays)};
}

Result<TimePoint> check_extension(const RestrainingOrderClocks& clocks, TimePoint new_end) {
  if (new_end <= clocks.ends_at)
    return make_error(ErrorCode::invalid_field, "until",
                      "must be after the current end " + format_utc(clocks.ends_at));
  if (new_end > clocks.latest_end)
    return make_error(ErrorCode::invalid_field, "until",
                      "must not be after " + format_utc(clocks.latest_end) +
                          ": an order lasts at most 28 days in all");
  return new_end;
}

}  // namespace piket::dispatcher
