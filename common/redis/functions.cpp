#include "common/redis/functions.hpp"

#include "common/log.hpp"

namespace piket::redis {

boost::asio::awaitable<Status> ensure_functions(Client& client, const FunctionLibrary& library) {
  auto current = co_await client.raw_command(args("FCALL_RO", library.name + "_version", 0));
  if (!current.ok()) co_return current.error();
  if (current->is_string() && current->str == library.version) co_return ok_status();
  auto loaded = co_await client.command(args("FUNCTION", "LOAD", "REPLACE", library.code));
  if (!loaded.ok()) co_return loaded.error();
  logger("redis")->info("event=functions_loaded library={} version={} previous=\"{}\"",
                        library.name, library.version, current->text());
  co_return ok_status();
}

std::vector<std::string> fcall(std::string_view name, std::vector<std::string> keys,
                               std::vector<std::string> argv) {
  std::vector<std::string> out{"FCALL", std::string(name), std::to_string(keys.size())};
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace piket::redis
