// Triage and matching at national scale, as pure functions: 25 regions (a 5 x 5 grid, so each
// has 2 to 4 neighbours), 350 municipalities with coordinates, 5,000 workers with skills, bases
// and loads. For each of many random reports it times what the dispatcher computes per report
// without I/O: triage (with the demo triage.toml and holidays) and its JSON, the ranking of the
// region's on-call list and of each neighbour's, the ladder from the escalation policy, and the
// ladder and ranking as JSON (dispatcher/match_job.cpp). Prints p50/p90/p99/max in microseconds,
// in all and per stage.
//
//   match_bench [-n 20000] [--on-call 8] [--json]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/domain/holidays.hpp"
#include "common/domain/places.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/workers.hpp"
#include "dispatcher/matching/escalation.hpp"
#include "dispatcher/matching/ladder.hpp"
#include "dispatcher/matching/ranking.hpp"
#include "dispatcher/triage/triage.hpp"

using namespace piket;
using namespace piket::dispatcher;
using SteadyClock = std::chrono::steady_clock;

namespace {
constexpr int kGrid = 5;  // 5 x 5 = 25 regions
constexpr int kRegions = kGrid * kGrid;
constexpr int kMunicipalitiesPerRegion = 14;  // 350 in all
constexpr int kWorkersPerRegion = 200;        // 5,000 in all
constexpr int kTeamLeadsPerRegion = 10;

const std::vector<std::string> kSkills = {
    "honour_based_violence", "human_trafficking", "elder_abuse", "intellectual_disability",
    "lang_arabic",           "lang_polish",       "lang_turkish"};

std::string region_id(int r) { return "region-" + std::to_string(r); }
std::string municipality(int r, int m) {
  return "Gemeente " + std::to_string(r) + "-" + std::to_string(m);
}
std::string worker_id(int r, int w) { return "w-" + std::to_string(r) + "-" + std::to_string(w); }

struct Country {
  RegionDirectory regions;
  WorkerDirectory workers;
  Places places;
};

Country national_data(std::mt19937& rng) {
  std::vector<Region> regions;
  std::map<std::string, Coordinates> coordinates;
  std::vector<Worker> workers;
  std::uniform_real_distribution<double> jitter(0.0, 1.0), chance(0.0, 1.0);
  std::uniform_int_distribution<int> pick_municipality(0, kMunicipalitiesPerRegion - 1);
  for (int r = 0; r < kRegions; ++r) {
    const int row = r / kGrid, col = r % kGrid;
    Region region;
    region.id = region_id(r);
    region.name = "Region " + std::to_string(r);
    for (int m = 0; m < kMunicipalitiesPerRegion; ++m) {
      region.municipalities.push_back(municipality(r, m));
      // The Netherlands is about 2.4 degrees of latitude by 3.5 of longitude.
      coordinates[municipality(r, m)] = {51.0 + 2.4 * (row + jitter(rng)) / kGrid,
                                         3.6 + 3.5 * (col + jitter(rng)) / kGrid};
    }
    if (row > 0) region.neighbours.push_back(region_id(r - kGrid));
    if (row < kGrid - 1) region.neighbours.push_back(region_id(r + kGrid));
    if (col > 0) region.neighbours.push_back(region_id(r - 1));
    if (col < kGrid - 1) region.neighbours.push_back(region_id(r + 1));
    regions.push_back(region);
    for (int w = 0; w < kWorkersPerRegion; ++w) {
      Worker worker;
      worker.id = worker_id(r, w);
      worker.name = "Bench Worker " + std::to_string(r) + "-" + std::to_string(w);
      worker.region = region.id;
      worker.roles = {kRoleCrisisWorker};
      if (w < kTeamLeadsPerRegion) worker.roles.push_back(kRoleTeamLead);
      for (const auto& skill : kSkills)
        if (chance(rng) < 0.3) worker.skills.push_back(skill);
      if (chance(rng) < 0.95) worker.base = municipality(r, pick_municipality(rng));
      worker.active = chance(rng) < 0.98;
      worker.webhook_url = "http://127.0.0.1:9/hooks/" + worker.id;
      workers.push_back(std::move(worker));
    }
  }
  return {RegionDirectory(std::move(regions)), WorkerDirectory(std::move(workers)),
          Places(std::move(coordinates))};
}

// What one report brings along from Redis and the scheduler: made up front, outside the clock.
struct ReportCase {
  TriageFacts facts;
  const Region* region = nullptr;
  std::string municipality;
  std::vector<Candidate> on_call;
  std::vector<std::pair<std::string, std::vector<Candidate>>> neighbour_on_call;
  std::vector<std::string> team_leads, family_workers, declined;
  std::map<std::string, WorkerLoad> loads;
  std::map<std::string, double> fairness;
  std::map<std::string, std::vector<Shift>> duties;  // from the scheduler, for the working-time check
};

class CaseMaker {
 public:
  CaseMaker(const Country& country, const TriageRules& rules, int on_call, std::mt19937& rng)
      : country_(country), on_call_(on_call), rng_(rng) {
    // Matching runs only for a dispatched class, so every report gets one indicator that
    // dispatches on its own, and up to two more of any kind.
    for (const auto& indicator : rules.indicators()) {
      TriageFacts facts;
      facts.indicators = {indicator};
      facts.source = "police";
      (rules.triage(facts).acute() ? acute_ : all_).push_back(indicator);
    }
    all_.insert(all_.end(), acute_.begin(), acute_.end());
  }

