// The gateway's routes, the Prometheus text every daemon serves, and the notifier's back-off.
#include <catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "common/metrics.hpp"
#include "gateway/api/router.hpp"
#include "notifier/service.hpp"

namespace {

using namespace std::chrono_literals;
using piket::gateway::RouteKind;

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in{text};
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

std::size_t position_of(const std::string& text, const std::string& line) {
  return text.find(line + "\n");
}

}  // namespace

TEST_CASE("every API route is found with its id and metrics name", "[unit][router]") {
  struct Case {
    const char* method;
    const char* target;
    RouteKind kind;
    const char* id;
    const char* name;
  };
  const Case cases[] = {
      {"POST", "/api/v1/reports", RouteKind::submit_report, "", "reports"},
      {"GET", "/api/v1/reports/rabc", RouteKind::get_report, "rabc", "report"},
      {"POST", "/api/v1/assignments/rabc-1/accept", RouteKind::accept_assignment, "rabc-1", "accept"},
      {"POST", "/api/v1/assignments/rabc-1/decline", RouteKind::decline_assignment, "rabc-1",
       "decline"},
      {"GET", "/healthz", RouteKind::health, "", "healthz"},
      {"GET", "/metrics", RouteKind::metrics, "", "metrics"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method, c.target);
    auto r = piket::gateway::route(c.method, c.target);
    CHECK(r.kind == c.kind);
    CHECK(r.id == c.id);
    CHECK(r.name == c.name);
  }
}

TEST_CASE("a trailing slash finds the same route", "[unit][router]") {
  CHECK(piket::gateway::route("POST", "/api/v1/reports/").kind == RouteKind::submit_report);
  auto report = piket::gateway::route("GET", "/api/v1/reports/rabc/");
  CHECK(report.kind == RouteKind::get_report);
  CHECK(report.id == "rabc");
  CHECK(piket::gateway::route("POST", "/api/v1/assignments/rabc-1/accept/").kind ==
        RouteKind::accept_assignment);
  CHECK(piket::gateway::route("GET", "/healthz/").kind == RouteKind::health);
}

TEST_CASE("a query string does not change the route or its id", "[unit][router]") {
  auto report = piket::gateway::route("GET", "/api/v1/reports/rabc?purpose=visit&x=1");
  CHECK(report.kind == RouteKind::get_report);
  CHECK(report.id == "rabc");
  CHECK(piket::gateway::route("GET", "/metrics?format=text").kind == RouteKind::metrics);
  CHECK(piket::gateway::route("POST", "/api/v1/reports?dry=1").kind == RouteKind::submit_report);
  CHECK(piket::gateway::route("POST", "/api/v1/reports/?dry=1").kind == RouteKind::submit_report);
}

TEST_CASE("a known path with the wrong method is method_not_allowed", "[unit][router]") {
  struct Case {
    const char* method;
    const char* target;
    const char* name;
  };
  const Case cases[] = {
      {"PUT", "/api/v1/reports", "reports"},
      {"DELETE", "/api/v1/reports/rabc", "report"},
      {"POST", "/api/v1/reports/rabc", "report"},
      {"GET", "/api/v1/assignments/rabc-1/accept", "accept"},
      {"PUT", "/api/v1/assignments/rabc-1/decline", "decline"},
      {"POST", "/healthz", "healthz"},
      {"get", "/metrics", "metrics"},  // methods are case-sensitive
  };
  for (const auto& c : cases) {
    CAPTURE(c.method, c.target);
    auto r = piket::gateway::route(c.method, c.target);
    CHECK(r.kind == RouteKind::method_not_allowed);
    CHECK(r.name == c.name);
    CHECK(r.id.empty());
  }
}

TEST_CASE("listing reports goes to the dispatcher, submitting stays the gateway's own route",
          "[unit][router]") {
  auto list = piket::gateway::route("GET", "/api/v1/reports?region=eemland");
  CHECK(list.kind == RouteKind::dispatcher);
  CHECK(list.rpc == "report.list");
  CHECK(piket::gateway::route("POST", "/api/v1/reports").kind == RouteKind::submit_report);
}

TEST_CASE("the workers and teams paths go to the scheduler, and import is not taken for an id",
          "[unit][router]") {
  struct Case {
    const char* method;
    const char* target;
    const char* rpc;
    const char* id;
    bool text;
  };
  const Case cases[] = {
      {"GET", "/api/v1/workers", "worker.list", "", false},
      {"POST", "/api/v1/workers", "worker.put", "", false},
      {"POST", "/api/v1/workers/import", "worker.import", "", true},
      {"GET", "/api/v1/workers/w-em-01", "worker.get", "w-em-01", false},
      {"DELETE", "/api/v1/workers/w-em-01", "worker.delete", "w-em-01", false},
      {"POST", "/api/v1/workers/w-em-01/deactivate", "worker.deactivate", "w-em-01", false},
      {"POST", "/api/v1/workers/w-em-01/activate", "worker.activate", "w-em-01", false},
      {"GET", "/api/v1/teams", "team.list", "", false},
      {"POST", "/api/v1/teams", "team.put", "", false},
      {"DELETE", "/api/v1/teams/em-a", "team.delete", "em-a", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method, c.target);
    auto r = piket::gateway::route(c.method, c.target);
    CHECK(r.kind == RouteKind::scheduler);
    CHECK(r.rpc == c.rpc);
    CHECK(r.id == c.id);
    CHECK(r.body_is_text == c.text);
  }
  CHECK(piket::gateway::route("PUT", "/api/v1/workers").kind == RouteKind::method_not_allowed);
  CHECK(piket::gateway::route("POST", "/api/v1/workers/w-em-01").kind ==
        RouteKind::method_not_allowed);
}

