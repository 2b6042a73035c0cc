#include "scheduler/roster/swap_steps.hpp"

#include "scheduler/roster/roster_expander.hpp"

namespace piket::scheduler {

Result<SwapRequest> new_swap(SwapRequest asked, const Roster& roster, std::string id,
                             TimePoint at) {
  bool on_duty = false;
  for (const auto& shift : expand(roster, asked.region, asked.interval))
    if (shift.worker_id == asked.requester_id && shift.role == asked.role &&
        shift.start <= asked.interval.start && shift.end >= asked.interval.end)
      on_duty = true;
  if (!on_duty)
    return invalid("start", "the requester is not on duty for the whole interval to swap");
  asked.id = std::move(id);
  asked.state = "requested";
  asked.history = {{"requested", asked.requester_id, at}};
  return asked;
}

Result<SwapRequest> next_swap_step(const SwapRequest& swap, std::string_view step,
                                   const std::string& by, const WorkerDirectory& workers,
                                   TimePoint at) {
  if (by.empty()) return invalid("by", "is required: who takes this step");
  SwapRequest next = swap;
  if (step == "accept") {
    if (swap.state != "requested")
      return make_error(ErrorCode::conflict, "state", "the swap is " + swap.state);
    if (by != swap.peer_id)
      return make_error(ErrorCode::forbidden, "by", "only the peer can accept");
    next.state = "accepted";
  } else if (step == "approve") {
    if (swap.state != "accepted")
      return make_error(ErrorCode::conflict, "state",
                        "the swap is " + swap.state + "; the peer accepts first");
    const Worker* lead = workers.find(by);
    if (!lead || !lead->has_role(kRoleTeamLead) || lead->region != swap.region)
      return make_error(ErrorCode::forbidden, "by", "only a team lead of the region can approve");
    next.state = "approved";
  } else if (step == "reject") {
    if (swap.state != "requested" && swap.state != "accepted")
      return make_error(ErrorCode::conflict, "state", "the swap is " + swap.state);
    next.state = "rejected";
  } else {
    return invalid("step", "must be accept, approve or reject");
  }
  next.history.push_back({next.state, by, at});
  return next;
}

}  // namespace piket::scheduler
