#pragma once
#include "common/redis/functions.hpp"

namespace piket {
// The piket_dispatch Redis Functions library (dispatcher/store/dispatch.lua), with its version.
const redis::FunctionLibrary& dispatch_library();
}  // namespace piket
