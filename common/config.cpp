#include "common/config.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/auth/principal.hpp"

namespace piket {
namespace {

bool valid_endpoint(const std::string& e) {
  return e.rfind("tcp://", 0) == 0 || e.rfind("ipc://", 0) == 0 || e.rfind("inproc://", 0) == 0;
}

SecretRef read_secret_ref(ConfigReader& r, const toml::table& t, const std::string& section,
                          const std::string& name) {
  SecretRef ref;
  ref.key = section + "." + name;
  const std::string env_key = name + "_env", file_key = name + "_file";
  if (t.contains(name))
    r.problem(ref.key, "secrets must not be inline; use " + env_key + " or " + file_key);
  if (t.contains(env_key)) ref.env = r.string(t, env_key, section + "." + env_key);
  if (t.contains(file_key))
    ref.file = resolve_relative(r.file(), r.string(t, file_key, section + "." + file_key));
  if (ref.env.empty() && ref.file.empty())
    r.problem(section + "." + env_key, "a secret is required: set " + env_key + " or " + file_key);
  return ref;
}

// An optional file key: "" when absent or empty, otherwise resolved against the config file.
std::string optional_path(ConfigReader& r, const toml::table& t, const std::string& section,
                          const char* key, const std::string& config_file) {
  std::string value = r.string(t, key, section + "." + key, "");
  return value.empty() ? "" : resolve_relative(config_file, value);
}

}  // namespace

std::chrono::milliseconds retry_backoff(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max) {
  auto delay = base;
  for (int i = 1; i < attempt && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

std::chrono::milliseconds longest_delivery(const NotifierConfig& n) {
  const std::chrono::milliseconds base{n.retry_base_ms}, max{n.retry_max_ms};
  std::chrono::milliseconds total{static_cast<std::int64_t>(n.max_attempts) * n.http_timeout_ms};
  for (int attempt = 1; attempt < n.max_attempts; ++attempt)
    total += retry_backoff(attempt, base, max);
  return total;
}

namespace {

void read_into(ConfigReader& r, const toml::table& root, PiketConfig& c) {
  c.log_level = r.string(root, "log_level", "log_level", "info");
  if (c.log_level != "trace" && c.log_level != "debug" && c.log_level != "info" &&
      c.log_level != "warn" && c.log_level != "error")
    r.problem("log_level", "must be one of trace, debug, info, warn, error");
  c.shutdown_timeout_ms = static_cast<int>(
      r.integer(root, "shutdown_timeout_ms", "shutdown_timeout_ms", 10000, 100, 600000));

  const auto& data = r.table(root, "data", "data", true);
  c.data.regions_file = resolve_relative(c.file, r.string(data, "regions_file", "data.regions_file"));
  c.data.workers_file = resolve_relative(c.file, r.string(data, "workers_file", "data.workers_file"));
  c.data.places_file = optional_path(r, data, "data", "places_file", c.file);
  c.data.time_zone = r.string(data, "time_zone", "data.time_zone", "Europe/Amsterdam");

  const auto& redis = r.table(root, "redis", "redis", true);
  c.redis.host = r.string(redis, "host", "redis.host", "127.0.0.1");
  c.redis.port = static_cast<int>(r.integer(redis, "port", "redis.port", 6379, 1, 65535));
  c.redis.connect_timeout_ms = static_cast<int>(
      r.integer(redis, "connect_timeout_ms", "redis.connect_timeout_ms", 1000, 10, 60000));
  c.redis.command_timeout_ms = static_cast<int>(
      r.integer(redis, "command_timeout_ms", "redis.command_timeout_ms", 2000, 10, 60000));

  const auto& zmq = r.table(root, "zmq", "zmq", true);
  auto endpoint = [&](std::string_view name) {
    std::string path = "zmq." + std::string(name);
    std::string e = r.string(zmq, name, path);
    if (!e.empty() && !valid_endpoint(e))
      r.problem(path, "must be a ZeroMQ endpoint such as tcp://127.0.0.1:7101");
    return e;
  };
  c.zmq.dispatcher_rpc = endpoint("dispatcher_rpc");
  c.zmq.scheduler_rpc = endpoint("scheduler_rpc");
  c.zmq.dispatcher_events = endpoint("dispatcher_events");
  if (zmq.contains("scheduler_events")) c.zmq.scheduler_events = endpoint("scheduler_events");
  if (zmq.contains("notifier_rpc")) c.zmq.notifier_rpc = endpoint("notifier_rpc");
  auto peers = [&](std::string_view name, const std::string& own) {
    const std::string key = std::string(name) + "_peers";
    const std::string path = "zmq." + key;
    if (!zmq.contains(key)) return own.empty() ? std::vector<std::string>{} : std::vector<std::string>{own};
    auto list = r.strings(zmq, key, path, true);
    if (list.empty()) r.problem(path, "must list at least one endpoint");
    for (std::size_t i = 0; i < list.size(); ++i)
      if (!valid_endpoint(list[i]))
        r.problem(path + "[" + std::to_string(i) + "]", "must be a ZeroMQ endpoint such as tcp://127.0.0.1:7101");
    return list;
  };
  c.zmq.dispatcher_rpc_peers = peers("dispatcher_rpc", c.zmq.dispatcher_rpc);
  c.zmq.scheduler_rpc_peers = peers("scheduler_rpc", c.zmq.scheduler_rpc);
  c.zmq.notifier_rpc_peers = peers("notifier_rpc", c.zmq.notifier_rpc);
  c.zmq.dispatcher_events_peers = peers("dispatcher_events", c.zmq.dispatcher_events);
  c.zmq.scheduler_events_peers = peers("scheduler_events", c.zmq.scheduler_events);
  c.zmq.request_timeout_ms = static_cast<int>(
      r.integer(zmq, "request_timeout_ms", "zmq.request_timeout_ms", 1000, 10, 60000));
  c.zmq.request_retries =
      static_cast<int>(r.integer(zmq, "request_retries", "zmq.request_retries", 2, 0, 10));

  const auto& gw = r.table(root, "gateway", "gateway", true);
  c.gateway.listen = r.string(gw, "listen", "gateway.listen", "127.0.0.1");
  c.gateway.port = static_cast<int>(r.integer(gw, "port", "gateway.port", 8080, 1, 65535));
  c.gateway.max_body_bytes = static_cast<std::size_t>(
      r.integer(gw, "max_body_bytes", "gateway.max_body_bytes", 65536, 1024, 16 << 20));
  c.gateway.public_url = r.string(gw, "public_url", "gateway.public_url");
  if (!c.gateway.public_url.empty() && c.gateway.public_url.rfind("http", 0) != 0)
    r.problem("gateway.public_url", "must start with http:// or https://");
  c.gateway.max_connections = static_cast<int>(
      r.integer(gw, "max_connections", "gateway.max_connections", 1024, 1, 100000));
  c.gateway.max_connections_per_client = static_cast<int>(r.integer(
      gw, "max_connections_per_client", "gateway.max_connections_per_client", 128, 1, 100000));
  c.gateway.per_client_requests_per_s = r.number(
      gw, "per_client_requests_per_s", "gateway.per_client_requests_per_s", 200, 0.1, 1e6);
  c.gateway.per_client_burst = static_cast<int>(
      r.integer(gw, "per_client_burst", "gateway.per_client_burst", 400, 1, 1000000));

  const auto& d = r.table(root, "dispatcher", "dispatcher", true);
  c.dispatcher.triage_file = resolve_relative(c.file, r.string(d, "triage_file", "dispatcher.triage_file"));
  c.dispatcher.escalation_file = optional_path(r, d, "dispatcher", "escalation_file", c.file);
  c.dispatcher.matching_file = optional_path(r, d, "dispatcher", "matching_file", c.file);
  c.dispatcher.timer_poll_ms =
      static_cast<int>(r.integer(d, "timer_poll_ms", "dispatcher.timer_poll_ms", 100, 10, 10000));
  c.dispatcher.rematch_delay_ms = static_cast<int>(
      r.integer(d, "rematch_delay_ms", "dispatcher.rematch_delay_ms", 30000, 100, 3600000));
  c.dispatcher.match_claim_idle_ms = static_cast<int>(
      r.integer(d, "match_claim_idle_ms", "dispatcher.match_claim_idle_ms", 10000, 100, 3600000));
  c.dispatcher.visit_minutes = static_cast<int>(
      r.integer(d, "visit_minutes", "dispatcher.visit_minutes", 90, 15, 480));
  c.dispatcher.checkin_interval_s = static_cast<int>(
      r.integer(d, "checkin_interval_s", "dispatcher.checkin_interval_s", 1800, 60, 14400));

  const auto& s = r.table(root, "scheduler", "scheduler", true);
  c.scheduler.rotations_file =
      resolve_relative(c.file, r.string(s, "rotations_file", "scheduler.rotations_file"));
  c.scheduler.staffing_file = optional_path(r, s, "scheduler", "staffing_file", c.file);
  c.scheduler.working_time_file = optional_path(r, s, "scheduler", "working_time_file", c.file);
  c.scheduler.holidays_file = optional_path(r, s, "scheduler", "holidays_file", c.file);
  c.scheduler.coverage_weeks =
      static_cast<int>(r.integer(s, "coverage_weeks", "scheduler.coverage_weeks", 8, 1, 104));
  c.scheduler.handoff_poll_ms = static_cast<int>(
      r.integer(s, "handoff_poll_ms", "scheduler.handoff_poll_ms", 5000, 100, 600000));
  c.scheduler.gap_page_hours =
      static_cast<int>(r.integer(s, "gap_page_hours", "scheduler.gap_page_hours", 48, 0, 24 * 28));

  const auto& n = r.table(root, "notifier", "notifier", true);
  c.notifier.webhook_secret = read_secret_ref(r, n, "notifier", "webhook_secret");
  c.notifier.max_attempts =
      static_cast<int>(r.integer(n, "max_attempts", "notifier.max_attempts", 6, 1, 100));
  c.notifier.retry_base_ms =
      static_cast<int>(r.integer(n, "retry_base_ms", "notifier.retry_base_ms", 500, 1, 600000));
  c.notifier.retry_max_ms =
      static_cast<int>(r.integer(n, "retry_max_ms", "notifier.retry_max_ms", 30000, 1, 3600000));
  c.notifier.http_timeout_ms = static_cast<int>(
      r.integer(n, "http_timeout_ms", "notifier.http_timeout_ms", 5000, 10, 120000));
  c.notifier.max_in_flight =
      static_cast<int>(r.integer(n, "max_in_flight", "notifier.max_in_flight", 32, 1, 1024));
  c.notifier.allow_plain_http =
      r.boolean(n, "allow_plain_http", "notifier.allow_plain_http", false);
  c.notifier.ca_file = optional_path(r, n, "notifier", "ca_file", c.file);
  if (!c.notifier.ca_file.empty() && !std::ifstream(c.notifier.ca_file).good())
    r.problem("notifier.ca_file", "cannot read " + c.notifier.ca_file);
  // Derived when absent; refused when set shorter than a delivery can last (two notifiers
  // would page the same worker twice for one alert).
  const auto longest = longest_delivery(c.notifier);
  if (n.contains("claim_idle_ms")) {
    c.notifier.claim_idle_ms = static_cast<int>(
        r.integer(n, "claim_idle_ms", "notifier.claim_idle_ms", 0, 100, 3600000));
    if (c.notifier.claim_idle_ms > 0 && c.notifier.claim_idle_ms < longest.count())
      r.problem("notifier.claim_idle_ms",
                "is " + std::to_string(c.notifier.claim_idle_ms) +
                    " ms, shorter than the longest delivery of one alert, " +
                    std::to_string(longest.count()) +
                    " ms (notifier.max_attempts x notifier.http_timeout_ms + the back-off from "
                    "notifier.retry_base_ms up to notifier.retry_max_ms): a second notifier would "
                    "claim an alert still being retried and page the worker twice; raise it to "
                    "at least " + std::to_string(longest.count()) +
                    " or leave it out to have it derived");
  } else {
    c.notifier.claim_idle_ms = static_cast<int>(
        std::min<std::int64_t>((longest + kClaimIdleMargin).count(), 3600000));
  }

  // Optional: a deployment without [auth] gets the defaults above.
  if (root.contains("auth")) {
    const auto& a = r.table(root, "auth", "auth", false);
    c.auth.password_opslimit = r.integer(a, "password_opslimit", "auth.password_opslimit", 2, 1, 64);
    c.auth.password_memlimit_kib =
        r.integer(a, "password_memlimit_kib", "auth.password_memlimit_kib", 65536, 8, 4 << 20);
    c.auth.password_min_length =
        static_cast<int>(r.integer(a, "password_min_length", "auth.password_min_length", 12, 8, 128));
    c.auth.session_idle_minutes = static_cast<int>(
        r.integer(a, "session_idle_minutes", "auth.session_idle_minutes", 30, 1, 24 * 60));
    c.auth.session_absolute_hours = static_cast<int>(
        r.integer(a, "session_absolute_hours", "auth.session_absolute_hours", 12, 1, 24 * 30));
    c.auth.cookie_secure = r.boolean(a, "cookie_secure", "auth.cookie_secure", true);
    c.auth.login_max_failures =
        static_cast<int>(r.integer(a, "login_max_failures", "auth.login_max_failures", 5, 1, 100));
    c.auth.address_max_failures = static_cast<int>(
        r.integer(a, "address_max_failures", "auth.address_max_failures", 20, 1, 10000));
    c.auth.login_lock_base_s =
        static_cast<int>(r.integer(a, "login_lock_base_s", "auth.login_lock_base_s", 30, 1, 3600));
    c.auth.login_lock_max_s =
        static_cast<int>(r.integer(a, "login_lock_max_s", "auth.login_lock_max_s", 900, 1, 86400));
    c.auth.login_forget_minutes = static_cast<int>(
        r.integer(a, "login_forget_minutes", "auth.login_forget_minutes", 60, 1, 7 * 24 * 60));
    c.auth.cache_ms = static_cast<int>(r.integer(a, "cache_ms", "auth.cache_ms", 5000, 0, 60000));
    if (a.contains("second_factor_roles")) {
      c.auth.second_factor_roles = r.strings(a, "second_factor_roles", "auth.second_factor_roles", false);
      for (std::size_t i = 0; i < c.auth.second_factor_roles.size(); ++i) {
        const auto& known = auth::known_roles();
        if (std::find(known.begin(), known.end(), c.auth.second_factor_roles[i]) == known.end())
          r.problem("auth.second_factor_roles[" + std::to_string(i) + "]",
                    "unknown role \"" + c.auth.second_factor_roles[i] + "\"");
      }
    }
    if (c.auth.session_absolute_hours * 60 < c.auth.session_idle_minutes)
      r.problem("auth.session_idle_minutes", "must not be longer than auth.session_absolute_hours");
  }
}

ConfigLoad finish(ConfigReader& r, std::optional<toml::table> root, const std::string& file) {
  ConfigLoad load;
  load.config.file = file;
  if (root) read_into(r, *root, load.config);
  load.problems = r.problems();
  return load;
}

}  // namespace

ConfigLoad load_config(const std::string& file) {
  ConfigReader r{file};
  auto root = r.parse_file();
  return finish(r, std::move(root), file);
}

ConfigLoad parse_config(const std::string& file, std::string_view text) {
  ConfigReader r{file};
  auto root = r.parse_text(text);
  return finish(r, std::move(root), file);
}

std::string resolve_secret(const SecretRef& ref, const std::string& config_file,
                           std::vector<ConfigProblem>& problems) {
  if (!ref.env.empty()) {
    const char* value = std::getenv(ref.env.c_str());
    if (value && *value) return value;
    if (ref.file.empty()) {
      problems.push_back({config_file, ref.key + "_env", "environment variable " + ref.env + " is not set"});
      return {};
    }
  }
  std::ifstream in{ref.file};
  std::string secret;
  if (!in || !std::getline(in, secret) || secret.empty()) {
    problems.push_back({config_file, ref.key + "_file", "cannot read a secret from " + ref.file});
    return {};
  }
  return secret;
}

void exit_with_config_problems(const std::vector<ConfigProblem>& problems) {
  std::fprintf(stderr, "configuration is not valid (%zu problem%s):\n", problems.size(),
               problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) std::fprintf(stderr, "  %s\n", p.to_string().c_str());
  std::exit(kExitConfig);
}

PiketConfig load_config_or_exit(const std::string& file) {
  auto load = load_config(file);
  if (!load.ok()) exit_with_config_problems(load.problems);
  return load.config;
}

}  // namespace piket
