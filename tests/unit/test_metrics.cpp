// The metrics registry: each metric described once, label values escaped by the registry, the
// instance label on every series, and the Prometheus text it renders.
#include <catch.hpp>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/metrics.hpp"

namespace {

using namespace std::chrono_literals;
using piket::Metrics;
using piket::MetricType;

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in{text};
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

std::size_t position_of(const std::string& text, const std::string& line) { return text.find(line + "\n"); }

int occurrences(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("counters render as Prometheus text with their labels", "[unit][metrics]") {
  Metrics m;
  m.describe("piket_http_requests_total", MetricType::counter, "HTTP requests by route and status");
  m.describe("piket_alerts_sent_total", MetricType::counter, "Alerts sent");
  m.count("piket_http_requests_total", {{"route", "reports"}, {"status", "201"}});
  m.count("piket_http_requests_total", {{"route", "reports"}, {"status", "201"}});
  m.count("piket_http_requests_total", {{"route", "report"}, {"status", "404"}}, 5);
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

TEST_CASE("HELP and TYPE are written once per metric, however many series it has", "[unit][metrics]") {
  Metrics m{"gateway@test"};
  m.describe("piket_http_requests_total", MetricType::counter, "HTTP requests by route and status");
  m.describe("piket_http_request_duration_seconds", MetricType::histogram, "HTTP request latency by route");
  m.describe("piket_peer_up", MetricType::gauge, "Peers that answered");
  for (const char* route : {"reports", "report", "health"}) {
    m.count("piket_http_requests_total", {{"route", route}, {"status", "200"}});
    m.observe("piket_http_request_duration_seconds", {{"route", route}}, 1ms);
    m.set("piket_peer_up", {{"peer", route}}, 1);
  }
  const std::string text = m.render();
  INFO(text);
  for (const std::string name :
       {"piket_http_requests_total", "piket_http_request_duration_seconds", "piket_peer_up"}) {
    CHECK(occurrences(text, "# HELP " + name + " ") == 1);
    CHECK(occurrences(text, "# TYPE " + name + " ") == 1);
  }
  CHECK(has_line(text, "# TYPE piket_http_request_duration_seconds histogram"));
  CHECK(has_line(text, "# TYPE piket_peer_up gauge"));
  // A metric described but not yet counted still says what it is.
  Metrics idle;
  idle.describe("piket_handoffs_total", MetricType::counter, "Hand-off notices queued");
  CHECK(has_line(idle.render(), "# TYPE piket_handoffs_total counter"));
}

TEST_CASE("a label value with a quote, a backslash and a newline is escaped by the registry",
          "[unit][metrics]") {
  Metrics m;
  m.describe("piket_events_received_total", MetricType::counter, "Events received");
  m.count("piket_events_received_total", {{"type", "say \"hi\"\\now\nnext"}});
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, R"(piket_events_received_total{type="say \"hi\"\\now\nnext"} 1)"));
  CHECK(piket::escape_label_value("a\\b\"c\nd") == R"(a\\b\"c\nd)");
  CHECK(piket::escape_label_value("plain") == "plain");
}

TEST_CASE("every series carries the instance label, histograms before le", "[unit][metrics]") {
  Metrics m{"dispatcher@host-1:42"};
  m.describe("piket_alerts_queued_total", MetricType::counter, "Ladders started");
  m.describe("piket_reports_stored_total", MetricType::counter, "Reports stored");
  m.describe("piket_match_duration_seconds", MetricType::histogram, "Matching job");
  m.count("piket_alerts_queued_total");
  m.count("piket_reports_stored_total", {{"class", "T1"}});
  m.observe("piket_match_duration_seconds", {}, 2ms);
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "piket_alerts_queued_total{instance=\"dispatcher@host-1:42\"} 1"));
  CHECK(has_line(text, "piket_reports_stored_total{class=\"T1\",instance=\"dispatcher@host-1:42\"} 1"));
  CHECK(has_line(text, "piket_match_duration_seconds_bucket{instance=\"dispatcher@host-1:42\",le=\"0.0025\"} 1"));
  CHECK(has_line(text, "piket_match_duration_seconds_count{instance=\"dispatcher@host-1:42\"} 1"));
}

TEST_CASE("the instance name is the daemon with PIKET_INSTANCE, else host and pid", "[unit][metrics]") {
  // The environment is the process's: put back what was there.
  const char* before = std::getenv("PIKET_INSTANCE");
  const std::string saved = before ? before : "";
  ::setenv("PIKET_INSTANCE", "eu-1", 1);
  CHECK(piket::instance_name("notifier") == "notifier@eu-1");
  ::unsetenv("PIKET_INSTANCE");
  const std::string fallback = piket::instance_name("notifier");
  CHECK(fallback.rfind("notifier@", 0) == 0);
  CHECK(fallback.find(':') != std::string::npos);  // host:pid
  if (before) ::setenv("PIKET_INSTANCE", saved.c_str(), 1);
}

TEST_CASE("a metric must be described before use, with one type", "[unit][metrics]") {
  Metrics m;
  CHECK_THROWS_AS(m.count("piket_not_described_total"), std::logic_error);
  m.describe("piket_roster_changes_total", MetricType::counter, "Roster changes");
  CHECK_THROWS_AS(m.observe("piket_roster_changes_total", {}, 1ms), std::logic_error);
  CHECK_THROWS_AS(m.describe("piket_roster_changes_total", MetricType::gauge, "again"), std::logic_error);
  CHECK_THROWS_AS(m.count("piket_roster_changes_total", {{"instance", "x"}}), std::logic_error);
  CHECK_THROWS_AS(m.count("piket_roster_changes_total", {{"bad-name", "x"}}), std::logic_error);
  CHECK_THROWS_AS(m.describe("bad name", MetricType::counter, "x"), std::logic_error);
}

TEST_CASE("a gauge renders its last value", "[unit][metrics]") {
  Metrics m;
  m.describe("piket_peer_up", MetricType::gauge, "Peers that answered");
  m.set("piket_peer_up", {{"peer", "dispatcher"}}, 1);
  m.set("piket_peer_up", {{"peer", "dispatcher"}}, 0);
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "piket_peer_up{peer=\"dispatcher\"} 0"));
  CHECK_FALSE(has_line(text, "piket_peer_up{peer=\"dispatcher\"} 1"));
}

TEST_CASE("histogram buckets are cumulative and +Inf equals the count", "[unit][metrics]") {
  Metrics m;
  const std::string name = "piket_rpc_seconds";
  const piket::Labels labels{{"method", "oncall.query"}};
  m.describe(name, MetricType::histogram, "RPC latency");
  m.observe(name, labels, 300us);  // <= 0.0005
  m.observe(name, labels, 700us);  // <= 0.001
  m.observe(name, labels, 1ms);    // <= 0.001 (bounds are inclusive)
  m.observe(name, labels, 20ms);   // <= 0.025
  m.observe(name, labels, 10s);    // beyond the last bucket
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
  Metrics m;
  m.describe("piket_match_seconds", MetricType::histogram, "Matching");
  m.observe("piket_match_seconds", {}, 2ms);
  const std::string text = m.render();
  INFO(text);
  CHECK(has_line(text, "piket_match_seconds_bucket{le=\"0.0025\"} 1"));
  CHECK(has_line(text, "piket_match_seconds_bucket{le=\"+Inf\"} 1"));
  CHECK(has_line(text, "piket_match_seconds_count 1"));
  CHECK(has_line(text, "piket_match_seconds_sum 0.002"));
}
