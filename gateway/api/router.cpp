#include "gateway/api/router.hpp"

#include <vector>

namespace piket::gateway {
namespace {
std::vector<std::string> split_path(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // trailing slash
  return parts;
}

Route with_method(const std::string& method, const char* wanted, RouteKind kind, std::string id,
                  std::string name) {
  if (method != wanted) return Route{RouteKind::method_not_allowed, "", std::move(name)};
  return Route{kind, std::move(id), std::move(name)};
}
}  // namespace

Route route(const std::string& method, const std::string& target) {
  if (target.empty() || target[0] != '/') return {};
  const auto p = split_path(target);
  if (p.size() == 1 && p[0] == "healthz") return with_method(method, "GET", RouteKind::health, "", "healthz");
  if (p.size() == 1 && p[0] == "metrics") return with_method(method, "GET", RouteKind::metrics, "", "metrics");
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1") return {RouteKind::not_found, "", "unknown"};
  if (p.size() == 3 && p[2] == "reports")
    return with_method(method, "POST", RouteKind::submit_report, "", "reports");
  if (p.size() == 4 && p[2] == "reports" && !p[3].empty())
    return with_method(method, "GET", RouteKind::get_report, p[3], "report");
  if (p.size() == 5 && p[2] == "assignments" && !p[3].empty() && p[4] == "accept")
    return with_method(method, "POST", RouteKind::accept_assignment, p[3], "accept");
  if (p.size() == 5 && p[2] == "assignments" && !p[3].empty() && p[4] == "decline")
    return with_method(method, "POST", RouteKind::decline_assignment, p[3], "decline");
  return {RouteKind::not_found, "", "unknown"};
}

}  // namespace piket::gateway
