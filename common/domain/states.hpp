#pragma once
// The states of a report, an assignment and a visit, by the names that Redis stores and the API
// shows. The dispatcher's Redis Functions declare the same names in dispatcher/store/common.lua
// (tests/unit/test_lua_states.cpp keeps the two equal), so neither side spells a state itself.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace piket {

enum class ReportState {
  advice,         // an advice contact: recorded, never dispatched
  converted,      // an advice contact that became a report
  queued,         // not dispatched (regular class): the day team's queue
  matching,       // waiting for a matching job
  alerting,       // the escalation ladder is paging
  unassigned,     // nobody on call: matched again later
  accepted,       // everyone needed accepted; no visit needed
  visit_planned,  // everyone needed accepted; the visit is planned
  closed,
  referred,       // help continues elsewhere
};

enum class AssignmentState { alerted, accepted, declined, cancelled };

enum class VisitState { planned, in_progress, overdue, completed };

inline constexpr std::array<std::pair<ReportState, std::string_view>, 10> kReportStateNames{{
    {ReportState::advice, "advice"},
    {ReportState::converted, "converted"},
    {ReportState::queued, "queued"},
    {ReportState::matching, "matching"},
    {ReportState::alerting, "alerting"},
    {ReportState::unassigned, "unassigned"},
    {ReportState::accepted, "accepted"},
    {ReportState::visit_planned, "visit_planned"},
    {ReportState::closed, "closed"},
    {ReportState::referred, "referred"},
}};

inline constexpr std::array<std::pair<AssignmentState, std::string_view>, 4> kAssignmentStateNames{{
    {AssignmentState::alerted, "alerted"},
    {AssignmentState::accepted, "accepted"},
    {AssignmentState::declined, "declined"},
    {AssignmentState::cancelled, "cancelled"},
}};

inline constexpr std::array<std::pair<VisitState, std::string_view>, 4> kVisitStateNames{{
    {VisitState::planned, "planned"},
    {VisitState::in_progress, "in_progress"},
    {VisitState::overdue, "overdue"},
    {VisitState::completed, "completed"},
}};

namespace detail {
template <typename E, std::size_t N>
constexpr std::string_view name_in(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [state, name] : names)
    if (state == e) return name;
  return "";
}
template <typename E, std::size_t N>
constexpr std::optional<E> parse_in(const std::array<std::pair<E, std::string_view>, N>& names,
                                    std::string_view text) {
  for (const auto& [state, name] : names)
    if (name == text) return state;
  return std::nullopt;
}
}  // namespace detail

constexpr std::string_view name(ReportState s) { return detail::name_in(kReportStateNames, s); }
constexpr std::string_view name(AssignmentState s) { return detail::name_in(kAssignmentStateNames, s); }
constexpr std::string_view name(VisitState s) { return detail::name_in(kVisitStateNames, s); }
inline std::string str(ReportState s) { return std::string(name(s)); }
inline std::string str(AssignmentState s) { return std::string(name(s)); }
inline std::string str(VisitState s) { return std::string(name(s)); }

constexpr std::optional<ReportState> parse_report_state(std::string_view text) {
  return detail::parse_in(kReportStateNames, text);
}
constexpr std::optional<AssignmentState> parse_assignment_state(std::string_view text) {
  return detail::parse_in(kAssignmentStateNames, text);
}
constexpr std::optional<VisitState> parse_visit_state(std::string_view text) {
  return detail::parse_in(kVisitStateNames, text);
}

// An open case: on the desk's queue (and in the open-reports index) until it is closed or referred.
constexpr bool is_open(ReportState s) {
  return s == ReportState::queued || s == ReportState::matching || s == ReportState::alerting ||
         s == ReportState::unassigned || s == ReportState::accepted || s == ReportState::visit_planned;
}

}  // namespace piket
