#pragma once
// Reads TOML with full validation: every problem is collected with file, key and reason,
// so a start-up lists them all at once instead of one per attempt.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace piket {

struct ConfigProblem {
  std::string file;
  std::string key;
  std::string reason;
  std::string to_string() const { return file + ": " + key + ": " + reason; }
};

class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  // Parses a file; on failure records a problem and returns nullopt.
  std::optional<toml::table> parse_file();
  std::optional<toml::table> parse_text(std::string_view text);

  // Each getter records a problem when the key is missing (and required) or mistyped.
  // `key` is the dotted path used in the messages ("redis.port", "workers[2].id").
  std::string string(const toml::table& t, std::string_view name, const std::string& path,
                     std::optional<std::string> fallback = std::nullopt);
  std::int64_t integer(const toml::table& t, std::string_view name, const std::string& path,
                       std::optional<std::int64_t> fallback, std::int64_t min, std::int64_t max);
  // An integer or a float (hours, coordinates), within [min, max].
  double number(const toml::table& t, std::string_view name, const std::string& path,
                std::optional<double> fallback, double min, double max);
  bool boolean(const toml::table& t, std::string_view name, const std::string& path,
               std::optional<bool> fallback);
  std::vector<std::string> strings(const toml::table& t, std::string_view name,
                                   const std::string& path, bool required);
  // A sub-table; an empty table (and a problem, when required) if absent.
  const toml::table& table(const toml::table& t, std::string_view name, const std::string& path,
                           bool required);
  // An array of tables ([[workers]]); empty (and a problem, when required) if absent.
  std::vector<const toml::table*> tables(const toml::table& t, std::string_view name,
                                         const std::string& path, bool required);

  void problem(std::string key, std::string reason);
  const std::string& file() const { return file_; }
  const std::vector<ConfigProblem>& problems() const { return problems_; }
  bool ok() const { return problems_.empty(); }

 private:
  // The array at `name`, or nullptr (with a problem when required or of the wrong type).
  const toml::array* array(const toml::table& t, std::string_view name, const std::string& path,
                           bool required, const char* what);
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

// Joins a path relative to the directory of `config_file`, unless it is absolute.
std::string resolve_relative(const std::string& config_file, const std::string& path);

}  // namespace piket
