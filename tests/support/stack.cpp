#include "tests/support/stack.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <catch.hpp>

#include "common/envelope.hpp"
#include "tests/support/eventually.hpp"

namespace piket::test {

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path};
  out << text;
}
}  // namespace

Stack::Stack(StackOptions options)
    : dir_(make_temp_dir("piket-e2e")),
      secret_(new_id("secret-")),
      gateway_port_(free_port()),
      webhook_port_(free_port()) {
  const std::string demo = source_dir() + "/config/demo/";
  if (!options.escalation_toml.empty()) write_file(dir_ + "/escalation.toml", options.escalation_toml);
  const std::string escalation_file =
      options.escalation_toml.empty() ? demo + "escalation.toml" : dir_ + "/escalation.toml";
  const std::string rotations_file =
      options.rotations_toml.empty() ? demo + "rotations.toml" : dir_ + "/rotations.toml";
  if (!options.rotations_toml.empty()) write_file(rotations_file, options.rotations_toml);
  // Every worker's webhook points at this test's receiver.
  std::string workers = read_file(demo + "workers.toml");
  const std::string receiver_address = "127.0.0.1:" + std::to_string(webhook_port_);
  for (std::size_t at = 0; (at = workers.find("127.0.0.1:8099", at)) != std::string::npos;
       at += receiver_address.size())
    workers.replace(at, 14, receiver_address);
  write_file(dir_ + "/workers.toml", workers);
  write_file(dir_ + "/secret", secret_ + "\n");
  if (!options.start_at) throw std::invalid_argument("a test stack needs its start time (StackOptions::start_at)");
  set_time(*options.start_at);

  // Each instance binds its own endpoints and connects to every instance's (zmq.*_peers).
  instances_ = std::max(1, options.instances);
  gateway_ports_.push_back(gateway_port_);
  for (int i = 1; i < instances_; ++i) gateway_ports_.push_back(free_port());
  std::map<std::string, std::vector<std::string>> endpoints;
  for (const char* name : {"dispatcher_rpc", "scheduler_rpc", "dispatcher_events", "scheduler_events", "notifier_rpc"})
    for (int i = 0; i < instances_; ++i) endpoints[name].push_back("tcp://127.0.0.1:" + std::to_string(free_port()));
  auto instance_part = [&](int i) {
    std::ostringstream part;
    part << "[zmq]\n";
    for (const auto& [name, list] : endpoints) {
      part << name << " = \"" << list[i] << "\"\n" << name << "_peers = [";
      for (std::size_t k = 0; k < list.size(); ++k) part << (k ? ", " : "") << "\"" << list[k] << "\"";
      part << "]\n";
    }
    part << "request_timeout_ms = 500\nrequest_retries = 2\n"
         << "[gateway]\nport = " << gateway_ports_[i] << "\nmax_body_bytes = 16384\n"
         << "public_url = \"http://127.0.0.1:" << gateway_ports_[i] << "\"\n";
    // The suite's clients all come from 127.0.0.1 and some send hundreds of requests in a
    // second: the per-client limits are tested on their own (test_http_door.cpp).
    std::map<std::string, std::string> gateway{{"per_client_requests_per_s", "100000"},
                                               {"per_client_burst", "100000"}};
    for (const auto& [key, value] : options.gateway) gateway[key] = value;
    for (const auto& [key, value] : gateway)
      if (!value.empty()) part << key << " = " << value << "\n";
    return part.str();
  };
  std::ostringstream config;
  config << "log_level = \"debug\"\n"
         << "[data]\nregions_file = \"" << demo << "regions.toml\"\n"
         << "workers_file = \"" << dir_ << "/workers.toml\"\n"
         << "places_file = \"" << demo << "places.toml\"\n"
         << "[redis]\nport = " << redis_.port() << "\ncommand_timeout_ms = 2000\n";
  // Top-level keys and [redis] first: each instance's [zmq] and [gateway] go in between.
  const std::string head = config.str();
  config.str("");
  config
         << "[dispatcher]\ntriage_file = \"" << demo << "triage.toml\"\ntimer_poll_ms = 50\n"
         << "escalation_file = \"" << escalation_file << "\"\n"
         << "rematch_delay_ms = 1000\nmatch_claim_idle_ms = 1000\n"
         << "[scheduler]\nrotations_file = \"" << rotations_file << "\"\n"
         << "staffing_file = \"" << demo << "staffing.toml\"\n"
         << "working_time_file = \"" << demo << "working_time.toml\"\n"
         << "holidays_file = \"" << demo << "holidays.toml\"\nhandoff_poll_ms = 500\n"
         << "[notifier]\nwebhook_secret_file = \"" << dir_ << "/secret\"\n";
  // Short enough that a killed notifier's alerts are claimed by the next one in seconds, and
  // no shorter than the longest delivery (4 x 1000 ms + 100 + 200 + 400 ms of back-off).
  std::map<std::string, std::string> notifier{{"max_attempts", "4"},
                                              {"retry_base_ms", "100"},
                                              {"retry_max_ms", "400"},
                                              {"http_timeout_ms", "1000"},
                                              {"claim_idle_ms", "5000"}};
  for (const auto& [key, value] : options.notifier) notifier[key] = value;
  for (const auto& [key, value] : notifier)
    if (!value.empty()) config << key << " = " << value << "\n";
  config << options.notifier_toml << "\n";
  // argon2id at its cheapest: tests sign in often; the real cost is in docs/benchmarks.md.
  // No role needs a second factor unless a test asks (test_sign_in.cpp does).
  std::map<std::string, std::string> auth{{"password_opslimit", "1"},   {"password_memlimit_kib", "8192"},
                                          {"cookie_secure", "false"},   {"login_max_failures", "3"},
                                          {"login_lock_base_s", "60"},  {"login_lock_max_s", "600"},
                                          {"second_factor_roles", "[]"}};
  for (const auto& [key, value] : options.auth) auth[key] = value;
  config << "[auth]\n";
  for (const auto& [key, value] : auth)
    if (!value.empty()) config << key << " = " << value << "\n";
  for (int i = 0; i < instances_; ++i) write_file(config_file(i), head + instance_part(i) + config.str());

  std::vector<std::string> receiver{"python3", source_dir() + "/scripts/webhook_receiver.py",
                                    "--port", std::to_string(webhook_port_), "--secret-env",
                                    "PIKET_TEST_WEBHOOK_SECRET", "--out", dir_ + "/hooks.jsonl",
                                    // The stack runs on a moved clock: tests check the
                                    // timestamp against stack.now() themselves.
                                    "--replay-window-s", "0"};
  if (options.webhook_fail_first > 0) {
    receiver.push_back("--fail-first");
    receiver.push_back(std::to_string(options.webhook_fail_first));
  }
  ::setenv("PIKET_TEST_WEBHOOK_SECRET", secret_.c_str(), 1);
  receiver_ = Process(receiver, dir_ + "/receiver.log");
  if (!wait_for_port(webhook_port_, std::chrono::seconds(10)))
    throw std::runtime_error("the webhook receiver did not start");
  for (int i = 0; i < instances_; ++i)
    for (const char* name : {"scheduler", "dispatcher", "notifier", "gateway"})
      start_daemon(i == 0 ? std::string(name) : std::string(name) + "-" + std::to_string(i + 1));
  if (!wait_healthy(std::chrono::seconds(20))) throw std::runtime_error("the stack did not become healthy");
  // The test desk: every role but worker, every region and team, through an API token.
  std::string teams;
  for (const char* team : {"ut-a", "ut-b", "em-a", "em-b", "ls-a", "ls-b", "ut-physicians", "em-physicians"})
    teams += std::string(" --team ") + team;
  admin("add-user --id test-desk --role operator --role manager --role team_lead --role admin "
        "--role privacy_officer --region '*' --password-stdin" + teams, std::string(kPassword) + "\n");
  desk_ = Caller(this, {{"Authorization", "Bearer " + new_token("test-desk")}});
  // Healthy is the gateway and the dispatcher; ready is also the scheduler's roster read from
  // Redis, so a test's first question about who is on call has its whole answer.
  if (!eventually([&] {
        const auto reply = get("/api/v1/oncall?region=eemland");
        return reply.status == 200 && reply.json().value("roster_complete", false);
      }, std::chrono::seconds(20)))
    throw std::runtime_error("the scheduler did not read its roster");
  // And the first look for hand-offs is done: a clock the test moves later starts from it.
  settle();
}

