// Matching v2: who on call may go (each exclusion with its reason) and in what order.
#include <algorithm>
#include <catch.hpp>
#include <string>
#include <vector>

#include "common/domain/places.hpp"
#include "common/domain/workers.hpp"
#include "common/domain/working_time.hpp"
#include "dispatcher/matching/ranking.hpp"
#include "tests/support/demo_data.hpp"

namespace {

using piket::dispatcher::Candidate;
using piket::dispatcher::MatchingWeights;
using piket::dispatcher::MatchRequest;
using piket::dispatcher::MatchResult;
using piket::dispatcher::rank_candidates;
using piket::dispatcher::RankedCandidate;

const piket::Places& demo_places() {
  static const piket::Places places = [] {
    std::vector<piket::ConfigProblem> problems;
    auto p = piket::load_places(PIKET_SOURCE_DIR "/config/demo/places.toml",
                                piket::test::demo_data().regions, problems);
    if (!problems.empty()) throw std::runtime_error(problems[0].to_string());
    return p;
  }();
  return places;
}

piket::Worker worker(const std::string& id, const std::string& base = "Utrecht",
                     std::vector<std::string> skills = {}) {
  piket::Worker w;
  w.id = id;
  w.name = id;
  w.region = "utrecht-stad";
  w.roles = {piket::kRoleCrisisWorker};
  w.skills = std::move(skills);
  w.base = base;
  w.webhook_url = "http://127.0.0.1:8099/hooks/" + id;
  return w;
}

Candidate on_call(const std::string& id, int position) { return Candidate{id, position, "", {}}; }

MatchRequest family_in_utrecht(std::vector<Candidate> candidates) {
  MatchRequest r;
  r.region = "utrecht-stad";
  r.municipality = "Utrecht";
  r.on_call = std::move(candidates);
  return r;
}

std::vector<std::string> ids(const MatchResult& result) {
  std::vector<std::string> out;
  for (const auto& r : result.ranked) out.push_back(r.worker_id);
  return out;
}

const RankedCandidate& ranked(const MatchResult& result, const std::string& id) {
  auto it = std::find_if(result.ranked.begin(), result.ranked.end(),
                         [&](const RankedCandidate& r) { return r.worker_id == id; });
  if (it == result.ranked.end()) throw std::runtime_error(id + " is not ranked");
  return *it;
}

bool has_reason(const RankedCandidate& r, const std::string& reason) {
  return std::find(r.reasons.begin(), r.reasons.end(), reason) != r.reasons.end();
}

// On call since 14 h ago with `worked_hours` of call-outs ending just before now, checked against the
// law's limits (13 h of work in any 24 h on call; a call-out counts at least 30 min).
const piket::TimePoint kNow = piket::from_unix_ms(1796216400000);  // 2026-12-02T13:00:00Z
void worked_on_call(MatchRequest& request, const std::string& worker_id, double worked_hours,
                    const piket::WorkingTimeLimits& limits) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  request.working_time.limits = &limits;
  request.working_time.zone = date::locate_zone("Europe/Amsterdam");
  request.working_time.now = kNow;
  request.working_time.expected_job = std::chrono::minutes(0);  // the minimum call-out
  piket::Shift duty;
  duty.worker_id = worker_id;
  duty.duty = piket::DutyType::on_call;
  duty.start = kNow - hours(14);
  duty.end = kNow + hours(10);
  request.duties[worker_id] = {duty};
  const auto worked = milliseconds(static_cast<long long>(worked_hours * 3600 * 1000));
  request.loads[worker_id].call_outs = {{kNow - hours(13), kNow - hours(13) + worked}};
}

MatchResult rank(const MatchRequest& request, const std::vector<piket::Worker>& workers,
                 const MatchingWeights& weights = {}) {
  return rank_candidates(request, piket::WorkerDirectory(workers), &demo_places(), weights);
}

}  // namespace

