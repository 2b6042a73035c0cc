#pragma once
// The decisions of a swap request, pure: whether it may be asked, and which state each step
// leads to. requested -> accepted (by the peer) -> approved (by a team lead of their teams, after
// the working-time check the scheduler makes); rejected from either open state. Each step is
// recorded in the history with who and when.
#include <string>
#include <string_view>

#include "common/auth/principal.hpp"
#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

// A new request, or why not: the requester gives away only duty they have, so they must be on
// duty in the swap's region and role for the whole interval.
Result<SwapRequest> new_swap(SwapRequest asked, const Roster& roster, std::string id, TimePoint at);

// Who takes a step, as the signed-in principal: their id for the history, and whether they are
// the requester, the peer, or a team lead of the requester's or the peer's team.
struct SwapActor {
  std::string by;
  bool requester = false;
  bool peer = false;
  bool team_lead = false;
};
SwapActor swap_actor(const auth::Principal& who, const SwapRequest& swap, const WorkerDirectory& workers);

// The swap after `step` ("accept", "approve" or "reject") taken by `actor` at `at`, or why not:
// conflict when the swap is not in a state that allows it, forbidden when the actor may not take
// it (accept: the peer; approve: a team lead of the requester's or the peer's team; reject: any
// of them).
Result<SwapRequest> next_swap_step(const SwapRequest& swap, std::string_view step,
                                   const SwapActor& actor, TimePoint at);

}  // namespace piket::scheduler
