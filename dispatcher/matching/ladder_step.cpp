#include "dispatcher/matching/ladder_step.hpp"

#include <map>

#include "common/domain/states.hpp"

namespace piket::dispatcher {
using nlohmann::json;

namespace {
std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::int64_t number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

const json* step_at(const json& ladder, int k) {
  if (!ladder.is_array() || k < 0 || static_cast<std::size_t>(k) >= ladder.size()) return nullptr;
  return &ladder[static_cast<std::size_t>(k)];
}
}  // namespace

std::string_view outcome_name(StepDecision::Outcome outcome) {
  switch (outcome) {
    case StepDecision::Outcome::alerted:
      return "alerted";
    case StepDecision::Outcome::exhausted:
      return "exhausted";
    case StepDecision::Outcome::restarted:
      return "restarted";
  }
  return "alerted";
}

StepDecision decide_step(const StepSnapshot& s, int k, std::int64_t now_ms, bool on_schedule) {
  StepDecision d;
  d.round = s.round;
  d.restart_after_ms = s.restart_after_ms;
  std::int64_t base = s.base_ms.value_or(now_ms);
  // The latest assignment of each worker counts (a worker is alerted once per report).
  std::map<std::string, const AssignmentSeen*> by_worker;
  for (const auto& a : s.assignments) by_worker[a.worker] = &a;
  const int steps = s.ladder.is_array() ? static_cast<int>(s.ladder.size()) : 0;
  const std::string alerted(name(AssignmentState::alerted));
  const std::string cancelled(name(AssignmentState::cancelled));
  for (;; ++k, on_schedule = false) {
    if (k > steps) {
      d.outcome = StepDecision::Outcome::restarted;
      return d;
    }
    const json* step = step_at(s.ladder, k);
    if (!step) {
      // Every step to the end was empty: wait for a late answer, then start again.
      d.outcome = StepDecision::Outcome::exhausted;
      d.next_step = k + 1;
      d.next_timer_ms = now_ms + s.restart_after_ms;
      return d;
    }
    const std::int64_t after_ms = number(*step, "after_s") * 1000;
    if (!on_schedule) {
      base = now_ms - after_ms;
      d.base_ms = base;
    }
    const json* next = step_at(s.ladder, k + 1);
    const std::optional<std::int64_t> next_at =
        next ? std::optional<std::int64_t>(base + number(*next, "after_s") * 1000) : std::nullopt;
    const std::int64_t deadline = next_at.value_or(base + after_ms + s.restart_after_ms);
    const std::string target = text(*step, "target");
    const bool is_repeat = target == "repeat";
    std::vector<StepAlert> alerts;
    if (step->contains("targets") && (*step)["targets"].is_array())
      for (const auto& t : (*step)["targets"]) {
        const std::string worker = text(t, "worker");
        if (worker.empty()) continue;
        StepAlert a{worker, text(t, "region"), text(t, "why"), number(t, "shift_end_ms"), number(t, "travel_ms"), ""};
        auto had = by_worker.find(worker);
        const AssignmentSeen* seen = had == by_worker.end() ? nullptr : had->second;
        if (seen && seen->state == alerted && (is_repeat || seen->round < s.round)) {
          a.repeat_of = seen->id;  // still alerted: page them again, now
          alerts.push_back(std::move(a));
        } else if ((!seen || seen->state == cancelled) && !is_repeat) {
          alerts.push_back(std::move(a));
        }
      }
    if (!alerts.empty()) {
      d.outcome = StepDecision::Outcome::alerted;
      d.step = k;
      d.target = target;
      d.channel = text(*step, "channel");
      d.alerts = std::move(alerts);
      d.deadline_ms = deadline;
      d.next_timer_ms = next_at.value_or(deadline);
      d.last_step = !next_at;
      d.next_step = next_at ? k + 1 : k + 2;  // past the end: the restart when it fires
      return d;
    }
    std::string why = text(*step, "skipped_reason");
    if (why.empty()) why = "everyone in this step was already alerted or declined";
    d.skipped.push_back({k, target, why});
  }
}

json StepDecision::to_json() const {
  json alerts_json = json::array();
  for (const auto& a : alerts)
    alerts_json.push_back({{"worker", a.worker},
                           {"region", a.region},
                           {"why", a.why},
                           {"shift_end_ms", a.shift_end_ms},
                           {"travel_ms", a.travel_ms},
                           {"repeat", a.repeat_of}});
  json skipped_json = json::array();
  for (const auto& s : skipped) skipped_json.push_back({{"step", s.step}, {"target", s.target}, {"why", s.why}});
  return json{{"outcome", outcome_name(outcome)},
              {"step", step},
              {"target", target},
              {"channel", channel},
              {"skipped", skipped_json},
              {"base_ms", base_ms ? json(*base_ms) : json(nullptr)},
              {"alerts", alerts_json},
              {"deadline_ms", deadline_ms},
              {"next_timer_ms", next_timer_ms},
              {"next_step", next_step},
              {"last_step", last_step},
              {"round", round},
              {"restart_after_ms", restart_after_ms}};
}

}  // namespace piket::dispatcher
