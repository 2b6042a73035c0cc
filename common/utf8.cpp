#include "common/utf8.hpp"

#include <nlohmann/json.hpp>

namespace piket {
namespace {

// Length of the well-formed sequence that starts at text[at], or 0 when there is none
// (RFC 3629, table 3-7 of the Unicode standard).
std::size_t sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
  return length;
}

void find_invalid(const nlohmann::json& value, const std::string& path,
                  std::optional<std::string>& found) {
  if (found) return;
  if (value.is_string()) {
    if (!valid_utf8(value.get_ref<const std::string&>())) found = path;
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (!valid_utf8(key)) {
        found = path.empty() ? std::string("(a field name)") : path + ".(a field name)";
        return;
      }
      find_invalid(item, path.empty() ? key : path + "." + key, found);
      if (found) return;
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size() && !found; ++i)
      find_invalid(value[i], path + "[" + std::to_string(i) + "]", found);
  }
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = sequence_length(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  std::size_t end = 0;
  while (end < text.size()) {
    const std::size_t length = sequence_length(text, end);
    if (length == 0 || end + length > max_bytes) break;
    end += length;
  }
  return std::string(text.substr(0, end));
}

std::string utf8_repaired(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = sequence_length(text, at);
    if (length == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
      ++at;
    } else {
      out.append(text, at, length);
      at += length;
    }
  }
  return out;
}

std::optional<std::string> first_invalid_utf8(const nlohmann::json& value) {
  std::optional<std::string> found;
  find_invalid(value, "", found);
  return found;
}

}  // namespace piket
