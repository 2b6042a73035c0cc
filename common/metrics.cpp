#include "common/metrics.hpp"

#include <fmt/format.h>

namespace piket {

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1,     2.5, 5};
  return kBuckets;
}

void Metrics::count(const std::string& name, const std::string& labels, std::uint64_t by) {
  counters_[name][labels] += by;
}

void Metrics::set_gauge(const std::string& name, const std::string& labels, double value) {
  gauges_[name][labels] = value;
}

void Metrics::observe(const std::string& name, const std::string& labels, std::chrono::microseconds d) {
  auto& h = histograms_[name][labels];
  if (h.buckets.empty()) h.buckets.assign(latency_buckets().size(), 0);
  const double seconds = static_cast<double>(d.count()) / 1e6;
  for (std::size_t i = 0; i < latency_buckets().size(); ++i)
    if (seconds <= latency_buckets()[i]) {
      ++h.buckets[i];
      break;
    }
  ++h.count;
  h.sum_seconds += seconds;
}

void Metrics::help(const std::string& name, const std::string& type, const std::string& text) {
  help_[name] = {type, text};
}

std::string Metrics::render() const {
  std::string out;
  auto header = [&](const std::string& name, const char* fallback_type) {
    auto it = help_.find(name);
    if (it != help_.end()) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, it->second.second, name, it->second.first);
    } else {
      out += fmt::format("# TYPE {} {}\n", name, fallback_type);
    }
  };
  auto braces = [](const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; };
  for (const auto& [name, series] : counters_) {
    header(name, "counter");
    for (const auto& [labels, value] : series) out += fmt::format("{}{} {}\n", name, braces(labels), value);
  }
  for (const auto& [name, series] : gauges_) {
    header(name, "gauge");
    for (const auto& [labels, value] : series) out += fmt::format("{}{} {}\n", name, braces(labels), value);
  }
  for (const auto& [name, series] : histograms_) {
    header(name, "histogram");
    for (const auto& [labels, h] : series) {
      const std::string sep = labels.empty() ? "" : labels + ",";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        cumulative += h.buckets[i];
        out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, sep, latency_buckets()[i], cumulative);
      }
      out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, sep, h.count);
      out += fmt::format("{}_sum{} {}\n", name, braces(labels), h.sum_seconds);
      out += fmt::format("{}_count{} {}\n", name, braces(labels), h.count);
    }
  }
  return out;
}

}  // namespace piket
