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

}  // namespace piket::gateway
