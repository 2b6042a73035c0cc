#pragma once
#include "common/redis/functions.hpp"

namespace piket {
// The piket_roster Redis Functions library (scheduler/store/roster.lua), with its version.
const redis::FunctionLibrary& roster_library();
}  // namespace piket
