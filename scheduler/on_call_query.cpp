#include "scheduler/on_call_query.hpp"

#include "scheduler/roster/roster_expander.hpp"

#include <string>

namespace piket::scheduler {

Result<nlohmann::json> answer_on_call_query(const nlohmann::json& body, TimePoint now,
                                            const RegionDirectory& regions,
                                            const WorkerDirectory& workers,
                                            const Roster& roster) {
  if (!body.is_object())
    return make_error(ErrorCode::invalid_field, "body", "the request body must be an object");

  auto region_field = body.find("region");
  if (region_field == body.end() || !region_field->is_string())
    return make_error(ErrorCode::invalid_field, "region",
                      "region is required and must be a string");
  const std::string region = region_field->get<std::string>();
  if (!regions.find(region))
    return make_error(ErrorCode::unknown_region, "region", "unknown region \"" + region + "\"");

  std::string role = kRoleCrisisWorker;
  if (auto role_field = body.find("role"); role_field != body.end() && !role_field->is_null()) {
    if (!role_field->is_string())
      return make_error(ErrorCode::invalid_field, "role", "role must be a string");
    role = role_field->get<std::string>();
    if (!is_known_role(role))
      return make_error(ErrorCode::invalid_field, "role", "unknown role \"" + role + "\"");
  }

  TimePoint at = now;
  if (auto at_field = body.find("at"); at_field != body.end() && !at_field->is_null()) {
    if (!at_field->is_string() || !parse_utc(at_field->get<std::string>(), at))
      return make_error(ErrorCode::invalid_field, "at",
                        "at must be an RFC 3339 time such as 2026-03-02T09:00:00Z");
  }

  nlohmann::json on_call = nlohmann::json::array();
  for (const OnCallEntry& entry : on_call_at(roster, region, role, at)) {
    const Worker* worker = workers.find(entry.worker_id);
    if (!worker || !worker->active) continue;  // off duty (or gone) even when the roster says so
    on_call.push_back({{"worker_id", entry.worker_id},
                       {"rotation_id", entry.rotation_id},
                       {"position", entry.position},
                       {"shift_start", format_utc(entry.shift_start)},
                       {"shift_end", format_utc(entry.shift_end)},
                       {"reason", entry.reason}});
  }
  return nlohmann::json{
      {"region", region}, {"role", role}, {"at", format_utc(at)}, {"on_call", std::move(on_call)}};
}

}  // namespace piket::scheduler