Stack::~Stack() {
  for (auto& [name, process] : daemons_) process.stop(std::chrono::milliseconds(3000));
  receiver_.stop(std::chrono::milliseconds(2000));
  // A daemon built with sanitizers reports into its log; any report fails the test.
  for (const auto& [name, process] : daemons_) {
    const std::string text = log(name);
    for (const char* mark : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
      const auto at = text.find(mark);
      if (at == std::string::npos) continue;
      FAIL_CHECK("piket-" << name << " reported: " << text.substr(at, 2000));
    }
  }
  // PIKET_KEEP_TEST_DIR=1 keeps the folder (config, logs) for a post-mortem.
  if (std::getenv("PIKET_KEEP_TEST_DIR")) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Stack::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(gateway_ports_.at(gateway_in_use_)) + path;
}

void Stack::use_gateway(int instance) {
  if (instance < 1 || instance > instances_) throw std::invalid_argument("no such gateway instance");
  gateway_in_use_ = instance - 1;
}

std::string Stack::config_file(int instance) const {
  return dir_ + (instance == 0 ? std::string("/piket.toml") : "/piket-" + std::to_string(instance + 1) + ".toml");
}

HttpReply Caller::request(const std::string& method, const std::string& path, const std::string& body,
                          const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> all = headers_;
  for (const auto& [k, v] : headers) all[k] = v;
  return http(method, stack_->url(path), body, all);
}

