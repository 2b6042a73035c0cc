#pragma once
// The decisions of a swap request, pure: whether it may be asked, and which state each step
// leads to. requested -> accepted (by the peer) -> approved (by a team lead of the region, after
// the working-time check the scheduler makes); rejected from either open state. Each step is
// recorded in the history with who and when.
#include <string>
#include <string_view>

#include "common/domain/workers.hpp"
#include "common/result.hpp"
#include "scheduler/model/roster.hpp"

namespace piket::scheduler {

// A new request, or why not: the requester gives away only duty they have, so they must be on
// duty in the swap's region and role for the whole interval.
Result<SwapRequest> new_swap(SwapRequest asked, const Roster& roster, std::string id, TimePoint at);

// The swap after `step` ("accept", "approve" or "reject") taken by `by` at `at`, or why not:
// conflict when the swap is not in a state that allows it, forbidden when `by` may not take it.
Result<SwapRequest> next_swap_step(const SwapRequest& swap, std::string_view step,
                                   const std::string& by, const WorkerDirectory& workers,
                                   TimePoint at);

}  // namespace piket::scheduler
