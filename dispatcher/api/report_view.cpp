#include "dispatcher/api/report_view.hpp"

#include <cstdlib>
#include <string>

#include "common/clock.hpp"

namespace piket::dispatcher {
using nlohmann::json;

namespace {
// "1764130964123" -> RFC 3339; empty or zero -> null.
json time_of(const json& stored, const char* key) {
  if (!stored.contains(key)) return nullptr;
  const json& v = stored[key];
  long long ms = 0;
  if (v.is_number()) ms = v.get<long long>();
  else if (v.is_string()) ms = std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  if (ms <= 0) return nullptr;
  return format_utc(from_unix_ms(ms));
}

json parsed(const json& stored, const char* key, json fallback) {
  if (!stored.contains(key) || !stored[key].is_string() || stored[key].get<std::string>().empty())
    return fallback;
  json j = json::parse(stored[key].get<std::string>(), nullptr, false);
  return j.is_discarded() ? fallback : j;
}

int integer(const json& stored, const char* key) {
  return stored.contains(key) && stored[key].is_string() ? std::atoi(stored[key].get<std::string>().c_str()) : 0;
}

std::string text(const json& stored, const char* key) { return stored.value(key, std::string{}); }

json list_with_times(const json& items) {
  json out = json::array();
  for (json item : items) {
    if (item.is_object() && item.contains("at") && item["at"].is_number())
      item["at"] = format_utc(from_unix_ms(item["at"].get<long long>()));
    out.push_back(item);
  }
  return out;
}

json assignment_view(const json& a) {
  json view{{"id", text(a, "id")},
            {"worker", text(a, "worker")},
            {"state", text(a, "state")},
            {"step", integer(a, "step")},
            {"round", integer(a, "round")},
            {"target", text(a, "target")},
            {"region", text(a, "region")},
            {"reason", text(a, "reason")},
            {"created_at", time_of(a, "created_at")},
            {"deadline", time_of(a, "deadline")}};
  for (const char* key : {"accepted_at", "declined_at"})
    if (a.contains(key)) view[key] = time_of(a, key);
  return view;
}
}  // namespace

json visit_view(const json& v) {
  if (!v.is_object() || v.empty()) return nullptr;
  json workers = json::array();
  const std::string listed = text(v, "workers");
  for (std::size_t start = 0; start < listed.size();) {
    auto comma = listed.find(',', start);
    if (comma == std::string::npos) comma = listed.size();
    workers.push_back(listed.substr(start, comma - start));
    start = comma + 1;
  }
  json view{{"id", text(v, "id")},
            {"report", text(v, "report")},
            {"state", text(v, "state")},
            {"workers", workers},
            {"start", time_of(v, "start")},
            {"end", time_of(v, "end")},
            {"latest", time_of(v, "latest")},
            {"late", text(v, "late") == "1"},
            {"physician", text(v, "physician").empty() ? json(nullptr) : json(text(v, "physician"))},
            {"checkin_interval_s", integer(v, "checkin_interval_ms") / 1000},
            {"last_checkin", time_of(v, "last_checkin")},
            {"arrived_at", time_of(v, "arrived_at")},
            {"completed_at", time_of(v, "completed_at")}};
  if (v.contains("checkins")) view["checkins"] = list_with_times(v["checkins"]);
  return view;
}

json report_view(const json& stored) {
  json out{{"id", text(stored, "id")},
           {"kind", stored.value("kind", std::string{"report"})},
           {"state", text(stored, "state")},
           {"region", text(stored, "region")},
           {"municipality", text(stored, "municipality")},
           {"class", text(stored, "class")},
           {"needed", std::max(1, integer(stored, "needed"))},
           {"created_at", time_of(stored, "created_at")},
           {"updated_at", time_of(stored, "updated_at")},
           {"first_contact_by", time_of(stored, "first_contact_by")},
           {"report", parsed(stored, "report", json::object())},
           {"triage", parsed(stored, "triage", json::object())},
           {"triage_original", parsed(stored, "triage_original", nullptr)},
           {"ranking", parsed(stored, "ranking", nullptr)},
           {"ladder", parsed(stored, "ladder", nullptr)},
           {"outcome", parsed(stored, "outcome", nullptr)},
           {"assignments", json::array()}};
  if (!text(stored, "from_advice").empty()) out["from_advice"] = text(stored, "from_advice");
  if (!text(stored, "converted_to").empty()) out["converted_to"] = text(stored, "converted_to");
  for (const auto& a : stored.value("assignments", json::array())) out["assignments"].push_back(assignment_view(a));
  json visit = stored.value("visit", json());
  if (visit.is_object()) {
    visit["checkins"] = stored.value("checkins", json::array());
    out["visit"] = visit_view(visit);
  } else {
    out["visit"] = nullptr;
  }
  out["timeline"] = list_with_times(stored.value("timeline", json::array()));
  out["triage_overrides"] = list_with_times(stored.value("overrides", json::array()));
  out["notices"] = list_with_times(stored.value("notices", json::array()));
  return out;
}

json worker_report_view(const json& stored) {
  json out = report_view(stored);
  out["report"].erase("reporter");
  out.erase("timeline");  // who did what at the desk is not the field's business
  return out;
}

}  // namespace piket::dispatcher