TEST_CASE("an unknown path is not_found whatever the method", "[unit][router]") {
  const char* targets[] = {"/",
                           "",
                           "api/v1/reports",
                           "/api/v2/reports",
                           "/api/v1",
                           "/api/v1/workforce",
                           "/api/v1/reports/rabc/history",
                           "/api/v1/assignments/rabc-1",
                           "/api/v1/assignments/rabc-1/approve",
                           "/api/v1/assignments//accept",
                           "/api/v1/reports//",
                           "/API/V1/REPORTS",
                           "/healthz/extra"};
  for (const char* target : targets) {
    for (const char* method : {"GET", "POST"}) {
      CAPTURE(method, target);
      auto r = piket::gateway::route(method, target);
      CHECK(r.kind == RouteKind::not_found);
    }
  }
}

TEST_CASE("counters render as Prometheus text with their labels", "[unit][metrics]") {
  piket::Metrics m;
  m.help("piket_http_requests_total", "counter", "HTTP requests by route and status");
  m.count("piket_http_requests_total", "route=\"reports\",status=\"201\"");
  m.count("piket_http_requests_total", "route=\"reports\",status=\"201\"");
  m.count("piket_http_requests_total", "route=\"report\",status=\"404\"", 5);
  m.count("piket_alerts_sent_total");
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "# HELP piket_http_requests_total HTTP requests by route and status"));
  CHECK(has_line(text, "# TYPE piket_http_requests_total counter"));
  CHECK(has_line(text, "piket_http_requests_total{route=\"reports\",status=\"201\"} 2"));
  CHECK(has_line(text, "piket_http_requests_total{route=\"report\",status=\"404\"} 5"));
  CHECK(has_line(text, "# TYPE piket_alerts_sent_total counter"));
  CHECK(has_line(text, "piket_alerts_sent_total 1"));
  // The header comes before the series it describes.
  CHECK(position_of(text, "# TYPE piket_http_requests_total counter") <
        position_of(text, "piket_http_requests_total{route=\"reports\",status=\"201\"} 2"));
}

TEST_CASE("a gauge renders its last value", "[unit][metrics]") {
  piket::Metrics m;
  m.set_gauge("piket_open_reports", "region=\"eemland\"", 3);
  m.set_gauge("piket_open_reports", "region=\"eemland\"", 7);
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "# TYPE piket_open_reports gauge"));
  CHECK(has_line(text, "piket_open_reports{region=\"eemland\"} 7"));
  CHECK_FALSE(has_line(text, "piket_open_reports{region=\"eemland\"} 3"));
}

TEST_CASE("histogram buckets are cumulative and +Inf equals the count", "[unit][metrics]") {
  piket::Metrics m;
  const std::string name = "piket_rpc_seconds";
  const std::string labels = "method=\"oncall.query\"";
  m.observe(name, labels, 300us);    // <= 0.0005
  m.observe(name, labels, 700us);    // <= 0.001
  m.observe(name, labels, 1ms);      // <= 0.001 (bounds are inclusive)
  m.observe(name, labels, 20ms);     // <= 0.025
  m.observe(name, labels, 10s);      // beyond the last bucket
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "# TYPE piket_rpc_seconds histogram"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"0.0005\"} 1"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"0.001\"} 3"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"0.01\"} 3"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"0.025\"} 4"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"5\"} 4"));
  CHECK(has_line(text, "piket_rpc_seconds_bucket{method=\"oncall.query\",le=\"+Inf\"} 5"));
  CHECK(has_line(text, "piket_rpc_seconds_count{method=\"oncall.query\"} 5"));
  CHECK(has_line(text, "piket_rpc_seconds_sum{method=\"oncall.query\"} 10.022"));

  // Every bucket line is at least the one before it.
  std::istringstream in{text};
  std::uint64_t previous = 0;
  int buckets = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "_bucket", 0) != 0) continue;
    const auto value = std::stoull(line.substr(line.rfind(' ') + 1));
    CHECK(value >= previous);
    previous = value;
    ++buckets;
  }
  CHECK(buckets == static_cast<int>(piket::latency_buckets().size()) + 1);
}

TEST_CASE("a histogram without labels renders le as its only label", "[unit][metrics]") {
  piket::Metrics m;
  m.observe("piket_match_seconds", "", 2ms);
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "piket_match_seconds_bucket{le=\"0.0025\"} 1"));
  CHECK(has_line(text, "piket_match_seconds_bucket{le=\"+Inf\"} 1"));
  CHECK(has_line(text, "piket_match_seconds_count 1"));
  CHECK(has_line(text, "piket_match_seconds_sum 0.002"));
}

TEST_CASE("a retry waits the base delay, then doubles, up to the maximum", "[unit][notifier]") {
  using piket::notifier::retry_delay;
  CHECK(retry_delay(1, 500ms, 30000ms) == 500ms);
  CHECK(retry_delay(2, 500ms, 30000ms) == 1000ms);
  CHECK(retry_delay(3, 500ms, 30000ms) == 2000ms);
  CHECK(retry_delay(6, 500ms, 30000ms) == 16000ms);
  CHECK(retry_delay(7, 500ms, 30000ms) == 30000ms);
  CHECK(retry_delay(8, 500ms, 30000ms) == 30000ms);
  CHECK(retry_delay(100, 500ms, 30000ms) == 30000ms);  // no overflow after many attempts
  CHECK(retry_delay(1000000, 1ms, 3600000ms) == 3600000ms);
}

TEST_CASE("a base delay above the maximum is capped from the first retry", "[unit][notifier]") {
  CHECK(piket::notifier::retry_delay(1, 5000ms, 1000ms) == 1000ms);
}