TEST_CASE("every worker on call who cannot go is excluded with the reason", "[unit][matching]") {
  auto inactive = worker("w-inactive", "Utrecht", {"honour_based_violence"});
  inactive.active = false;
  const std::vector<piket::Worker> workers = {
      inactive,
      worker("w-declined", "Utrecht", {"honour_based_violence"}),
      worker("w-unskilled", "Utrecht", {"lang_arabic"}),
      worker("w-busy", "Utrecht", {"honour_based_violence"}),
      worker("w-tired", "Utrecht", {"honour_based_violence"}),
      worker("w-fit", "Utrecht", {"honour_based_violence"}),
  };
  auto request = family_in_utrecht(
      {on_call("w-inactive", 0), on_call("w-declined", 1), on_call("w-unskilled", 2),
       on_call("w-busy", 3), on_call("w-tired", 4), on_call("w-gone", 5), on_call("w-fit", 6)});
  request.required_skills = {"honour_based_violence"};
  request.exclude = {"w-declined"};
  request.loads["w-busy"].cases_today = 4;
  const piket::WorkingTimeLimits law;
  worked_on_call(request, "w-tired", 12.6, law);

  const auto result = rank(request, workers);
  CHECK(ids(result) == std::vector<std::string>{"w-fit"});
  REQUIRE(result.excluded.size() == 6);
  CHECK(result.excluded[0].worker_id == "w-inactive");
  CHECK(result.excluded[0].reason == "inactive");
  CHECK(result.excluded[1].reason == "declined this report");
  CHECK(result.excluded[2].reason == "lacks skill honour_based_violence");
  CHECK(result.excluded[3].reason == "today's case limit reached (4 of 4)");
  CHECK(result.excluded[4].reason == "working time: max_on_call_work_24h 13.1 h > 13 h with this call-out");
  CHECK(result.excluded[5].worker_id == "w-gone");
  CHECK(result.excluded[5].reason == "unknown worker");
}

TEST_CASE("a worker excluded for several reasons has all of them recorded", "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-1", 0)});
  request.required_skills = {"honour_based_violence", "lang_turkish"};
  request.exclude = {"w-1"};
  const auto result = rank(request, {worker("w-1")});
  REQUIRE(result.excluded.size() == 1);
  CHECK(result.excluded[0].reason ==
        "declined this report; lacks skills honour_based_violence, lang_turkish");
  CHECK(result.ranked.empty());
}

TEST_CASE("the family's own worker comes first even as the last backup", "[unit][matching]") {
  auto request = family_in_utrecht(
      {on_call("w-a", 0), on_call("w-b", 1), on_call("w-c", 2), on_call("w-family", 3)});
  request.family_workers = {"w-family"};
  const auto result =
      rank(request, {worker("w-a"), worker("w-b"), worker("w-c"), worker("w-family")});
  CHECK(ids(result) == std::vector<std::string>{"w-family", "w-a", "w-b", "w-c"});
  const auto& first = result.ranked[0];
  CHECK(first.continuity);
  CHECK(first.position == 3);
  CHECK(first.score == 985);  // +1000 continuity, -15 for backup 3
  REQUIRE_FALSE(first.reasons.empty());
  CHECK(first.reasons[0] == "continuity: works with this family (+1000)");
  CHECK(has_reason(first, "backup 3 on call (-15)"));
  CHECK_FALSE(result.ranked[1].continuity);
  CHECK(result.informed.empty());
}

TEST_CASE("a family worker who cannot be called out is informed, not ranked", "[unit][matching]") {
  auto retired = worker("w-retired");
  retired.active = false;
  auto request = family_in_utrecht({on_call("w-a", 0), on_call("w-declined", 1)});
  // Off duty, on call but declined, unknown, and no longer active.
  request.family_workers = {"w-away", "w-declined", "w-unknown", "w-retired"};
  request.exclude = {"w-declined"};
  const auto result =
      rank(request, {worker("w-a"), worker("w-away"), worker("w-declined"), retired});
  CHECK(ids(result) == std::vector<std::string>{"w-a"});
  CHECK(result.informed == std::vector<std::string>{"w-away", "w-declined"});
  CHECK_FALSE(result.ranked[0].continuity);
}