  const std::vector<std::string>& acute_indicators() const { return acute_; }

  ReportCase make() {
    static const std::vector<std::string> kSources = {"police", "professional", "citizen", "school",
                                                      "hospital"};
    ReportCase c;
    const int r = uniform(0, kRegions - 1);
    c.region = &country_.regions.regions()[static_cast<std::size_t>(r)];
    c.municipality =
        c.region
            ->municipalities[static_cast<std::size_t>(uniform(0, kMunicipalitiesPerRegion - 1))];
    c.facts.indicators.push_back(
        acute_[static_cast<std::size_t>(uniform(0, static_cast<int>(acute_.size()) - 1))]);
    for (int extra = uniform(0, 2); extra > 0; --extra)
      c.facts.indicators.push_back(
          all_[static_cast<std::size_t>(uniform(0, static_cast<int>(all_.size()) - 1))]);
    c.facts.source =
        kSources[static_cast<std::size_t>(uniform(0, static_cast<int>(kSources.size()) - 1))];
    for (int child = uniform(0, 3); child > 0; --child)
      c.facts.people.push_back({"child", uniform(0, 17), chance() < 0.1});
    // Any minute of 2026: nights and weekends included (the night rule makes it two people).
    c.facts.at = from_unix_ms(1767225600000LL + std::int64_t{uniform(0, 364 * 24 * 60)} * 60000);
    c.facts.time_zone = c.region->time_zone;

    c.on_call = on_call_list(r, c.facts.at);
    for (const auto& neighbour : c.region->neighbours)
      c.neighbour_on_call.emplace_back(neighbour,
                                       on_call_list(region_index(neighbour), c.facts.at));
    c.team_leads = {worker_id(r, uniform(0, kTeamLeadsPerRegion - 1))};
    if (chance() < 0.2)  // a family already known: one or two workers of the region
      for (int k = uniform(1, 2); k > 0; --k)
        c.family_workers.push_back(worker_id(r, uniform(0, kWorkersPerRegion - 1)));
    if (chance() < 0.1 && !c.on_call.empty()) c.declined.push_back(c.on_call.front().worker_id);
    auto note_load = [&](const Candidate& candidate) {
      WorkerLoad load;
      load.cases_today = uniform(0, 4);
      // Up to 13 h of call-outs in the last day, and the on-call duty they were made in.
      const auto worked = std::chrono::minutes(uniform(0, 26) * 30);
      load.call_outs = {{c.facts.at - std::chrono::hours(14), c.facts.at - std::chrono::hours(14) + worked}};
      Shift duty;
      duty.worker_id = candidate.worker_id;
      duty.start = c.facts.at - std::chrono::hours(16);
      duty.end = c.facts.at + std::chrono::hours(8);
      c.duties[candidate.worker_id] = {duty};
      load.last_dispatched_ms =
          chance() < 0.3 ? 0 : to_unix_ms(c.facts.at) - uniform(1, 72) * 3600000LL;
      c.loads[candidate.worker_id] = load;
      c.fairness[candidate.worker_id] = uniform(0, 400) / 10.0;
    };
    for (const auto& candidate : c.on_call) note_load(candidate);
    for (const auto& [name, list] : c.neighbour_on_call)
      for (const auto& candidate : list) note_load(candidate);
    return c;
  }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  double chance() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int region_index(const std::string& id) { return std::stoi(id.substr(id.find('-') + 1)); }

