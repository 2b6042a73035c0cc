#include "gateway/api/request_input.hpp"

#include <algorithm>

#include "common/utf8.hpp"
#include "gateway/api/router.hpp"

namespace piket::gateway {
namespace {
// Stands for a byte that is not part of a character, so that the repaired body can be parsed and
// the member holding it found. A noncharacter: it never comes in as real text.
constexpr std::string_view kBadByteMark = "\xef\xb7\x90";  // U+FDD0

std::string mark_bad_bytes(std::string_view text) {
  const std::string repaired = utf8_repaired(text);  // each bad byte became U+FFFD
  std::string out;
  out.reserve(repaired.size());
  // Only the replacements, not a U+FFFD that was sent as such, become marks: walk both.
  std::size_t in = 0;
  for (std::size_t at = 0; at < repaired.size();) {
    const bool replaced = repaired.compare(at, 3, "\xef\xbf\xbd") == 0 &&
                          text.compare(in, 3, "\xef\xbf\xbd") != 0;
    if (replaced) {
      out += kBadByteMark;
      at += 3;
      in += 1;
    } else {
      out += repaired[at++];
      ++in;
    }
  }
  return out;
}

void find_mark(const nlohmann::json& value, const std::string& path, std::optional<std::string>& found) {
  if (found) return;
  if (value.is_string()) {
    if (value.get_ref<const std::string&>().find(kBadByteMark) != std::string::npos) found = path;
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      const std::string here = path.empty() ? key : path + "." + key;
      if (key.find(kBadByteMark) != std::string::npos) {
        found = path.empty() ? std::string("body") : path;  // a bad byte in a member's name
        return;
      }
      find_mark(item, here, found);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size() && !found; ++i)
      find_mark(value[i], path + "[" + std::to_string(i) + "]", found);
  }
}
}  // namespace

Status check_target(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (!valid_utf8(path)) return invalid("path", "is not valid UTF-8");
  return ok_status();
}

Result<std::map<std::string, std::string>> read_query(const std::string& target) {
  auto params = query_params(target);
  for (const auto& [name, value] : params) {
    if (!valid_utf8(name)) return invalid("query", "a parameter name is not valid UTF-8");
    if (!valid_utf8(value)) return invalid(name, "is not valid UTF-8");
  }
  return params;
}

Result<nlohmann::json> read_json_body(std::string_view body, bool object) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    if (valid_utf8(body)) return make_error(ErrorCode::invalid_json, "body", "the body is not valid JSON");
    // JSON that is fine apart from its bytes: name the member that holds them.
    const nlohmann::json marked = nlohmann::json::parse(mark_bad_bytes(body), nullptr, false);
    std::optional<std::string> where;
    if (!marked.is_discarded()) find_mark(marked, "", where);
    return invalid(where && !where->empty() ? *where : std::string("body"), "is not valid UTF-8");
  }
  if (object && !parsed.is_object())
    return make_error(ErrorCode::invalid_json, "body", "the body must be a JSON object");
  return parsed;
}

Status check_text_body(std::string_view body) {
  if (valid_utf8(body)) return ok_status();
  // The first line that holds a bad byte: the text up to the longest valid prefix.
  const std::string good = utf8_prefix(body, body.size());
  const auto line = 1 + std::count(good.begin(), good.end(), '\n');
  return invalid("body", "is not valid UTF-8 (line " + std::to_string(line) + ")");
}

}  // namespace piket::gateway
