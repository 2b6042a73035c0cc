#pragma once
// The whole of Piket as processes for end-to-end tests: a redis-server, the four daemons and a
// webhook receiver, on free loopback ports, with a config written to a temp folder.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"

#include "tests/support/http.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_clock.hpp"

namespace piket::test {

struct StackOptions {
  int webhook_fail_first = 0;  // the receiver answers 503 to this many first requests
  // The daemons' clock starts here (and runs on). Every test sets it: a stack never runs on
  // the wall clock, so no test depends on the hour, the week or a DST night.
  std::optional<TimePoint> start_at;
  std::string escalation_toml;        // replaces config/demo/escalation.toml when set
  std::string rotations_toml;         // replaces config/demo/rotations.toml when set
  // [notifier] keys over the stack's own (value as TOML text: "3", "\"/x/ca.pem\"", "true");
  // an empty value leaves the key out.
  std::map<std::string, std::string> notifier;
  std::map<std::string, std::string> gateway;  // [gateway] keys over the stack's own, the same way
  std::map<std::string, std::string> auth;     // [auth] keys, the same way
  // TOML appended after the [notifier] keys: its sub-tables ([notifier.email], [notifier.sms]).
  std::string notifier_toml;
  // How many of each daemon run (each instance its own endpoints and gateway port, all on the
  // one Redis): "dispatcher", "dispatcher-2", ... in start_daemon() and the other calls.
  int instances = 1;
};

// The roster-mechanics tests' roster: four on call at once per region (tests/e2e/data/).
std::string four_on_call_rotations();

inline StackOptions starting_at(TimePoint at, std::string escalation_toml = "") {
  StackOptions options;
  options.start_at = at;
  options.escalation_toml = std::move(escalation_toml);
  return options;
}

// For tests of roster mechanics and the ladder built on four workers on call at once.
inline StackOptions four_on_call_at(TimePoint at, std::string escalation_toml = "") {
  StackOptions options = starting_at(at, std::move(escalation_toml));
  options.rotations_toml = four_on_call_rotations();
  return options;
}

class Stack;

// Requests to the stack's gateway as one signed-in caller: an API token ("Authorization:
// Bearer") or a browser session (the cookie, and the CSRF token on changes).
class Caller {
 public:
  Caller() = default;
  Caller(const Stack* stack, std::map<std::string, std::string> headers)
      : stack_(stack), headers_(std::move(headers)) {}
  HttpReply request(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {}) const;
  HttpReply post(const std::string& path, const nlohmann::json& body,
                 const std::map<std::string, std::string>& headers = {}) const;
  HttpReply get(const std::string& path) const { return request("GET", path); }
  HttpReply del(const std::string& path) const { return request("DELETE", path); }
  const std::map<std::string, std::string>& headers() const { return headers_; }

 private:
  const Stack* stack_ = nullptr;
  std::map<std::string, std::string> headers_;
};

class Stack {
 public:
  explicit Stack(StackOptions options);  // options.start_at is required
  ~Stack();

  std::string url(const std::string& path) const;
  // As the test desk: a user with every role but worker (operator and manager of every region,
  // team lead of every team, admin, privacy officer), signed in with an API token. Requests a
  // worker makes (accept, check in, swap steps) go through as_worker().
  HttpReply post(const std::string& path, const nlohmann::json& body,
                 const std::map<std::string, std::string>& headers = {}) const;
  HttpReply get(const std::string& path) const;
  HttpReply del(const std::string& path) const;
  HttpReply request(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {}) const;
  const Caller& desk() const { return desk_; }
  // A worker user linked to `worker` (created at the first call), with an API token.
  const Caller& as_worker(const std::string& worker) const;
  // A user with exactly these roles (created at the first call, password kPassword), with a
  // token. `spec` is piket-admin's flags after the id, e.g. "--role manager --region eemland".
  const Caller& as_user(const std::string& id, const std::string& spec) const;
  // Signs `user` in with a password: a browser session (cookie and CSRF token). Throws when
  // the sign-in is refused.
  Caller sign_in(const std::string& user, const std::string& password = kPassword) const;
  // Runs piket-admin with this stack's config; its stdout. Throws when it fails.
  std::string admin(const std::string& arguments, const std::string& input = "") const;
  // piket-admin's printed "token: ..." for the account `id`.
  std::string new_token(const std::string& id, const std::string& flags = "") const;
  static constexpr const char* kPassword = "correct-horse-battery-9";

  // Requests go to this gateway instance from now on (1 is the first).
  void use_gateway(int instance);
  void start_daemon(const std::string& name);  // scheduler, dispatcher, notifier, gateway (-2, ...)
  void kill_daemon(const std::string& name);   // SIGKILL
  pid_t daemon_pid(const std::string& name);
  int stop_daemon(const std::string& name);    // SIGTERM, exit code
  void signal_daemon(const std::string& name, int sig);  // e.g. SIGTERM, SIGSTOP, SIGCONT
  // The daemon's exit code once it ends (-1 when it is still running after `limit`).
  int wait_daemon_exit(const std::string& name, std::chrono::milliseconds limit);
  bool wait_healthy(std::chrono::milliseconds limit) const;
  // Moves every daemon's clock (they read PIKET_TEST_CLOCK_FILE); it runs on from there.
  void set_time(TimePoint at);
  void advance(std::chrono::milliseconds by) { set_time(now() + by); }
  TimePoint now() const;
  // Waits until the stack has done everything that is due by its clock now: no deadline in
  // the timer set has passed unfired, every stream entry (matching jobs, alerts) has been taken
  // and finished, and the scheduler has looked for hand-offs up to now. Throws after `limit`.
  void settle(std::chrono::milliseconds limit = std::chrono::seconds(20)) const;
  // Moves the clock on and waits until the stack has caught up with it.
  void advance_and_settle(std::chrono::milliseconds by) {
    advance(by);
    settle();
  }
  void set_time_and_settle(TimePoint at) {
    set_time(at);
    settle();
  }

  // Requests the webhook receiver got, in order (each {"path","alert_id","signature_valid",
  // "signature","raw","body"}).
  std::vector<nlohmann::json> received_alerts() const;
  // Waits until at least n requests arrived; returns them.
  std::vector<nlohmann::json> wait_for_alerts(std::size_t n, std::chrono::milliseconds limit) const;

  // The receiver's address for a worker, as the demo workers' webhook_url.
  std::string webhook_url(const std::string& worker) const;
  const std::string& secret() const { return secret_; }
  RedisServer& redis() { return redis_; }
  const RedisServer& redis() const { return redis_; }
  const std::string& dir() const { return dir_; }
  std::string log(const std::string& name) const;

 private:
  std::string dir_;
  std::string secret_;
  std::string config_file(int instance) const;  // 0 is the first instance's
  int gateway_port_;
  int webhook_port_;
  int instances_ = 1;
  std::vector<int> gateway_ports_;
  int gateway_in_use_ = 0;
  std::int64_t offset_ms_ = 0;
  RedisServer redis_;
  std::map<std::string, Process> daemons_;
  Process receiver_;
  Caller desk_;
  mutable std::map<std::string, Caller> callers_;  // created at first use
};

}  // namespace piket::test
