// intake_bench: a load generator for Piket's report intake (POST /api/v1/reports).
//
// Opens C keep-alive HTTP/1.1 connections to the gateway; each sends its POSTs one after the
// other (the next only after the answer to the previous), every report with its own
// Idempotency-Key, until N reports in all have been sent, or until --max-seconds. Records the
// latency of every request (steady_clock, from just before the write to the last byte of the
// answer) and its status, and prints N, C, errors, rate and the p50/p90/p99/max latencies.
//
// Plain Boost.Asio (no Beast) on one thread, so the generator itself is one core at most.
// Only loopback targets: this is for a stack on the same machine, never for someone else's.
//
//   intake_bench --url http://127.0.0.1:8080 -n 2000 -c 16 [--json]
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

struct Target {
  std::string host;        // as written, without brackets
  std::string port = "80";
  std::string host_header; // host[:port] as written in the URL
  std::string base_path;   // without a trailing slash
};

std::optional<Target> parse_url(const std::string& url, std::string& why) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    why = "only http:// URLs are supported";
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Target t;
  t.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
  t.host_header = authority;
  if (authority.find('@') != std::string::npos) {
    why = "user info in the URL is not supported";
    return std::nullopt;
  }
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      why = "unterminated [ in the host";
      return std::nullopt;
    }
    t.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        why = "junk after ] in the host";
        return std::nullopt;
      }
      t.port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    t.host = authority.substr(0, colon);
    if (colon != std::string::npos) t.port = authority.substr(colon + 1);
  }
  unsigned port_number = 0;
  auto [ptr, ec] = std::from_chars(t.port.data(), t.port.data() + t.port.size(), port_number);
  if (t.host.empty() || t.port.empty() || ec != std::errc{} || ptr != t.port.data() + t.port.size() ||
      port_number == 0 || port_number > 65535) {
    why = "the URL needs a host and a port between 1 and 65535";
    return std::nullopt;
  }
  return t;
}

struct Sample {
  double ms = 0;
  int status = 0;
};

struct Run {
  asio::io_context io;
  Target target;
  std::vector<tcp::endpoint> endpoints;
  std::string run_id;
  std::string source;
  std::vector<std::string> municipalities;
  std::vector<std::string> indicators;
  std::size_t n = 0;

  std::size_t next = 0;       // index of the next report to send
  bool stopping = false;      // the --max-seconds limit was reached
  std::vector<Sample> samples; // one per request that got an HTTP answer
  std::size_t transport_errors = 0;
  std::size_t interrupted = 0; // in flight when the time limit hit
  std::vector<std::string> first_errors;
  std::vector<tcp::socket*> sockets;
  int workers_left = 0;
  asio::steady_timer deadline{io};

  void note_error(std::string what) {
    if (first_errors.size() < 5) first_errors.push_back(std::move(what));
  }

  std::string request_for(std::size_t i) const {
    json body{{"source", source},
              {"municipality", municipalities[i % municipalities.size()]},
              {"indicators", indicators}};
    const std::string text = body.dump();
    std::string req;
    req.reserve(256 + text.size());
    req += "POST " + target.base_path + "/api/v1/reports HTTP/1.1\r\n";
    req += "Host: " + target.host_header + "\r\n";
    req += "Content-Type: application/json\r\n";
    req += "Idempotency-Key: bench-" + run_id + "-" + std::to_string(i) + "\r\n";
    req += "Content-Length: " + std::to_string(text.size()) + "\r\n";
    req += "\r\n";
    req += text;
    return req;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

struct ResponseHead {
  int status = 0;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  bool close = false;
};

std::optional<ResponseHead> parse_head(std::string_view head) {
  ResponseHead r;
  std::size_t pos = head.find("\r\n");
  std::string_view status_line = head.substr(0, pos);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
  const bool http10 = status_line.substr(0, 8) == "HTTP/1.0";
  auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  if (ec != std::errc{} || ptr != status_line.data() + 12) return std::nullopt;
  bool keep_alive_seen = false;
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::size_t start = pos + 2;
    pos = head.find("\r\n", start);
    std::string_view line = head.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(std::string(line.substr(0, colon)));
    const std::string value = lower(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      std::size_t length = 0;
      auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc{} || p != value.data() + value.size()) return std::nullopt;
      r.content_length = length;
    } else if (name == "transfer-encoding") {
      r.chunked = value.find("chunked") != std::string::npos;
    } else if (name == "connection") {
      if (value.find("close") != std::string::npos) r.close = true;
      if (value.find("keep-alive") != std::string::npos) keep_alive_seen = true;
    }
  }
  if (http10 && !keep_alive_seen) r.close = true;
  return r;
}

