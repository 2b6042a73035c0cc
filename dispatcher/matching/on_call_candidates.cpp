#include "dispatcher/matching/on_call_candidates.hpp"

#include <algorithm>

namespace piket::dispatcher {

std::vector<Candidate> candidates_from_on_call(const nlohmann::json& answer) {
  std::vector<Candidate> out;
  if (!answer.is_object() || !answer.contains("on_call") || !answer["on_call"].is_array()) return out;
  for (const auto& e : answer["on_call"]) {
    if (!e.is_object() || !e.contains("worker_id") || !e["worker_id"].is_string()) continue;
    Candidate c;
    c.worker_id = e["worker_id"].get<std::string>();
    if (e.contains("position") && e["position"].is_number_integer()) {
      const auto position = e["position"].get<long long>();
      if (position < 0 || position > 1000) continue;
      c.position = static_cast<int>(position);
    }
    if (e.contains("reason") && e["reason"].is_string()) c.reason = e["reason"].get<std::string>();
    // A malformed end is left out rather than dropping the worker: it only informs the ranking.
    if (e.contains("shift_end") && e["shift_end"].is_string())
      parse_utc(e["shift_end"].get<std::string>(), c.shift_end);
    // The same worker in two rotations counts once, at their best position.
    auto same = std::find_if(out.begin(), out.end(), [&](const Candidate& o) { return o.worker_id == c.worker_id; });
    if (same == out.end())
      out.push_back(std::move(c));
    else if (c.position < same->position)
      *same = std::move(c);
  }
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.position < b.position; });
  return out;
}

std::map<std::string, std::vector<Shift>> duties_from_on_call(const nlohmann::json& duties) {
  std::map<std::string, std::vector<Shift>> out;
  if (!duties.is_object()) return out;
  for (const auto& [worker, list] : duties.items()) {
    if (!list.is_array()) continue;
    for (const auto& d : list) {
      if (!d.is_object() || !d.contains("start") || !d.contains("end") || !d["start"].is_string() ||
          !d["end"].is_string())
        continue;
      Shift shift;
      shift.worker_id = worker;
      if (!parse_utc(d["start"].get<std::string>(), shift.start) ||
          !parse_utc(d["end"].get<std::string>(), shift.end) || shift.end <= shift.start)
        continue;
      const auto duty = duty_from_name(d.value("duty", std::string{}));
      if (!duty) continue;
      shift.duty = *duty;
      out[worker].push_back(std::move(shift));
    }
  }
  return out;
}

}  // namespace piket::dispatcher