TEST_CASE("a required skill filters while a preferred skill only ranks", "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-p", 0), on_call("w-q", 1), on_call("w-r", 2)});
  request.required_skills = {"honour_based_violence"};
  request.preferred_skills = {"lang_arabic"};
  const auto result =
      rank(request, {worker("w-p", "Utrecht", {"honour_based_violence"}),
                     worker("w-q", "Utrecht", {"honour_based_violence", "lang_arabic"}),
                     worker("w-r", "Utrecht", {"lang_arabic"})});
  CHECK(ids(result) == std::vector<std::string>{"w-q", "w-p"});
  CHECK(ranked(result, "w-q").score == 45);  // +50 preferred skill, -5 for backup 1
  CHECK(ranked(result, "w-p").score == 0);
  CHECK(has_reason(ranked(result, "w-q"), "has preferred skill lang_arabic (+50)"));
  CHECK(has_reason(ranked(result, "w-p"), "lacks preferred skill lang_arabic (0)"));
  REQUIRE(result.excluded.size() == 1);
  CHECK(result.excluded[0].worker_id == "w-r");
  CHECK(result.excluded[0].reason == "lacks skill honour_based_violence");
}

TEST_CASE("cases taken today count against a worker until the daily limit excludes them",
          "[unit][matching]") {
  auto limited = worker("w-part-time");
  limited.daily_case_limit = 2;
  auto request = family_in_utrecht({on_call("w-full", 0), on_call("w-part-time", 1)});
  SECTION("below the limit: 30 points a case") {
    request.loads["w-full"].cases_today = 3;
    request.loads["w-part-time"].cases_today = 1;
    const auto result = rank(request, {worker("w-full"), limited});
    CHECK(ids(result) == std::vector<std::string>{"w-part-time", "w-full"});
    CHECK(ranked(result, "w-full").score == -90);
    CHECK(has_reason(ranked(result, "w-full"), "3 cases today (-90)"));
    CHECK(has_reason(ranked(result, "w-part-time"), "1 case today (-30)"));
  }
  SECTION("at the limit: excluded, with the worker's own limit") {
    request.loads["w-full"].cases_today = 4;
    request.loads["w-part-time"].cases_today = 2;
    const auto result = rank(request, {worker("w-full"), limited});
    CHECK(result.ranked.empty());
    REQUIRE(result.excluded.size() == 2);
    CHECK(result.excluded[0].reason == "today's case limit reached (4 of 4)");
    CHECK(result.excluded[1].reason == "today's case limit reached (2 of 2)");
  }
}

TEST_CASE("a worker on work shifts is checked by the whole rule: 60 hours of shifts this week "
          "leave no room for a call-out",
          "[unit][matching]") {
  using std::chrono::hours;
  auto request = family_in_utrecht({on_call("w-1", 0)});
  const piket::WorkingTimeLimits law;
  request.working_time.limits = &law;
  request.working_time.zone = date::locate_zone("Europe/Amsterdam");
  request.working_time.now = kNow;
  request.working_time.expected_job = std::chrono::minutes(0);
  for (int day = 1; day <= 5; ++day) {  // 08:00-20:00 local on each of the five days before
    piket::Shift shift;
    shift.worker_id = "w-1";
    shift.duty = piket::DutyType::shift;
    shift.start = kNow - hours(24 * day + 6);
    shift.end = kNow - hours(24 * day - 6);
    request.duties["w-1"].push_back(shift);
  }
  const auto result = rank(request, {worker("w-1")});
  CHECK(result.ranked.empty());
  REQUIRE(result.excluded.size() == 1);
  CHECK(result.excluded[0].reason.find("max_week_hours") != std::string::npos);
}

