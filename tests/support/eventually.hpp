#pragma once
// Waits on a condition, never on a fixed time: the condition is checked until it holds or the
// limit (real time) has passed.
#include <chrono>
#include <thread>

namespace piket::test {

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace piket::test
