#pragma once
// Names of every message type, in one place.
#include <string_view>

namespace piket::msg {

// Requests to the dispatcher.
inline constexpr std::string_view kReportSubmit = "report.submit";
inline constexpr std::string_view kReportGet = "report.get";
inline constexpr std::string_view kReportBreakGlass = "report.break_glass";  // read with a reason, flagged
inline constexpr std::string_view kAccessFlaggedList = "access.flagged.list";  // break-glass reads to review
inline constexpr std::string_view kAccessFlaggedClose = "access.flagged.close";
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
// Rosters (scheduler).
inline constexpr std::string_view kRosterShifts = "roster.shifts";
inline constexpr std::string_view kRosterCoverage = "roster.coverage";
inline constexpr std::string_view kRosterViolations = "roster.violations";
inline constexpr std::string_view kRosterFairness = "roster.fairness";
inline constexpr std::string_view kRosterRotationList = "roster.rotation.list";
inline constexpr std::string_view kRosterRotationPut = "roster.rotation.put";
inline constexpr std::string_view kRosterRotationDelete = "roster.rotation.delete";
inline constexpr std::string_view kRosterOverrideList = "roster.override.list";
inline constexpr std::string_view kRosterOverrideCreate = "roster.override.create";
inline constexpr std::string_view kRosterOverrideDelete = "roster.override.delete";
inline constexpr std::string_view kRosterLeaveCreate = "roster.leave.create";
inline constexpr std::string_view kRosterLeaveDelete = "roster.leave.delete";
inline constexpr std::string_view kRosterSwapRequest = "roster.swap.request";
inline constexpr std::string_view kRosterSwapAccept = "roster.swap.accept";
inline constexpr std::string_view kRosterSwapApprove = "roster.swap.approve";
inline constexpr std::string_view kRosterSwapReject = "roster.swap.reject";
inline constexpr std::string_view kRosterImportAssignments = "roster.import.assignments";
inline constexpr std::string_view kRosterIcalCreate = "roster.ical.create";
inline constexpr std::string_view kRosterIcalList = "roster.ical.list";
inline constexpr std::string_view kRosterIcalDelete = "roster.ical.delete";
// Hand-offs (scheduler).
inline constexpr std::string_view kHandoffList = "handoff.list";
inline constexpr std::string_view kHandoffAcknowledge = "handoff.acknowledge";
// Workers and teams (scheduler).
inline constexpr std::string_view kWorkerList = "worker.list";
inline constexpr std::string_view kWorkerPut = "worker.put";
inline constexpr std::string_view kWorkerImport = "worker.import";
inline constexpr std::string_view kWorkerGet = "worker.get";
inline constexpr std::string_view kWorkerDelete = "worker.delete";
inline constexpr std::string_view kWorkerDeactivate = "worker.deactivate";
inline constexpr std::string_view kWorkerActivate = "worker.activate";
inline constexpr std::string_view kTeamList = "team.list";
inline constexpr std::string_view kTeamPut = "team.put";
inline constexpr std::string_view kTeamDelete = "team.delete";
// Rosters (scheduler).
inline constexpr std::string_view kRosterIcalFeed = "roster.ical.feed";
// The gateway's own.
inline constexpr std::string_view kSessionGet = "session.get";
inline constexpr std::string_view kSessionDelete = "session.delete";
inline constexpr std::string_view kSessionTotpBegin = "session.totp.begin";
inline constexpr std::string_view kSessionTotpConfirm = "session.totp.confirm";
inline constexpr std::string_view kGatewayMetrics = "gateway.metrics";
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
inline constexpr std::string_view kReceiptRecord = "receipt.record";  // a provider's signed callback
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
