#pragma once
// The stored report as the API shows it: Unix-millisecond fields as RFC 3339, JSON fields
// parsed. Pure.
#include <nlohmann/json.hpp>

namespace piket::dispatcher {

// The desk's view: everything, the reporter included.
nlohmann::json report_view(const nlohmann::json& stored);
// A field professional's view of the case they are assigned to: no reporter (need to know).
nlohmann::json worker_report_view(const nlohmann::json& stored);
nlohmann::json visit_view(const nlohmann::json& stored_visit);

}  // namespace piket::dispatcher
