// The desk's queue holds every open report, however old: 20,000 reports, the oldest of them
// still open, read page by page with the cursor; closed ones leave the queue.
#include <catch.hpp>

#include <set>

#include "tests/integration/dispatch_fixture.hpp"

using namespace piket::test::dispatch;

namespace {
using piket::dispatcher::ReportPage;

ReportPage page(Fixture& f, const std::string& region, const std::string& state, int limit,
                const std::string& cursor) {
  auto p = run_async(f.io, f.store.list_reports(region, state, limit, kStart - 90 * 24h, cursor));
  INFO((p.ok() ? "" : p.error().to_string()));
  REQUIRE(p.ok());
  return *p;
}

std::string id_of(int i) {
  char text[16];
  std::snprintf(text, sizeof text, "r-%05d", i);
  return text;
}

// Writes `count` reports through the intake Function, one every 10 minutes from `first`, in
// both regions, and closes all but the `open` oldest through the outcome Function (with the
// state an acceptance leaves: a report must have been accepted to be closed).
asio::awaitable<bool> fill(DispatchStore& store, piket::redis::Client& client, int count, int open, TimePoint first) {
  for (int i = 0; i < count; ++i) {
    auto r = Fixture::new_report(id_of(i), 1, i % 2 == 0 ? "utrecht-stad" : "eemland");
    auto created = co_await store.submit(r, first + i * 10min);
    if (!created.ok()) co_return false;
  }
  for (int i = open; i < count; ++i) {
    auto command = piket::redis::args("HSET", "piket:report:" + id_of(i), "state", "accepted");
    if (!(co_await client.command(std::move(command))).ok()) co_return false;
    json argument{{"report", id_of(i)}, {"outcome", "{}"}, {"state", "closed"},
                  {"route", "closed_no_further_help"}, {"now", piket::to_unix_ms(kStart)}, {"actor", "test"}};
    if (!(co_await store.call_json("piket_record_outcome", argument)).ok()) co_return false;
  }
  co_return true;
}
}  // namespace

TEST_CASE("every open report is on the desk's queue, however old, page by page",
          "[integration][dispatch][open-reports]") {
  Fixture f;
  f.cli("CONFIG SET appendfsync no");  // volume, not durability, is under test here
  constexpr int kReports = 20000;
  constexpr int kOldOpen = 30;  // the oldest reports, half a year old, still open
  const auto first = kStart - 200 * 24h;
  REQUIRE(run_async(f.io, fill(f.store, f.client, kReports, kOldOpen, first), 300s));

  SECTION("all regions, newest first, every old open report on it") {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
      auto p = page(f, "", "", 7, cursor);
      for (const auto& row : p.rows) seen.push_back(row["id"]);
      cursor = p.next_cursor;
      ++pages;
    } while (!cursor.empty() && pages < 100);
    REQUIRE(seen.size() == kOldOpen);
    for (int i = 0; i < kOldOpen; ++i) CHECK(seen[i] == id_of(kOldOpen - 1 - i));
  }
  SECTION("one region") {
    std::set<std::string> seen;
    std::string cursor;
    do {
      auto p = page(f, "eemland", "", 4, cursor);
      for (const auto& row : p.rows) {
        CHECK(row["region"] == "eemland");
        seen.insert(row["id"]);
      }
      cursor = p.next_cursor;
    } while (!cursor.empty());
    CHECK(seen.size() == kOldOpen / 2);
  }
  SECTION("the hand-offs' list of open ids") {
    auto ids = run_async(f.io, f.store.open_reports("utrecht-stad"));
    REQUIRE(ids.ok());
    CHECK(ids->size() == kOldOpen / 2);
  }
  SECTION("closed reports are still found by their state, a bounded scan at a time") {
    std::size_t closed = 0;
    int calls = 0;
    std::string cursor;
    do {
      auto p = page(f, "", "closed", 500, cursor);
      closed += p.rows.size();
      cursor = p.next_cursor;
      ++calls;
    } while (!cursor.empty() && calls < 200);
    // Those of the last 90 days: one every 10 minutes from 90 days back to the last report.
    CHECK(closed == static_cast<std::size_t>(kReports - 110 * 24 * 6));
  }
}

TEST_CASE("reports created in the same millisecond are each listed once across pages",
          "[integration][dispatch][open-reports]") {
  Fixture f;
  for (int i = 0; i < 25; ++i) f.report(id_of(i), 1, kStart, "utrecht-stad");
  std::set<std::string> seen;
  std::size_t rows = 0;
  std::string cursor;
  do {
    auto p = page(f, "utrecht-stad", "", 3, cursor);
    for (const auto& row : p.rows) seen.insert(row["id"]);
    rows += p.rows.size();
    cursor = p.next_cursor;
  } while (!cursor.empty());
  CHECK(rows == 25);
  CHECK(seen.size() == 25);
}

TEST_CASE("open reports stored before the index existed are indexed once, at connect",
          "[integration][dispatch][open-reports]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.report(id_of(i), 1, kStart + i * 1min, "eemland");
  // A store from before the index: the index and its mark gone.
  f.cli("DEL piket:reports:open piket:reports:open:eemland piket:reports:open-indexed");
  CHECK(page(f, "eemland", "", 10, "").rows.empty());
  REQUIRE(run_async(f.io, f.store.index_open_reports()).ok());
  CHECK(page(f, "eemland", "", 10, "").rows.size() == 5);
  CHECK(f.cli("GET piket:reports:open-indexed").find('1') != std::string::npos);
}

TEST_CASE("a cursor the list did not give is refused naming the field", "[integration][dispatch][open-reports]") {
  Fixture f;
  auto p = run_async(f.io, f.store.list_reports("", "", 10, kStart, "nonsense"));
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().field == "cursor");
}