  // The scheduler's answer for a region: primary first, then backups, each with a shift end.
  std::vector<Candidate> on_call_list(int r, TimePoint at) {
    std::set<int> chosen;
    while (static_cast<int>(chosen.size()) < std::min(on_call_, kWorkersPerRegion))
      chosen.insert(uniform(0, kWorkersPerRegion - 1));
    std::vector<int> order(chosen.begin(), chosen.end());
    std::shuffle(order.begin(), order.end(), rng_);
    std::vector<Candidate> out;
    for (std::size_t i = 0; i < order.size(); ++i)
      out.push_back({worker_id(r, order[i]), static_cast<int>(i),
                     i == 0 ? "primary on call" : "backup " + std::to_string(i),
                     at + std::chrono::hours(uniform(1, 12))});
    return out;
  }

  const Country& country_;
  int on_call_;
  std::mt19937& rng_;
  std::vector<std::string> acute_, all_;
};

struct Timings {
  double triage_us = 0, rank_us = 0, ladder_us = 0, total_us = 0;
};

double us(SteadyClock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// One report, as the dispatcher computes it: intake's triage, then match_job's ranking and
// ladder. `checksum` keeps the compiler from dropping the work.
Timings run_one(const ReportCase& c, const Country& country, const TriageRules& rules,
                const EscalationPolicy& policy, const MatchingWeights& weights,
                std::size_t& checksum) {
  const auto t0 = SteadyClock::now();
  const TriageResult triage = rules.triage(c.facts);
  const nlohmann::json triage_json = triage.to_json();
  const auto t1 = SteadyClock::now();

  MatchRequest request;
  request.region = c.region->id;
  request.municipality = c.municipality;
  request.required_skills = triage.skills;
  request.people_needed = triage.two_person ? 2 : 1;
  request.family_workers = c.family_workers;
  request.on_call = c.on_call;
  request.loads = c.loads;
  request.fairness = c.fairness;
  request.exclude.insert(c.declined.begin(), c.declined.end());
  request.duties = c.duties;
  static const WorkingTimeLimits law;
  request.working_time = {&law, date::locate_zone("Europe/Amsterdam"), c.facts.at, std::chrono::minutes(90)};
  LadderInput input;
  input.region = c.region->id;
  input.people_needed = request.people_needed;
  input.local = rank_candidates(request, country.workers, &country.places, weights);
  for (const auto& [name, list] : c.neighbour_on_call) {
    MatchRequest n = request;  // as match_job.cpp does: the request with the neighbour's list
    n.region = name;
    n.family_workers.clear();
    n.on_call = list;
    input.neighbours.emplace_back(name,
                                  rank_candidates(n, country.workers, &country.places, weights));
  }
  input.team_leads = c.team_leads;
  const auto t2 = SteadyClock::now();

  const auto steps = build_ladder(policy, input);
  const nlohmann::json ladder = ladder_to_json(steps);
  const nlohmann::json ranking = input.local.to_json();
  const auto t3 = SteadyClock::now();

  checksum += triage_json.size() + ladder.size() + ranking["ranked"].size() + steps.size();
  return {us(t1 - t0), us(t2 - t1), us(t3 - t2), us(t3 - t0)};
}

struct Summary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

Summary summarize(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double p) {
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
  };
  return {at(0.50), at(0.90), at(0.99), values.back()};
}

nlohmann::json to_json(const Summary& s) {
  return {{"p50_us", s.p50}, {"p90_us", s.p90}, {"p99_us", s.p99}, {"max_us", s.max}};
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "match_bench: triage, ranking and the escalation ladder at national scale, as "
      "pure functions"};
  int reports = 20000;
  int on_call = 8;
  std::string config_dir = PIKET_SOURCE_DIR "/config/demo";
  bool as_json = false;
  app.add_option("-n,--reports", reports, "reports to time")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  app.add_option("--on-call", on_call, "length of each region's on-call list (primary and backups)")
      ->capture_default_str()
      ->check(CLI::Range(1, kWorkersPerRegion));
  app.add_option("--config-dir", config_dir, "where triage.toml and holidays.toml are")
      ->capture_default_str();
  app.add_flag("--json", as_json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);

