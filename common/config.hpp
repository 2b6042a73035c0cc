#pragma once
// The deployment's configuration: one TOML file (config/piket.toml) with a section per daemon.
// Paths inside it are relative to the file. Secrets come from environment variables or files
// named in it, never inline.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/config_reader.hpp"

namespace piket {

inline constexpr int kExitConfig = 78;  // EX_CONFIG

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 2000;
};

struct ZmqConfig {
  std::string dispatcher_rpc;     // endpoint the dispatcher binds (ROUTER)
  std::string scheduler_rpc;      // endpoint the scheduler binds (ROUTER)
  std::string dispatcher_events;  // endpoint the dispatcher publishes on (PUB)
  std::string scheduler_events;   // endpoint the scheduler publishes on (PUB); optional
  std::string notifier_rpc;       // endpoint the notifier binds (ROUTER) for metrics; optional
  // Where the clients connect: every instance's endpoint when a daemon runs more than once
  // (a request goes to one live instance, events come from all). Each defaults to the one
  // endpoint above.
  std::vector<std::string> dispatcher_rpc_peers, scheduler_rpc_peers, notifier_rpc_peers;
  std::vector<std::string> dispatcher_events_peers, scheduler_events_peers;
  int request_timeout_ms = 1000;
  int request_retries = 2;
};

struct GatewayConfig {
  std::string listen = "127.0.0.1";
  int port = 8080;
  std::size_t max_body_bytes = 64 * 1024;
  std::string public_url;  // base of links in alerts
  int max_connections = 1024;
  // One client address cannot take the gateway from the others: its own share of connections,
  // and a request rate (a token bucket: `per_client_burst` at once, refilled at
  // `per_client_requests_per_s`) beyond which it is answered 429 with Retry-After.
  int max_connections_per_client = 128;
  double per_client_requests_per_s = 200;
  int per_client_burst = 400;
};

struct DispatcherConfig {
  std::string triage_file;
  std::string escalation_file;  // optional: escalation policies per region
  std::string matching_file;    // optional: the ranking's weights (defaults when absent)
  int timer_poll_ms = 100;
  int rematch_delay_ms = 30000;  // retry when nobody is on call
  int match_claim_idle_ms = 10000;
  int visit_minutes = 90;          // how long a home visit is planned for
  int checkin_interval_s = 1800;   // lone-worker safety: check in at least this often

};

struct SchedulerConfig {
  std::string rotations_file;
  std::string staffing_file;      // optional: minimum staffing
  std::string working_time_file;  // optional: the law's figures when absent
  std::string holidays_file;      // optional: public holidays
  int coverage_weeks = 8;         // how far ahead coverage gaps are looked for
  int handoff_poll_ms = 5000;     // how often shift hand-offs are looked for
  int gap_page_hours = 48;        // a gap a change makes that starts this soon pages the team lead
};

// Where a secret lives: an environment variable or a file, never the TOML itself. Resolved only
// by the daemon that needs it, so the others never hold it.
struct SecretRef {
  std::string key;  // "notifier.webhook_secret", for messages
  std::string env;
  std::string file;
};

struct NotifierConfig {
  SecretRef webhook_secret;  // webhook_secret_env or webhook_secret_file
  int max_attempts = 6;
  int retry_base_ms = 500;
  int retry_max_ms = 30000;
  int http_timeout_ms = 5000;
  // How long an alert stays with a notifier before another may claim it. Never shorter than
  // the longest delivery (longest_delivery below): when absent it is derived from it.
  int claim_idle_ms = 55500;
  int max_in_flight = 32;         // webhook attempts under way at once, across all alerts
  std::string ca_file;            // PEM CA bundle for https webhooks; "" = the system store
  bool allow_plain_http = false;  // http:// to hosts other than loopback
};

// Delay before retry number `attempt` (1-based): base * 2^(attempt-1), at most `max`.
std::chrono::milliseconds retry_backoff(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max);
// The longest one alert's delivery may take: every attempt up to its time-out and the back-off
// between them. A notifier that claimed alerts idle for less than this could take over an
// alert another notifier is still retrying, and page the worker twice.
std::chrono::milliseconds longest_delivery(const NotifierConfig& notifier);
// The margin on top of longest_delivery for a derived claim-idle time: the Redis steps around
// each attempt and a wait for a free attempt slot.
inline constexpr std::chrono::milliseconds kClaimIdleMargin{10000};

// Sign-in: password hashing, sessions and login limits ([auth], read by the gateway and
// piket-admin).
struct AuthConfig {
  std::int64_t password_opslimit = 2;    // argon2id passes (crypto_pwhash_OPSLIMIT_INTERACTIVE)
  std::int64_t password_memlimit_kib = 65536;  // argon2id memory (64 MiB, _MEMLIMIT_INTERACTIVE)
  int password_min_length = 12;
  int session_idle_minutes = 30;      // a session unused this long ends
  int session_absolute_hours = 12;    // and every session ends this long after sign-in
  bool cookie_secure = true;          // false only for the demo on plain loopback HTTP
  int login_max_failures = 5;         // per account, before the first lock-out
  int address_max_failures = 20;      // per client address (an office shares one)
  int login_lock_base_s = 30;         // the first lock-out; each further failure doubles it
  int login_lock_max_s = 900;
  int login_forget_minutes = 60;      // failures older than this no longer count
  // A verified session or token is trusted this long without asking Redis again: a request
  // costs no Redis round trip, and a revocation reaches every gateway within this time.
  int cache_ms = 5000;
  // Roles that read report details sign in with a second factor (TOTP or a recovery code).
  std::vector<std::string> second_factor_roles{"operator", "worker", "privacy_officer"};
};

struct DataConfig {
  std::string regions_file;
  std::string workers_file;
  std::string places_file;  // optional: municipality coordinates, for travel distance
  std::string time_zone = "Europe/Amsterdam";
};

struct PiketConfig {
  std::string file;
  std::string log_level = "info";
  std::string metrics_listen = "127.0.0.1";
  // How long SIGTERM may take: work in flight finishes within it; what is left then stays
  // pending in Redis for the next start (or another instance).
  int shutdown_timeout_ms = 10000;
  RedisConfig redis;
  ZmqConfig zmq;
  GatewayConfig gateway;
  DispatcherConfig dispatcher;
  SchedulerConfig scheduler;
  NotifierConfig notifier;
  AuthConfig auth;
  DataConfig data;
};

struct ConfigLoad {
  PiketConfig config;
  std::vector<ConfigProblem> problems;
  bool ok() const { return problems.empty(); }
};

ConfigLoad load_config(const std::string& file);
ConfigLoad parse_config(const std::string& file, std::string_view text);

// For main(): loads, or prints every problem to stderr and exits with 78.
PiketConfig load_config_or_exit(const std::string& file);
// Reads the secret; a problem (naming the key) when it is not there.
std::string resolve_secret(const SecretRef& ref, const std::string& config_file,
                           std::vector<ConfigProblem>& problems);

// Prints problems and exits 78; for the daemons' own data files.
[[noreturn]] void exit_with_config_problems(const std::vector<ConfigProblem>& problems);

}  // namespace piket
