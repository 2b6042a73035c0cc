#pragma once
// Maps a method and target to an API route. Pure.
#include <map>
#include <string>
#include <vector>

namespace piket::gateway {

enum class RouteKind {
  submit_report,
  get_report,
  accept_assignment,
  decline_assignment,
  health,
  metrics,
  sign_in,      // POST /api/v1/session
  who_am_i,     // GET /api/v1/session
  sign_out,     // DELETE /api/v1/session
  totp_begin,   // POST /api/v1/session/totp: a second factor offered to the signed-in user
  totp_confirm, // POST /api/v1/session/totp/confirm: a code from it makes it the user's
  scheduler,   // forwarded to the scheduler as `rpc`
  dispatcher,  // forwarded to the dispatcher as `rpc`
  notifier,    // forwarded to the notifier as `rpc` (contact methods, notification rules)
  not_found,
  method_not_allowed,
  bad_target,  // not UTF-8: answered by the gateway itself
  console,     // GET /, /console/...: the web console's static files (id: the file's path)
  events,      // GET /api/v1/events: the live feed as server-sent events
};

struct Route {
  RouteKind kind = RouteKind::not_found;
  std::string id;     // the {id} in the path, when there is one
  std::string method_id;  // the {method} in the path (a contact method), when there is one
  std::string name;   // a stable label for metrics ("reports", "report", ...)
  std::string rpc;    // for RouteKind::scheduler and ::dispatcher: the request type
  bool body_is_text = false;  // the body is passed on as text (CSV), not parsed as JSON
  // A provider's signed callback: the raw body, its content type, the signature headers and
  // the ?token= go to the daemon, which checks them.
  bool signed_callback = false;
  // Answered without a session or token: /healthz, sign-in, the secret iCal URLs and the
  // console's files (which hold no data: the console asks the API, signed in). Every
  // other route needs a verified principal.
  bool public_access = false;
};

// Every request type the router forwards to a daemon (for the access table's test).
std::vector<std::string> forwarded_requests();

Route route(const std::string& method, const std::string& target);

// The query string as name -> value, percent-decoded ("+" is a space). Later names win.
std::map<std::string, std::string> query_params(const std::string& target);

}  // namespace piket::gateway
