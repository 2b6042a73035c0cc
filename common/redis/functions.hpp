#pragma once
// Redis Functions survive restarts and fail-over (the EVAL script cache does not). Each library
// has a `<library>_version` function; at every connect the library is (re)loaded when that
// version differs from ours.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/redis/client.hpp"

namespace piket::redis {

struct FunctionLibrary {
  std::string name;     // as in the "#!lua name=..." line
  std::string version;  // what <name>_version returns
  std::string code;     // the whole Lua source
};

boost::asio::awaitable<Status> ensure_functions(Client& client, const FunctionLibrary& library);

// The arguments of FCALL name numkeys key... arg... (build it in a statement before a co_await:
// GCC 12 cannot keep brace-list temporaries in a coroutine frame).
std::vector<std::string> fcall(std::string_view name, std::vector<std::string> keys,
                               std::vector<std::string> argv);

}  // namespace piket::redis
