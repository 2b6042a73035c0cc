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
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/bench_http.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using namespace piket::bench;

namespace {

struct Sample {
  double ms = 0;
  int status = 0;
};

struct Run {
  asio::io_context io;
  Target target;
  std::vector<tcp::endpoint> endpoints;
  std::string run_id;
  // PIKET_BENCH_TOKEN: the API token every request signs in with (from the environment, so it
  // is not on the command line for everyone to see).
  std::string token = std::getenv("PIKET_BENCH_TOKEN") ? std::getenv("PIKET_BENCH_TOKEN") : "";
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
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    req += "Content-Length: " + std::to_string(text.size()) + "\r\n";
    req += "\r\n";
    req += text;
    return req;
  }
};

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
  run.endpoints = resolve_loopback(run.io, run.target, why);
  if (run.endpoints.empty()) {
    std::cerr << "intake_bench: " << why << "\n";
    return 2;
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
