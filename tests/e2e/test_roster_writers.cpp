// End to end: the scheduler as the one writer of the roster. Changes sent at the same moment
// all stay, in the scheduler's memory and in Redis; two schedulers on one Redis follow each
// other's changes within a second; a change is refused only for the working-time violations it
// adds. Every stack starts at a fixed instant (Wednesday 2 December 2026, 14:00 Amsterdam).
#include <boost/asio/io_context.hpp>
#include <catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/message_types.hpp"
#include "common/zmq/rpc.hpp"
#include "tests/support/run_async.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;

namespace {

json replace_override(const std::string& region, const std::string& stand_in,
                      const std::string& replaced, const std::string& start,
                      const std::string& end) {
  return {{"kind", "replace"},       {"region", region},
          {"role", "crisis_worker"}, {"duty", "on_call"},
          {"worker_id", stand_in},   {"replaced_worker_id", replaced},
          {"start", start},          {"end", end},
          {"reason", "relief"}};
}

json leave_for(const std::string& worker, const std::string& start, const std::string& end) {
  return {{"worker_id", worker}, {"start", start}, {"end", end}, {"category", "holiday"}};
}

std::set<std::string> ids_in(const json& listing, const char* part) {
  std::set<std::string> ids;
  for (const auto& e : listing[part]) ids.insert(e["id"].get<std::string>());
  return ids;
}

// The ids in a Redis hash, as redis-cli prints HKEYS (one per line).
std::set<std::string> stored_ids(Stack& stack, const std::string& hash) {
  std::set<std::string> ids;
  std::istringstream lines{stack.redis().cli("HKEYS " + hash)};
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) ids.insert(line);
  return ids;
}

template <typename Condition>
std::optional<std::chrono::milliseconds> time_until(Condition condition,
                                                    std::chrono::milliseconds limit);

// The stack is healthy before the scheduler has read its roster from Redis; changes wait for it.
void wait_roster_loaded(const Stack& stack) {
  auto loaded = time_until(
      [&] {
        auto r = stack.get("/api/v1/oncall?region=eemland");
        return r.status == 200 && r.json().value("roster_complete", false);
      },
      10s);
  REQUIRE(loaded.has_value());
}

