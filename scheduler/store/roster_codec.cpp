#include "scheduler/store/roster_codec.hpp"

#include <date/tz.h>

namespace piket::scheduler {
namespace {
using nlohmann::json;

Error invalid(std::string field, std::string message) {
  return make_error(ErrorCode::invalid_field, std::move(field), std::move(message));
}

std::optional<Error> text(const json& j, const std::string& key, bool required, std::size_t max,
                          std::string& out) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return invalid(key, "is required");
    return std::nullopt;
  }
  if (!j[key].is_string()) return invalid(key, "must be a string");
  out = j[key].get<std::string>();
  if (required && out.empty()) return invalid(key, "must not be empty");
  if (out.size() > max) return invalid(key, "must be at most " + std::to_string(max) + " characters");
  return std::nullopt;
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
