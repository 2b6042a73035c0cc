#pragma once
// Redis Functions survive restarts and fail-over (the EVAL script cache does not). Each library
// has a `<library>_version` function; at every connect the library is (re)loaded when that
// version differs from ours.
#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/redis/client.hpp"

namespace piket::redis {

struct FunctionLibrary {
  std::string name;     // as in the "#!lua name=..." line
  std::string version;  // what <name>_version returns
  std::string code;     // the whole Lua source
};

boost::asio::awaitable<Status> ensure_functions(Client& client, const FunctionLibrary& library);

}  // namespace piket::redis