// Polls `condition` until it holds or `limit` passes; returns how long it took, or nullopt.
template <typename Condition>
std::optional<std::chrono::milliseconds> time_until(Condition condition,
                                                    std::chrono::milliseconds limit) {
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    if (condition())
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
    if (std::chrono::steady_clock::now() - started > limit) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

std::string read_all(const std::string& file) {
  std::ifstream in{file};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A second piket-scheduler on the stack's Redis and clock, with its own RPC and event
// addresses, spoken to directly over ZeroMQ.
class SecondScheduler {
 public:
  explicit SecondScheduler(const Stack& stack)
      : port_(piket::test::free_port()),
        client_(io_, "tcp://127.0.0.1:" + std::to_string(port_),
                piket::zmqio::RpcOptions{2000ms, 1}, clock_) {
    std::string config = read_all(stack.dir() + "/piket.toml");
    config =
        std::regex_replace(config, std::regex("scheduler_rpc = \"[^\"]*\""),
                           "scheduler_rpc = \"tcp://127.0.0.1:" + std::to_string(port_) + "\"");
    config = std::regex_replace(
        config, std::regex("scheduler_events = \"[^\"]*\""),
        "scheduler_events = \"tcp://127.0.0.1:" + std::to_string(piket::test::free_port()) + "\"");
    const std::string file = stack.dir() + "/piket-second.toml";
    std::ofstream{file} << config;
    log_ = stack.dir() + "/scheduler-second.log";
    process_ = piket::test::Process(
        {piket::test::build_dir() + "/scheduler/piket-scheduler", "--config", file}, log_);
    if (!piket::test::wait_for_port(port_, 10s))
      throw std::runtime_error("the second scheduler did not bind:\n" + read_all(log_));
    client_.start();
  }
  ~SecondScheduler() {
    client_.stop();
    piket::test::run_for(io_, 50ms);
    process_.stop(3000ms);
  }

  // As the gateway would send it: with a manager's verified principal.
  piket::Result<json> call(std::string_view type, json body) {
    piket::auth::Principal manager;
    manager.id = "test-manager";
    manager.roles = {"manager"};
    manager.regions = {"*"};
    return piket::test::run_async(io_, client_.call(type, std::move(body), manager));
  }
  json listing() {
    auto reply = call("roster.override.list", json::object());
    if (!reply.ok()) throw std::runtime_error(reply.error().to_string());
    return *reply;
  }
  // Ready when its roster is read from Redis.
  bool loaded() {
    auto reply = call(piket::msg::kPing, json::object());
    return reply.ok() && (*reply)["roster_loaded"] == true;
  }
  std::string log() const { return read_all(log_); }

 private:
  int port_;
  boost::asio::io_context io_;
  piket::SystemClock clock_;
  piket::zmqio::RpcClient client_;
  piket::test::Process process_;
  std::string log_;
};

}  // namespace

TEST_CASE("roster changes sent at the same moment through the API all stay, in memory and in Redis",
          "[e2e][roster][roster-writer]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  wait_roster_loaded(stack);
  // Six changes in four regions, none refusable: one-night reliefs and leave.
  const std::vector<std::pair<std::string, json>> changes{
      {"/api/v1/roster/overrides",
       replace_override("utrecht-stad", "w-ut-03", "w-ut-02", "2026-12-03T19:00:00Z",
                        "2026-12-04T07:00:00Z")},
      {"/api/v1/roster/overrides",
       replace_override("lekstroom", "w-ls-03", "w-ls-02", "2026-12-03T19:00:00Z",
                        "2026-12-04T07:00:00Z")},
      {"/api/v1/roster/overrides",
       replace_override("zuidoost", "w-zo-03", "w-zo-02", "2026-12-03T19:00:00Z",
                        "2026-12-04T07:00:00Z")},
      {"/api/v1/roster/leave",
       leave_for("w-we-02", "2026-12-10T07:00:00Z", "2026-12-11T07:00:00Z")},
      {"/api/v1/roster/leave",
       leave_for("w-em-04", "2026-12-10T07:00:00Z", "2026-12-11T07:00:00Z")},
      {"/api/v1/roster/leave",
       leave_for("w-ut-04", "2026-12-17T07:00:00Z", "2026-12-18T07:00:00Z")},
  };
  std::vector<std::future<piket::test::HttpReply>> sent;
  for (const auto& [path, body] : changes)
    sent.push_back(std::async(
        std::launch::async, [&stack, path = path, body = body] { return stack.post(path, body); }));
  std::set<std::string> overrides, leave;
  for (auto& f : sent) {
    auto reply = f.get();
    INFO(reply.body);
    REQUIRE(reply.status == 201);
    if (reply.json().contains("override"))
      overrides.insert(reply.json()["override"]["id"].get<std::string>());
    if (reply.json().contains("leave"))
      leave.insert(reply.json()["leave"]["id"].get<std::string>());
  }
  REQUIRE(overrides.size() == 3);
  REQUIRE(leave.size() == 3);

  // In the scheduler's memory: the listing comes from there.
  auto listed = stack.get("/api/v1/roster/overrides");
  REQUIRE(listed.status == 200);
  CHECK(ids_in(listed.json(), "overrides") == overrides);
  CHECK(ids_in(listed.json(), "leave") == leave);
  // In Redis.
  CHECK(stored_ids(stack, "piket:roster:overrides") == overrides);
  CHECK(stored_ids(stack, "piket:roster:leave") == leave);
  // And they act: w-ut-02 is off call during the relieved night.
  auto during =
      stack.get("/api/v1/oncall?region=utrecht-stad&role=crisis_worker&at=2026-12-04T01:00:00Z");
  REQUIRE(during.status == 200);
  const json entries = during.json()["on_call"];
  REQUIRE_FALSE(entries.empty());
  for (const auto& e : entries) CHECK(e["worker_id"] != "w-ut-02");

  // A scheduler started now reads the same roster from Redis.
  stack.kill_daemon("scheduler");
  stack.start_daemon("scheduler");
  REQUIRE(stack.wait_healthy(20s));
  auto reread = time_until(
      [&] {
        auto r = stack.get("/api/v1/roster/overrides");
        return r.status == 200 && ids_in(r.json(), "overrides") == overrides &&
               ids_in(r.json(), "leave") == leave;
      },
      10s);
  CHECK(reread.has_value());
}

TEST_CASE("two schedulers on one Redis see each other's roster changes within a second",
          "[e2e][roster][roster-writer]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  wait_roster_loaded(stack);
  SecondScheduler second{stack};
  REQUIRE(time_until([&] { return second.loaded(); }, 10s).has_value());

  SECTION("a change made through one is followed by the other") {
    auto made = stack.post("/api/v1/roster/overrides",
                           replace_override("eemland", "w-em-03", "w-em-02", "2026-12-03T19:00:00Z",
                                            "2026-12-04T07:00:00Z"));
    INFO(made.body);
    REQUIRE(made.status == 201);
    const std::string id = made.json()["override"]["id"];
    auto seen =
        time_until([&] { return ids_in(second.listing(), "overrides").count(id) == 1; }, 3s);
    REQUIRE(seen.has_value());
    CHECK(*seen < 1000ms);
    // And it answers on-call questions with it.
    auto on_call = second.call(
        piket::msg::kOnCallQuery,
        {{"region", "eemland"}, {"role", "crisis_worker"}, {"at", "2026-12-04T01:00:00Z"}});
    REQUIRE(on_call.ok());
    const json entries = (*on_call)["on_call"];
    REQUIRE_FALSE(entries.empty());
    for (const auto& e : entries) CHECK(e["worker_id"] != "w-em-02");

    auto back = second.call("roster.leave.create",
                            leave_for("w-em-04", "2026-12-10T07:00:00Z", "2026-12-11T07:00:00Z"));
    INFO((back.ok() ? back->dump() : back.error().to_string()));
    REQUIRE(back.ok());
    const std::string leave_id = (*back)["leave"]["id"];
    auto followed = time_until(
        [&] {
          auto r = stack.get("/api/v1/roster/overrides");
          return r.status == 200 && ids_in(r.json(), "leave").count(leave_id) == 1;
        },
        3s);
    REQUIRE(followed.has_value());
    CHECK(*followed < 1000ms);
  }

  SECTION("a change decided on a stale copy is decided again, and neither change is lost") {
    // One right after the other, before the second scheduler can have followed the first:
    // its write finds the version moved, it re-reads and stores on top.
    auto first = stack.post("/api/v1/roster/leave",
                            leave_for("w-ls-04", "2026-12-10T07:00:00Z", "2026-12-11T07:00:00Z"));
    auto other = second.call("roster.override.create",
                             replace_override("west", "w-we-03", "w-we-02", "2026-12-03T19:00:00Z",
                                              "2026-12-04T07:00:00Z"));
    REQUIRE(first.status == 201);
    INFO((other.ok() ? other->dump() : other.error().to_string()));
    REQUIRE(other.ok());
    const std::string leave_id = first.json()["leave"]["id"];
    const std::string override_id = (*other)["override"]["id"];
    CHECK(stored_ids(stack, "piket:roster:leave") == std::set<std::string>{leave_id});
    CHECK(stored_ids(stack, "piket:roster:overrides") == std::set<std::string>{override_id});
    CHECK(ids_in(second.listing(), "leave") == std::set<std::string>{leave_id});
    auto both = time_until(
        [&] {
          auto r = stack.get("/api/v1/roster/overrides");
          return r.status == 200 && ids_in(r.json(), "overrides").count(override_id) == 1 &&
                 ids_in(r.json(), "leave").count(leave_id) == 1;
        },
        3s);
    CHECK(both.has_value());
  }

  SECTION("a rotation deleted through one is gone from the other") {
    auto removed =
        stack.request("DELETE", "/api/v1/roster/rotations/team-lead-west");
    INFO(removed.body);
    REQUIRE(removed.status == 200);
    auto gone = time_until(
        [&] {
          auto r = second.call("roster.rotation.list", json::object());
          if (!r.ok()) return false;
          for (const auto& rotation : (*r)["rotations"])
            if (rotation["id"] == "team-lead-west") return false;
          return true;
        },
        3s);
    REQUIRE(gone.has_value());
    CHECK(*gone < 1000ms);
  }
}

TEST_CASE("a one-night relief of a worker is accepted, and a change is refused only for the "
          "violations it adds and the answer names those that remain",
          "[e2e][roster][roster-writer]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  wait_roster_loaded(stack);
  auto relieved = stack.post("/api/v1/roster/overrides",
                             replace_override("eemland", "w-em-03", "w-em-02",
                                              "2026-12-03T19:00:00Z", "2026-12-04T07:00:00Z"));
  INFO(relieved.body);
  REQUIRE(relieved.status == 201);
  CHECK(relieved.json()["violations"].empty());
  REQUIRE(relieved.json()["violations_remaining"].is_array());

  // A 13-hour shift breaks the 12-hour maximum: forced once with a reason, it stays a known
  // violation of w-em-03's.
  json long_shift = {{"kind", "add"},
                     {"region", "eemland"},
                     {"role", "crisis_worker"},
                     {"duty", "shift"},
                     {"worker_id", "w-em-03"},
                     {"start", "2027-01-12T06:00:00Z"},
                     {"end", "2027-01-12T19:00:00Z"},
                     {"reason", "event cover"},
                     {"force", true},
                     {"force_reason", "nobody else trained"}};
  REQUIRE(stack.post("/api/v1/roster/overrides", long_shift).status == 201);

  // Relieving w-em-03 a few days later adds nothing: accepted, and the 13-hour shift is named
  // among the violations that remain.
  auto eased = stack.post("/api/v1/roster/overrides",
                          replace_override("eemland", "w-em-04", "w-em-03", "2027-01-14T19:00:00Z",
                                           "2027-01-15T07:00:00Z"));
  INFO(eased.body);
  REQUIRE(eased.status == 201);
  CHECK(eased.json()["violations"].empty());
  bool named = false;
  const json remaining = eased.json()["violations_remaining"];
  for (const auto& v : remaining)
    if (v["worker_id"] == "w-em-03" && v["rule"] == "max_shift_length") named = true;
  CHECK(named);

  // A second 13-hour shift is a new violation: refused, and the refusal says the old one is
  // not what counts.
  json second_shift = long_shift;
  second_shift.erase("force");
  second_shift.erase("force_reason");
  second_shift["start"] = "2027-01-19T06:00:00Z";
  second_shift["end"] = "2027-01-19T19:00:00Z";
  auto refused = stack.post("/api/v1/roster/overrides", second_shift);
  INFO(refused.body);
  CHECK(refused.status == 409);
  const std::string message = refused.json()["error"]["message"];
  CHECK(message.find("max_shift_length") != std::string::npos);
  CHECK(message.find("were there before remain") != std::string::npos);
}

TEST_CASE("the scheduler's audit entries extend the one hash chain, so removing one is found",
          "[e2e][roster][audit]") {
  Stack stack{piket::test::four_on_call_at(piket::test::weekday_afternoon())};
  auto team = stack.post("/api/v1/teams", {{"id", "em-c"}, {"name", "Eemland C"}, {"region", "eemland"}});
  REQUIRE(team.status == 201);
  auto removed = stack.del("/api/v1/teams/em-c");
  REQUIRE(removed.status == 200);

  // The two entries of the scheduler carry their links like the dispatcher's do.
  const std::string entries = stack.redis().cli("XRANGE piket:stream:audit - +");
  std::istringstream lines(entries);
  std::vector<std::string> ids;
  std::string line, previous_id;
  while (std::getline(lines, line)) {
    if (line.find('-') != std::string::npos && line.find_first_not_of("0123456789-") == std::string::npos)
      previous_id = line;
    if (line == "team.saved" || line == "team.removed") ids.push_back(previous_id);
  }
  REQUIRE(ids.size() == 2);
  auto sound = stack.get("/api/v1/audit/verify?stream=audit");
  REQUIRE(sound.status == 200);
  CHECK(sound.json()["sound"] == true);

  stack.redis().cli("XDEL piket:stream:audit " + ids[0]);
  auto broken = stack.get("/api/v1/audit/verify?stream=audit");
  REQUIRE(broken.status == 200);
  CHECK(broken.json()["sound"] == false);
  CHECK(broken.json()["broken_at"] == ids[1]);
}
