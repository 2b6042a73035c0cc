#include "common/request_fields.hpp"

namespace piket {
namespace {
bool absent(const nlohmann::json& body, const std::string& key) {
  return !body.is_object() || !body.contains(key) || body[key].is_null();
}
}  // namespace

std::optional<Error> read_token(const nlohmann::json& body, const std::string& key, bool required,
                                std::size_t max, std::string& out) {
  if (absent(body, key)) return required ? std::optional(invalid(key, "is required")) : std::nullopt;
  if (!body[key].is_string()) return invalid(key, "must be a string");
  out = body[key].get<std::string>();
  if (out.empty() || out.size() > max)
    return invalid(key, "must be 1 to " + std::to_string(max) + " characters");
  for (unsigned char c : out)
    if (c < 0x21 || c > 0x7e) return invalid(key, "must be printable ASCII without spaces");
  return std::nullopt;
}

std::optional<Error> read_text(const nlohmann::json& body, const std::string& key, bool required,
                               std::size_t max, std::string& out) {
  if (absent(body, key)) return required ? std::optional(invalid(key, "is required")) : std::nullopt;
  if (!body[key].is_string()) return invalid(key, "must be a string");
  out = body[key].get<std::string>();
  if (required && out.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid(key, "must not be empty");
  if (out.size() > max) return invalid(key, "must be at most " + std::to_string(max) + " characters");
  return std::nullopt;
}

std::optional<Error> read_choice(const nlohmann::json& body, const std::string& key, bool required,
                                 std::initializer_list<const char*> options, std::string& out) {
  std::string listed;
  for (const char* o : options) listed += (listed.empty() ? "" : ", ") + std::string(o);
  if (absent(body, key))
    return required ? std::optional(invalid(key, "is required: one of " + listed)) : std::nullopt;
  if (!body[key].is_string()) return invalid(key, "must be one of " + listed);
  const std::string value = body[key].get<std::string>();
  for (const char* o : options)
    if (value == o) {
      out = value;
      return std::nullopt;
    }
  return invalid(key, "must be one of " + listed);
}

std::optional<Error> read_bool(const nlohmann::json& body, const std::string& key, bool required,
                               bool& out) {
  if (absent(body, key)) return required ? std::optional(invalid(key, "is required: true or false")) : std::nullopt;
  if (!body[key].is_boolean()) return invalid(key, "must be true or false");
  out = body[key].get<bool>();
  return std::nullopt;
}

}  // namespace piket
