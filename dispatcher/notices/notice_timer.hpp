#pragma once
// A fired deadline notice, read → decide → write: the report's snapshot from the store, the
// team leads on call now (from the scheduler), decide_deadline_notice() on them, and the store
// applies it only if the report has not moved (else it is read and decided again, a few times).
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "dispatcher/store/dispatch_store.hpp"

namespace piket::dispatcher {

// Who leads the region's on-call team now; an error (scheduler unreachable) leaves the notice
// claimed, so it is decided again when its lease ends: never sent without asking.
using TeamLeadsOnCall =
    std::function<boost::asio::awaitable<Result<std::vector<std::string>>>(const std::string& region)>;

// `member` is the timer, "notice:<report>:<label>". Answers how many were paged.
boost::asio::awaitable<Result<int>> fire_deadline_notice(DispatchStore& store, const std::string& member,
                                                         TimePoint now, const TeamLeadsOnCall& team_leads);

}  // namespace piket::dispatcher
