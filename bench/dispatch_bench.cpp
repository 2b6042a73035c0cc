// dispatch_bench: end-to-end dispatch, from a report POSTed to the gateway to the call-out alert
// arriving at the worker's webhook.
//
// It is both ends at once, on one Asio thread:
// - a webhook sink: an HTTP/1.1 server on a loopback port that answers 200 to every POST, reads
//   the alert's JSON and notes when it arrived, keyed by "reference" (the report id), with its
//   "kind", "step" and "deadline_ms";
// - a load generator that sends reports OPEN-LOOP at a fixed --rate (report i is due at
//   start + i / rate, whether or not earlier ones were answered; a new keep-alive connection is
//   opened when none is free), or, with --rate 0, as fast as C connections can (closed loop).
//   The 201 answer's "id" ties a report to its alerts.
// Latency runs from the moment a report was due (so a slow answer cannot hide the reports
// queued behind it) to the first call-out alert for it at the sink (steady_clock, one process).
//
// With --steps K it waits for the first K ladder steps of every report (nobody answers), and
// reports how late each step k > 0 arrived: every call-out alert carries deadline_ms, the planned
// time of the NEXT step in the daemons' clock, so the lateness of step k is
//   arrival of step k (wall ms + --clock-offset-ms) - deadline_ms of the report's step k-1 alert.
// --metrics scrapes GET /metrics for the dispatcher's piket_timer_lateness_seconds histogram.
// --verify N reads N acknowledged reports back with GET /api/v1/reports/{id}.
//
// Only loopback targets, and the sink binds 127.0.0.1 only.
//
//   dispatch_bench --url http://127.0.0.1:18180 --sink-port 18199 --rate 100 --seconds 10
//   dispatch_bench ... -n 5000 --rate 0 -c 16            (a burst, as fast as 16 connections go)
//   dispatch_bench ... --rate 50 --seconds 6 --steps 3 --clock-offset-ms N --metrics
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/bench_http.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using namespace piket::bench;

namespace {

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------- the webhook sink

struct Arrival {
  Clock::time_point at;
  std::int64_t daemon_ms = 0;  // wall clock + the daemons' offset, to compare with deadline_ms
  std::string reference, kind;
  int step = -1;
  std::int64_t deadline_ms = 0;
};

class Sink {
 public:
  Sink(asio::io_context& io, std::int64_t offset_ms)
      : io_(io), acceptor_(io), offset_ms_(offset_ms) {}

  bool listen(unsigned short port, std::string& why) {
    boost::system::error_code ec;
    const tcp::endpoint at(asio::ip::address_v4::loopback(), port);
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) why = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    return !ec;
  }