  std::vector<ConfigProblem> problems;
  TriageRules rules = load_triage_rules(config_dir + "/triage.toml", problems);
  rules.set_holidays(HolidayCalendar(load_holidays(config_dir + "/holidays.toml", problems)));
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "match_bench: " << p.to_string() << "\n";
    return 78;
  }
  // The product default, which is also the demo's default ("*") policy: six steps, from the
  // first worker to everyone left, with a neighbouring region and the team lead between.
  const EscalationPolicy policy = default_escalation_policy();
  const MatchingWeights weights;

  std::mt19937 rng{20261202};
  const Country country = national_data(rng);
  CaseMaker maker(country, rules, on_call, rng);
  constexpr int kWarmUp = 1000;  // caches, allocator and the tz database's first lookups
  std::vector<ReportCase> cases;
  cases.reserve(static_cast<std::size_t>(reports + kWarmUp));
  for (int i = 0; i < reports + kWarmUp; ++i) cases.push_back(maker.make());

  std::size_t checksum = 0;
  std::vector<double> total, triage, rank, ladder;
  for (int i = 0; i < reports + kWarmUp; ++i) {
    const Timings t =
        run_one(cases[static_cast<std::size_t>(i)], country, rules, policy, weights, checksum);
    if (i < kWarmUp) continue;
    total.push_back(t.total_us);
    triage.push_back(t.triage_us);
    rank.push_back(t.rank_us);
    ladder.push_back(t.ladder_us);
  }
  std::size_t candidates = 0, two_person = 0;
  for (int i = kWarmUp; i < reports + kWarmUp; ++i) {
    const auto& c = cases[static_cast<std::size_t>(i)];
    candidates += c.on_call.size();
    for (const auto& [name, list] : c.neighbour_on_call) candidates += list.size();
    two_person += rules.triage(c.facts).two_person ? 1 : 0;
  }
  const Summary all = summarize(total);
  const double per_report = static_cast<double>(candidates) / reports;

  if (as_json) {
    nlohmann::json out{{"reports", reports},
                       {"regions", kRegions},
                       {"municipalities", kRegions * kMunicipalitiesPerRegion},
                       {"workers", country.workers.workers().size()},
                       {"on_call", on_call},
                       {"candidates_per_report", per_report},
                       {"two_person_share", static_cast<double>(two_person) / reports},
                       {"total", to_json(all)},
                       {"triage", to_json(summarize(triage))},
                       {"rank", to_json(summarize(rank))},
                       {"ladder", to_json(summarize(ladder))},
                       {"checksum", checksum}};
    std::cout << out.dump() << std::endl;
    return 0;
  }
  std::printf(
      "scale: %d regions, %d municipalities, %zu workers; on-call list %d per region, "
      "%.1f candidates per report with the neighbours; %.0f%% two-person reports\n",
      kRegions, kRegions * kMunicipalitiesPerRegion, country.workers.workers().size(), on_call,
      per_report, 100.0 * static_cast<double>(two_person) / reports);
  auto line = [](const char* what, const Summary& s) {
    std::printf("%-34s p50=%8.1f us  p90=%8.1f us  p99=%8.1f us  max=%8.1f us\n", what, s.p50,
                s.p90, s.p99, s.max);
  };
  std::printf("n=%d reports (after %d warm-up), checksum %zu\n", reports, kWarmUp, checksum);
  line("triage + JSON", summarize(triage));
  line("ranking, region and neighbours", summarize(rank));
  line("ladder + ladder and ranking JSON", summarize(ladder));
  line("all of it, per report", all);
  return 0;
}
