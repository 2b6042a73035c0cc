// CSV import of workers and roster additions: strict RFC 4180, every problem with its line and
// column, and nothing imported while any problem remains.
#include <date/tz.h>

#include <catch.hpp>
#include <string>
#include <vector>

#include "scheduler/import/csv_import.hpp"

namespace {

using piket::scheduler::ImportProblem;
namespace sch = piket::scheduler;

piket::RegionDirectory regions() {
  piket::Region eemland;
  eemland.id = "eemland";
  eemland.name = "Eemland";
  eemland.municipalities = {"Amersfoort", "Soest"};
  piket::Region utrecht;
  utrecht.id = "utrecht-stad";
  utrecht.name = "Utrecht Stad";
  return piket::RegionDirectory({eemland, utrecht});
}

piket::WorkerDirectory workers() {
  piket::Worker a;
  a.id = "w-em-01";
  a.name = "Anna";
  a.region = "eemland";
  a.roles = {piket::kRoleCrisisWorker};
  piket::Worker b = a;
  b.id = "w-em-02";
  b.roles = {piket::kRoleCrisisWorker, piket::kRoleTeamLead};
  piket::Worker gone = a;
  gone.id = "w-em-09";
  gone.active = false;
  return piket::WorkerDirectory({a, b, gone});
}

piket::TeamDirectory teams() {
  piket::Team a;
  a.id = "em-a";
  a.name = "Eemland A";
  a.region = "eemland";
  piket::Team b = a;
  b.id = "ut-a";
  b.region = "utrecht-stad";
  return piket::TeamDirectory({a, b});
}

const date::time_zone& amsterdam() { return *date::locate_zone("Europe/Amsterdam"); }

piket::TimePoint utc(const char* text) {
  piket::TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

std::string listed(const std::vector<ImportProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.to_string() + "\n";
  return out;
}

// The one problem expected, checked for place and a part of its reason.
void only_problem(const std::vector<ImportProblem>& problems, int line, int column,
                  const std::string& column_name, const std::string& reason_part) {
  INFO(listed(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].line == line);
  CHECK(problems[0].column == column);
  CHECK(problems[0].column_name == column_name);
  CHECK(problems[0].reason.find(reason_part) != std::string::npos);
}

const std::string kWorkersHeader = "id,name,region,roles,skills,webhook_url,active\n";
const std::string kRosterHeader = "worker_id,region,role,duty,start_local,end_local\n";

}  // namespace

TEST_CASE("a good workers file imports every worker with roles and skills split",
          "[unit][import]") {
  const std::string text = kWorkersHeader +
                           "w-em-10,Bram,eemland,crisis_worker;team_lead,lvb; trauma,"
                           "https://hooks.example/bram,true\n"
                           "w-ut-10,Cora,utrecht-stad,confidential_physician,,"
                           "http://hooks.example/cora,false\n";
  const auto result = sch::import_workers_csv(text, regions(), workers(), teams());
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0].id == "w-em-10");
  CHECK(result.rows[0].roles == std::vector<std::string>{"crisis_worker", "team_lead"});
  CHECK(result.rows[0].skills == std::vector<std::string>{"lvb", "trauma"});
  CHECK(result.rows[0].active);
  CHECK(result.rows[1].skills.empty());
  CHECK_FALSE(result.rows[1].active);
}

TEST_CASE("quoted fields keep their commas, doubled quotes and line breaks", "[unit][import]") {
  const std::string text = kWorkersHeader +
                           "w-em-10,\"Jansen, \"\"Bram\"\"\nvan de Wijk\",eemland,crisis_worker,,"
                           "https://hooks.example/bram,true\n"
                           "w-em-11,\"\",eemland,crisis_worker,,https://hooks.example/x,true\n";
  const auto result = sch::import_workers_csv(text, regions(), workers(), teams());
  // The empty quoted name on line 4 (the quoted line break made line 2 two lines long).
  only_problem(result.problems, 4, 2, "name", "must not be empty");
  CHECK(result.rows.empty());

  const auto good =
      sch::import_workers_csv(text.substr(0, text.rfind("w-em-11")), regions(), workers(), teams());
  INFO(listed(good.problems));
  REQUIRE(good.ok());
  REQUIRE(good.rows.size() == 1);
  CHECK(good.rows[0].name == "Jansen, \"Bram\"\nvan de Wijk");
}