  void start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (tcp::socket* s : open_) s->close(ignored);
  }

  const std::vector<Arrival>& arrivals() const { return arrivals_; }
  std::size_t posts() const { return posts_; }
  std::size_t unreadable() const { return unreadable_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;  // closed by stop()
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  // One connection: requests one after the other (the notifier sends one and closes).
  asio::awaitable<void> serve(tcp::socket socket) {
    open_.push_back(&socket);
    std::string buf;
    auto dyn = asio::dynamic_buffer(buf, kMaxHeaderBytes + kMaxBodyBytes);
    for (;;) {
      auto [e1, head_end] = co_await asio::async_read_until(socket, dyn, "\r\n\r\n", kTuple);
      if (e1) break;
      std::size_t length = 0;
      bool close = false;
      const std::string_view head(buf.data(), head_end);
      for (std::size_t pos = head.find("\r\n");
           pos != std::string_view::npos && pos + 2 < head.size();) {
        const std::size_t start = pos + 2;
        pos = head.find("\r\n", start);
        const std::string_view line =
            head.substr(start, pos == std::string_view::npos ? pos : pos - start);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string name = lower(std::string(line.substr(0, colon)));
        const std::string value = lower(trim(line.substr(colon + 1)));
        if (name == "content-length") length = std::strtoull(value.c_str(), nullptr, 10);
        if (name == "connection" && value.find("close") != std::string::npos) close = true;
      }
      if (length > kMaxBodyBytes) break;
      buf.erase(0, head_end);
      if (buf.size() < length) {
        auto [e2, got] = co_await asio::async_read(
            socket, dyn, asio::transfer_at_least(length - buf.size()), kTuple);
        (void)got;
        if (e2) break;
      }
      note(std::string_view(buf.data(), length));
      buf.erase(0, length);
      const std::string reply =
          std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: ") +
          (close ? "close" : "keep-alive") + "\r\n\r\n";
      auto [e3, written] = co_await asio::async_write(socket, asio::buffer(reply), kTuple);
      (void)written;
      if (e3 || close) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    std::erase(open_, &socket);
  }

  void note(std::string_view body) {
    Arrival a;
    a.at = Clock::now();
    a.daemon_ms = wall_ms() + offset_ms_;
    ++posts_;
    const json alert = json::parse(body, nullptr, false);
    if (!alert.is_object()) {
      ++unreadable_;
      return;
    }
    a.reference = alert.value("reference", std::string{});
    a.kind = alert.value("kind", std::string{"callout"});
    if (alert.contains("step") && alert["step"].is_number()) a.step = alert["step"].get<int>();
    if (alert.contains("deadline_ms") && alert["deadline_ms"].is_number())
      a.deadline_ms = alert["deadline_ms"].get<std::int64_t>();
    arrivals_.push_back(std::move(a));
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::int64_t offset_ms_;
  std::vector<Arrival> arrivals_;
  std::vector<tcp::socket*> open_;
  std::size_t posts_ = 0, unreadable_ = 0;
};

// ---------------------------------------------------------------- the load generator

struct Submission {
  Clock::time_point due{}, written{}, answered{};
  int status = 0;
  std::string id;  // from the 201 answer
};

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  std::string buf;
  bool connected = false;
};

struct Options {
  std::size_t n = 0;
  double rate = 100;                  // reports per second; 0 = closed loop
  std::size_t c = 16;                 // closed loop: connections
  std::size_t max_connections = 256;  // open loop: at most this many at once
  std::vector<std::string> municipalities;
  std::vector<std::string> indicators;
  std::string source;
  int steps = 1;
  double linger_s = 15;
  std::size_t verify = 20;
  bool metrics = false;
};

class Generator {
 public:
  Generator(asio::io_context& io, Target target, std::vector<tcp::endpoint> endpoints, Options o,
            Sink& sink)
      : io_(io),
        target_(std::move(target)),
        endpoints_(std::move(endpoints)),
        o_(std::move(o)),
        sink_(sink),
        subs_(o_.n) {
    std::random_device rd;
    run_id_ = std::to_string((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  }

  asio::awaitable<void> run() {
    started_ = Clock::now();
    if (o_.rate > 0)
      co_await open_loop();
    else
      co_await closed_loop();
    sent_done_ = Clock::now();
    co_await wait_for_alerts();
    co_await verify();
    if (o_.metrics) co_await scrape_metrics();
    sink_.stop();
    for (auto& conn : idle_) close(*conn);
  }

  json result() const;

  std::size_t transport_errors = 0;
  std::vector<std::string> first_errors;

 private:
  void note_error(std::string what) {
    if (first_errors.size() < 5) first_errors.push_back(std::move(what));
  }

  std::string report_request(std::size_t i) const {
    const json body{{"source", o_.source},
                    {"municipality", o_.municipalities[i % o_.municipalities.size()]},
                    {"indicators", o_.indicators}};
    const std::string text = body.dump();
    return "POST " + target_.base_path +
           "/api/v1/reports HTTP/1.1\r\nHost: " + target_.host_header +
           "\r\nContent-Type: application/json\r\nIdempotency-Key: dispatch-bench-" + run_id_ +
           "-" + std::to_string(i) + "\r\n" + auth_ + "Content-Length: " + std::to_string(text.size()) +
           "\r\n\r\n" + text;
  }

  std::string get_request(const std::string& path) const {
    return "GET " + target_.base_path + path + " HTTP/1.1\r\nHost: " + target_.host_header +
           "\r\n" + auth_ + "\r\n";
  }

  static void close(Connection& conn) {
    boost::system::error_code ignored;
    conn.socket.shutdown(tcp::socket::shutdown_both, ignored);
    conn.socket.close(ignored);
    conn.connected = false;
    conn.buf.clear();
  }

  // One request and its answer; 0 on a transport error (and the connection is closed).
  asio::awaitable<int> exchange(Connection& conn, const std::string& request, std::string& body) {
    if (!conn.connected) {
      auto [ec, ep] = co_await asio::async_connect(conn.socket, endpoints_, kTuple);
      (void)ep;
      if (ec) {
        note_error("connect: " + ec.message());
        close(conn);
        co_return 0;
      }
      conn.socket.set_option(tcp::no_delay(true));
      conn.connected = true;
    }
    auto [wec, written] = co_await asio::async_write(conn.socket, asio::buffer(request), kTuple);
    (void)written;
    boost::system::error_code ec = wec;
    bool close_after = false;
    int status = 0;
    if (!ec) status = co_await read_response(conn.socket, conn.buf, close_after, ec, body);
    if (ec) {
      note_error("request: " + ec.message());
      close(conn);
      co_return 0;
    }
    if (close_after) close(conn);
    co_return status;
  }

  asio::awaitable<void> submit(std::size_t i, Connection& conn) {
    Submission& s = subs_[i];
    const std::string request = report_request(i);
    std::string body;
    s.written = Clock::now();
    s.status = co_await exchange(conn, request, body);
    s.answered = Clock::now();
    if (s.status == 0) {
      ++transport_errors;
      co_return;
    }
    const json answer = json::parse(body, nullptr, false);
    if (s.status == 201 && answer.is_object() && answer.contains("id") &&
        answer["id"].is_string()) {
      s.id = answer["id"].get<std::string>();
      by_id_[s.id] = i;
    } else {
      note_error("report " + std::to_string(i) + ": HTTP " + std::to_string(s.status) + " " +
                 body.substr(0, 200));
    }
  }

  // Report i is due at start + i / rate; each goes out on an idle connection or a new one.
  asio::awaitable<void> open_loop() {
    asio::steady_timer timer(io_);
    const auto interval = std::chrono::duration<double>(1.0 / o_.rate);
    for (std::size_t i = 0; i < o_.n; ++i) {
      const auto due =
          started_ + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
      timer.expires_at(due);
      co_await timer.async_wait(kTuple);
      while (idle_.empty() && open_ >= o_.max_connections) {  // at the cap: the lag shows
        timer.expires_after(std::chrono::milliseconds(1));
        co_await timer.async_wait(kTuple);
      }
      subs_[i].due = due;
      std::unique_ptr<Connection> conn;
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        conn = std::make_unique<Connection>(io_);
        peak_open_ = std::max(peak_open_, ++open_);
      }
      ++in_flight_;
      asio::co_spawn(io_, send_and_return(i, std::move(conn)), asio::detached);
    }
    while (in_flight_ > 0) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(kTuple);
    }
  }

  asio::awaitable<void> send_and_return(std::size_t i, std::unique_ptr<Connection> conn) {
    co_await submit(i, *conn);
    --in_flight_;
    if (conn->connected) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }

  asio::awaitable<void> closed_loop() {
    const std::size_t workers = std::min(o_.c, o_.n);
    std::size_t running = workers;
    for (std::size_t w = 0; w < workers; ++w)
      asio::co_spawn(io_, closed_worker(running), asio::detached);
    asio::steady_timer timer(io_);
    while (running > 0) {
      timer.expires_after(std::chrono::milliseconds(2));
      co_await timer.async_wait(kTuple);
    }
  }

  asio::awaitable<void> closed_worker(std::size_t& running) {
    Connection conn(io_);
    while (next_ < o_.n) {
      const std::size_t i = next_++;
      subs_[i].due = Clock::now();
      co_await submit(i, conn);
    }
    close(conn);
    --running;
  }

  // Every acknowledged report has its call-outs for steps 0 .. steps-1, or the linger is over.
  bool all_alerted() const {
    std::unordered_map<std::string, int> seen;  // reference -> bit set of steps
    for (const auto& a : sink_.arrivals())
      if (a.kind == "callout" && a.step >= 0 && a.step < o_.steps) seen[a.reference] |= 1 << a.step;
    const int full = (1 << o_.steps) - 1;
    for (const auto& [id, index] : by_id_) {
      auto it = seen.find(id);
      if (it == seen.end() || it->second != full) return false;
    }
    return true;
  }

  asio::awaitable<void> wait_for_alerts() {
    asio::steady_timer timer(io_);
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(o_.linger_s));
    while (Clock::now() < until && !all_alerted()) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kTuple);
    }
    alerts_done_ = Clock::now();
  }

  // Reads a sample of the acknowledged reports back, spread over the run.
  asio::awaitable<void> verify() {
    std::vector<std::string> ids;
    for (const auto& s : subs_)
      if (!s.id.empty()) ids.push_back(s.id);
    const std::size_t count = std::min(o_.verify, ids.size());
    Connection conn(io_);
    for (std::size_t k = 0; k < count; ++k) {
      const std::string& id = ids[k * ids.size() / count];
      std::string body;
      const int status = co_await exchange(conn, get_request("/api/v1/reports/" + id), body);
      ++verified_;
      const json report = json::parse(body, nullptr, false);
      if (status == 200 && report.is_object() && report.value("id", std::string{}) == id)
        ++verified_ok_;
      else
        note_error("GET /api/v1/reports/" + id + ": HTTP " + std::to_string(status));
    }
    close(conn);
  }

  asio::awaitable<void> scrape_metrics() {
    Connection conn(io_);
    std::string body;
    const int status = co_await exchange(conn, get_request("/metrics"), body);
    close(conn);
    if (status == 200)
      metrics_text_ = std::move(body);
    else
      note_error("GET /metrics: HTTP " + std::to_string(status));
  }

  asio::io_context& io_;
  Target target_;
  std::vector<tcp::endpoint> endpoints_;
  Options o_;
  Sink& sink_;
  std::string run_id_;
  // PIKET_BENCH_TOKEN: the API token every request signs in with (not on the command line).
  std::string auth_ = std::getenv("PIKET_BENCH_TOKEN")
                          ? std::string("Authorization: Bearer ") + std::getenv("PIKET_BENCH_TOKEN") + "\r\n"
                          : std::string();
  std::vector<Submission> subs_;
  std::unordered_map<std::string, std::size_t> by_id_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0, peak_open_ = 0, in_flight_ = 0, next_ = 0;
  std::size_t verified_ = 0, verified_ok_ = 0;
  std::string metrics_text_;
  Clock::time_point started_{}, sent_done_{}, alerts_done_{};
};

