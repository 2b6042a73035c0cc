#pragma once
#include "common/redis/functions.hpp"

namespace piket {
// The piket_workers Redis Functions library (scheduler/store/workers.lua), with its version.
const redis::FunctionLibrary& workers_library();
}  // namespace piket
