#pragma once
// Counters and latency histograms in the Prometheus text format. Single-threaded (one loop per
// daemon), so plain integers suffice.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace piket {

class Metrics {
 public:
  // name{labels} += by. `labels` is the inside of the braces: route="reports",status="201".
  void count(const std::string& name, const std::string& labels = "", std::uint64_t by = 1);
  void set_gauge(const std::string& name, const std::string& labels, double value);
  void observe(const std::string& name, const std::string& labels, std::chrono::microseconds d);
  void help(const std::string& name, const std::string& type, const std::string& text);
  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative at render time
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  std::map<std::string, std::pair<std::string, std::string>> help_;  // name -> (type, text)
  std::map<std::string, std::map<std::string, std::uint64_t>> counters_;
  std::map<std::string, std::map<std::string, double>> gauges_;
  std::map<std::string, std::map<std::string, Histogram>> histograms_;
};

// Upper bounds of the latency buckets, in seconds.
const std::vector<double>& latency_buckets();

}  // namespace piket
