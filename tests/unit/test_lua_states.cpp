// The dispatcher's Redis Functions and its C++ name the states of reports, assignments and
// visits from two places; this keeps them equal, and keeps every other Lua file from spelling
// a state itself (a typo there would be a state nobody handles).
#include <catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "common/domain/states.hpp"

namespace {
std::string read(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string store_dir() { return std::string(PIKET_SOURCE_DIR) + "/dispatcher/store"; }

// `local <table> = {name = 'value', ...}` (over several lines) -> name -> value.
std::map<std::string, std::string> lua_table(const std::string& lua, const std::string& table) {
  std::map<std::string, std::string> out;
  const auto start = lua.find("local " + table + " = {");
  if (start == std::string::npos) return out;
  const auto end = lua.find('}', start);
  const std::string body = lua.substr(start, end - start);
  const std::regex pair{R"((\w+) = '([a-z_]+)')"};
  for (auto it = std::sregex_iterator(body.begin(), body.end(), pair); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

template <typename Names>
std::map<std::string, std::string> cpp_names(const Names& names) {
  std::map<std::string, std::string> out;
  for (const auto& [state, name] : names) out[std::string(name)] = std::string(name);
  return out;
}
}  // namespace

TEST_CASE("the Lua state names are the C++ state names", "[unit][states]") {
  const std::string lua = read(store_dir() + "/common.lua");
  REQUIRE_FALSE(lua.empty());
  CHECK(lua_table(lua, "RS") == cpp_names(piket::kReportStateNames));
  CHECK(lua_table(lua, "AS") == cpp_names(piket::kAssignmentStateNames));
  CHECK(lua_table(lua, "VS") == cpp_names(piket::kVisitStateNames));
}

TEST_CASE("the Lua open states are the C++ open states", "[unit][states]") {
  const std::string lua = read(store_dir() + "/common.lua");
  const auto start = lua.find("local OPEN_STATES = {");
  REQUIRE(start != std::string::npos);
  const std::string body = lua.substr(start, lua.find('}', start) - start);
  std::set<std::string> in_lua, in_cpp;
  const std::regex entry{R"(\[RS\.(\w+)\] = true)"};
  for (auto it = std::sregex_iterator(body.begin(), body.end(), entry); it != std::sregex_iterator(); ++it)
    in_lua.insert((*it)[1]);
  for (const auto& [state, name] : piket::kReportStateNames)
    if (piket::is_open(state)) in_cpp.insert(std::string(name));
  CHECK(in_lua == in_cpp);
}

TEST_CASE("no dispatcher Lua file spells a state outside the state tables", "[unit][states]") {
  std::set<std::string> states;
  for (const auto& [s, name] : piket::kReportStateNames) states.insert(std::string(name));
  for (const auto& [s, name] : piket::kAssignmentStateNames) states.insert(std::string(name));
  for (const auto& [s, name] : piket::kVisitStateNames) states.insert(std::string(name));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(store_dir())) {
    if (entry.path().extension() != ".lua") continue;
    ++files;
    std::istringstream lines{read(entry.path())};
    std::string line;
    bool in_table = false;
    while (std::getline(lines, line)) {
      if (line.starts_with("local RS = {") || line.starts_with("local AS = {") || line.starts_with("local VS = {"))
        in_table = true;
      if (!in_table)
        for (const auto& s : states) {
          INFO(entry.path().filename().string() << ": " << line);
          CHECK(line.find("'" + s + "'") == std::string::npos);
        }
      if (in_table && line.find('}') != std::string::npos) in_table = false;
    }
  }
  CHECK(files >= 5);
}

TEST_CASE("a state name reads back as its state", "[unit][states]") {
  for (const auto& [state, name] : piket::kReportStateNames) CHECK(piket::parse_report_state(name) == state);
  for (const auto& [state, name] : piket::kAssignmentStateNames) CHECK(piket::parse_assignment_state(name) == state);
  for (const auto& [state, name] : piket::kVisitStateNames) CHECK(piket::parse_visit_state(name) == state);
  CHECK_FALSE(piket::parse_report_state("expired"));
  CHECK(piket::is_open(piket::ReportState::visit_planned));
  CHECK_FALSE(piket::is_open(piket::ReportState::closed));
  CHECK_FALSE(piket::is_open(piket::ReportState::advice));
}