// ---------------------------------------------------------------- figures

json summary(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {{"count", values.size()},
          {"p50_ms", percentile(values, 0.50)},
          {"p90_ms", percentile(values, 0.90)},
          {"p99_ms", percentile(values, 0.99)},
          {"max_ms", values.empty() ? 0 : values.back()}};
}

// piket_timer_lateness_seconds from the Prometheus text: count, sum and the upper bound of the
// bucket that holds the median and the 99th percentile (a histogram knows no more than that).
json lateness_histogram(const std::string& text) {
  const std::string name = "piket_timer_lateness_seconds";
  std::vector<std::pair<std::string, double>> buckets;  // le, cumulative count
  double count = 0, sum = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(name, 0) != 0) continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const double value = std::strtod(line.c_str() + space + 1, nullptr);
    // Series carry labels (at least instance="dispatcher@..."); le is the bucket's own.
    auto is = [&](const std::string& suffix) {
      const std::size_t at = name.size() + suffix.size();
      return line.rfind(name + suffix, 0) == 0 && at < line.size() && (line[at] == ' ' || line[at] == '{');
    };
    if (is("_bucket")) {
      const std::size_t le = line.find("le=\"");
      if (le == std::string::npos) continue;
      const std::size_t from = le + 4;
      buckets.emplace_back(line.substr(from, line.find('"', from) - from), value);
    } else if (is("_count")) {
      count = value;
    } else if (is("_sum")) {
      sum = value;
    }
  }
  auto bucket_of = [&](double q) -> json {
    for (const auto& [le, cumulative] : buckets)
      if (count > 0 && cumulative >= q * count) return le;
    return nullptr;
  };
  json cumulative = json::object();
  for (const auto& [le, c] : buckets) cumulative[le] = c;
  return {{"count", count},
          {"mean_ms", count > 0 ? 1000 * sum / count : 0},
          {"p50_le_s", bucket_of(0.50)},
          {"p99_le_s", bucket_of(0.99)},
          {"buckets", cumulative}};
}

