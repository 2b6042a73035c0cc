#include "common/metrics.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

namespace piket {
namespace {

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

// Metric and label names are fixed at the call site; a bad one is a programming error.
bool valid_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// HELP text escapes backslash and newline (not quotes), per the text format.
std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string braces(const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; }

}  // namespace

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1,     2.5, 5};
  return kBuckets;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string instance_name(std::string_view daemon) {
  if (const char* id = std::getenv("PIKET_INSTANCE"); id && *id) return fmt::format("{}@{}", daemon, id);
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}@{}:{}", daemon, host[0] ? host : "localhost", static_cast<long>(getpid()));
}

Metrics::Metrics(std::string instance) : instance_(std::move(instance)) {}

void Metrics::describe(const std::string& name, MetricType type, const std::string& help) {
  if (!valid_name(name)) throw std::logic_error("bad metric name: " + name);
  auto [it, added] = families_.try_emplace(name, Family{type, help, {}, {}, {}});
  if (!added && it->second.type != type) throw std::logic_error("metric described twice as two types: " + name);
  it->second.help = help;
}

Metrics::Family& Metrics::family(const std::string& name, MetricType type) {
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("metric not described: " + name);
  if (it->second.type != type) throw std::logic_error("metric used as another type: " + name);
  return it->second;
}

std::string Metrics::label_text(const Labels& labels) const {
  std::string out;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!valid_name(name) || name == "le" || name == "instance") {
      throw std::logic_error(fmt::format("bad or reserved label name: {}", name));
    }
    if (!out.empty()) out += ',';
    out += fmt::format("{}=\"{}\"", name, escape_label_value(value));
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!instance_.empty()) {
    if (!out.empty()) out += ',';
    out += "instance=\"" + escape_label_value(instance_) + "\"";
  }
  return out;
}

void Metrics::count(const std::string& name, const Labels& labels, std::uint64_t by) {
  family(name, MetricType::counter).counts[label_text(labels)] += by;
}

void Metrics::set(const std::string& name, const Labels& labels, double value) {
  family(name, MetricType::gauge).gauges[label_text(labels)] = value;
}

void Metrics::observe(const std::string& name, const Labels& labels, std::chrono::microseconds d) {
  auto& h = family(name, MetricType::histogram).histograms[label_text(labels)];
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

std::string Metrics::render() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(f.help), name, type_name(f.type));
    for (const auto& [labels, value] : f.counts) out += fmt::format("{}{} {}\n", name, braces(labels), value);
    for (const auto& [labels, value] : f.gauges) out += fmt::format("{}{} {}\n", name, braces(labels), value);
    for (const auto& [labels, h] : f.histograms) {
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
