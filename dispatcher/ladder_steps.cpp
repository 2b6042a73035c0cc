#include "dispatcher/ladder_steps.hpp"

#include "common/domain/states.hpp"
#include "common/log.hpp"

#include <optional>

namespace piket::dispatcher {
namespace asio = boost::asio;

namespace {
constexpr int kDecideAttempts = 3;
}

asio::awaitable<Result<std::string>> fire_next_step(DispatchStore& store, const std::string& report_id,
                                                    TimePoint now, bool on_schedule) {
  std::optional<int> first_read;
  for (int attempt = 1;; ++attempt) {
    auto context = co_await store.step_context(report_id);
    if (!context.ok()) co_return context.error();
    // Nothing to fire (accepted, or another dispatcher fired the step meanwhile: the next one
    // keeps its own time).
    if (!context->exists || context->state != name(ReportState::alerting) || !context->next_step ||
        (first_read && *first_read != *context->next_step)) {
      auto released = co_await store.release_step(report_id);
      if (!released.ok()) co_return released.error();
      co_return std::string("none");
    }
    first_read = context->next_step;
    const StepDecision decision = decide_step(context->snapshot, *context->next_step, to_unix_ms(now), on_schedule);
    auto applied = co_await store.apply_step(report_id, *context, decision, now);
    if (applied.ok() || applied.error().code != ErrorCode::conflict || attempt == kDecideAttempts)
      co_return applied;
    logger("dispatcher")->info("event=ladder_step_conflict report={} attempt={}", report_id, attempt);
  }
}

asio::awaitable<Result<AssignmentChange>> decline_assignment(DispatchStore& store, const std::string& assignment_id,
                                                             TimePoint now, const std::string& actor,
                                                             const std::string& reason, const nlohmann::json& expect) {
  auto change = co_await store.decline(assignment_id, now, actor, reason, expect);
  if (!change.ok() || !change->changed) co_return change;
  // The decline is stored: if moving on fails now, the step's timer still fires on schedule.
  auto moved = co_await fire_next_step(store, change->report_id, now, false);
  if (!moved.ok())
    logger("dispatcher")->warn("event=ladder_move_on_failed report={} error={}", change->report_id,
                               moved.error().to_string());
  co_return change;
}

void add_first_step(nlohmann::json& plan, const MatchContext& context, TimePoint now) {
  StepSnapshot snapshot;
  snapshot.ladder = plan.value("ladder", nlohmann::json::array());
  snapshot.round = context.round + 1;
  snapshot.restart_after_ms = plan.value("restart_after_ms", std::int64_t{300000});
  snapshot.assignments = context.assignments;
  plan["first_step"] = decide_step(snapshot, 0, to_unix_ms(now), false).to_json();
}

}  // namespace piket::dispatcher
