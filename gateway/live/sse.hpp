#pragma once
// The text of server-sent events (text/event-stream). Pure.
#include <string>
#include <string_view>

namespace piket::gateway {

// One event: "id: <id>\ndata: <data>\n\n". `data` is one line of JSON (a line break in it would
// end the field early, so each one starts a new data line).
std::string sse_event(std::string_view id, std::string_view data);
// A comment line, which keeps the connection open through proxies and tells nothing.
inline std::string sse_comment(std::string_view text) { return ": " + std::string(text) + "\n\n"; }

}  // namespace piket::gateway