HttpReply Caller::post(const std::string& path, const nlohmann::json& body,
                       const std::map<std::string, std::string>& headers) const {
  return request("POST", path, body.is_null() ? "" : body.dump(), headers);
}

HttpReply Stack::post(const std::string& path, const nlohmann::json& body,
                      const std::map<std::string, std::string>& headers) const {
  return desk_.post(path, body, headers);
}

HttpReply Stack::get(const std::string& path) const { return desk_.get(path); }
HttpReply Stack::del(const std::string& path) const { return desk_.del(path); }
HttpReply Stack::request(const std::string& method, const std::string& path, const std::string& body,
                         const std::map<std::string, std::string>& headers) const {
  return desk_.request(method, path, body, headers);
}

std::string Stack::admin(const std::string& arguments, const std::string& input) const {
  write_file(dir_ + "/admin-input", input);
  const std::string command = build_dir() + "/admin/piket-admin --config " + dir_ + "/piket.toml " + arguments +
                              " < " + dir_ + "/admin-input 2>>" + dir_ + "/admin.log";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("piket-admin did not start");
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("piket-admin " + arguments + " failed: " + log("admin"));
  return out;
}

std::string Stack::new_token(const std::string& id, const std::string& flags) const {
  const std::string out = admin("add-token --id " + id + " " + flags);
  const auto at = out.find("token: ");
  if (at == std::string::npos) throw std::runtime_error("piket-admin printed no token: " + out);
  return out.substr(at + 7, out.find('\n', at) - at - 7);
}

const Caller& Stack::as_worker(const std::string& worker) const {
  return as_user("u-" + worker, "--role worker --worker " + worker);
}

const Caller& Stack::as_user(const std::string& id, const std::string& spec) const {
  auto found = callers_.find(id);
  if (found != callers_.end()) return found->second;
  admin("add-user --id " + id + " " + spec + " --password-stdin", std::string(kPassword) + "\n");
  return callers_[id] = Caller(this, {{"Authorization", "Bearer " + new_token(id)}});
}

Caller Stack::sign_in(const std::string& user, const std::string& password) const {
  const auto reply = http("POST", url("/api/v1/session"), nlohmann::json{{"user", user}, {"password", password}}.dump());
  if (reply.status != 201) throw std::runtime_error("sign-in refused: " + std::to_string(reply.status) + " " + reply.body);
  const std::string cookie = reply.headers.at("set-cookie");
  return Caller(this, {{"Cookie", cookie.substr(0, cookie.find(';'))},
                       {"X-CSRF-Token", reply.json()["csrf_token"].get<std::string>()}});
}

std::string four_on_call_rotations() {
  return read_file(source_dir() + "/tests/e2e/data/rotations_four_on_call.toml");
}

void Stack::start_daemon(const std::string& name) {
  // "dispatcher" is the first instance, "dispatcher-2" the second (its own config file).
  const auto dash = name.find('-');
  const std::string daemon = name.substr(0, dash);
  const int instance = dash == std::string::npos ? 0 : std::stoi(name.substr(dash + 1)) - 1;
  daemons_[name] = Process({build_dir() + "/" + daemon + "/piket-" + daemon, "--config", config_file(instance)},
                           dir_ + "/" + name + ".log");
}

