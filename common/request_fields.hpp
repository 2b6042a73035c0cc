#pragma once
// Reading the small fields of a request body, the same way in every daemon: a missing required
// field, a wrong type or a bad length is an error that names the field (never a silent "").
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace piket {

// A short printable token (ids, idempotency keys, actors, purposes) into `out`.
std::optional<Error> read_token(const nlohmann::json& body, const std::string& key, bool required,
                                std::size_t max, std::string& out);
// Free text of at most `max` characters (reasons, notes) into `out`.
std::optional<Error> read_text(const nlohmann::json& body, const std::string& key, bool required,
                               std::size_t max, std::string& out);
// One of the listed words into `out`.
std::optional<Error> read_choice(const nlohmann::json& body, const std::string& key, bool required,
                                 std::initializer_list<const char*> options, std::string& out);
std::optional<Error> read_bool(const nlohmann::json& body, const std::string& key, bool required,
                               bool& out);

}  // namespace piket
