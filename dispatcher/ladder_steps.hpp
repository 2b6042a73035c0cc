#pragma once
// Running a report's escalation ladder: each step is read, decided in C++
// (matching/ladder_step.hpp) and applied by Redis under a guard; decided again when the report
// moved in between. Used by the timer loop, by a decline and, for the first step, by matching.
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "dispatcher/store/dispatch_store.hpp"

namespace piket::dispatcher {

// Fires the report's next step: "alerted", "exhausted", "restarted", or "none" when the report
// is no longer alerting (accepted, or moved on by another dispatcher).
boost::asio::awaitable<Result<std::string>> fire_next_step(DispatchStore& store, const std::string& report_id,
                                                           TimePoint now, bool on_schedule);

// Declines the assignment and moves its report's ladder on at once. `expect` (optional): the
// report's state and round as the caller read them.
boost::asio::awaitable<Result<AssignmentChange>> decline_assignment(DispatchStore& store,
                                                                    const std::string& assignment_id,
                                                                    TimePoint now, const std::string& actor,
                                                                    const std::string& reason,
                                                                    const nlohmann::json& expect = nullptr);

// Adds the decided first step to a ladder plan for piket_start_ladder: the next round of the
// report as `context` read it, starting now.
void add_first_step(nlohmann::json& plan, const MatchContext& context, TimePoint now);

}  // namespace piket::dispatcher