TEST_CASE("a worker whose next call-out would pass 13 hours of work in 24 on call is excluded",
          "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-1", 0)});
  const piket::WorkingTimeLimits law;
  SECTION("12.5 h worked: a half-hour job still fits") {
    worked_on_call(request, "w-1", 12.5, law);
    CHECK(ids(rank(request, {worker("w-1")})) == std::vector<std::string>{"w-1"});
  }
  SECTION("12.6 h worked: it does not") {
    worked_on_call(request, "w-1", 12.6, law);
    const auto result = rank(request, {worker("w-1")});
    CHECK(result.ranked.empty());
    REQUIRE(result.excluded.size() == 1);
    CHECK(result.excluded[0].reason == "working time: max_on_call_work_24h 13.1 h > 13 h with this call-out");
  }
  SECTION("the job is the expected visit, not only the minimum call-out") {
    worked_on_call(request, "w-1", 11.6, law);
    request.working_time.expected_job = std::chrono::minutes(90);
    const auto result = rank(request, {worker("w-1")});
    REQUIRE(result.excluded.size() == 1);
    CHECK(result.excluded[0].reason == "working time: max_on_call_work_24h 13.1 h > 13 h with this call-out");
  }
  SECTION("the limit and the minimum call-out come from the working-time rule") {
    piket::WorkingTimeLimits cao;
    cao.max_on_call_work_24h = std::chrono::hours(10);
    cao.min_call_out = std::chrono::minutes(60);
    worked_on_call(request, "w-1", 9.5, cao);
    const auto result = rank(request, {worker("w-1")});
    REQUIRE(result.excluded.size() == 1);
    CHECK(result.excluded[0].reason == "working time: max_on_call_work_24h 10.5 h > 10 h with this call-out");
  }
  SECTION("a day shift before the on-call duty counts as work") {
    worked_on_call(request, "w-1", 4.0, law);
    piket::Shift day;
    day.worker_id = "w-1";
    day.duty = piket::DutyType::shift;
    day.start = kNow - std::chrono::hours(23);
    day.end = kNow - std::chrono::hours(14);  // 9 h, then on call
    request.duties["w-1"].push_back(day);
    CHECK(rank(request, {worker("w-1")}).ranked.empty());
  }
  SECTION("without call-outs or duties nobody is excluded for working time") {
    const piket::WorkingTimeLimits limits;
    request.working_time.limits = &limits;
    request.working_time.zone = date::locate_zone("Europe/Amsterdam");
    request.working_time.now = kNow;
    CHECK(ids(rank(request, {worker("w-1")})) == std::vector<std::string>{"w-1"});
  }
}

TEST_CASE("for a family in Utrecht a worker based in Utrecht goes before one based in Vianen",
          "[unit][matching]") {
  const std::vector<piket::Worker> workers = {worker("w-vianen", "Vijfheerenlanden"),
                                              worker("w-city", "Utrecht")};
  SECTION("all else equal") {
    const auto result =
        rank(family_in_utrecht({on_call("w-vianen", 0), on_call("w-city", 0)}), workers);
    CHECK(ids(result) == std::vector<std::string>{"w-city", "w-vianen"});
    const auto& vianen = ranked(result, "w-vianen");
    REQUIRE(vianen.km.has_value());
    CHECK(*vianen.km == Approx(11.19).margin(0.01));
    CHECK(vianen.score == Approx(-11.19).margin(0.01));
    CHECK(has_reason(vianen, "11.2 km from base Vijfheerenlanden (-11.2)"));
    CHECK(ranked(result, "w-city").km == 0.0);
    CHECK(has_reason(ranked(result, "w-city"), "0 km from base Utrecht (0)"));
  }
  SECTION("even when the one from Vianen is primary and the other first backup") {
    const auto result =
        rank(family_in_utrecht({on_call("w-vianen", 0), on_call("w-city", 1)}), workers);
    CHECK(ids(result) == std::vector<std::string>{"w-city", "w-vianen"});
  }
}

