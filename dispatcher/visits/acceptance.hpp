#pragma once
// An acceptance, read → decide → write: the store gives the assignment's snapshot (who would
// have accepted with it, their visits), decide_acceptance() picks the visit slot when this
// acceptance completes the report, and the store applies it only if nothing moved in between;
// otherwise it is read and decided again, a few times at most.
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "dispatcher/store/dispatch_store.hpp"

namespace piket::dispatcher {

struct VisitSettings {
  std::chrono::milliseconds length{90 * 60 * 1000};
  std::chrono::milliseconds checkin_interval{30 * 60 * 1000};
  std::string link_base;
  // A call-out counts as at least this much work (the working-time rule's minimum).
  std::chrono::milliseconds min_call_out{30 * 60 * 1000};
};

// Pure. With everyone needed, a visit starts after the slowest travel time at the first time
// none of them has another visit within the search horizon; when the horizon holds none, right
// after the last of their visits (never double-booked; late shows it).
AcceptDecision decide_acceptance(const AcceptContext& context, TimePoint now, std::chrono::milliseconds length,
                                 std::chrono::hours search);

// `search_of_region`: the region's visit_search_h (its escalation policy).
boost::asio::awaitable<Result<AssignmentChange>> accept_assignment(
    DispatchStore& store, const std::string& assignment_id, TimePoint now, const std::string& actor,
    const VisitSettings& visit, const std::function<std::chrono::hours(const std::string&)>& search_of_region);

}  // namespace piket::dispatcher
