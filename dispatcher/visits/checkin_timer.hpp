#pragma once
// A missed check-in, read → decide → write: the visit's snapshot from the store,
// decide_checkin_escalation() on it, and the store applies it only if no check-in came in
// between (then it is read and decided again, a few times at most).
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "dispatcher/store/dispatch_store.hpp"

namespace piket::dispatcher {

// `reminder_of_region`: the region's checkin_reminder_s (its escalation policy). Answers the
// number of team leads alerted.
boost::asio::awaitable<Result<int>> escalate_missed_checkin(
    DispatchStore& store, const std::string& visit_id, TimePoint now,
    const std::function<std::chrono::seconds(const std::string&)>& reminder_of_region);

}  // namespace piket::dispatcher
