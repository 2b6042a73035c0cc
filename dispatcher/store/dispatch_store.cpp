#include "dispatcher/store/dispatch_store.hpp"

#include <charconv>

#include "common/domain/call_outs.hpp"
#include "common/envelope.hpp"
#include "common/keys.hpp"
#include "common/redis/functions.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using redis::args;
using redis::Value;

namespace {
constexpr const char* kActorDispatcher = "dispatcher";

// Commands are built in a statement before each co_await: GCC 12 cannot keep brace-list
// temporaries (initializer_list arrays) in a coroutine frame.
using redis::fcall;

std::string ms(TimePoint t) { return std::to_string(to_unix_ms(t)); }

Error unexpected(std::string_view what) {
  return make_error(ErrorCode::internal, "", "unexpected reply from redis for " + std::string(what));
}

// HGETALL's flat [k, v, k, v] -> JSON object of strings.
nlohmann::json hash_to_json(const Value& flat) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2)
    out[flat.elements[i].str] = flat.elements[i + 1].str;
  return out;
}

// [{id, worker, state, round}] as the Functions list a report's assignments (an empty Lua
// table arrives as {}).
std::vector<AssignmentSeen> assignments_seen(const nlohmann::json& list) {
  std::vector<AssignmentSeen> out;
  if (!list.is_array()) return out;
  for (const auto& a : list)
    if (a.is_object())
      out.push_back({a.value("id", ""), a.value("worker", ""), a.value("state", ""), a.value("round", 0)});
  return out;
}

Result<AssignmentChange> change_from(const Result<Value>& reply, std::string_view what) {
  if (!reply.ok()) return reply.error();
  const auto& v = reply.value();
  if (!v.is_array() || v.elements.size() != 4) return unexpected(what);
  AssignmentChange change;
  change.state = v.elements[0].str;
  change.report_id = v.elements[1].str;
  change.worker_id = v.elements[2].str;
  change.changed = v.elements[3].integer == 1;
  return change;
}
}  // namespace

std::string assignment_id_for(const std::string& report_id, std::int64_t n) {
  return report_id + "-" + std::to_string(n);
}

bool valid_report_id(const std::string& id) {
  if (id.size() != 21 || id[0] != 'r') return false;
  for (char c : id.substr(1))
    if (kIdAlphabet.find(c) == std::string_view::npos) return false;
  return true;
}

std::optional<std::string> report_id_of_assignment(const std::string& assignment_id) {
  auto dash = assignment_id.rfind('-');
  if (dash == std::string::npos || dash + 1 >= assignment_id.size() || dash > 64) return std::nullopt;
  for (char c : assignment_id.substr(dash + 1))
    if (c < '0' || c > '9') return std::nullopt;
  std::string report = assignment_id.substr(0, dash);
  if (!valid_report_id(report)) return std::nullopt;
  return report;
}

