// The web console against the real stack: the gateway serves its files with the security
// headers and no path out of them, the live feed (server-sent events) gives each principal
// only what they may know and replays from Last-Event-ID, and the console's flows run in
// Debian's Chromium (tests/browser/console_flows.mjs, playwright-core).
#include <catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/eventually.hpp"
#include "tests/support/stack.hpp"

using namespace std::chrono_literals;
using nlohmann::json;
using piket::test::Stack;
namespace fs = std::filesystem;

namespace {
int gateway_port(const Stack& stack) {
  const std::string url = stack.url("");
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// A raw HTTP/1.1 connection: the target goes out exactly as written (curl would remove the
// dot segments before sending), and a streamed answer can be read as it comes.
class RawConnection {
 public:
  RawConnection(int port, const std::string& request) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
      throw std::runtime_error("send");
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Reads until `text` has arrived (true) or the limit passes or the peer closes (false).
  bool read_until(const std::string& text, std::chrono::milliseconds limit = 15s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (received_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return received_.find(text) != std::string::npos;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

std::string raw_get(const Stack& stack, const std::string& target, const std::string& headers = "") {
  RawConnection c(gateway_port(stack), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                                            "Connection: close\r\n\r\n");
  c.read_until("\r\n\r\n");
  c.read_until("never: read until the gateway closes", 5s);
  return c.received();
}

int status_of(const std::string& response) {
  return response.size() > 12 ? std::atoi(response.substr(9, 3).c_str()) : 0;
}

std::string bearer(const Stack& stack, const std::string& user) {
  return "Authorization: Bearer " + stack.new_token(user) + "\r\n";
}

json crisis_report() {
  return {{"source", "police"},
          {"municipality", "Amersfoort"},
          {"indicators", {"threat_to_kill"}},
          {"narrative", "NARRATIVE-MUST-NOT-LEAK"},
          {"reporter", {{"name", "REPORTER-NAME-MUST-NOT-LEAK"}}}};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

TEST_CASE("the gateway serves the console with its content types and security headers, and no "
          "path leaves the console's files",
          "[e2e][console]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  auto page = piket::test::http("GET", stack.url("/"));
  REQUIRE(page.status == 200);
  CHECK(page.headers.at("content-type") == "text/html; charset=utf-8");
  CHECK(page.body.find("<script type=\"module\" src=\"/console/js/app.js\">") != std::string::npos);
  CHECK(page.headers.at("content-security-policy").find("default-src 'self'") != std::string::npos);
  CHECK(page.headers.at("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK(page.headers.at("x-content-type-options") == "nosniff");
  CHECK(page.headers.at("referrer-policy") == "no-referrer");
  CHECK(page.headers.count("permissions-policy") == 1);
  CHECK(page.headers.at("cache-control") == "no-cache");
  auto script = piket::test::http("GET", stack.url("/console/js/app.js"));
  CHECK(script.status == 200);
  CHECK(script.headers.at("content-type") == "text/javascript; charset=utf-8");
  CHECK(piket::test::http("GET", stack.url("/console/js/app.js"), "", {{"If-None-Match", script.headers.at("etag")}}).status == 304);
  // The API's answers carry the same headers, and are never cached.
  auto api = piket::test::http("GET", stack.url("/api/v1/reports"));
  CHECK(api.status == 401);
  CHECK(api.headers.at("cache-control") == "no-store");
  CHECK(api.headers.count("content-security-policy") == 1);
  CHECK(stack.get("/healthz").headers.at("x-content-type-options") == "nosniff");

  for (const char* target : {"/console/../../etc/passwd", "/console/js/../../../CMakeLists.txt",
                             "/console/%2e%2e/%2e%2e/etc/passwd", "/console/js%2fapp.js",
                             "/console/%2E%2E%2Fservice.cpp", "/console/.%2e/CMakeLists.txt",
                             "/console//etc/passwd", "/console/js\\..\\..\\CMakeLists.txt"}) {
    CAPTURE(target);
    const std::string answer = raw_get(stack, target);
    CHECK(status_of(answer) == 400);
    CHECK(answer.find("root:") == std::string::npos);
    CHECK(answer.find("Content-Security-Policy: default-src") != std::string::npos);
  }
  for (const char* target : {"/../etc/passwd", "/%2e%2e/etc/passwd", "/console/CMakeLists.txt", "/console/nothing.js"}) {
    CAPTURE(target);
    CHECK(status_of(raw_get(stack, target)) == 404);
  }
  CHECK(piket::test::http("POST", stack.url("/console/js/app.js"), "{}").status == 405);
}

TEST_CASE("the console's live feed sends each event with an id, replays from Last-Event-ID, keeps names "
          "out, and gives a worker only their own reports",
          "[e2e][console][live]") {
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.as_user("desk-all", "--role operator --region '*'");
  stack.as_user("desk-utrecht", "--role operator --region utrecht-stad");
  for (const char* w : {"w-em-01", "w-em-02", "w-em-03", "w-em-04", "w-em-05"}) stack.as_worker(w);
  // Refused roles and bad starts are answered before any stream begins.
  stack.as_user("mgr-feed", "--role manager --region '*'");
  CHECK(status_of(raw_get(stack, "/api/v1/events", bearer(stack, "mgr-feed"))) == 403);
  CHECK(status_of(raw_get(stack, "/api/v1/events", bearer(stack, "desk-all") + "Last-Event-ID: x-1\r\n")) == 400);
  CHECK(status_of(raw_get(stack, "/api/v1/events")) == 401);

  const std::string get = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  RawConnection desk(gateway_port(stack), get + bearer(stack, "desk-all") + "\r\n");
  const bool opened = desk.read_until("piket live feed");
  INFO("received: " << desk.received());
  REQUIRE(opened);
  CHECK(desk.received().find("Content-Type: text/event-stream") != std::string::npos);
  RawConnection utrecht(gateway_port(stack), get + bearer(stack, "desk-utrecht") + "\r\n");
  REQUIRE(utrecht.read_until("piket live feed"));

  auto submitted = stack.post("/api/v1/reports", crisis_report(), {{"Idempotency-Key", "feed-1"}});
  REQUIRE(submitted.status == 201);
  const std::string id = submitted.json()["id"];
  REQUIRE(desk.read_until("\"action\":\"report.created\""));
  REQUIRE(desk.read_until("\"action\":\"assignment.alerted\""));
  stack.settle();
  // The first event's id, to come back with.
  const std::string& text = desk.received();
  const auto first_id_at = text.find("id: ");
  REQUIRE(first_id_at != std::string::npos);
  const std::string first_id = text.substr(first_id_at + 4, text.find('\n', first_id_at) - first_id_at - 4);
  CHECK(text.find("\"report\":\"" + id + "\"") != std::string::npos);
  CHECK(text.find("MUST-NOT-LEAK") == std::string::npos);
  CHECK(text.find("\"actor\"") == std::string::npos);
  CHECK(text.find("\"detail\"") == std::string::npos);

  // The alerted worker's feed has the report; the others' and another region's desk do not.
  auto alerted = stack.get("/api/v1/reports/" + id).json()["assignments"][0]["worker"].get<std::string>();
  auto assignment = stack.get("/api/v1/reports/" + id).json()["assignments"][0]["id"].get<std::string>();
  const std::string other = alerted == "w-em-01" ? "w-em-02" : "w-em-01";
  RawConnection mine(gateway_port(stack), get + bearer(stack, "u-" + alerted) + "Last-Event-ID: 0-0\r\n\r\n");
  RawConnection theirs(gateway_port(stack), get + bearer(stack, "u-" + other) + "Last-Event-ID: 0-0\r\n\r\n");
  REQUIRE(mine.read_until("\"action\":\"assignment.alerted\""));
  // The worker's own list says the same.
  auto own = stack.as_worker(alerted).get("/api/v1/assignments");
  REQUIRE(own.status == 200);
  REQUIRE(own.json()["assignments"].size() == 1);
  CHECK(own.json()["assignments"][0]["id"] == assignment);
  CHECK(own.json()["assignments"][0]["report"] == id);
  CHECK(own.body.find("MUST-NOT-LEAK") == std::string::npos);
  CHECK(stack.as_worker(other).get("/api/v1/assignments").json()["assignments"].empty());

  REQUIRE(stack.as_worker(alerted).post("/api/v1/assignments/" + assignment + "/accept", nullptr).status == 200);
  REQUIRE(mine.read_until("\"action\":\"assignment.accepted\""));
  REQUIRE(desk.read_until("\"action\":\"assignment.accepted\""));
  // By now every event of the report has reached every feed that may have it.
  REQUIRE(desk.read_until("\"action\":\"visit.planned\""));
  REQUIRE(theirs.read_until("piket live feed"));
  CHECK(theirs.received().find(id) == std::string::npos);
  CHECK(utrecht.received().find(id) == std::string::npos);

  // A reconnect with Last-Event-ID gets what came after that event, from Redis.
  RawConnection again(gateway_port(stack), get + bearer(stack, "desk-all") + "Last-Event-ID: " + first_id + "\r\n\r\n");
  REQUIRE(again.read_until("\"action\":\"assignment.accepted\""));
  CHECK(again.received().find("id: " + first_id + "\n") == std::string::npos);
}

TEST_CASE("the console's flows pass in Chromium: intake, triage, board, a live accept on a phone, "
          "visit, check-in and outcome, escaping, CSRF, need to know, on call, leave, a forced "
          "override and an expired session",
          "[e2e][console][browser]") {
  const std::string source = piket::test::source_dir();
  if (!fs::exists(fs::path(source) / "node_modules" / "playwright-core" / "package.json"))
    FAIL("playwright-core is not installed: run `npm ci` in " + source + " (scripts/setup.sh does)");
  if (!fs::exists("/usr/bin/chromium")) FAIL("Debian's chromium is not installed (scripts/setup.sh installs it)");
  Stack stack{piket::test::starting_at(piket::test::weekday_afternoon())};
  stack.as_user("desk-op", "--role operator --region '*'");
  stack.as_user("mgr", "--role manager --region '*'");
  for (const char* w : {"w-em-01", "w-em-02", "w-em-03", "w-em-04", "w-em-05"}) stack.as_worker(w);

  const std::string artifacts = piket::test::build_dir() + "/console-screenshots";
  fs::create_directories(artifacts);
  const std::string log = stack.dir() + "/console_flows.log";
  const std::string command = "node '" + source + "/tests/browser/console_flows.mjs' '" + stack.url("") + "' '" +
                              artifacts + "' '" + Stack::kPassword + "' '" + stack.dir() + "/clock' > '" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string said = read_file(log);
  INFO("console_flows.mjs said:\n" << said);
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(said.find("ALL OK") != std::string::npos);
  // Two reports (the crisis and the one whose triage was overridden), though the first
  // submit's answer was lost and it was sent twice.
  auto count = stack.redis().cli("ZCARD piket:reports");
  CHECK(count.substr(0, count.find('\n')) == "2");
  // No names or narrative in any daemon's log.
  for (const char* name : {"gateway", "dispatcher", "scheduler", "notifier"}) {
    CAPTURE(name);
    CHECK(stack.log(name).find("window.__pwned") == std::string::npos);
    CHECK(stack.log(name).find("<b>Reporter</b>") == std::string::npos);
  }
  for (const char* shot : {"sign-in-en", "desk-board-nl", "phone-alerts-en", "roster-nl"})
    CHECK(fs::exists(artifacts + "/" + shot + ".png"));
}
