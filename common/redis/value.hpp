#pragma once
// An owned copy of a Redis reply, so it can outlive hiredis's callback.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace piket::redis {

struct Value {
  enum class Kind { nil, string, status, error, integer, array };
  Kind kind = Kind::nil;
  std::string str;  // string, status and error text
  std::int64_t integer = 0;
  std::vector<Value> elements;

  bool is_nil() const { return kind == Kind::nil; }
  bool is_error() const { return kind == Kind::error; }
  bool is_array() const { return kind == Kind::array; }
  bool is_string() const { return kind == Kind::string || kind == Kind::status; }
  // A string or an integer rendered as text; empty for nil.
  std::string text() const;
};

// Builds command arguments from mixed types: args("HSET", key, "n", 3).
template <typename... Parts>
std::vector<std::string> args(const Parts&... parts) {
  std::vector<std::string> out;
  out.reserve(sizeof...(parts));
  auto add = [&out](const auto& part) {
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(part)>>)
      out.push_back(std::to_string(part));
    else
      out.emplace_back(part);
  };
  (add(parts), ...);
  return out;
}

}  // namespace piket::redis
