#include "gateway/http/client_limits.hpp"

#include <algorithm>
#include <cmath>

namespace piket::gateway {

bool ClientLimits::open_connection(const std::string& address) {
  int& held = connections_[address];
  if (held >= options_.max_connections_per_client) {
    if (held == 0) connections_.erase(address);
    return false;
  }
  ++held;
  return true;
}

void ClientLimits::close_connection(const std::string& address) {
  auto it = connections_.find(address);
  if (it == connections_.end()) return;
  if (--it->second <= 0) connections_.erase(it);
}

int ClientLimits::connections_of(const std::string& address) const {
  auto it = connections_.find(address);
  return it == connections_.end() ? 0 : it->second;
}

std::chrono::seconds ClientLimits::take_request(const std::string& address, Clock::time_point now) {
  forget_idle(now);
  const double burst = std::max(options_.burst, 1);
  auto [it, fresh] = buckets_.try_emplace(address, Bucket{burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst, b.tokens + std::max(elapsed, 0.0) * options_.requests_per_s);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::chrono::seconds(0);
  }
  const double wait = (1 - b.tokens) / options_.requests_per_s;
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
}

// A full bucket says nothing: buckets of addresses quiet long enough to be full again are
// dropped (at most once a minute), so many one-time clients cannot grow the table for ever.
void ClientLimits::forget_idle(Clock::time_point now) {
  if (now - last_sweep_ < std::chrono::minutes(1)) return;
  last_sweep_ = now;
  const auto refill = std::chrono::duration<double>(options_.burst / options_.requests_per_s);
  std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.updated >= refill; });
}

}  // namespace piket::gateway
