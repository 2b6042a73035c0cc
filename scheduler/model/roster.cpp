#include "scheduler/model/roster.hpp"

// The model is plain structs. duty_name and duty_from_name, declared in
// scheduler/roster/rotation.hpp with DutyType, are defined in rotation.cpp.
