#pragma once
// Names of every message type, in one place.
#include <string_view>

namespace piket::msg {

// Requests to the dispatcher.
inline constexpr std::string_view kReportSubmit = "report.submit";
inline constexpr std::string_view kReportGet = "report.get";
inline constexpr std::string_view kReportList = "report.list";  // the desk's queue, no details
inline constexpr std::string_view kAuditVerify = "audit.verify";  // walk a log's hash chain
inline constexpr std::string_view kReportsOpen = "report.open";  // ids only, for hand-offs
inline constexpr std::string_view kAssignmentAccept = "assignment.accept";
inline constexpr std::string_view kAssignmentDecline = "assignment.decline";
inline constexpr std::string_view kReportTriageOverride = "report.triage_override";
inline constexpr std::string_view kReportOutcome = "report.outcome";
inline constexpr std::string_view kAdviceConvert = "advice.convert";
inline constexpr std::string_view kVisitGet = "visit.get";
inline constexpr std::string_view kVisitCheckin = "visit.checkin";
inline constexpr std::string_view kOrderExtend = "report.order_extend";
inline constexpr std::string_view kAssignmentMine = "assignment.mine";  // the caller's open ones
inline constexpr std::string_view kEventsRead = "events.read";  // the live feed, filtered per caller
// Requests to the scheduler.
inline constexpr std::string_view kOnCallQuery = "oncall.query";
inline constexpr std::string_view kOnCallQueryMany = "oncall.query_many";  // several, with fairness
// Any daemon.
inline constexpr std::string_view kPing = "ping";
inline constexpr std::string_view kMetrics = "metrics";  // Prometheus text of the daemon
// Replies.
inline constexpr std::string_view kReply = "reply";
// Events (PUB/SUB).
inline constexpr std::string_view kEventReportCreated = "event.report.created";
inline constexpr std::string_view kEventAssignmentCreated = "event.assignment.created";
inline constexpr std::string_view kEventAssignmentChanged = "event.assignment.changed";
inline constexpr std::string_view kEventEscalation = "event.escalation";  // a timer fired
inline constexpr std::string_view kEventVisitPlanned = "event.visit.planned";
inline constexpr std::string_view kEventRosterGap = "event.roster.gap";
inline constexpr std::string_view kEventRosterHandoff = "event.roster.handoff";
// Stream entries.
inline constexpr std::string_view kMatchJob = "match.job";
inline constexpr std::string_view kAlert = "alert";

}  // namespace piket::msg
