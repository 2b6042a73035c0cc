#pragma once
#include "common/redis/functions.hpp"

namespace piket {
// The piket_notify Redis Functions library (notifier/store/notify.lua), with its version.
const redis::FunctionLibrary& notify_library();
}  // namespace piket