TEST_CASE("CRLF line endings, a byte order mark and a missing final newline are read",
          "[unit][import]") {
  const std::string text =
      "\xEF\xBB\xBFworker_id,region,role,duty,start_local,end_local\r\n"
      "w-em-01,eemland,crisis_worker,on_call,2026-03-28 23:00,2026-03-29 08:00\r\n"
      "w-em-02,eemland,team_lead,shift,2026-03-30 09:00,2026-03-30 17:00";
  const auto result = sch::import_roster_csv(text, regions(), workers(), amsterdam());
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[1].duty == sch::DutyType::shift);
  CHECK(result.rows[1].role == "team_lead");
  CHECK(result.rows[1].interval.end == utc("2026-03-30T15:00:00Z"));
}

TEST_CASE("a roster row becomes an added override at the right instants over the DST change",
          "[unit][import]") {
  const std::string text =
      kRosterHeader + "w-em-01,eemland,crisis_worker,on_call,2026-03-28 23:00,2026-03-29 08:00\n";
  const auto result = sch::import_roster_csv(text, regions(), workers(), amsterdam());
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 1);
  const auto& o = result.rows[0];
  CHECK(o.kind == sch::Override::Kind::add);
  CHECK(o.id == "csv-line-2");
  CHECK(o.worker_id == "w-em-01");
  CHECK(o.region == "eemland");
  CHECK(o.duty == sch::DutyType::on_call);
  CHECK(o.interval.start == utc("2026-03-28T22:00:00Z"));  // 23:00 CET
  CHECK(o.interval.end == utc("2026-03-29T06:00:00Z"));    // 08:00 CEST: 8 hours
}

TEST_CASE("a local time in the spring gap is refused with its line and column, not moved",
          "[unit][import]") {
  const std::string text =
      kRosterHeader +
      "w-em-01,eemland,crisis_worker,on_call,2026-03-28 23:00,2026-03-29 08:00\n"
      "w-em-02,eemland,crisis_worker,on_call,2026-03-29 02:30,2026-03-29 09:00\n";
  const auto result = sch::import_roster_csv(text, regions(), workers(), amsterdam());
  only_problem(result.problems, 3, 5, "start_local", "does not exist in Europe/Amsterdam");
  CHECK(result.rows.empty());
}

TEST_CASE("each bad roster row names its line, column and reason and nothing is imported",
          "[unit][import]") {
  struct Case {
    std::string row;
    int column;
    std::string name;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"w-xx-01,eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-02 08:00", 1, "worker_id",
       "unknown worker \"w-xx-01\""},
      {"w-em-09,eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-02 08:00", 1, "worker_id",
       "is not active"},
      {",eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-02 08:00", 1, "worker_id",
       "must not be empty"},
      {"w-em-01,amersfoort,crisis_worker,on_call,2026-04-01 23:00,2026-04-02 08:00", 2, "region",
       "unknown region \"amersfoort\""},
      {"w-em-01,eemland,chef,on_call,2026-04-01 23:00,2026-04-02 08:00", 3, "role",
       "unknown role \"chef\""},
      {"w-em-01,eemland,team_lead,on_call,2026-04-01 23:00,2026-04-02 08:00", 3, "role",
       "does not have role \"team_lead\""},
      {"w-em-01,eemland,crisis_worker,standby,2026-04-01 23:00,2026-04-02 08:00", 4, "duty",
       "must be shift or on_call"},
      {"w-em-01,eemland,crisis_worker,on_call,2026-04-01T23:00,2026-04-02 08:00", 5, "start_local",
       "is not a local time like 2026-03-28 23:00"},
      {"w-em-01,eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-31 08:00", 6, "end_local",
       "is not a local time"},
      {"w-em-01,eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-01 22:00", 6, "end_local",
       "must be after start_local"},
  };
  for (const auto& c : cases) {
    INFO(c.row);
    // A good row first: it must not be imported either.
    const std::string text =
        kRosterHeader +
        "w-em-02,eemland,crisis_worker,on_call,2026-03-28 23:00,2026-03-29 08:00\n" + c.row + "\n";
    const auto result = sch::import_roster_csv(text, regions(), workers(), amsterdam());
    only_problem(result.problems, 3, c.column, c.name, c.reason);
    CHECK(result.rows.empty());
  }
}

