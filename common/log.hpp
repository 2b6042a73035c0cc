#pragma once
// One named spdlog logger per component ("dispatcher.matching"), key=value fields,
// never personal data or secrets: log ids, not names.
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace piket {

// Sets the default level and pattern once per process ("info", "debug", ...).
void init_logging(const std::string& level);
std::shared_ptr<spdlog::logger> logger(const std::string& name);

}  // namespace piket
