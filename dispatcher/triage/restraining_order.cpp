#include "dispatcher/triage/restraining_order.hpp"

#include "common/local_time.hpp"

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
          {"latest_end", format_utc(latest_end)},
          {"family_contact_by", format_utc(family_contact_by)}};
}

RestrainingOrderClocks restraining_order_clocks(TimePoint imposed_at, const std::string& time_zone,
                                                FamilyContactRule family_contact) {
  const date::time_zone& zone = zone_or_utc(time_zone);
  const date::local_days imposed_day = date::floor<date::days>(to_local(zone, imposed_at));
  const LocalTime contact = LocalTime{imposed_day + date::days{family_contact.days_after}} +
                            std::chrono::minutes{family_contact.at_minute};
  return {imposed_at, imposed_at + std::chrono::hours(24),
          plus_local_days(zone, imposed_at, kOrderDays),
          plus_local_days(zone, imposed_at, kMaxDays), from_local(zone, contact)};
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