TEST_CASE("two rows that give one worker overlapping duties are refused", "[unit][import]") {
  const std::string text =
      kRosterHeader +
      "w-em-01,eemland,crisis_worker,on_call,2026-04-01 23:00,2026-04-02 08:00\n"
      "w-em-01,eemland,crisis_worker,on_call,2026-04-02 07:00,2026-04-02 17:00\n";
  const auto result = sch::import_roster_csv(text, regions(), workers(), amsterdam());
  only_problem(result.problems, 3, 5, "start_local", "on line 2");
  CHECK(result.rows.empty());
}

TEST_CASE("each bad workers row names its line, column and reason and nothing is imported",
          "[unit][import]") {
  struct Case {
    std::string row;
    int column;
    std::string name;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"w-em-01,Anna,eemland,crisis_worker,,https://h.example/a,true", 1, "id", "already exists"},
      {"w-em-20,Bram,nowhere,crisis_worker,,https://h.example/a,true", 3, "region",
       "unknown region \"nowhere\""},
      {"w-em-20,Bram,eemland,,,https://h.example/a,true", 4, "roles",
       "must name at least one role"},
      {"w-em-20,Bram,eemland,crisis_worker;chef,,https://h.example/a,true", 4, "roles",
       "unknown role \"chef\""},
      {"w-em-20,Bram,eemland,crisis_worker,,ftp://h.example/a,true", 6, "webhook_url",
       "must start with http:// or https://"},
      {"w-em-20,Bram,eemland,crisis_worker,,https://h.example/a,ja", 7, "active",
       "must be true or false"},
      {"w-em-10,Bram,eemland,crisis_worker,,https://h.example/a,true", 1, "id",
       "duplicate worker id \"w-em-10\" (also on line 2)"},
  };
  for (const auto& c : cases) {
    INFO(c.row);
    const std::string text = kWorkersHeader +
                             "w-em-10,Dirk,eemland,crisis_worker,,https://h.example/d,true\n" +
                             c.row + "\n";
    const auto result = sch::import_workers_csv(text, regions(), workers(), teams());
    only_problem(result.problems, 3, c.column, c.name, c.reason);
    CHECK(result.rows.empty());
  }
}

TEST_CASE("unknown, duplicate and missing header columns are problems on line 1",
          "[unit][import]") {
  const auto result = sch::import_workers_csv(
      "id,name,region,roles,telefoon,name\nw-em-20,Bram,eemland,crisis_worker,0612,Bram\n",
      regions(), workers(), teams());
  INFO(listed(result.problems));
  REQUIRE(result.problems.size() == 3);
  CHECK(result.problems[0].to_string().find("line 1, column 5 (telefoon): unknown column") == 0);
  CHECK(result.problems[1].to_string().find("line 1, column 6 (name): duplicate column (also "
                                            "column 2)") == 0);
  CHECK(result.problems[2].to_string() == "line 1 (webhook_url): missing column");
  CHECK(result.rows.empty());
}

TEST_CASE("optional worker columns may be left out of the header", "[unit][import]") {
  const auto result = sch::import_workers_csv(
      "webhook_url,roles,region,name,id\nhttps://h.example/b,team_lead,eemland,Bram,w-em-20\n",
      regions(), workers(), teams());
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 1);
  CHECK(result.rows[0].active);
  CHECK(result.rows[0].roles == std::vector<std::string>{"team_lead"});
}

TEST_CASE("broken CSV syntax is reported where it happens and nothing is imported",
          "[unit][import]") {
  SECTION("a row with too few fields") {
    const auto result = sch::import_roster_csv(
        kRosterHeader + "w-em-01,eemland,crisis_worker,on_call,2026-04-01 23:00\n", regions(),
        workers(), amsterdam());
    only_problem(result.problems, 2, 6, "", "expected 6 fields, found 5");
  }
  SECTION("a quote inside an unquoted field") {
    const auto result = sch::read_csv("a,b\nx,y\"z\n");
    only_problem(result.problems, 2, 2, "", "quote inside an unquoted field");
    CHECK(result.rows.empty());
  }
  SECTION("text after a closing quote") {
    const auto result = sch::read_csv("a,b\n\"x\"y,z\n");
    only_problem(result.problems, 2, 1, "", "text after the closing quote");
  }
  SECTION("a quoted field that is never closed") {
    const auto result = sch::read_csv("a,b\nx,\"y\nz\n");
    only_problem(result.problems, 2, 2, "", "never closed");
  }
  SECTION("an empty line") {
    const auto result = sch::read_csv("a,b\n\nx,y\n");
    only_problem(result.problems, 2, 0, "", "empty line");
  }
  SECTION("a bare carriage return") {
    const auto result = sch::read_csv("a,b\rx,y\n");
    only_problem(result.problems, 1, 2, "", "carriage return without a line feed");
  }
  SECTION("an empty file") {
    const auto result = sch::import_workers_csv("", regions(), workers(), teams());
    only_problem(result.problems, 1, 0, "", "expected a header row");
  }
}

