#include "gateway/api/router.hpp"

#include <cctype>
#include <string_view>
#include <vector>

#include "common/message_types.hpp"

namespace piket::gateway {
namespace {
std::vector<std::string> split_path(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // trailing slash
  return parts;
}

struct SchedulerRoute {
  const char* method;
  std::vector<std::string> pattern;  // after /api/v1; "{id}" matches one segment
  std::string_view rpc;
  const char* name;
  bool body_is_text = false;
  bool to_dispatcher = false;
  bool to_notifier = false;
};

// The roster, workers and teams API (each path one scheduler request) and the report follow-up
// API (each path one dispatcher request). A fixed segment is listed before an {id} in the
// same place ("workers/import" before "workers/{id}").
const std::vector<SchedulerRoute>& scheduler_routes() {
  static const std::vector<SchedulerRoute> kRoutes = {
      {"GET", {"oncall"}, msg::kOnCallQuery, "oncall"},
      {"GET", {"roster", "shifts"}, msg::kRosterShifts, "roster_shifts"},
      {"GET", {"roster", "coverage"}, msg::kRosterCoverage, "roster_coverage"},
      {"GET", {"roster", "violations"}, msg::kRosterViolations, "roster_violations"},
      {"GET", {"roster", "fairness"}, msg::kRosterFairness, "roster_fairness"},
      {"GET", {"roster", "rotations"}, msg::kRosterRotationList, "roster_rotations"},
      {"POST", {"roster", "rotations"}, msg::kRosterRotationPut, "roster_rotations"},
      {"DELETE", {"roster", "rotations", "{id}"}, msg::kRosterRotationDelete, "roster_rotation"},
      {"GET", {"roster", "overrides"}, msg::kRosterOverrideList, "roster_overrides"},
      {"POST", {"roster", "overrides"}, msg::kRosterOverrideCreate, "roster_overrides"},
      {"DELETE", {"roster", "overrides", "{id}"}, msg::kRosterOverrideDelete, "roster_override"},
      {"POST", {"roster", "leave"}, msg::kRosterLeaveCreate, "roster_leave"},
      {"DELETE", {"roster", "leave", "{id}"}, msg::kRosterLeaveDelete, "roster_leave_one"},
      {"POST", {"roster", "swaps"}, msg::kRosterSwapRequest, "roster_swaps"},
      {"POST", {"roster", "swaps", "{id}", "accept"}, msg::kRosterSwapAccept, "roster_swap_step"},
      {"POST", {"roster", "swaps", "{id}", "approve"}, msg::kRosterSwapApprove, "roster_swap_step"},
      {"POST", {"roster", "swaps", "{id}", "reject"}, msg::kRosterSwapReject, "roster_swap_step"},
      {"POST", {"roster", "import", "assignments"}, msg::kRosterImportAssignments, "roster_import", true},
      {"POST", {"roster", "ical-feeds"}, msg::kRosterIcalCreate, "roster_ical_create"},
      {"GET", {"roster", "ical-feeds"}, msg::kRosterIcalList, "roster_ical_list"},
      {"DELETE", {"roster", "ical-feeds", "{id}"}, msg::kRosterIcalDelete, "roster_ical_delete"},
      {"GET", {"handoffs"}, msg::kHandoffList, "handoffs"},
      {"POST", {"handoffs", "{id}", "acknowledge"}, msg::kHandoffAcknowledge, "handoff_acknowledge"},
      {"GET", {"workers"}, msg::kWorkerList, "workers"},
      {"POST", {"workers"}, msg::kWorkerPut, "workers"},
      {"POST", {"workers", "import"}, msg::kWorkerImport, "workers_import", true},
      {"GET", {"workers", "{id}"}, msg::kWorkerGet, "worker"},
      {"DELETE", {"workers", "{id}"}, msg::kWorkerDelete, "worker"},
      {"POST", {"workers", "{id}", "deactivate"}, msg::kWorkerDeactivate, "worker_active"},
      {"POST", {"workers", "{id}", "activate"}, msg::kWorkerActivate, "worker_active"},
      {"GET", {"workers", "{id}", "contact-methods"}, msg::kContactList, "contact_methods", false, false, true},
      {"POST", {"workers", "{id}", "contact-methods"}, msg::kContactAdd, "contact_methods", false, false, true},
      {"DELETE", {"workers", "{id}", "contact-methods", "{method}"}, msg::kContactDelete, "contact_method", false, false, true},
      {"POST", {"workers", "{id}", "contact-methods", "{method}", "send-code"}, msg::kContactSendCode, "contact_method_code", false, false, true},
      {"POST", {"workers", "{id}", "contact-methods", "{method}", "verify"}, msg::kContactVerify, "contact_method_verify", false, false, true},
      {"POST", {"workers", "{id}", "contact-methods", "{method}", "test"}, msg::kContactTest, "contact_method_test", false, false, true},
      {"GET", {"workers", "{id}", "notification-rules"}, msg::kRulesGet, "notification_rules", false, false, true},
      {"PUT", {"workers", "{id}", "notification-rules"}, msg::kRulesPut, "notification_rules", false, false, true},
      {"DELETE", {"workers", "{id}", "notification-rules"}, msg::kRulesDelete, "notification_rules", false, false, true},
      {"GET", {"teams"}, msg::kTeamList, "teams"},
      {"POST", {"teams"}, msg::kTeamPut, "teams"},
      {"DELETE", {"teams", "{id}"}, msg::kTeamDelete, "team"},
      {"POST", {"reports", "{id}", "triage"}, msg::kReportTriageOverride, "report_triage", false, true},
      {"POST", {"reports", "{id}", "outcome"}, msg::kReportOutcome, "report_outcome", false, true},
      {"POST", {"reports", "{id}", "restraining-order", "extend"}, msg::kOrderExtend, "report_order_extend", false, true},
      {"POST", {"advice", "{id}", "convert"}, msg::kAdviceConvert, "advice_convert", false, true},
      {"POST", {"reports", "{id}", "break-glass"}, msg::kReportBreakGlass, "report_break_glass", false, true},
      {"GET", {"access", "flagged"}, msg::kAccessFlaggedList, "access_flagged", false, true},
      {"POST", {"access", "flagged", "{id}", "close"}, msg::kAccessFlaggedClose, "access_flagged_close", false, true},
      {"GET", {"visits", "{id}"}, msg::kVisitGet, "visit", false, true},
      {"GET", {"audit", "verify"}, msg::kAuditVerify, "audit_verify", false, true},
      {"POST", {"visits", "{id}", "checkin"}, msg::kVisitCheckin, "visit_checkin", false, true},
      {"GET", {"assignments"}, msg::kAssignmentMine, "my_assignments", false, true},
  };
  return kRoutes;
}

Route plain(RouteKind kind, std::string id, std::string name) {
  Route r;
  r.kind = kind;
  r.id = std::move(id);
  r.name = std::move(name);
  return r;
}

Route with_method(const std::string& method, const char* wanted, RouteKind kind, std::string id,
                  std::string name) {
  if (method != wanted) return plain(RouteKind::method_not_allowed, "", std::move(name));
  return plain(kind, std::move(id), std::move(name));
}
}  // namespace

Route route(const std::string& method, const std::string& target) {
  if (target.empty() || target[0] != '/') return {};
  // The console: its page at / and its files under /console/ (the path checked by StaticFiles).
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/" || path == "/console" || path == "/console/") {
    Route r = plain(RouteKind::console, "index.html", "console");
    r.public_access = true;
    return r;
  }
  if (path.starts_with("/console/")) {
    Route r = plain(RouteKind::console, path.substr(9), "console");
    r.public_access = true;
    return r;
  }
  const auto p = split_path(target);
  if (p.size() == 1 && p[0] == "healthz") {
    Route r = with_method(method, "GET", RouteKind::health, "", "healthz");
    r.public_access = true;
    return r;
  }
  if (p.size() == 1 && p[0] == "metrics") return with_method(method, "GET", RouteKind::metrics, "", "metrics");
  if (p.size() == 2 && p[0] == "ical" && p[1].size() > 4 && p[1].ends_with(".ics")) {
    Route r = with_method(method, "GET", RouteKind::scheduler, p[1].substr(0, p[1].size() - 4), "ical_feed");
    r.rpc = msg::kRosterIcalFeed;
    r.public_access = r.kind == RouteKind::scheduler;  // the URL is the secret
    return r;
  }
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1") return plain(RouteKind::not_found, "", "unknown");
  if (p.size() == 3 && p[2] == "session") {
    if (method == "POST") {
      Route r = plain(RouteKind::sign_in, "", "session");
      r.public_access = true;
      return r;
    }
    if (method == "GET") return plain(RouteKind::who_am_i, "", "session");
    if (method == "DELETE") return plain(RouteKind::sign_out, "", "session");
    return plain(RouteKind::method_not_allowed, "", "session");
  }
  if (p.size() == 4 && p[2] == "session" && p[3] == "totp")
    return with_method(method, "POST", RouteKind::totp_begin, "", "session_totp");
  if (p.size() == 5 && p[2] == "session" && p[3] == "totp" && p[4] == "confirm")
    return with_method(method, "POST", RouteKind::totp_confirm, "", "session_totp");
  bool path_matched = false;
  for (const auto& sr : scheduler_routes()) {
    if (sr.pattern.size() != p.size() - 2) continue;
    std::string id, method_id;
    bool match = true;
    for (std::size_t i = 0; i < sr.pattern.size() && match; ++i) {
      if (sr.pattern[i] == "{id}")
        id = p[i + 2], match = !id.empty();
      else if (sr.pattern[i] == "{method}")
        method_id = p[i + 2], match = !method_id.empty();
      else
        match = sr.pattern[i] == p[i + 2];
    }
    if (!match) continue;
    path_matched = true;
    if (method != sr.method) continue;
    Route r = plain(sr.to_notifier     ? RouteKind::notifier
                    : sr.to_dispatcher ? RouteKind::dispatcher
                                       : RouteKind::scheduler,
                    id, sr.name);
    r.method_id = method_id;
    r.rpc = sr.rpc;
    r.body_is_text = sr.body_is_text;
    return r;
  }
  if (path_matched) return plain(RouteKind::method_not_allowed, "", "api");
  if (p.size() == 3 && p[2] == "events") return with_method(method, "GET", RouteKind::events, "", "events");
  if (p.size() == 4 && p[2] == "receipts" && !p[3].empty()) {
    Route r = with_method(method, "POST", RouteKind::notifier, p[3], "receipts");
    r.rpc = msg::kReceiptRecord;
    r.public_access = r.kind == RouteKind::notifier;  // the provider proves the shared secret
    r.signed_callback = true;
    return r;
  }
  if (p.size() == 3 && p[2] == "reports" && method == "GET") {
    Route r = plain(RouteKind::dispatcher, "", "reports_list");
    r.rpc = msg::kReportList;
    return r;
  }
  if (p.size() == 3 && p[2] == "reports")
    return with_method(method, "POST", RouteKind::submit_report, "", "reports");
  if (p.size() == 4 && p[2] == "reports" && !p[3].empty())
    return with_method(method, "GET", RouteKind::get_report, p[3], "report");
  if (p.size() == 5 && p[2] == "assignments" && !p[3].empty() && p[4] == "accept")
    return with_method(method, "POST", RouteKind::accept_assignment, p[3], "accept");
  if (p.size() == 5 && p[2] == "assignments" && !p[3].empty() && p[4] == "decline")
    return with_method(method, "POST", RouteKind::decline_assignment, p[3], "decline");
  return plain(RouteKind::not_found, "", "unknown");
}

std::vector<std::string> forwarded_requests() {
  std::vector<std::string> out;
  for (auto type : {msg::kReportList, msg::kReportSubmit, msg::kReportGet, msg::kAssignmentAccept,
                    msg::kAssignmentDecline, msg::kRosterIcalFeed, msg::kEventsRead, msg::kReceiptRecord})
    out.emplace_back(type);
  for (const auto& sr : scheduler_routes()) out.emplace_back(sr.rpc);
  return out;
}

std::map<std::string, std::string> query_params(const std::string& target) {
  std::map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string::npos) return out;
  auto decode = [](std::string_view in) {
    std::string text;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '+') {
        text += ' ';
      } else if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
        text += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        text += in[i];
      }
    }
    return text;
  };
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      out[decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace piket::gateway
