// The dispatcher's Redis Functions name their keys themselves; they must be the names
// common/keys.hpp gives everyone else (the notifier, the scheduler, the docs).
#include <catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "common/keys.hpp"

namespace {
// The library's shared head: the audit chain (common/redis/audit_chain.lua), then its keys.
std::string dispatch_lua() {
  std::stringstream text;
  for (const char* file : {"/common/redis/audit_chain.lua", "/dispatcher/store/common.lua"}) {
    std::ifstream in{std::string(PIKET_SOURCE_DIR) + file};
    text << in.rdbuf();
  }
  return text.str();
}

bool declares(const std::string& lua, const std::string& name, const std::string& value) {
  return lua.find("local " + name + " = '" + value + "'") != std::string::npos;
}
}  // namespace

TEST_CASE("the dispatcher's Functions use the key names of common/keys.hpp", "[unit][keys]") {
  const std::string lua = dispatch_lua();
  REQUIRE_FALSE(lua.empty());
  CHECK(declares(lua, "REPORT", piket::keys::report_prefix()));
  CHECK(declares(lua, "ASSIGNMENT", piket::keys::assignment_prefix()));
  CHECK(declares(lua, "TIMERS", piket::keys::timers()));
  CHECK(declares(lua, "DECIDING", piket::keys::timers_deciding()));
  CHECK(declares(lua, "MATCH", piket::keys::match_stream()));
  CHECK(declares(lua, "MATCH_GROUP", std::string(piket::keys::kMatchGroup)));
  CHECK(declares(lua, "ALERTS", piket::keys::alert_stream()));
  CHECK(declares(lua, "AUDIT", piket::keys::audit_stream()));
  CHECK(declares(lua, "ACCESS", piket::keys::access_stream()));
  CHECK(declares(lua, "ACCESS_FLAGGED", piket::keys::access_flagged()));
  CHECK(declares(lua, "ACCESS_FLAGS_CLOSED", piket::keys::access_flags_closed()));
  CHECK(declares(lua, "INDEX", piket::keys::reports_index()));
  CHECK(declares(lua, "OPEN", piket::keys::open_reports_index()));
  CHECK(declares(lua, "OPEN_INDEXED", piket::keys::open_reports_indexed()));
  CHECK(piket::keys::open_reports_index("eemland") == piket::keys::open_reports_index() + ":eemland");
  CHECK(declares(lua, "CALLOUTS", piket::keys::call_outs()));
  CHECK(declares(lua, "CHAIN", piket::keys::chain_head("")));
  CHECK(piket::keys::report_assignments("r1") == piket::keys::report_prefix() + "r1:assignments");
}