void Stack::kill_daemon(const std::string& name) { daemons_[name].kill_hard(); }

pid_t Stack::daemon_pid(const std::string& name) { return daemons_[name].pid(); }

int Stack::stop_daemon(const std::string& name) { return daemons_[name].stop(); }

void Stack::signal_daemon(const std::string& name, int sig) { daemons_[name].signal(sig); }

int Stack::wait_daemon_exit(const std::string& name, std::chrono::milliseconds limit) {
  return daemons_[name].wait_exit(limit);
}

bool Stack::wait_healthy(std::chrono::milliseconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    // The gateway's answer, not just any 200 (the webhook receiver has a /healthz too).
    const auto reply = http("GET", url("/healthz"));
    // Once the desk can sign in, healthy also means the gateway reads its sessions and tokens.
    const bool signs_in = desk_.headers().empty() || desk_.get("/api/v1/session").status == 200;
    if (reply.status == 200 && reply.body.find("\"dispatcher\":\"up\"") != std::string::npos && signs_in)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<nlohmann::json> Stack::received_alerts() const {
  std::vector<nlohmann::json> out;
  std::istringstream lines{read_file(dir_ + "/hooks.jsonl")};
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(j);
  }
  return out;
}

std::vector<nlohmann::json> Stack::wait_for_alerts(std::size_t n, std::chrono::milliseconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  auto alerts = received_alerts();
  while (alerts.size() < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    alerts = received_alerts();
  }
  return alerts;
}

void Stack::set_time(TimePoint at) {
  offset_ms_ = to_unix_ms(at) - to_unix_ms(SystemClock{}.now());
  set_daemon_clock(dir_ + "/clock", at);
}

namespace {
// One field of each consumer group in XINFO GROUPS's raw output (name and value on lines of
// their own); -1 where the value is not a number (Redis 7.0 answers nil for an unknown lag).
std::vector<long long> group_field(const std::string& xinfo, const std::string& field) {
  std::vector<long long> values;
  std::istringstream lines{xinfo};
  for (std::string line; std::getline(lines, line);) {
    if (line != field) continue;
    std::string value;
    std::getline(lines, value);
    try {
      values.push_back(std::stoll(value));
    } catch (const std::exception&) {
      values.push_back(-1);
    }
  }
  return values;
}

long long first_integer(const std::string& text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return -1;
  }
}
}  // namespace

void Stack::settle(std::chrono::milliseconds limit) const {
  const std::int64_t at = to_unix_ms(now());
  const auto until = std::chrono::steady_clock::now() + limit;
  std::string waiting_for;
  while (std::chrono::steady_clock::now() < until) {
    // In this order: each step writes its follow-up work atomically (a fired timer its stream
    // entry, the hand-off look its notices), so work seen done here cannot reappear upstream.
    waiting_for.clear();
    if (first_integer(redis_.cli("GET piket:roster:handoffs_until")) < at)
      waiting_for = "the scheduler's look for hand-offs";
    if (waiting_for.empty() && first_integer(redis_.cli("ZCOUNT piket:timers -inf " + std::to_string(at))) != 0)
      waiting_for = "deadlines due by the clock";
    if (waiting_for.empty() && first_integer(redis_.cli("SCARD piket:timers:deciding")) != 0)
      waiting_for = "ladder steps being decided";
    for (const char* stream : {"piket:stream:match", "piket:stream:alerts"}) {
      if (!waiting_for.empty()) break;
      const std::string groups = redis_.cli(std::string("XINFO GROUPS ") + stream);
      if (groups.find("ERR no such key") != std::string::npos) continue;
      for (auto n : group_field(groups, "pending"))
        if (n != 0) waiting_for = std::string("entries in flight on ") + stream;
      for (auto n : group_field(groups, "lag"))
        if (n != 0) waiting_for = std::string("entries not yet read on ") + stream;
    }
    if (waiting_for.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("the stack did not settle: still waiting for " + waiting_for);
}

TimePoint Stack::now() const { return SystemClock{}.now() + std::chrono::milliseconds(offset_ms_); }

std::string Stack::webhook_url(const std::string& worker) const {
  return "http://127.0.0.1:" + std::to_string(webhook_port_) + "/hooks/" + worker;
}

std::string Stack::log(const std::string& name) const { return read_file(dir_ + "/" + name + ".log"); }

}  // namespace piket::test
