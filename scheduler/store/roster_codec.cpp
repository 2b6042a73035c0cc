#include "scheduler/store/roster_codec.hpp"

#include <date/tz.h>

#include <tuple>

#include "common/request_fields.hpp"

namespace piket::scheduler {
namespace {
using nlohmann::json;


// Fields are read the one way every daemon reads them (common/request_fields.hpp).
std::optional<Error> text(const json& j, const std::string& key, bool required, std::size_t max,
                          std::string& out) {
  return read_text(j, key, required, max, out);
}

std::optional<Error> known_worker(const WorkerDirectory& workers, const std::string& field,
                                  const std::string& id) {
  if (!workers.find(id)) return make_error(ErrorCode::not_found, field, "unknown worker " + id.substr(0, 64));
  return std::nullopt;
}

std::string kind_name(Override::Kind k) {
  switch (k) {
    case Override::Kind::replace: return "replace";
    case Override::Kind::add: return "add";
    case Override::Kind::remove: return "remove";
  }
  return "replace";
}
}  // namespace

std::string local_text(TimePoint t, const date::time_zone& zone) {
  auto zoned = date::make_zoned(&zone, date::floor<std::chrono::seconds>(t));
  return date::format("%FT%T%Ez", zoned);
}

Result<Interval> interval_from_json(const json& j, int max_days) {
  Interval interval;
  for (const char* key : {"start", "end"}) {
    if (!j.contains(key) || !j[key].is_string())
      return invalid(key, "is required: an RFC 3339 time such as 2026-03-28T23:00:00+01:00");
    TimePoint t;
    if (!parse_utc(j[key].get<std::string>(), t))
      return invalid(key, "must be an RFC 3339 time such as 2026-03-28T23:00:00+01:00");
    (std::string(key) == "start" ? interval.start : interval.end) = t;
  }
  if (interval.end <= interval.start) return invalid("end", "must be after start");
  if (interval.end - interval.start > std::chrono::hours(24 * max_days))
    return invalid("end", "the interval may be at most " + std::to_string(max_days) + " days long");
  return interval;
}

json to_json(const Rotation& r) {
  json j{{"id", r.id},
         {"region", r.region},
         {"role", r.role},
         {"time_zone", r.time_zone},
         {"start_date", date::format("%F", r.start_date)},
         {"handoff_time", date::format("%H:%M", r.handoff_time)},
         {"turn_days", r.turn_days},
         {"participants", r.participants},
         {"layer", r.layer},
         {"on_duty", on_duty_count(r)},
         {"duty", std::string(duty_name(r.duty))}};
  if (r.shift_start && r.shift_end) {
    j["shift_start"] = date::format("%H:%M", *r.shift_start);
    j["shift_end"] = date::format("%H:%M", *r.shift_end);
  }
  return j;
}

Result<Rotation> rotation_from_json(const json& j, const RegionDirectory& regions,
                                    const WorkerDirectory& workers) {
  if (!j.is_object()) return invalid("", "the rotation must be a JSON object");
  Rotation r;
  std::string start_date, handoff, shift_start, shift_end, duty = "on_call";
  if (auto e = text(j, "id", true, 64, r.id)) return *e;
  if (auto e = text(j, "region", true, 64, r.region)) return *e;
  if (auto e = text(j, "role", false, 64, r.role)) return *e;
  const Region* region = regions.find(r.region);
  r.time_zone = region ? region->time_zone : r.time_zone;
  if (auto e = text(j, "time_zone", false, 64, r.time_zone)) return *e;
  if (auto e = text(j, "start_date", true, 10, start_date)) return *e;
  auto day = parse_local_date(start_date);
  if (!day) return invalid("start_date", "must be a date such as 2026-01-05");
  r.start_date = *day;
  if (auto e = text(j, "handoff_time", true, 5, handoff)) return *e;
  auto time = parse_local_time(handoff);
  if (!time) return invalid("handoff_time", "must be a local time such as 08:00");
  r.handoff_time = *time;
  for (auto [key, out] : {std::pair{"shift_start", &shift_start}, std::pair{"shift_end", &shift_end}})
    if (auto e = text(j, key, false, 5, *out)) return *e;
  if (!shift_start.empty()) {
    auto t = parse_local_time(shift_start);
    if (!t) return invalid("shift_start", "must be a local time such as 20:00");
    r.shift_start = *t;
  }
  if (!shift_end.empty()) {
    auto t = parse_local_time(shift_end);
    if (!t) return invalid("shift_end", "must be a local time such as 08:00");
    r.shift_end = *t;
  }
  for (auto [key, out, low, high] : {std::tuple{"turn_days", &r.turn_days, 1, 28}, std::tuple{"layer", &r.layer, 0, 10},
                                            std::tuple{"on_duty", &r.on_duty, 1, 1000}}) {
    if (!j.contains(key)) {
      if (std::string(key) == "turn_days") return invalid(key, "is required");
      continue;
    }
    if (!j[key].is_number_integer()) return invalid(key, "must be an integer");
    const auto value = j[key].get<long long>();
    if (value < low || value > high)
      return invalid(key, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    *out = static_cast<int>(value);
  }
  if (auto e = text(j, "duty", false, 16, duty)) return *e;
  auto parsed_duty = duty_from_name(duty);
  if (!parsed_duty) return invalid("duty", "must be shift or on_call");
  r.duty = *parsed_duty;
  if (!j.contains("participants") || !j["participants"].is_array())
    return invalid("participants", "is required: an array of worker ids in turn order");
  for (std::size_t i = 0; i < j["participants"].size(); ++i) {
    if (!j["participants"][i].is_string())
      return invalid("participants[" + std::to_string(i) + "]", "must be a worker id");
    r.participants.push_back(j["participants"][i].get<std::string>());
  }
  auto problems = validate_rotation(r, "", "rotation", regions, workers);
  if (!problems.empty()) {
    std::string key = problems[0].key.substr(std::string("rotation.").size());
    ErrorCode code = key == "region" ? ErrorCode::unknown_region : ErrorCode::invalid_field;
    return make_error(code, key, problems[0].reason);
  }
  return r;
}

json to_json(const Override& o) {
  json j{{"id", o.id},
         {"kind", kind_name(o.kind)},
         {"region", o.region},
         {"role", o.role},
         {"duty", std::string(duty_name(o.duty))},
         {"worker_id", o.worker_id},
         {"replaced_worker_id", o.replaced_worker_id},
         {"start", format_utc(o.interval.start)},
         {"end", format_utc(o.interval.end)},
         {"created_by", o.created_by},
         {"reason", o.reason},
         {"forced", o.forced}};
  if (o.forced) j["force_reason"] = o.force_reason;
  return j;
}

json to_json(const Leave& l) {
  return {{"id", l.id},
          {"worker_id", l.worker_id},
          {"start", format_utc(l.interval.start)},
          {"end", format_utc(l.interval.end)},
          {"category", l.category}};
}

json to_json(const SwapRequest& s) {
  json history = json::array();
  for (const auto& step : s.history)
    history.push_back({{"state", step.state}, {"by", step.by}, {"at", format_utc(step.at)}});
  return {{"id", s.id},
          {"requester_id", s.requester_id},
          {"peer_id", s.peer_id},
          {"region", s.region},
          {"role", s.role},
          {"start", format_utc(s.interval.start)},
          {"end", format_utc(s.interval.end)},
          {"state", s.state},
          {"history", history}};
}

json to_json(const Shift& s, const date::time_zone& zone) {
  return {{"worker_id", s.worker_id},
          {"region", s.region},
          {"role", s.role},
          {"duty", std::string(duty_name(s.duty))},
          {"position", s.position},
          {"start", format_utc(s.start)},
          {"end", format_utc(s.end)},
          {"start_local", local_text(s.start, zone)},
          {"end_local", local_text(s.end, zone)},
          {"source", s.source},
          {"why", s.why}};
}

Result<Override> override_from_json(const json& j, const RegionDirectory& regions,
                                    const WorkerDirectory& workers) {
  if (!j.is_object()) return invalid("", "the override must be a JSON object");
  Override o;
  std::string kind = "replace", duty = "on_call";
  if (auto e = text(j, "id", false, 64, o.id)) return *e;
  if (auto e = text(j, "kind", true, 16, kind)) return *e;
  if (kind == "replace") o.kind = Override::Kind::replace;
  else if (kind == "add") o.kind = Override::Kind::add;
  else if (kind == "remove") o.kind = Override::Kind::remove;
  else return invalid("kind", "must be replace, add or remove");
  if (auto e = text(j, "region", true, 64, o.region)) return *e;
  if (!regions.find(o.region)) return make_error(ErrorCode::unknown_region, "region", "unknown region " + o.region.substr(0, 64));
  if (auto e = text(j, "role", false, 64, o.role)) return *e;
  if (!is_known_role(o.role)) return invalid("role", "unknown role " + o.role.substr(0, 64));
  if (auto e = text(j, "duty", false, 16, duty)) return *e;
  auto parsed_duty = duty_from_name(duty);
  if (!parsed_duty) return invalid("duty", "must be shift or on_call");
  o.duty = *parsed_duty;
  const bool needs_worker = o.kind != Override::Kind::remove;
  const bool needs_replaced = o.kind != Override::Kind::add;
  if (auto e = text(j, "worker_id", needs_worker, 64, o.worker_id)) return *e;
  if (needs_worker) {
    if (auto e = known_worker(workers, "worker_id", o.worker_id)) return *e;
  } else if (!o.worker_id.empty()) {
    return invalid("worker_id", "a remove override names only replaced_worker_id");
  }
  if (auto e = text(j, "replaced_worker_id", needs_replaced, 64, o.replaced_worker_id)) return *e;
  if (needs_replaced) {
    if (auto e = known_worker(workers, "replaced_worker_id", o.replaced_worker_id)) return *e;
  } else if (!o.replaced_worker_id.empty()) {
    return invalid("replaced_worker_id", "an add override names only worker_id");
  }
  if (o.kind == Override::Kind::replace && o.worker_id == o.replaced_worker_id)
    return invalid("worker_id", "must differ from replaced_worker_id");
  auto interval = interval_from_json(j);
  if (!interval.ok()) return interval.error();
  o.interval = *interval;
  if (auto e = text(j, "created_by", false, 64, o.created_by)) return *e;
  if (auto e = text(j, "reason", false, 200, o.reason)) return *e;
  if (j.contains("forced")) {
    if (!j["forced"].is_boolean()) return invalid("forced", "must be true or false");
    o.forced = j["forced"].get<bool>();
  }
  if (auto e = text(j, "force_reason", o.forced, 200, o.force_reason)) return *e;
  return o;
}

Result<Leave> leave_from_json(const json& j, const WorkerDirectory& workers) {
  if (!j.is_object()) return invalid("", "the leave must be a JSON object");
  Leave l;
  if (auto e = text(j, "id", false, 64, l.id)) return *e;
  if (auto e = text(j, "worker_id", true, 64, l.worker_id)) return *e;
  if (auto e = known_worker(workers, "worker_id", l.worker_id)) return *e;
  auto interval = interval_from_json(j);
  if (!interval.ok()) return interval.error();
  l.interval = *interval;
  l.category = "other";
  if (auto e = text(j, "category", false, 16, l.category)) return *e;
  if (l.category != "holiday" && l.category != "sick" && l.category != "training" &&
      l.category != "other")
    return invalid("category", "must be holiday, sick, training or other (never the reason itself)");
  return l;
}

Result<SwapRequest> swap_from_json(const json& j, const RegionDirectory& regions,
                                   const WorkerDirectory& workers) {
  if (!j.is_object()) return invalid("", "the swap must be a JSON object");
  SwapRequest s;
  if (auto e = text(j, "id", false, 64, s.id)) return *e;
  if (auto e = text(j, "requester_id", true, 64, s.requester_id)) return *e;
  if (auto e = known_worker(workers, "requester_id", s.requester_id)) return *e;
  if (auto e = text(j, "peer_id", true, 64, s.peer_id)) return *e;
  if (auto e = known_worker(workers, "peer_id", s.peer_id)) return *e;
  if (s.peer_id == s.requester_id) return invalid("peer_id", "must differ from requester_id");
  if (auto e = text(j, "region", true, 64, s.region)) return *e;
  if (!regions.find(s.region)) return make_error(ErrorCode::unknown_region, "region", "unknown region " + s.region.substr(0, 64));
  if (auto e = text(j, "role", false, 64, s.role)) return *e;
  if (!is_known_role(s.role)) return invalid("role", "unknown role " + s.role.substr(0, 64));
  auto interval = interval_from_json(j, 31);
  if (!interval.ok()) return interval.error();
  s.interval = *interval;
  if (j.contains("state")) {
    if (auto e = text(j, "state", true, 16, s.state)) return *e;
  }
  if (j.contains("history") && j["history"].is_array()) {
    for (const auto& step : j["history"]) {
      SwapStep st;
      st.state = step.value("state", std::string{});
      st.by = step.value("by", std::string{});
      parse_utc(step.value("at", std::string{}), st.at);
      s.history.push_back(st);
    }
  }
  return s;
}

}  // namespace piket::scheduler
