#pragma once
// Per-client fairness at the gateway's door: how many connections one client address holds,
// and a token bucket of requests per address. Pure bookkeeping (no I/O): the HTTP server asks
// before it accepts a connection or handles a request. Time comes from the caller (a steady
// clock), so tests drive it.
#include <chrono>
#include <string>
#include <unordered_map>

namespace piket::gateway {

struct ClientLimitOptions {
  int max_connections_per_client = 64;
  double requests_per_s = 100;  // refill rate of each address's bucket
  int burst = 200;              // the bucket's size
};

class ClientLimits {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ClientLimits(ClientLimitOptions options) : options_(options) {}

  // Counts a connection of `address` in; false (nothing counted) when it already holds its share.
  bool open_connection(const std::string& address);
  void close_connection(const std::string& address);
  int connections_of(const std::string& address) const;

  // Takes one request from the address's bucket. Zero when allowed; otherwise how long until
  // a request would be (for Retry-After, at least one second).
  std::chrono::seconds take_request(const std::string& address, Clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated{};
  };
  void forget_idle(Clock::time_point now);

  ClientLimitOptions options_;
  std::unordered_map<std::string, int> connections_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace piket::gateway
