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
// Requests to the scheduler.
inline constexpr std::string_view kOnCallQuery = "oncall.query";
inline constexpr std::string_view kOnCallQueryMany = "oncall.query_many";  // several, with fairness
// Requests to the notifier: a worker's contact methods and notification rules.
inline constexpr std::string_view kContactList = "contact.list";
inline constexpr std::string_view kContactAdd = "contact.add";
inline constexpr std::string_view kContactDelete = "contact.delete";
inline constexpr std::string_view kContactSendCode = "contact.send_code";
inline constexpr std::string_view kContactVerify = "contact.verify";
inline constexpr std::string_view kContactTest = "contact.test";
inline constexpr std::string_view kRulesGet = "rules.get";
inline constexpr std::string_view kRulesPut = "rules.put";
inline constexpr std::string_view kRulesDelete = "rules.delete";
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
