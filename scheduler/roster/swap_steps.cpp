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

SwapActor swap_actor(const auth::Principal& who, const SwapRequest& swap, const WorkerDirectory& workers) {
  SwapActor actor;
  actor.by = who.actor();
  const bool worker = who.has_role(auth::kWorker) && !who.worker.empty();
  actor.requester = worker && who.worker == swap.requester_id;
  actor.peer = worker && who.worker == swap.peer_id;
  for (const std::string& id : {swap.requester_id, swap.peer_id})
    if (const Worker* w = workers.find(id); w && who.leads_team(w->team)) actor.team_lead = true;
  return actor;
}

Result<SwapRequest> next_swap_step(const SwapRequest& swap, std::string_view step,
                                   const SwapActor& actor, TimePoint at) {
  if (actor.by.empty()) return invalid("by", "is required: who takes this step");
  SwapRequest next = swap;
  if (step == "accept") {
    if (swap.state != "requested")
      return make_error(ErrorCode::conflict, "state", "the swap is " + swap.state);
    if (!actor.peer) return make_error(ErrorCode::forbidden, "by", "only the peer can accept");
    next.state = "accepted";
  } else if (step == "approve") {
    if (swap.state != "accepted")
      return make_error(ErrorCode::conflict, "state",
                        "the swap is " + swap.state + "; the peer accepts first");
    if (!actor.team_lead)
      return make_error(ErrorCode::forbidden, "by", "only a team lead of the workers' teams can approve");
    next.state = "approved";
  } else if (step == "reject") {
    if (swap.state != "requested" && swap.state != "accepted")
      return make_error(ErrorCode::conflict, "state", "the swap is " + swap.state);
    if (!actor.requester && !actor.peer && !actor.team_lead)
      return make_error(ErrorCode::forbidden, "by", "only the two workers or their team leads can reject");
    next.state = "rejected";
  } else {
    return invalid("step", "must be accept, approve or reject");
  }
  next.history.push_back({next.state, actor.by, at});
  return next;
}

}  // namespace piket::scheduler
