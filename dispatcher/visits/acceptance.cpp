#include "dispatcher/visits/acceptance.hpp"

#include <algorithm>

#include "dispatcher/visits/visit_slot.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;

namespace {
constexpr int kDecideAttempts = 3;

// Moved in between: the report's state or round, another answer, or a visit in the slot.
bool moved_since_read(const Error& e) {
  return e.code == ErrorCode::conflict && (e.field == "state" || e.field == "round" || e.field == "visit_start");
}
}  // namespace

AcceptDecision decide_acceptance(const AcceptContext& c, TimePoint now, std::chrono::milliseconds length,
                                 std::chrono::hours search) {
  AcceptDecision d;
  d.state = c.report_state;
  d.round = c.round;
  d.accepted_seen = static_cast<int>(c.accepted.size());
  if (!c.visit_required || d.accepted_seen < c.needed) return d;
  std::chrono::milliseconds travel{0};
  for (const auto& a : c.accepted) travel = std::max(travel, a.travel);
  const TimePoint earliest = now + travel;
  std::vector<BusyInterval> busy;
  TimePoint last_end = earliest;
  for (const auto& [start, end] : c.busy) {
    busy.push_back({from_unix_ms(start), from_unix_ms(end)});
    last_end = std::max(last_end, from_unix_ms(end));
  }
  d.visit_start = find_visit_slot(std::move(busy), earliest, length, search).value_or(last_end);
  return d;
}

asio::awaitable<Result<AssignmentChange>> accept_assignment(
    DispatchStore& store, const std::string& assignment_id, TimePoint now, const std::string& actor,
    const VisitSettings& visit, const std::function<std::chrono::hours(const std::string&)>& search_of_region) {
  for (int attempt = 1;; ++attempt) {
    // Visits start at most the longest visit before now may still be running.
    auto context = co_await store.accept_context(assignment_id, now - std::chrono::hours(8),
                                                 now + std::chrono::hours(24 * 8));
    if (!context.ok()) co_return context.error();
    const auto search = search_of_region(context->region);
    AcceptDecision decision = decide_acceptance(*context, now, visit.length, search);
    auto change = co_await store.accept(assignment_id, now, actor, visit.length, visit.checkin_interval,
                                        visit.link_base, decision, visit.min_call_out);
    if (!change.ok() && moved_since_read(change.error()) && attempt < kDecideAttempts) continue;
    co_return change;
  }
}

}  // namespace piket::dispatcher
