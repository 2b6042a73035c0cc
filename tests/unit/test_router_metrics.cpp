// The gateway's routes and the notifier's back-off (the metrics registry: test_metrics.cpp).
#include <catch.hpp>

#include <chrono>
#include <vector>

#include "gateway/api/router.hpp"
#include "notifier/service.hpp"

namespace {

using namespace std::chrono_literals;
using piket::gateway::RouteKind;

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
  // ("/" is the web console's page.)
  const char* targets[] = {"",
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