asio::awaitable<Result<SubmitOutcome>> DispatchStore::submit(const NewReport& r, TimePoint now) {
  nlohmann::json timers = nlohmann::json::array();
  for (const auto& [member, at] : r.timers) timers.push_back({{"member", member}, {"at", to_unix_ms(at)}});
  nlohmann::json argument{{"id", r.id},
                          {"fingerprint", r.fingerprint},
                          {"report", r.report.dump()},
                          {"triage", r.triage.dump()},
                          {"now", to_unix_ms(now)},
                          {"region", r.region},
                          {"municipality", r.municipality},
                          {"class", r.triage_class},
                          {"state", r.state},
                          {"actor", r.actor},
                          {"kind", r.kind},
                          {"needed", r.needed},
                          {"visit_required", r.visit_required ? "1" : "0"},
                          {"first_contact_by", r.first_contact_by_ms},
                          {"family_key", r.family_key},
                          {"from_advice", r.from_advice},
                          {"timers", timers}};
  auto command = fcall("piket_submit_report", {keys::idempotency(r.idempotency_key)}, {argument.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 2) co_return unexpected("submit");
  co_return SubmitOutcome{reply->elements[0].str, reply->elements[1].integer == 1};
}

namespace {
std::vector<std::string> strings_of(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array())  // (an empty Lua table arrives as {})
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
}  // namespace

asio::awaitable<Result<MatchContext>> DispatchStore::match_context(const std::string& report_id) {
  auto command = fcall("piket_match_context", {keys::report(report_id)}, {report_id});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  auto j = nlohmann::json::parse(reply->str, nullptr, false);
  if (!j.is_object()) co_return unexpected("match context");
  MatchContext context;
  if (!j.value("exists", false)) co_return context;
  context.exists = true;
  context.state = j.value("state", "");
  context.region = j.value("region", "");
  context.municipality = j.value("municipality", "");
  context.triage = nlohmann::json::parse(j.value("triage", "{}"), nullptr, false);
  context.needed = j.value("needed", 1);
  context.round = j.value("round", 0);
  context.family_workers = strings_of(j["family_workers"]);
  context.declined = strings_of(j["declined"]);
  context.assignments = assignments_seen(j["assignments"]);
  co_return context;
}

asio::awaitable<Result<std::vector<WorkerLoadRow>>> DispatchStore::worker_loads(
    const std::vector<std::string>& workers, TimePoint day_start, TimePoint since,
    TimePoint call_outs_from, TimePoint now) {
  std::vector<std::string> argv{ms(day_start), ms(since), ms(call_outs_from), ms(now)};
  argv.insert(argv.end(), workers.begin(), workers.end());
  auto command = fcall("piket_worker_loads", {}, std::move(argv));
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != workers.size()) co_return unexpected("worker loads");
  std::vector<WorkerLoadRow> rows;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const auto& e = reply->elements[i];
    if (e.elements.size() != 6) co_return unexpected("worker loads");
    WorkerLoadRow row;
    row.worker_id = workers[i];
    row.cases_today = static_cast<int>(e.elements[0].integer);
    row.jobs_24h = static_cast<int>(e.elements[1].integer);
    row.last_ms = std::strtoll(e.elements[2].str.c_str(), nullptr, 10);
    row.open_callouts = static_cast<int>(e.elements[3].integer);
    for (auto& [worker, work] : call_outs_by_worker(e.elements[4]))
      if (worker == row.worker_id) row.call_outs = std::move(work);
    row.busy_until_ms = e.elements[5].integer;
    rows.push_back(row);
  }
  co_return rows;
}