TEST_CASE("a neighbouring region's demo workers are ranked by their distance to the family",
          "[unit][matching]") {
  // Lekstroom helping a family in Utrecht: Nieuwegein 7.4 km, Houten 7.6, IJsselstein 9.5,
  // Vianen 11.2. Positions are weighted 0 here so only distance counts.
  MatchRequest request;
  request.region = "lekstroom";
  request.municipality = "Utrecht";
  request.on_call = {on_call("w-ls-04", 0), on_call("w-ls-03", 1), on_call("w-ls-02", 2),
                     on_call("w-ls-01", 3)};
  MatchingWeights weights;
  weights.position = 0;
  const auto result =
      rank_candidates(request, piket::test::demo_data().workers, &demo_places(), weights);
  CHECK(ids(result) == std::vector<std::string>{"w-ls-01", "w-ls-02", "w-ls-03", "w-ls-04"});
}

TEST_CASE("a worker whose distance is unknown counts as the farthest candidate",
          "[unit][matching]") {
  auto request =
      family_in_utrecht({on_call("w-nobase", 0), on_call("w-vianen", 1), on_call("w-city", 2)});
  MatchingWeights weights;
  weights.position = 0;
  SECTION("no base on file") {
    const auto result = rank(request,
                             {worker("w-nobase", ""), worker("w-vianen", "Vijfheerenlanden"),
                              worker("w-city", "Utrecht")},
                             weights);
    // Level with Vianen on distance; the better scheduler position breaks the tie.
    CHECK(ids(result) == std::vector<std::string>{"w-city", "w-nobase", "w-vianen"});
    const auto& nobase = ranked(result, "w-nobase");
    CHECK_FALSE(nobase.km.has_value());
    CHECK(has_reason(
        nobase, "distance unknown (no base on file), counted as the farthest, 11.2 km (-11.2)"));
  }
  SECTION("no places at all: distance counts for nobody") {
    const auto result = rank_candidates(
        request,
        piket::WorkerDirectory({worker("w-nobase", ""), worker("w-vianen", "Vijfheerenlanden"),
                                worker("w-city", "Utrecht")}),
        nullptr, weights);
    CHECK(ids(result) == std::vector<std::string>{"w-nobase", "w-vianen", "w-city"});
    CHECK(has_reason(ranked(result, "w-city"), "distance unknown (no coordinates configured) (0)"));
  }
}

TEST_CASE("equal scores are ordered by position, then least recently dispatched, then id",
          "[unit][matching]") {
  MatchingWeights weights;
  weights.position = 0;  // so that a better position does not change the score
  const std::vector<piket::Worker> workers = {worker("w-x"), worker("w-y"), worker("w-z"),
                                              worker("w-backup")};
  std::vector<Candidate> candidates = {on_call("w-x", 0), on_call("w-y", 0), on_call("w-z", 0),
                                       on_call("w-backup", 1)};
  SECTION("in the scheduler's order") {}
  SECTION("in reverse order") { std::reverse(candidates.begin(), candidates.end()); }
  auto request = family_in_utrecht(candidates);
  request.loads["w-x"].last_dispatched_ms = 3000;
  request.loads["w-y"].last_dispatched_ms = 1000;
  request.loads["w-z"].last_dispatched_ms = 1000;
  request.loads["w-backup"].last_dispatched_ms = 0;  // never, but further back on the list
  const auto result = rank(request, workers, weights);
  CHECK(ids(result) == std::vector<std::string>{"w-y", "w-z", "w-x", "w-backup"});
  for (const auto& r : result.ranked) CHECK(r.score == 0);
}