// Reads one HTTP/1.1 response from the socket; `buf` keeps what was read past its end.
// Returns the status, or 0 with `ec` set. Throws nothing.
asio::awaitable<int> read_response(tcp::socket& socket, std::string& buf, bool& close,
                                   boost::system::error_code& ec, std::string& body_out) {
  auto dyn = asio::dynamic_buffer(buf, kMaxHeaderBytes + kMaxBodyBytes);
  auto [e1, head_end] = co_await asio::async_read_until(socket, dyn, "\r\n\r\n", kTuple);
  if (e1) {
    ec = e1;
    co_return 0;
  }
  auto head = parse_head(std::string_view(buf).substr(0, head_end));
  if (!head) {
    ec = asio::error::invalid_argument;
    co_return 0;
  }
  buf.erase(0, head_end);
  close = head->close;
  body_out.clear();
  if (head->chunked) {
    for (;;) {
      auto [e2, line_end] = co_await asio::async_read_until(socket, dyn, "\r\n", kTuple);
      if (e2) {
        ec = e2;
        co_return 0;
      }
      std::size_t size = 0;
      const std::string_view line(buf.data(), line_end - 2);
      const auto semi = line.find(';');
      const std::string_view digits = line.substr(0, semi);
      auto [p, e] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      if (e != std::errc{} || size > kMaxBodyBytes || body_out.size() + size > kMaxBodyBytes) {
        ec = asio::error::invalid_argument;
        co_return 0;
      }
      buf.erase(0, line_end);
      if (size == 0) {
        for (;;) {  // trailers, up to the empty line
          auto [e3, trailer_end] = co_await asio::async_read_until(socket, dyn, "\r\n", kTuple);
          if (e3) {
            ec = e3;
            co_return 0;
          }
          buf.erase(0, trailer_end);
          if (trailer_end == 2) break;
        }
        break;
      }
      if (buf.size() < size + 2) {
        auto [e4, got] = co_await asio::async_read(socket, dyn, asio::transfer_at_least(size + 2 - buf.size()), kTuple);
        (void)got;
        if (e4) {
          ec = e4;
          co_return 0;
        }
      }
      body_out.append(buf, 0, size);
      buf.erase(0, size + 2);
    }
  } else if (head->content_length) {
    const std::size_t length = *head->content_length;
    if (length > kMaxBodyBytes) {
      ec = asio::error::message_size;
      co_return 0;
    }
    if (buf.size() < length) {
      auto [e5, got] = co_await asio::async_read(socket, dyn, asio::transfer_at_least(length - buf.size()), kTuple);
      (void)got;
      if (e5) {
        ec = e5;
        co_return 0;
      }
    }
    body_out.assign(buf, 0, length);
    buf.erase(0, length);
  } else if (head->status >= 200 && head->status != 204 && head->status != 304) {
    // No length: the body runs to the end of the connection.
    auto [e6, got] = co_await asio::async_read(socket, dyn, asio::transfer_all(), kTuple);
    (void)got;
    if (e6 && e6 != asio::error::eof) {
      ec = e6;
      co_return 0;
    }
    body_out = std::move(buf);
    buf.clear();
    close = true;
  }
  co_return head->status;
}

