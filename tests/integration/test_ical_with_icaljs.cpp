// ical.js, an independent parser, reads our iCalendar feed and must find each shift at the
// UTC instants we meant, also over both DST changes of 2026 (tests/web/ical_check.mjs).
// Needs node and the npm packages of the repository root (`npm ci`, done by the setup script).
#include <sys/wait.h>

#include <catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "scheduler/ical/ical_feed.hpp"
#include "tests/support/process.hpp"

namespace {

using piket::TimePoint;
using piket::scheduler::DutyType;
using piket::scheduler::Shift;
namespace sch = piket::scheduler;
namespace fs = std::filesystem;

TimePoint utc(const char* text) {
  TimePoint t;
  REQUIRE(piket::parse_utc(text, t));
  return t;
}

Shift shift(const char* worker, const char* region, const char* role, DutyType duty,
            const char* start, const char* end, int position = 0) {
  Shift s;
  s.worker_id = worker;
  s.region = region;
  s.role = role;
  s.duty = duty;
  s.start = utc(start);
  s.end = utc(end);
  s.position = position;
  s.source = "rotation:test";
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("ical.js reads every shift of the feed at the instants the roster meant",
          "[integration][ical]") {
  const std::string source = piket::test::source_dir();
  if (!fs::exists(fs::path(source) / "node_modules" / "ical.js" / "package.json"))
    FAIL("ical.js is not installed: run `npm ci` in " + source +
         " (the setup script does this; package-lock.json pins the version)");

  const std::vector<Shift> shifts = {
      // 23:00 CET to 08:00 CEST over the spring change: 8 hours.
      shift("w-em-01", "eemland", piket::kRoleCrisisWorker, DutyType::on_call,
            "2026-03-28T22:00:00Z", "2026-03-29T06:00:00Z"),
      // 23:00 CEST to 08:00 CET over the autumn change: 10 hours.
      shift("w-em-02", "eemland", piket::kRoleCrisisWorker, DutyType::on_call,
            "2026-10-24T21:00:00Z", "2026-10-25T07:00:00Z"),
      // Ends in the second pass of the repeated hour: written in UTC.
      shift("w-em-03", "eemland", piket::kRoleCrisisWorker, DutyType::on_call,
            "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", 1),
      // Plain winter and summer days, and one in the next year (the VTIMEZONE's RRULEs).
      shift("w-ut-01", "utrecht-stad", piket::kRoleTeamLead, DutyType::shift,
            "2026-01-05T08:00:00Z", "2026-01-05T16:00:00Z"),
      shift("w-ut-02", "utrecht-stad", piket::kRoleBehaviouralScientist, DutyType::shift,
            "2026-07-01T07:00:00Z", "2026-07-01T15:00:00Z"),
      shift("w-ut-03", "utrecht-stad", piket::kRolePhysician, DutyType::on_call,
            "2027-03-27T22:00:00Z", "2027-03-28T06:00:00Z"),
  };
  sch::IcalOptions options;
  options.calendar_name = "Piket: Eemland, Utrecht";
  options.now = utc("2026-01-01T09:00:00Z");
  options.region_names = {{"eemland", "Eemland"}, {"utrecht-stad", "Utrecht Stad"}};
  options.sequence_of = [](const std::string&) { return 2; };

  nlohmann::json expected = nlohmann::json::array();
  for (const auto& s : shifts)
    expected.push_back({{"uid", sch::event_uid(s)},
                        {"start", piket::format_utc(s.start)},
                        {"end", piket::format_utc(s.end)}});

  const std::string dir = piket::test::make_temp_dir("piket-ical");
  const std::string feed = dir + "/roster.ics";
  const std::string want = dir + "/expected.json";
  const std::string log = dir + "/ical_check.log";
  std::ofstream(feed, std::ios::binary) << sch::render_ical(shifts, options);
  std::ofstream(want) << expected.dump(2);

  const std::string command = "node '" + source + "/tests/web/ical_check.mjs' '" + feed + "' '" +
                              want + "' > '" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  INFO(command);
  INFO("ical_check.mjs said:\n" << read_file(log));
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  fs::remove_all(dir);
}

TEST_CASE("the ical.js check fails when the feed and the expectation disagree",
          "[integration][ical]") {
  // Proves that the check above can fail: an expected end one hour off must be reported.
  const std::string source = piket::test::source_dir();
  if (!fs::exists(fs::path(source) / "node_modules" / "ical.js" / "package.json"))
    FAIL("ical.js is not installed: run `npm ci` in " + source);

  const Shift night = shift("w-em-02", "eemland", piket::kRoleCrisisWorker, DutyType::on_call,
                            "2026-10-24T21:00:00Z", "2026-10-25T07:00:00Z");
  sch::IcalOptions options;
  options.now = utc("2026-01-01T09:00:00Z");
  // What a naive "08:00 is 06:00 UTC" conversion would expect.
  const nlohmann::json expected = nlohmann::json::array({{{"uid", sch::event_uid(night)},
                                                          {"start", "2026-10-24T21:00:00.000Z"},
                                                          {"end", "2026-10-25T06:00:00.000Z"}}});

  const std::string dir = piket::test::make_temp_dir("piket-ical");
  const std::string log = dir + "/ical_check.log";
  std::ofstream(dir + "/roster.ics", std::ios::binary) << sch::render_ical({night}, options);
  std::ofstream(dir + "/expected.json") << expected.dump(2);
  const int status = std::system(("node '" + source + "/tests/web/ical_check.mjs' '" + dir +
                                  "/roster.ics' '" + dir + "/expected.json' > '" + log + "' 2>&1")
                                     .c_str());
  const std::string said = read_file(log);
  INFO(said);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(said.find("end expected 2026-10-25T06:00:00.000Z, ical.js read 2026-10-25T07:00:00.000Z") !=
        std::string::npos);
  fs::remove_all(dir);
}