TEST_CASE("the reader keeps empty fields and counts lines across quoted line breaks",
          "[unit][import]") {
  const auto result = sch::read_csv("a,b,c\r\n,,\r\n\"1\r\n2\",\"\"\"\",x\r\nlast,,");
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 4);
  CHECK(result.rows[1].fields == std::vector<std::string>{"", "", ""});
  CHECK(result.rows[2].fields == std::vector<std::string>{"1\r\n2", "\"", "x"});
  CHECK(result.rows[3].line == 5);
  CHECK(result.rows[3].fields == std::vector<std::string>{"last", "", ""});
}

TEST_CASE("a workers file may give base, contract hours, case limit and team", "[unit][import]") {
  const std::string text =
      "id,name,region,roles,webhook_url,base,contract_hours_per_week,daily_case_limit,team\n"
      "w-em-10,Bram,eemland,crisis_worker,https://h.example/b,amersfoort,28.5,3,em-a\n"
      "w-em-11,Cora,eemland,crisis_worker,https://h.example/c,,,,\n";
  const auto result = sch::import_workers_csv(text, regions(), workers(), teams());
  INFO(listed(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.rows.size() == 2);
  CHECK(result.rows[0].base == "Amersfoort");
  CHECK(result.rows[0].contract_hours_per_week == 28.5);
  CHECK(result.rows[0].daily_case_limit == 3);
  CHECK(result.rows[0].team == "em-a");
  // Empty optional fields take their defaults.
  CHECK(result.rows[1].base.empty());
  CHECK(result.rows[1].contract_hours_per_week == 36);
  CHECK(result.rows[1].daily_case_limit == 4);
  CHECK(result.rows[1].team.empty());
}

TEST_CASE("a bad base, limit or team in a workers row names its line and column",
          "[unit][import]") {
  const std::string header =
      "id,name,region,roles,webhook_url,base,contract_hours_per_week,daily_case_limit,team\n";
  struct Case {
    std::string row;
    int column;
    std::string name;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,Atlantis,36,4,em-a", 6, "base",
       "unknown municipality \"Atlantis\""},
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,,36;5,4,em-a", 7,
       "contract_hours_per_week", "must be a number from 0 to 60"},
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,,61,4,em-a", 7,
       "contract_hours_per_week", "must be a number from 0 to 60"},
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,,36,21,em-a", 8, "daily_case_limit",
       "must be a whole number from 1 to 20"},
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,,36,4,em-z", 9, "team",
       "unknown team \"em-z\""},
      {"w-em-20,Bram,eemland,crisis_worker,https://h.example/a,,36,4,ut-a", 9, "team",
       "serves region \"utrecht-stad\""},
      {"w em 20,Bram,eemland,crisis_worker,https://h.example/a,,36,4,em-a", 1, "id",
       "may hold only letters"},
  };
  for (const auto& c : cases) {
    INFO(c.row);
    const auto result = sch::import_workers_csv(
        header + "w-em-10,Dirk,eemland,crisis_worker,https://h.example/d,,,,em-a\n" + c.row + "\n",
        regions(), workers(), teams());
    only_problem(result.problems, 3, c.column, c.name, c.reason);
    CHECK(result.rows.empty());
  }
}

TEST_CASE("a refused file becomes one API error naming the first line and column",
          "[unit][import]") {
  const auto result = sch::import_workers_csv(
      kWorkersHeader + "w-em-20,Bram,nowhere,crisis_worker,,https://h.example/a,true\n"
                       "w-em-21,,eemland,crisis_worker,,https://h.example/a,true\n",
      regions(), workers(), teams());
  REQUIRE(result.problems.size() == 2);
  const piket::Error e = sch::import_error(result.problems);
  CHECK(e.code == piket::ErrorCode::invalid_field);
  CHECK(e.field == "line 2 column 3");
  CHECK(e.message == "line 2, column 3 (region): unknown region \"nowhere\" (and 1 more)");
}