asio::awaitable<void> worker(Run& run) {
  tcp::socket socket(run.io);
  run.sockets.push_back(&socket);
  std::string buf;
  std::string body;
  bool connected = false;
  while (!run.stopping && run.next < run.n) {
    const std::size_t i = run.next++;
    if (!connected) {
      buf.clear();
      auto [ec, ep] = co_await asio::async_connect(socket, run.endpoints, kTuple);
      (void)ep;
      if (ec) {
        if (run.stopping) { ++run.interrupted; break; }
        ++run.transport_errors;
        run.note_error("connect: " + ec.message());
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      connected = true;
    }
    const std::string request = run.request_for(i);
    const auto started = Clock::now();
    auto [wec, written] = co_await asio::async_write(socket, asio::buffer(request), kTuple);
    (void)written;
    boost::system::error_code rec = wec;
    bool close = false;
    int status = 0;
    if (!rec) status = co_await read_response(socket, buf, close, rec, body);
    const auto finished = Clock::now();
    if (rec) {
      if (run.stopping) {
        ++run.interrupted;
      } else {
        ++run.transport_errors;
        run.note_error("request " + std::to_string(i) + ": " + rec.message());
      }
      boost::system::error_code ignored;
      socket.close(ignored);
      connected = false;
      continue;
    }
    run.samples.push_back({std::chrono::duration<double, std::milli>(finished - started).count(), status});
    if (status != 201) run.note_error("request " + std::to_string(i) + ": HTTP " + std::to_string(status) + " " + body.substr(0, 300));
    if (close) {
      boost::system::error_code ignored;
      socket.close(ignored);
      connected = false;
    }
  }
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  std::erase(run.sockets, &socket);
  if (--run.workers_left == 0) run.deadline.cancel();
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  // nearest rank: the smallest value with at least p of the samples at or below it
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::string random_run_id() {
  std::random_device rd;
  std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(v));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"intake_bench: POST N crisis reports to a local Piket gateway over C keep-alive "
               "connections and print the latency percentiles and the rate"};
  std::string url = "http://127.0.0.1:8080";
  std::size_t n = 2000;
  std::size_t c = 16;
  double max_seconds = 120;
  bool as_json = false;
  std::string source = "police";
  std::vector<std::string> municipalities{"Utrecht", "Amersfoort", "Nieuwegein", "Zeist", "Woerden"};
  std::vector<std::string> indicators{"weapon"};
  app.add_option("--url", url, "the gateway's base URL (loopback only)")->capture_default_str();
  app.add_option("-n,--requests", n, "reports to send in all")->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("-c,--concurrency", c, "connections, each sending one report at a time")->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--municipality", municipalities, "municipalities, rotated across the reports")->delimiter(',')->capture_default_str();
  app.add_option("--indicators", indicators, "indicators of every report")->delimiter(',')->capture_default_str();
  app.add_option("--source", source, "the reports' source")->capture_default_str();
  app.add_option("--max-seconds", max_seconds, "stop sending after this long")->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  app.add_flag("--json", as_json, "print the result as one JSON object instead of a line of text");
  CLI11_PARSE(app, argc, argv);
  if (municipalities.empty()) {
    std::cerr << "intake_bench: --municipality needs at least one name\n";
    return 2;
  }

  Run run;
  std::string why;
  auto target = parse_url(url, why);
  if (!target) {
    std::cerr << "intake_bench: bad --url " << url << ": " << why << "\n";
    return 2;
  }
  run.target = *target;
  {
    tcp::resolver resolver(run.io);
    boost::system::error_code ec;
    auto results = resolver.resolve(run.target.host, run.target.port, ec);
    if (ec || results.empty()) {
      std::cerr << "intake_bench: cannot resolve " << run.target.host << ": " << ec.message() << "\n";
      return 2;
    }
    for (const auto& entry : results) {
      const auto address = entry.endpoint().address();
      const bool loopback = address.is_loopback() ||
                            (address.is_v6() && address.to_v6().is_v4_mapped() &&
                             asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback());
      if (!loopback) {
        std::cerr << "intake_bench: refusing " << run.target.host << " (" << address.to_string()
                  << "): only loopback targets are allowed\n";
        return 2;
      }
      run.endpoints.push_back(entry.endpoint());
    }
  }
  run.run_id = random_run_id();
  run.source = source;
  run.municipalities = municipalities;
  run.indicators = indicators;
  run.n = n;
  run.samples.reserve(n);

  const std::size_t workers = std::min(c, n);
  run.workers_left = static_cast<int>(workers);
  const auto started = Clock::now();
  run.deadline.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds)));
  run.deadline.async_wait([&run](boost::system::error_code ec) {
    if (ec) return;  // cancelled: every worker finished in time
    run.stopping = true;
    for (tcp::socket* s : run.sockets) {
      boost::system::error_code ignored;
      s->cancel(ignored);
      s->close(ignored);
    }
  });
  for (std::size_t w = 0; w < workers; ++w)
    asio::co_spawn(run.io, worker(run), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  run.io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  std::vector<double> latencies;
  latencies.reserve(run.samples.size());
  std::map<int, std::size_t> statuses;
  std::size_t ok = 0;
  for (const auto& s : run.samples) {
    latencies.push_back(s.ms);
    ++statuses[s.status];
    if (s.status == 201) ++ok;
  }
  std::sort(latencies.begin(), latencies.end());
  const std::size_t completed = run.samples.size();
  const std::size_t errors = (completed - ok) + run.transport_errors;
  const std::size_t not_sent = n - std::min(n, completed + run.transport_errors + run.interrupted);
  const double rate = elapsed > 0 ? static_cast<double>(ok) / elapsed : 0;
  const double p50 = percentile(latencies, 0.50), p90 = percentile(latencies, 0.90),
               p99 = percentile(latencies, 0.99), max = latencies.empty() ? 0 : latencies.back();

  if (as_json) {
    json status_counts = json::object();
    for (auto [code, count] : statuses) status_counts[std::to_string(code)] = count;
    json out{{"n", n},
             {"c", workers},
             {"completed", completed},
             {"ok", ok},
             {"errors", errors},
             {"transport_errors", run.transport_errors},
             {"interrupted", run.interrupted},
             {"not_sent", not_sent},
             {"timed_out", run.stopping},
             {"elapsed_s", elapsed},
             {"rate", rate},
             {"p50_ms", p50},
             {"p90_ms", p90},
             {"p99_ms", p99},
             {"max_ms", max},
             {"statuses", status_counts}};
    std::cout << out.dump() << std::endl;
  } else {
    std::string status_text;
    for (auto [code, count] : statuses)
      status_text += (status_text.empty() ? "" : ",") + std::to_string(code) + ":" + std::to_string(count);
    std::printf("intake_bench: n=%zu c=%zu completed=%zu errors=%zu elapsed=%.3fs rate=%.1f req/s "
                "p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms statuses=%s%s\n",
                n, workers, completed, errors, elapsed, rate, p50, p90, p99, max, status_text.c_str(),
                run.stopping ? " (stopped at --max-seconds)" : "");
  }
  for (const auto& e : run.first_errors) std::cerr << "intake_bench: error: " << e << "\n";
  if (run.stopping)
    std::cerr << "intake_bench: stopped at --max-seconds=" << max_seconds << " with " << (completed + run.transport_errors)
              << " of " << n << " done\n";
  return errors == 0 && !run.stopping ? 0 : 1;
}
