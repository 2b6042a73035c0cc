#pragma once
// What the gateway reads from a request before it goes anywhere: the target, the query and the
// body, each checked (JSON, UTF-8) with the field at fault named. Pure.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace piket::gateway {

// The request target's path must be UTF-8 ("path" names it otherwise). The query is checked
// by read_query, which knows the parameters' names.
Status check_target(std::string_view target);

// The query parameters, percent-decoded; a name or value that is not UTF-8 after decoding
// (`?purpose=%ff`) is refused naming the parameter.
Result<std::map<std::string, std::string>> read_query(const std::string& target);

// A JSON body: invalid_json ("body") when it does not parse; invalid_field naming the member
// ("reporter.name", "indicators[2]") when a string in it is not UTF-8; with `object` set, a
// body that is not an object is invalid_json.
Result<nlohmann::json> read_json_body(std::string_view body, bool object);

// A text body (CSV) must be UTF-8: refused as "body" naming the line otherwise.
Status check_text_body(std::string_view body);

}  // namespace piket::gateway
