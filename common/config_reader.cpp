#include "common/config_reader.hpp"

#include <filesystem>
#include <sstream>

namespace piket {

std::optional<toml::table> ConfigReader::parse_file() {
  try {
    return toml::parse_file(file_);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    problem("line " + std::to_string(where.line) + " column " + std::to_string(where.column),
            std::string(e.description()));
    return std::nullopt;
  }
}

std::optional<toml::table> ConfigReader::parse_text(std::string_view text) {
  try {
    return toml::parse(text, file_);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    problem("line " + std::to_string(where.line) + " column " + std::to_string(where.column),
            std::string(e.description()));
    return std::nullopt;
  }
}

void ConfigReader::problem(std::string key, std::string reason) {
  problems_.push_back({file_, std::move(key), std::move(reason)});
}

std::string ConfigReader::string(const toml::table& t, std::string_view name,
                                 const std::string& path, std::optional<std::string> fallback) {
  const toml::node* node = t.get(name);
  if (!node) {
    if (fallback) return *fallback;
    problem(path, "is required");
    return {};
  }
  if (auto value = node->value<std::string>()) return *value;
  problem(path, "must be a string");
  return fallback.value_or("");
}

std::int64_t ConfigReader::integer(const toml::table& t, std::string_view name,
                                   const std::string& path, std::optional<std::int64_t> fallback,
                                   std::int64_t min, std::int64_t max) {
  const toml::node* node = t.get(name);
  if (!node) {
    if (fallback) return *fallback;
    problem(path, "is required");
    return min;
  }
  auto value = node->value_exact<std::int64_t>();
  if (!value) {
    problem(path, "must be an integer");
    return fallback.value_or(min);
  }
  if (*value < min || *value > max) {
    problem(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + std::to_string(*value));
    return fallback.value_or(min);
  }
  return *value;
}

double ConfigReader::number(const toml::table& t, std::string_view name, const std::string& path,
                            std::optional<double> fallback, double min, double max) {
  const toml::node* node = t.get(name);
  if (!node) {
    if (fallback) return *fallback;
    problem(path, "is required");
    return min;
  }
  // A quoted "52.1" is a typo worth reporting, not a number to guess at.
  if (!node->is_number()) {
    problem(path, "must be a number");
    return fallback.value_or(min);
  }
  const double value = *node->value<double>();
  if (!(value >= min && value <= max)) {  // also refuses TOML's nan
    std::ostringstream reason;
    reason << "must be between " << min << " and " << max << ", got " << value;
    problem(path, reason.str());
    return fallback.value_or(min);
  }
  return value;
}

bool ConfigReader::boolean(const toml::table& t, std::string_view name, const std::string& path,
                           std::optional<bool> fallback) {
  const toml::node* node = t.get(name);
  if (!node) {
    if (fallback) return *fallback;
    problem(path, "is required");
    return false;
  }
  if (auto value = node->value_exact<bool>()) return *value;
  problem(path, "must be true or false");
  return fallback.value_or(false);
}

const toml::array* ConfigReader::array(const toml::table& t, std::string_view name,
                                       const std::string& path, bool required, const char* what) {
  const toml::node* node = t.get(name);
  if (!node) {
    if (required) problem(path, "is required");
    return nullptr;
  }
  const toml::array* array = node->as_array();
  if (!array) problem(path, std::string("must be an array of ") + what);
  return array;
}

std::vector<std::string> ConfigReader::strings(const toml::table& t, std::string_view name,
                                               const std::string& path, bool required) {
  std::vector<std::string> out;
  const toml::array* array = this->array(t, name, path, required, "strings");
  if (!array) return out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (auto value = (*array)[i].value<std::string>())
      out.push_back(*value);
    else
      problem(path + "[" + std::to_string(i) + "]", "must be a string");
  }
  return out;
}

const toml::table& ConfigReader::table(const toml::table& t, std::string_view name,
                                       const std::string& path, bool required) {
  static const toml::table kEmpty;
  const toml::node* node = t.get(name);
  if (!node) {
    if (required) problem(path, "is required");
    return kEmpty;
  }
  if (const toml::table* sub = node->as_table()) return *sub;
  problem(path, "must be a table");
  return kEmpty;
}

std::vector<const toml::table*> ConfigReader::tables(const toml::table& t, std::string_view name,
                                                     const std::string& path, bool required) {
  std::vector<const toml::table*> out;
  const toml::array* array = this->array(t, name, path, required, "tables");
  if (!array) return out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (const toml::table* sub = (*array)[i].as_table())
      out.push_back(sub);
    else
      problem(path + "[" + std::to_string(i) + "]", "must be a table");
  }
  return out;
}

std::string resolve_relative(const std::string& config_file, const std::string& path) {
  std::filesystem::path p{path};
  if (p.is_absolute() || path.empty()) return path;
  return (std::filesystem::path(config_file).parent_path() / p).lexically_normal().string();
}

}  // namespace piket