json Generator::result() const {
  std::size_t acknowledged = 0, errors = transport_errors;
  std::vector<double> answer_ms, lag_ms;
  for (const auto& s : subs_) {
    if (s.status == 201 && !s.id.empty())
      ++acknowledged;
    else if (s.status != 0)
      ++errors;
    if (s.status != 0) answer_ms.push_back(ms_between(s.written, s.answered));
    if (s.status != 0) lag_ms.push_back(ms_between(s.due, s.written));
  }
  // First call-out per report; and per report and step, the deadline its alert carried.
  std::unordered_map<std::string, Clock::time_point> first;
  std::map<std::pair<std::string, int>, std::int64_t> deadline_of;
  std::size_t callouts = 0, foreign = 0;
  for (const auto& a : sink_.arrivals()) {
    if (a.kind != "callout") continue;
    ++callouts;
    if (!by_id_.count(a.reference)) {
      ++foreign;
      continue;
    }
    auto it = first.find(a.reference);
    if (it == first.end() || a.at < it->second) first[a.reference] = a.at;
    if (a.step >= 0) deadline_of.emplace(std::make_pair(a.reference, a.step), a.deadline_ms);
  }
  std::vector<double> alert_ms;
  for (const auto& [id, at] : first) alert_ms.push_back(ms_between(subs_[by_id_.at(id)].due, at));
  std::vector<double> lateness_ms;
  std::map<int, std::vector<double>> lateness_by_step;
  for (const auto& a : sink_.arrivals()) {
    if (a.kind != "callout" || a.step < 1 || !by_id_.count(a.reference)) continue;
    auto planned = deadline_of.find({a.reference, a.step - 1});
    if (planned == deadline_of.end() || planned->second <= 0) continue;
    const double late = static_cast<double>(a.daemon_ms - planned->second);
    lateness_ms.push_back(late);
    lateness_by_step[a.step].push_back(late);
  }
  const double send_s = std::chrono::duration<double>(sent_done_ - started_).count();
  json out{
      {"n", o_.n},
      {"mode", o_.rate > 0 ? "open_loop" : "closed_loop"},
      {"rate_target", o_.rate},
      {"c", o_.rate > 0 ? peak_open_ : std::min(o_.c, o_.n)},  // connections used at most
      {"acknowledged", acknowledged},
      {"errors", errors},
      {"transport_errors", transport_errors},
      {"send_seconds", send_s},
      {"rate_achieved", send_s > 0 ? static_cast<double>(acknowledged) / send_s : 0},
      {"answer", summary(answer_ms)},
      {"send_lag", summary(lag_ms)},
      {"alerted", first.size()},
      {"callouts_received", callouts},
      {"foreign_callouts", foreign},
      {"sink_posts", sink_.posts()},
      {"sink_unreadable", sink_.unreadable()},
      {"waited_for_alerts_s", std::chrono::duration<double>(alerts_done_ - sent_done_).count()},
      {"alert_latency", summary(alert_ms)},
      {"verified", verified_},
      {"verified_ok", verified_ok_}};
  if (o_.steps > 1) {
    out["lateness"] = summary(lateness_ms);
    for (auto& [step, values] : lateness_by_step)
      out["lateness_by_step"][std::to_string(step)] = summary(values);
  }
  if (o_.metrics) out["timer_lateness_metric"] = lateness_histogram(metrics_text_);
  return out;
}

