#include "gateway/live/sse.hpp"

namespace piket::gateway {

std::string sse_event(std::string_view id, std::string_view data) {
  std::string out = "id: " + std::string(id) + "\n";
  std::size_t start = 0;
  while (start <= data.size()) {
    std::size_t end = data.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = data.size();
    out += "data: ";
    out.append(data.substr(start, end - start));
    out += "\n";
    start = end + 1;
  }
  return out + "\n";
}

bool valid_event_id(std::string_view id) {
  if (id.empty()) return true;
  const auto dash = id.find('-');
  if (id.size() > 40 || dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return false;
  for (std::size_t i = 0; i < id.size(); ++i)
    if (i != dash && (id[i] < '0' || id[i] > '9')) return false;
  return true;
}

}  // namespace piket::gateway
