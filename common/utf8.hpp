#pragma once
// UTF-8 at the edges: every text that comes in is checked, and every text we shorten for an error
// message is cut between characters. nlohmann::json refuses to dump invalid UTF-8 (it throws), so
// one byte of half a character in an error text used to lose the whole answer.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace piket {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not split a character.
// Meant for text already known to be valid; on invalid input it still never returns more than
// max_bytes and never ends inside a well-formed sequence.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// `text` with every byte that does not belong to a well-formed character replaced by U+FFFD:
// the last line of defence for texts that go into JSON (error messages, log fields).
std::string utf8_repaired(std::string_view text);

// The path ("reporter.name", "people[2].role", or "" for the value itself) of the first string
// or object key in `value` that is not valid UTF-8, if any.
std::optional<std::string> first_invalid_utf8(const nlohmann::json& value);

}  // namespace piket
