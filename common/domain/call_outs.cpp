#include "common/domain/call_outs.hpp"

#include <charconv>

namespace piket {

namespace {
std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}
}  // namespace

std::optional<CallOut> parse_call_out(std::string_view member, std::int64_t start_ms) {
  const auto first = member.find('|');
  const auto last = member.rfind('|');
  if (first == std::string_view::npos || first == last || first == 0) return std::nullopt;
  const auto end_ms = number(member.substr(last + 1));
  if (!end_ms || *end_ms <= start_ms) return std::nullopt;
  return CallOut{std::string(member.substr(0, first)),
                 std::string(member.substr(first + 1, last - first - 1)),
                 Interval{from_unix_ms(start_ms), from_unix_ms(*end_ms)}};
}

std::map<std::string, std::vector<Interval>> call_outs_by_worker(const redis::Value& reply) {
  std::map<std::string, std::vector<Interval>> out;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const auto start = number(reply.elements[i + 1].text());
    if (!start) continue;
    if (auto c = parse_call_out(reply.elements[i].text(), *start)) out[c->worker_id].push_back(c->work);
  }
  return out;
}

}  // namespace piket
