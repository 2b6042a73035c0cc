#pragma once
// Every Redis key and stream name Piket uses, in one place (documented in
// docs/architecture.md). Functions in Lua receive these names as KEYS or as prefixes.
#include <string>
#include <string_view>

namespace piket::keys {

inline constexpr std::string_view kPrefix = "piket:";

inline std::string report(std::string_view id) { return "piket:report:" + std::string(id); }
inline std::string report_prefix() { return "piket:report:"; }
inline std::string report_assignments(std::string_view id) {
  return "piket:report:" + std::string(id) + ":assignments";
}
inline std::string assignment(std::string_view id) { return "piket:assignment:" + std::string(id); }
inline std::string assignment_prefix() { return "piket:assignment:"; }
inline std::string idempotency(std::string_view key) { return "piket:idem:" + std::string(key); }
inline std::string reports_index() { return "piket:reports"; }
// Open reports (queued to visit_planned) scored by creation time, for every region and per region:
// kept by the dispatcher's Functions (in on intake, out on the outcome), read by the desk's list.
inline std::string open_reports_index() { return "piket:reports:open"; }
inline std::string open_reports_index(std::string_view region) {
  return "piket:reports:open:" + std::string(region);
}
// Set once the open-reports index was built from the reports stored before it existed.
inline std::string open_reports_indexed() { return "piket:reports:open-indexed"; }
// Call-outs: the work each accepted alert means for its worker, for the working-time rule.
// Scored by the work's start; member "worker|assignment|end_ms" (common/domain/call_outs.hpp).
inline std::string call_outs() { return "piket:callouts"; }
// Deadlines (acceptance, re-matching) as a sorted set scored by Unix milliseconds.
inline std::string timers() { return "piket:timers"; }
// Ladder steps claimed and being decided by a dispatcher (in until written or let go), so a
// step in the middle of its read → decide → write is never taken for "nothing to do".
inline std::string timers_deciding() { return "piket:timers:deciding"; }
// Streams of durable work, each with one consumer group.
inline std::string match_stream() { return "piket:stream:match"; }
inline constexpr std::string_view kMatchGroup = "dispatchers";
inline std::string alert_stream() { return "piket:stream:alerts"; }
inline constexpr std::string_view kAlertGroup = "notifiers";
inline std::string audit_stream() { return "piket:stream:audit"; }
// Who read which report's details, when and why (NEN 7513 in spirit).
inline std::string access_stream() { return "piket:stream:access"; }
// Break-glass reads waiting for the privacy officer (entry ids by time), and those closed.
inline std::string access_flagged() { return "piket:access:flagged"; }
inline std::string access_flags_closed() { return "piket:access:flags:closed"; }
// The last hash of a stream's chain (audit, access): each entry carries the hash of the one
// before it, so a removed or changed entry shows.
inline std::string chain_head(std::string_view stream) { return "piket:chain:" + std::string(stream); }
// The notifier's record of one alert's delivery.
inline std::string alert_delivery(std::string_view alert_id) {
  return "piket:alert:" + std::string(alert_id);
}
inline std::string alert_attempts(std::string_view alert_id) {
  return "piket:alert:" + std::string(alert_id) + ":attempts";
}
// Who is sending one notification (an alert to one contact method in one attempt series) right
// now: the notifier's consumer name, with an expiry a little past one attempt. Taken before an
// attempt, dropped when it is recorded; another notifier that finds it does not send.
inline std::string notification_lease(std::string_view notification_id) {
  return "piket:notification:" + std::string(notification_id) + ":lease";
}
// One notification's own record: status (retry, delivered, failed, cancelled), attempts made,
// the method and channel. An alert has one per contact method its rules ring.
inline std::string notification(std::string_view notification_id) {
  return "piket:notification:" + std::string(notification_id);
}
// The notifier owns contact methods and notification rules (docs/architecture.md): a hash of
// method id -> JSON per worker, a verification code's hash per method (expires), and the
// worker's own rules (JSON; absent: the role's defaults from config).
inline std::string contact_methods(std::string_view worker) {
  return "piket:notify:contacts:" + std::string(worker);
}
inline std::string contact_code(std::string_view worker, std::string_view method) {
  return "piket:notify:code:" + std::string(worker) + ":" + std::string(method);
}
inline std::string notification_rules(std::string_view worker) {
  return "piket:notify:rules:" + std::string(worker);
}

// The scheduler's changeable roster parts: hashes of id -> JSON, and a version bumped on every
// change (so other instances know to reload).
inline std::string roster_rotations() { return "piket:roster:rotations"; }
inline std::string roster_overrides() { return "piket:roster:overrides"; }
inline std::string roster_leave() { return "piket:roster:leave"; }
inline std::string roster_swaps() { return "piket:roster:swaps"; }
inline std::string roster_version() { return "piket:roster:version"; }
// Workers and teams, owned by the scheduler: hashes of id -> JSON, and a version bumped by
// every change, so the dispatcher and the notifier know when to read them again.
inline std::string workers() { return "piket:workers"; }
inline std::string teams() { return "piket:teams"; }
inline std::string workers_version() { return "piket:workers:version"; }
// Shift hand-offs were announced up to this instant (Unix ms).
inline std::string handoffs_checked_until() { return "piket:roster:handoffs_until"; }
// Secret iCalendar feed tokens: token -> "worker:<id>" or "region:<id>".
inline std::string ical_tokens() { return "piket:roster:ical_tokens"; }
// Per feed event: uid -> "<sequence>|<fingerprint>", so a changed event bumps SEQUENCE.
inline std::string ical_sequences() { return "piket:roster:ical_sequences"; }

// Sign-in (the gateway and piket-admin; common/auth/auth.lua). Users and integration clients
// share one key space of accounts; sessions and API tokens are kept by their public id with a
// hash of their secret, never the secret itself.
inline std::string account(std::string_view id) { return "piket:user:" + std::string(id); }
inline std::string accounts() { return "piket:users"; }
inline std::string account_sessions(std::string_view id) {
  return "piket:user:" + std::string(id) + ":sessions";
}
inline std::string account_tokens(std::string_view id) {
  return "piket:user:" + std::string(id) + ":tokens";
}
inline std::string session(std::string_view id) { return "piket:session:" + std::string(id); }
inline std::string api_token(std::string_view id) { return "piket:token:" + std::string(id); }
// Failed sign-ins and lock-outs per account name and per client address (expire by themselves).
inline std::string login_failures_of_account(std::string_view id) {
  return "piket:login:user:" + std::string(id);
}
inline std::string login_failures_of_address(std::string_view address) {
  return "piket:login:addr:" + std::string(address);
}

}  // namespace piket::keys
