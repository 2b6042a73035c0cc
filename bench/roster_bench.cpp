// Scheduler at national scale: 25 regions, 350 municipalities, 5,000 workers, a year of
// rotations with overrides and leave. Measures the on-call query (p50/p99 over many random
// instants), a year's coverage report for all regions, and the process's peak memory.
// With --write-data DIR it writes the same national data as TOML, so the real daemon can be
// started on it (bench/run_roster.sh reads its RSS).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "scheduler/coverage/coverage.hpp"
#include "scheduler/roster/roster_expander.hpp"
#include "scheduler/rules/fairness.hpp"

using piket::TimePoint;
using namespace piket::scheduler;

namespace {
constexpr int kRegions = 25;
constexpr int kMunicipalitiesPerRegion = 14;  // 350 in all
constexpr int kWorkersPerRegion = 200;        // 5,000 in all
constexpr int kRotationsPerRegion = 10;       // 20 workers each: day/night, on call/shift, layers

std::string region_id(int r) { return "region-" + std::to_string(r); }
std::string worker_id(int r, int w) { return "w-" + std::to_string(r) + "-" + std::to_string(w); }

TimePoint at_utc(int year, unsigned month, unsigned day) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(
      date::sys_days{date::year{year} / month / day});
}

Roster national_roster(std::mt19937& rng) {
  Roster roster;
  const auto start = date::local_days{date::year{2026} / 1 / 5};
  for (int r = 0; r < kRegions; ++r) {
    for (int k = 0; k < kRotationsPerRegion; ++k) {
      Rotation rot;
      rot.id = region_id(r) + "-rot-" + std::to_string(k);
      rot.region = region_id(r);
      rot.start_date = start;
      rot.turn_days = 7;
      rot.handoff_time = std::chrono::hours(k % 2 ? 20 : 8);
      rot.shift_start = std::chrono::hours(k % 2 ? 20 : 8);
      rot.shift_end = std::chrono::hours(k % 2 ? 8 : 20);
      rot.duty = k % 4 < 2 ? DutyType::on_call : DutyType::shift;
      rot.layer = k / 4;
      for (int p = 0; p < 20; ++p) rot.participants.push_back(worker_id(r, k * 20 + p));
      roster.rotations.push_back(rot);
    }
    roster.minimums.push_back({region_id(r), "crisis_worker", DutyType::on_call, 2});
    roster.minimums.push_back({region_id(r), "crisis_worker", DutyType::shift, 2});
  }
  // A year of overrides and leave: 4 per worker on average.
  std::uniform_int_distribution<int> region(0, kRegions - 1), worker(0, kWorkersPerRegion - 1),
      day(0, 364), hours(4, 72);
  const TimePoint year_start = at_utc(2026, 1, 5);
  for (int i = 0; i < 10000; ++i) {
    const int r = region(rng);
    const TimePoint s = year_start + std::chrono::hours(24 * day(rng) + hours(rng) % 24);
    Override o;
    o.id = "o-" + std::to_string(i);
    o.kind = i % 3 == 0 ? Override::Kind::add : Override::Kind::replace;
    o.region = region_id(r);
    o.duty = DutyType::on_call;
    o.worker_id = worker_id(r, worker(rng));
    o.replaced_worker_id = o.kind == Override::Kind::add ? "" : worker_id(r, worker(rng));
    o.interval = {s, s + std::chrono::hours(hours(rng))};
    roster.overrides.push_back(o);
  }
  for (int i = 0; i < 10000; ++i) {
    const int r = region(rng);
    const TimePoint s = year_start + std::chrono::hours(24 * day(rng));
    roster.leave.push_back({"l-" + std::to_string(i), worker_id(r, worker(rng)),
                            {s, s + std::chrono::hours(24 * (1 + i % 14))}, "holiday"});
  }
  return roster;
}

void write_data(const std::string& dir) {
  std::ofstream regions{dir + "/regions.toml"}, workers{dir + "/workers.toml"},
      rotations{dir + "/rotations.toml"};
  for (int r = 0; r < kRegions; ++r) {
    regions << "[[regions]]\nid = \"" << region_id(r) << "\"\nname = \"Region " << r
            << "\"\nmunicipalities = [";
    for (int m = 0; m < kMunicipalitiesPerRegion; ++m)
      regions << (m ? ", " : "") << "\"Gemeente " << r << "-" << m << "\"";
    regions << "]\n\n";
    for (int w = 0; w < kWorkersPerRegion; ++w)
      workers << "[[workers]]\nid = \"" << worker_id(r, w) << "\"\nname = \"Bench Worker " << r
              << "-" << w << "\"\nregion = \"" << region_id(r)
              << "\"\nroles = [\"crisis_worker\"]\nwebhook_url = \"http://127.0.0.1:9/\"\n\n";
    for (int k = 0; k < kRotationsPerRegion; ++k) {
      rotations << "[[rotations]]\nid = \"" << region_id(r) << "-rot-" << k << "\"\nregion = \""
                << region_id(r) << "\"\nrole = \"crisis_worker\"\nstart_date = \"2026-01-05\"\n"
                << "handoff_time = \"" << (k % 2 ? "20:00" : "08:00") << "\"\nturn_days = 7\n"
                << "shift_start = \"" << (k % 2 ? "20:00" : "08:00") << "\"\nshift_end = \""
                << (k % 2 ? "08:00" : "20:00") << "\"\nduty = \"" << (k % 4 < 2 ? "on_call" : "shift")
                << "\"\nlayer = " << k / 4 << "\nparticipants = [";
      for (int p = 0; p < 20; ++p) rotations << (p ? ", " : "") << "\"" << worker_id(r, k * 20 + p) << "\"";
      rotations << "]\n\n";
    }
  }
}

double ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Piket scheduler benchmark at national scale"};
  int queries = 20000;
  std::string write_dir;
  app.add_option("-q,--queries", queries, "on-call queries to time")->check(CLI::Range(1, 10000000));
  app.add_option("--write-data", write_dir, "write the national data as TOML into this folder and exit");
  CLI11_PARSE(app, argc, argv);
  if (!write_dir.empty()) {
    write_data(write_dir);
    std::printf("wrote %s/{regions,workers,rotations}.toml\n", write_dir.c_str());
    return 0;
  }

  std::mt19937 rng{20261126};
  Roster roster = national_roster(rng);
  std::uniform_int_distribution<int> region(0, kRegions - 1);
  std::uniform_int_distribution<long long> instant(0, 364LL * 24 * 3600 * 1000);
  const TimePoint year_start = at_utc(2026, 1, 5);

  // As the scheduler does: one slice of the roster per region, rebuilt on every change.
  std::map<std::string, Roster> slices;
  const auto slicing = std::chrono::steady_clock::now();
  for (int r = 0; r < kRegions; ++r) slices[region_id(r)] = slice(roster, region_id(r));
  const double slicing_ms = ms(std::chrono::steady_clock::now() - slicing);

  std::vector<double> latencies;
  latencies.reserve(static_cast<std::size_t>(queries));
  std::size_t answered = 0;
  for (int i = 0; i < queries; ++i) {
    const TimePoint at = year_start + std::chrono::milliseconds(instant(rng));
    const auto began = std::chrono::steady_clock::now();
    const std::string id = region_id(region(rng));
    auto entries = on_call_at(slices.at(id), id, "crisis_worker", at);
    latencies.push_back(ms(std::chrono::steady_clock::now() - began));
    answered += entries.empty() ? 0 : 1;
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[static_cast<std::size_t>(p * (latencies.size() - 1))]; };

  // The fairness scores a matching question brings back: oncall.query_many expands the last 4
  // weeks of each asked region's slice and builds its fairness report, on every question.
  const date::time_zone& zone = *date::locate_zone("Europe/Amsterdam");
  const piket::HolidayCalendar no_holidays;
  std::vector<double> fairness_ms;
  std::size_t fairness_rows = 0;
  for (int i = 0; i < std::max(1, queries / 40); ++i) {
    const TimePoint at =
        year_start + std::chrono::hours(24 * 28) + std::chrono::milliseconds(instant(rng) / 2);
    const Interval last_weeks{at - std::chrono::hours(24 * 28), at};
    const auto fairness_began = std::chrono::steady_clock::now();
    const auto& slice_of_region = slices.at(region_id(region(rng)));
    auto rows = fairness_report(expand(slice_of_region, "", last_weeks), last_weeks, no_holidays, zone);
    fairness_ms.push_back(ms(std::chrono::steady_clock::now() - fairness_began));
    fairness_rows += rows.size();
  }
  std::sort(fairness_ms.begin(), fairness_ms.end());

  const auto began = std::chrono::steady_clock::now();
  auto gaps = find_gaps(roster, {year_start, year_start + std::chrono::hours(24 * 364)});
  const double coverage_ms = ms(std::chrono::steady_clock::now() - began);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("scale: %d regions, %d municipalities, %d workers, %zu rotations, %zu overrides, %zu leave\n",
              kRegions, kRegions * kMunicipalitiesPerRegion, kRegions * kWorkersPerRegion,
              roster.rotations.size(), roster.overrides.size(), roster.leave.size());
  std::printf("on-call query: n=%d answered=%zu p50=%.3f ms p99=%.3f ms max=%.3f ms\n", queries,
              answered, pct(0.50), pct(0.99), latencies.back());
  std::printf("slicing the roster per region (after each change): %.1f ms\n", slicing_ms);
  std::printf("fairness, last 4 weeks of one region (per region asked, per matching question): n=%zu "
              "p50=%.3f ms p99=%.3f ms, %.0f workers each\n", fairness_ms.size(),
              fairness_ms[fairness_ms.size() / 2],
              fairness_ms[static_cast<std::size_t>(0.99 * static_cast<double>(fairness_ms.size() - 1))],
              static_cast<double>(fairness_rows) / static_cast<double>(fairness_ms.size()));
  std::printf("coverage, a year, all regions: %.1f ms, %zu gaps\n", coverage_ms, gaps.size());
  std::printf("peak RSS of this process: %.1f MB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