void print_text(const json& r) {
  auto line = [](const char* what, const json& s) {
    std::printf("%-28s n=%-6zu p50=%8.2f ms  p90=%8.2f ms  p99=%8.2f ms  max=%8.2f ms\n", what,
                s["count"].get<std::size_t>(), s["p50_ms"].get<double>(), s["p90_ms"].get<double>(),
                s["p99_ms"].get<double>(), s["max_ms"].get<double>());
  };
  std::printf(
      "dispatch_bench: %s n=%zu rate=%.1f/s (achieved %.1f/s) connections=%zu acknowledged=%zu "
      "errors=%zu alerted=%zu verified=%zu/%zu\n",
      r["mode"].get<std::string>().c_str(), r["n"].get<std::size_t>(),
      r["rate_target"].get<double>(), r["rate_achieved"].get<double>(), r["c"].get<std::size_t>(),
      r["acknowledged"].get<std::size_t>(), r["errors"].get<std::size_t>(),
      r["alerted"].get<std::size_t>(), r["verified_ok"].get<std::size_t>(),
      r["verified"].get<std::size_t>());
  line("HTTP answer (201)", r["answer"]);
  line("send lag (due -> written)", r["send_lag"]);
  line("report -> first call-out", r["alert_latency"]);
  if (r.contains("lateness")) {
    line("step lateness at the sink", r["lateness"]);
    for (const auto& [step, s] : r["lateness_by_step"].items()) line(("  step " + step).c_str(), s);
  }
  if (r.contains("timer_lateness_metric")) {
    const auto& m = r["timer_lateness_metric"];
    std::printf("piket_timer_lateness_seconds: count=%.0f mean=%.2f ms p50 <= %s s p99 <= %s s\n",
                m["count"].get<double>(), m["mean_ms"].get<double>(), m["p50_le_s"].dump().c_str(),
                m["p99_le_s"].dump().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "dispatch_bench: reports in at a fixed rate, call-out alerts out at a built-in "
      "webhook sink; prints report -> alert latency (and escalation lateness)"};
  std::string url = "http://127.0.0.1:8080";
  unsigned short sink_port = 8099;
  Options o;
  double seconds = 0;
  std::int64_t clock_offset_ms = 0;
  bool as_json = false;
  o.source = "police";
  o.municipalities = {"Utrecht", "Amersfoort", "Nieuwegein", "Zeist", "Woerden"};
  o.indicators = {"threat_to_kill"};
  app.add_option("--url", url, "the gateway's base URL (loopback only)")->capture_default_str();
  app.add_option("--sink-port", sink_port,
                 "port of the webhook sink on 127.0.0.1; the workers' "
                 "webhook_url must point here")
      ->capture_default_str();
  app.add_option("-n,--requests", o.n, "reports in all (default: rate x seconds)");
  app.add_option("--rate", o.rate,
                 "reports per second, open loop; 0 = as fast as -c connections go")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100000.0));
  app.add_option("--seconds", seconds, "with --rate: send for this long")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("-c,--concurrency", o.c, "closed loop (--rate 0): connections")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--max-connections", o.max_connections, "open loop: connections at most")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{5000}));
  app.add_option("--municipality", o.municipalities, "municipalities, in turn")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--indicators", o.indicators, "indicators of every report")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--source", o.source, "the reports' source")->capture_default_str();
  app.add_option("--steps", o.steps, "wait for this many ladder steps per report (nobody answers)")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  app.add_option("--linger", o.linger_s, "after the last answer, wait at most this long for alerts")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--clock-offset-ms", clock_offset_ms,
                 "the daemons' clock minus the wall clock "
                 "(what PIKET_TEST_CLOCK_FILE holds)")
      ->capture_default_str();
  app.add_option("--verify", o.verify, "read this many acknowledged reports back")
      ->capture_default_str();
  app.add_flag("--metrics", o.metrics, "scrape GET /metrics for piket_timer_lateness_seconds");
  app.add_flag("--json", as_json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);
  if (o.n == 0) o.n = static_cast<std::size_t>(o.rate * seconds + 0.5);
  if (o.n == 0) {
    std::cerr << "dispatch_bench: give -n, or --rate and --seconds\n";
    return 2;
  }
  if (o.municipalities.empty()) {
    std::cerr << "dispatch_bench: --municipality needs at least one name\n";
    return 2;
  }

  asio::io_context io;
  std::string why;
  auto target = parse_url(url, why);
  if (!target) {
    std::cerr << "dispatch_bench: bad --url " << url << ": " << why << "\n";
    return 2;
  }
  auto endpoints = resolve_loopback(io, *target, why);
  if (endpoints.empty()) {
    std::cerr << "dispatch_bench: " << why << "\n";
    return 2;
  }
  Sink sink(io, clock_offset_ms);
  if (!sink.listen(sink_port, why)) {
    std::cerr << "dispatch_bench: " << why << "\n";
    return 2;
  }
  sink.start();
  Generator generator(io, *target, std::move(endpoints), o, sink);
  asio::co_spawn(io, generator.run(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();

  const json r = generator.result();
  if (as_json)
    std::cout << r.dump() << std::endl;
  else
    print_text(r);
  for (const auto& e : generator.first_errors) std::cerr << "dispatch_bench: error: " << e << "\n";
  const bool complete = r["errors"] == 0 && r["alerted"] == r["acknowledged"] &&
                        r["verified_ok"] == r["verified"] && r["acknowledged"] == o.n;
  if (!complete) std::cerr << "dispatch_bench: incomplete: see errors, alerted and verified\n";
  return complete ? 0 : 1;
}