TEST_CASE("the most loaded candidate loses the full fairness weight, the least none",
          "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-c", 0), on_call("w-b", 0), on_call("w-a", 0)});
  request.fairness = {{"w-a", 10}, {"w-b", 30}, {"w-c", 50}};
  const auto result = rank(request, {worker("w-a"), worker("w-b"), worker("w-c")});
  CHECK(ids(result) == std::vector<std::string>{"w-a", "w-b", "w-c"});
  CHECK(ranked(result, "w-a").score == 0);
  CHECK(ranked(result, "w-b").score == -5);
  CHECK(ranked(result, "w-c").score == -10);
  CHECK(has_reason(ranked(result, "w-b"), "load score 30, candidates range 10 to 50 (-5)"));
}

TEST_CASE("a worker listed twice by the scheduler is ranked once, at the first entry",
          "[unit][matching]") {
  const auto result =
      rank(family_in_utrecht({on_call("w-1", 0), on_call("w-2", 1), on_call("w-1", 2)}),
           {worker("w-1"), worker("w-2")});
  CHECK(ids(result) == std::vector<std::string>{"w-1", "w-2"});
  CHECK(ranked(result, "w-1").position == 0);
}

TEST_CASE("a match result reads as JSON with every reason", "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-vianen", 0), on_call("w-declined", 1)});
  piket::TimePoint end;
  REQUIRE(piket::parse_utc("2026-03-02T19:00:00Z", end));
  request.on_call[0].shift_end = end;
  request.exclude = {"w-declined"};
  request.family_workers = {"w-declined"};
  const auto json =
      rank(request, {worker("w-vianen", "Vijfheerenlanden"), worker("w-declined")}).to_json();
  REQUIRE(json["ranked"].size() == 1);
  const auto& first = json["ranked"][0];
  CHECK(first["worker_id"] == "w-vianen");
  CHECK(first["position"] == 0);
  CHECK(first["km"] == 11.2);
  CHECK(first["continuity"] == false);
  CHECK(first["shift_end"] == "2026-03-02T19:00:00.000Z");
  CHECK(first["reasons"] ==
        nlohmann::json::array({"no cases today (0)", "11.2 km from base Vijfheerenlanden (-11.2)",
                               "primary on call (0)"}));
  CHECK(json["excluded"] ==
        nlohmann::json::array({{{"worker_id", "w-declined"}, {"reason", "declined this report"}}}));
  CHECK(json["informed"] == nlohmann::json::array({"w-declined"}));
}

TEST_CASE("a worker still on another visit ranks by when they can be on scene, and one who cannot "
          "make the target is marked late",
          "[unit][matching]") {
  auto request = family_in_utrecht({on_call("w-busy", 0), on_call("w-free", 1)});
  request.now = kNow;
  request.loads["w-busy"].busy_until = kNow + std::chrono::hours(2);
  SECTION("busy for two hours: the free backup goes first") {
    const auto result = rank(request, {worker("w-busy"), worker("w-free")});
    CHECK(ids(result) == std::vector<std::string>{"w-free", "w-busy"});
    const auto& busy = result.ranked[1];
    CHECK(std::find(busy.reasons.begin(), busy.reasons.end(), "on another visit for 120 more min (-120)") !=
          busy.reasons.end());
    CHECK(busy.on_scene == kNow + std::chrono::hours(2) + std::chrono::minutes(15));
    CHECK_FALSE(busy.late);
  }
  SECTION("with the class's target at 2 h, the busy one is late and says by how much") {
    request.on_scene_by = kNow + std::chrono::hours(2);
    const auto result = rank(request, {worker("w-busy"), worker("w-free")});
    const auto& busy = result.ranked[1];
    CHECK(busy.late);
    CHECK(std::find(busy.reasons.begin(), busy.reasons.end(),
                    "cannot be on scene in time (15 min after the target) (-2000)") != busy.reasons.end());
    CHECK_FALSE(result.ranked[0].late);
    CHECK(result.to_json()["ranked"][1]["late"] == true);
  }
}
