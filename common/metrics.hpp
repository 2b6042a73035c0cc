#pragma once
// One registry of counters, gauges and latency histograms per daemon, rendered in the Prometheus
// text format. Each metric is described once (name, type, help) when the daemon starts; call sites
// only add to it, passing label values as they are: the registry escapes them and adds the
// daemon's `instance` label to every series. Single-threaded (one loop per daemon).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace piket {

enum class MetricType { counter, gauge, histogram };

// Label name and raw value, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // `instance` is the value of the instance label on every series; empty leaves the label out.
  explicit Metrics(std::string instance = "");

  // Declares a metric. Adding to a metric that was not declared, or as another type, throws
  // std::logic_error: a typo must fail in a test, not become a second series.
  void describe(const std::string& name, MetricType type, const std::string& help);
  void count(const std::string& name, const Labels& labels = {}, std::uint64_t by = 1);
  void set(const std::string& name, const Labels& labels, double value);
  void observe(const std::string& name, const Labels& labels, std::chrono::microseconds d);
  // Every described metric: # HELP and # TYPE once, then its series.
  std::string render() const;
  const std::string& instance() const { return instance_; }

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // per bucket; cumulative at render time
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  struct Family {
    MetricType type;
    std::string help;
    // Keyed by the rendered inside of the braces, so equal labels share one series.
    std::map<std::string, std::uint64_t> counts;
    std::map<std::string, double> gauges;
    std::map<std::string, Histogram> histograms;
  };
  Family& family(const std::string& name, MetricType type);
  std::string label_text(const Labels& labels) const;

  std::string instance_;
  std::map<std::string, Family> families_;
};

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

// The instance label of a daemon: "<daemon>@<id>", where id is PIKET_INSTANCE if set, else
// "<hostname>:<pid>" (unique among the daemons of one host, changes on restart).
std::string instance_name(std::string_view daemon);

// Upper bounds of the latency buckets, in seconds.
const std::vector<double>& latency_buckets();

}  // namespace piket
