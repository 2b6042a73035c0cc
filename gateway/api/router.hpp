#pragma once
// Maps a method and target to an API route. Pure.
#include <string>

namespace piket::gateway {

enum class RouteKind {
  submit_report,
  get_report,
  accept_assignment,
  decline_assignment,
  health,
  metrics,
  not_found,
  method_not_allowed,
};

struct Route {
  RouteKind kind = RouteKind::not_found;
  std::string id;     // the {id} in the path, when there is one
  std::string name;   // a stable label for metrics ("reports", "report", ...)
};

Route route(const std::string& method, const std::string& target);

}  // namespace piket::gateway