asio::awaitable<Result<std::string>> DispatchStore::start_ladder(const nlohmann::json& plan) {
  auto command = fcall("piket_start_ladder", {keys::report(plan.value("report", ""))}, {plan.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<Result<std::string>> DispatchStore::no_candidate(const std::string& report_id,
                                                                 const std::string& match_entry_id,
                                                                 TimePoint retry_at, TimePoint now,
                                                                 const std::string& reason) {
  auto command = fcall("piket_no_candidate", {keys::report(report_id)},
                       {report_id, ms(retry_at), ms(now), match_entry_id, reason, kActorDispatcher});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<Status> DispatchStore::drop_job(const std::string& match_entry_id) {
  auto command = fcall("piket_drop_job", {keys::match_stream()}, {match_entry_id});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<StepContext>> DispatchStore::step_context(const std::string& report_id) {
  auto command = fcall("piket_step_context", {keys::report(report_id)}, {report_id});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  auto j = nlohmann::json::parse(reply->str, nullptr, false);
  if (!j.is_object()) co_return unexpected("step context");
  StepContext c;
  if (!j.value("exists", false)) co_return c;
  c.exists = true;
  c.state = j.value("state", "");
  const std::string next = j.value("next_step", "");
  int k = 0;
  if (auto [end, error] = std::from_chars(next.data(), next.data() + next.size(), k);
      !next.empty() && error == std::errc{} && end == next.data() + next.size())
    c.next_step = k;
  c.snapshot.ladder = nlohmann::json::parse(j.value("ladder", "[]"), nullptr, false);
  if (!c.snapshot.ladder.is_array()) co_return unexpected("stored ladder of " + report_id);
  c.snapshot.round = j.value("round", 0);
  if (j.contains("base_ms") && j["base_ms"].is_number()) c.snapshot.base_ms = j["base_ms"].get<std::int64_t>();
  c.snapshot.restart_after_ms = j.value("restart_after_ms", std::int64_t{300000});
  c.snapshot.assignments = assignments_seen(j["assignments"]);
  co_return c;
}

asio::awaitable<Status> DispatchStore::release_step(const std::string& report_id) {
  auto command = fcall("piket_step_release", {keys::timers_deciding()}, {report_id});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<std::string>> DispatchStore::apply_step(const std::string& report_id,
                                                               const StepContext& context,
                                                               const StepDecision& decision, TimePoint now) {
  nlohmann::json argument{{"report", report_id},
                          {"now", to_unix_ms(now)},
                          {"expect",
                           {{"state", context.state},
                            {"round", context.snapshot.round},
                            {"next_step", context.next_step ? std::to_string(*context.next_step) : ""}}},
                          {"decision", decision.to_json()}};
  auto command = fcall("piket_apply_step", {keys::report(report_id)}, {argument.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<Result<AcceptContext>> DispatchStore::accept_context(const std::string& assignment_id,
                                                                     TimePoint from, TimePoint to) {
  nlohmann::json argument{{"assignment", assignment_id}, {"from_ms", to_unix_ms(from)}, {"to_ms", to_unix_ms(to)}};
  auto command = fcall("piket_accept_context", {keys::assignment(assignment_id)}, {argument.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  auto j = nlohmann::json::parse(reply->str, nullptr, false);
  if (!j.is_object()) co_return unexpected("accept context");
  AcceptContext c;
  c.exists = j.value("exists", false);
  if (!c.exists) co_return c;
  c.state = j.value("state", "");
  c.report_id = j.value("report", "");
  c.worker_id = j.value("worker", "");
  c.report_state = j.value("report_state", "");
  c.region = j.value("region", "");
  c.round = j.value("round", 0);
  c.needed = j.value("needed", 1);
  c.visit_required = j.value("visit_required", false);
  if (j["accepted"].is_array())  // (an empty Lua table arrives as {})
    for (const auto& a : j["accepted"])
      c.accepted.push_back({a.value("worker", ""), std::chrono::milliseconds(a.value("travel", std::int64_t{0})),
                            a.value("shift_end", std::int64_t{0})});
  if (j["busy"].is_array())
    for (const auto& b : j["busy"])
      if (b.is_array() && b.size() == 2) c.busy.emplace_back(b[0].get<std::int64_t>(), b[1].get<std::int64_t>());
  co_return c;
}

asio::awaitable<Result<AssignmentChange>> DispatchStore::accept(
    const std::string& assignment_id, TimePoint now, const std::string& actor,
    std::chrono::milliseconds visit_length, std::chrono::milliseconds checkin_interval,
    const std::string& link_base, const AcceptDecision& decision, std::chrono::milliseconds min_call_out) {
  nlohmann::json argument{{"assignment", assignment_id}, {"now", to_unix_ms(now)},
                          {"actor", actor},              {"visit_ms", visit_length.count()},
                          {"checkin_ms", checkin_interval.count()}, {"link_base", link_base},
                          {"expect", {{"state", decision.state}, {"round", decision.round}}},
                          {"accepted_seen", decision.accepted_seen},
                          {"min_call_out_ms", min_call_out.count()}};
  if (decision.visit_start) argument["visit_start"] = to_unix_ms(*decision.visit_start);
  auto command = fcall("piket_accept", {keys::assignment(assignment_id)}, {argument.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  auto j = nlohmann::json::parse(reply->str, nullptr, false);
  if (!j.is_object()) co_return unexpected("accept");
  AssignmentChange change;
  change.state = j.value("state", "");
  change.report_id = j.value("report", "");
  change.worker_id = j.value("worker", "");
  change.changed = j.value("changed", false);
  change.visit_id = j.value("visit", "");
  change.visit_start_ms = j.value("visit_start", std::int64_t{0});
  change.late = j.value("late", false);
  co_return change;
}

asio::awaitable<Result<AssignmentChange>> DispatchStore::decline(const std::string& assignment_id,
                                                                 TimePoint now,
                                                                 const std::string& actor,
                                                                 const std::string& reason,
                                                                 const nlohmann::json& expect) {
  auto command = fcall("piket_decline", {keys::assignment(assignment_id)},
                       {assignment_id, ms(now), actor, reason, expect.is_null() ? "" : expect.dump()});
  auto reply = co_await client_.command(std::move(command));
  co_return change_from(reply, "decline");
}

asio::awaitable<Result<ClaimedTimers>> DispatchStore::claim_due(TimePoint now, int limit) {
  auto command = fcall("piket_claim_due", {keys::timers()}, {ms(now), std::to_string(limit)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 5) co_return unexpected("claim due");
  ClaimedTimers out;
  for (const auto& e : reply->elements[0].elements) out.fired.push_back(e.str);
  for (const auto& e : reply->elements[1].elements) out.late_ms.push_back(e.integer);
  const std::string& next = reply->elements[2].str;
  if (!next.empty()) out.next_due = from_unix_ms(std::strtoll(next.c_str(), nullptr, 10));
  for (const auto& e : reply->elements[3].elements) out.decide.push_back(e.str);
  for (const auto& e : reply->elements[4].elements) out.decide_late_ms.push_back(e.integer);
  co_return out;
}

asio::awaitable<Result<nlohmann::json>> DispatchStore::call_json(std::string_view function,
                                                                 const nlohmann::json& argument) {
  auto command = fcall(function, {}, {argument.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  auto j = nlohmann::json::parse(reply->str, nullptr, false);
  if (j.is_discarded()) co_return unexpected(function);
  co_return j;
}

asio::awaitable<Status> DispatchStore::index_open_reports() {
  std::string offset = "0";
  while (!offset.empty()) {
    auto command = fcall("piket_index_open_reports", {keys::reports_index(), keys::open_reports_indexed()},
                         {offset, "2000"});
    auto reply = co_await client_.command(std::move(command));
    if (!reply.ok()) co_return reply.error();
    offset = reply->str;
  }
  co_return ok_status();
}

asio::awaitable<Result<std::vector<std::string>>> DispatchStore::open_reports(
    const std::string& region) {
  std::vector<std::string> ids;
  std::string cursor;
  do {
    auto page = co_await list_reports(region, "", 500, TimePoint{}, cursor);
    if (!page.ok()) co_return page.error();
    for (const auto& row : page->rows) ids.push_back(row.value("id", ""));
    cursor = page->next_cursor;
  } while (!cursor.empty());
  co_return ids;
}

namespace {
nlohmann::json json_list(const Value& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : list.elements) {
    auto j = nlohmann::json::parse(e.str, nullptr, false);
    if (!j.is_discarded()) out.push_back(j);
  }
  return out;
}
}  // namespace

asio::awaitable<Result<nlohmann::json>> DispatchStore::read_report(const std::string& report_id,
                                                                   TimePoint now,
                                                                   const std::string& actor,
                                                                   const std::string& purpose,
                                                                   const std::string& break_glass_reason) {
  auto command = fcall("piket_read_report", {keys::report(report_id), keys::access_stream()},
                       {report_id, ms(now), actor, purpose, break_glass_reason});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 7) co_return unexpected("read report");
  const auto& e = reply->elements;
  nlohmann::json out = hash_to_json(e[0]);
  out["assignments"] = nlohmann::json::array();
  for (const auto& a : e[1].elements) out["assignments"].push_back(hash_to_json(a));
  out["timeline"] = json_list(e[2]);
  out["visit"] = e[3].elements.empty() ? nlohmann::json() : hash_to_json(e[3]);
  out["checkins"] = json_list(e[4]);
  out["overrides"] = json_list(e[5]);
  out["notices"] = json_list(e[6]);
  co_return out;
}

asio::awaitable<Result<nlohmann::json>> DispatchStore::flagged_reads(int limit) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_flagged_reads", {keys::access_flagged(), keys::access_stream()}, {std::to_string(limit)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& pair : reply->elements) {
    if (pair.elements.size() != 2) continue;
    nlohmann::json fields = hash_to_json(pair.elements[1]);
    nlohmann::json row{{"id", pair.elements[0].str},
                       {"actor", fields.value("actor", "")},
                       {"report", fields.value("report", "")},
                       {"reason", fields.value("reason", "")}};
    const std::string at = fields.value("at", "");
    row["at"] = at.empty() ? nlohmann::json() : nlohmann::json(format_utc(from_unix_ms(std::strtoll(at.c_str(), nullptr, 10))));
    out.push_back(std::move(row));
  }
  co_return out;
}

asio::awaitable<Status> DispatchStore::close_flagged_read(const std::string& entry_id, TimePoint now,
                                                          const std::string& actor, const std::string& note) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_close_flagged_read",
                                              {keys::access_flagged(), keys::access_flags_closed(), keys::audit_stream()},
                                              {entry_id, ms(now), actor, note});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<ReportPage>> DispatchStore::list_reports(const std::string& region,
                                                                const std::string& state, int limit,
                                                                TimePoint since,
                                                                const std::string& cursor) {
  const std::string index = region.empty() ? keys::open_reports_index() : keys::open_reports_index(region);
  auto command = fcall("piket_list_reports", {keys::reports_index(), index},
                       {region, state, std::to_string(limit), ms(since), cursor});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 2) co_return unexpected("list reports");
  ReportPage page;
  for (const auto& e : reply->elements[0].elements) {
    auto row = nlohmann::json::parse(e.str, nullptr, false);
    if (row.is_object()) page.rows.push_back(std::move(row));
  }
  page.next_cursor = reply->elements[1].str;
  co_return page;
}

asio::awaitable<Result<std::vector<nlohmann::json>>> DispatchStore::worker_assignments(
    const std::string& worker) {
  auto command = fcall("piket_worker_assignments", {keys::open_reports_index()}, {worker});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array()) co_return unexpected("worker assignments");
  std::vector<nlohmann::json> rows;
  for (const auto& e : reply->elements) {
    auto row = nlohmann::json::parse(e.str, nullptr, false);
    if (row.is_object()) rows.push_back(std::move(row));
  }
  co_return rows;
}

asio::awaitable<Result<EventPage>> DispatchStore::read_events(const std::string& after, int count,
                                                              const std::string& worker,
                                                              const std::vector<std::string>& regions) {
  std::vector<std::string> args{after, std::to_string(count), worker};
  args.insert(args.end(), regions.begin(), regions.end());
  auto command = fcall("piket_read_events", {keys::audit_stream()}, args);
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 2) co_return unexpected("read events");
  EventPage page;
  for (const auto& e : reply->elements[0].elements) {
    auto row = nlohmann::json::parse(e.str, nullptr, false);
    if (row.is_object()) page.rows.push_back(std::move(row));
  }
  page.last_id = reply->elements[1].str;
  co_return page;
}

asio::awaitable<Result<ChainCheck>> DispatchStore::verify_chain(const std::string& stream) {
  ChainCheck check;
  std::string after = "0";
  for (;;) {
    auto command = fcall("piket_verify_chain", {stream}, {stream, after, check.head, "1000"});
    auto reply = co_await client_.command(std::move(command));
    if (!reply.ok()) co_return reply.error();
    if (!reply->is_array() || reply->elements.size() != 5) co_return unexpected("verify chain");
    const auto& e = reply->elements;
    after = e[0].str;
    check.head = e[1].str;
    check.checked += e[3].integer;
    check.broken = e[2].str;
    if (!check.broken.empty() || e[4].integer == 1) co_return check;
  }
}

asio::awaitable<Result<std::pair<std::string, std::string>>> DispatchStore::chain_heads() {
  auto reply = co_await client_.command(
      args("MGET", keys::chain_head(keys::audit_stream()), keys::chain_head(keys::access_stream())));
  if (!reply.ok()) co_return reply.error();
  if (reply->elements.size() != 2) co_return unexpected("chain heads");
  co_return std::make_pair(reply->elements[0].str, reply->elements[1].str);
}

}  // namespace piket::dispatcher
