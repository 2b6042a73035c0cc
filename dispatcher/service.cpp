#include "dispatcher/service.hpp"

#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "common/auth/access.hpp"
#include "common/domain/states.hpp"
#include "common/crypto.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "dispatcher/api/report_view.hpp"
#include "common/request_fields.hpp"
#include "dispatcher/intake/report_input.hpp"
#include "dispatcher/store/dispatch_lua.hpp"
#include "dispatcher/triage/restraining_order.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("dispatcher"); }
}  // namespace

DispatcherService::DispatcherService(asio::io_context& io, const PiketConfig& config,
                                     const Clock& clock, DispatcherData data)
    : io_(io),
      config_(config),
      clock_(clock),
      data_(std::move(data)),
      redis_(io, config.redis, "dispatcher"),
      workers_(redis_, data_.regions, data_.workers),
      store_(redis_),
      rpc_(io, config.zmq.dispatcher_rpc, clock),
      scheduler_(io, config.zmq.scheduler_rpc_peers,
                 zmqio::RpcOptions{std::chrono::milliseconds(config.zmq.request_timeout_ms),
                                   config.zmq.request_retries},
                 clock),
      events_(io, config.zmq.dispatcher_events, clock),
      timer_sleep_(io.get_executor(), clock) {
  // Every request from a person or an API client carries a principal the table lets make it;
  // the handlers then decide on the data (report_access).
  rpc_.guard([](const Envelope& e) { return auth::gate(e.principal ? &*e.principal : nullptr, e.type); });
  redis_.on_connect([this]() { return check_durability(); });
  redis_.on_connect([this]() { return redis::ensure_functions(redis_, dispatch_library()); });
  redis_.on_connect([this]() { return store_.index_open_reports(); });
  rpc_.on(msg::kReportSubmit, [this](const Envelope& e) { return submit(e); });
  rpc_.on(msg::kAdviceConvert, [this](const Envelope& e) { return convert_advice(e); });
  rpc_.on(msg::kReportGet, [this](const Envelope& e) { return get_report(e); });
  rpc_.on(msg::kReportBreakGlass, [this](const Envelope& e) { return break_glass(e); });
  rpc_.on(msg::kAccessFlaggedList, [this](const Envelope& e) { return list_flagged_reads(e); });
  rpc_.on(msg::kAccessFlaggedClose, [this](const Envelope& e) { return close_flagged_read(e); });
  rpc_.on(msg::kVisitGet, [this](const Envelope& e) { return get_visit(e); });
  rpc_.on(msg::kAssignmentAccept, [this](const Envelope& e) { return change_assignment(e, true); });
  rpc_.on(msg::kAssignmentDecline, [this](const Envelope& e) { return change_assignment(e, false); });
  rpc_.on(msg::kReportTriageOverride, [this](const Envelope& e) { return override_triage(e); });
  rpc_.on(msg::kReportOutcome, [this](const Envelope& e) { return record_outcome(e); });
  rpc_.on(msg::kVisitCheckin, [this](const Envelope& e) { return checkin(e); });
  rpc_.on(msg::kOrderExtend, [this](const Envelope& e) { return extend_order(e); });
  rpc_.on(msg::kAssignmentMine, [this](const Envelope& e) { return my_assignments(e); });
  rpc_.on(msg::kEventsRead, [this](const Envelope& e) { return read_events(e); });
  rpc_.on(msg::kReportsOpen, [this](const Envelope& e) -> Reply {
    std::string region;
    if (auto error = read_token(e.body, "region", true, 64, region)) co_return *error;
    if (!data_.regions.find(region)) co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
    auto ids = co_await store_.open_reports(region);
    if (!ids.ok()) co_return ids.error();
    co_return json{{"region", region}, {"reports", *ids}};
  });
  rpc_.on(msg::kReportList, [this](const Envelope& e) { return list_reports(e); });
  rpc_.on(msg::kAuditVerify, [this](const Envelope& e) -> Reply {
    std::string stream;
    if (auto error = read_choice(e.body, "stream", true, {"audit", "access"}, stream)) co_return *error;
    const std::string key = stream == "audit" ? keys::audit_stream() : keys::access_stream();
    auto check = co_await store_.verify_chain(key);
    if (!check.ok()) co_return check.error();
    const bool sound = check->broken.empty();
    if (!sound) log()->error("event=audit_chain_broken stream={} at={}", stream, check->broken);
    json out{{"stream", stream}, {"sound", sound}, {"checked", check->checked}, {"head", check->head}};
    if (!sound) out["broken_at"] = check->broken;
    co_return out;
  });
  rpc_.on(msg::kMetrics, [this](const Envelope&) -> Reply {
    co_return json{{"content_type", "text/plain; version=0.0.4"}, {"text", metrics_.render()}};
  });
  rpc_.on(msg::kPing, [this](const Envelope&) -> Reply {
    co_return json{{"service", "dispatcher"}, {"redis", redis_.connected()}};
  });
  metrics_.describe("piket_reports_stored_total", MetricType::counter, "Reports stored, by triage class");
  metrics_.describe("piket_intake_duration_seconds", MetricType::histogram, "Report intake: validation, triage and the fsynced store");
  metrics_.describe("piket_alerts_queued_total", MetricType::counter, "Matching jobs that started an escalation ladder");
  metrics_.describe("piket_match_duration_seconds", MetricType::histogram, "Matching job: context, on-call query, ranking and the first ladder step");
  metrics_.describe("piket_deadlines_fired_total", MetricType::counter, "Timers that fired: ladder steps, re-matching, check-ins, notices");
  metrics_.describe("piket_timer_lateness_seconds", MetricType::histogram, "How long after its deadline a timer fired");
  metrics_.describe("piket_coverage_failures_total", MetricType::counter, "Matching jobs that found nobody to alert");
  redis::StreamConsumerOptions options;
  options.stream = keys::match_stream();
  options.group = std::string(keys::kMatchGroup);
  options.consumer = redis::stable_consumer_name("dispatcher", config.zmq.dispatcher_rpc);
  options.claim_idle = std::chrono::milliseconds(config.dispatcher.match_claim_idle_ms);
  options.parallel = true;  // a job mostly waits on the scheduler and Redis; steps are idempotent
  match_consumer_ = std::make_unique<redis::StreamConsumer>(
      io, config.redis, options,
      [this](const redis::StreamEntry& entry) { return handle_match_job(entry); });
}

asio::awaitable<Status> DispatcherService::check_durability() {
  // Durable before acknowledged: refuse a Redis that would not fsync each write.
  auto appendonly = co_await redis_.command(redis::args("CONFIG", "GET", "appendonly"));
  auto fsync = co_await redis_.command(redis::args("CONFIG", "GET", "appendfsync"));
  if (!appendonly.ok()) co_return appendonly.error();
  if (!fsync.ok()) co_return fsync.error();
  auto value = [](const redis::Value& v) { return v.elements.size() == 2 ? v.elements[1].str : ""; };
  if (value(*appendonly) != "yes" || value(*fsync) != "always")
    co_return make_error(ErrorCode::unavailable, "redis",
                         "redis must run with appendonly yes and appendfsync always "
                         "(reports are acknowledged only once on disk)");
  co_return ok_status();
}

Status DispatcherService::start() {
  if (auto s = rpc_.bind(); !s.ok()) return s;
  if (auto s = events_.bind(); !s.ok()) return s;
  running_ = true;
  rpc_.start();
  scheduler_.start();
  redis_.start();
  match_consumer_->start();
  asio::co_spawn(io_, timer_loop(), asio::detached);
  return ok_status();
}

void DispatcherService::stop() {
  running_ = false;
  timer_sleep_.cancel();
  rpc_.stop();  // intake first
  match_consumer_->stop();
  scheduler_.stop();
  events_.stop();
  redis_.stop();
}

asio::awaitable<Result<ReportAccess>> DispatcherService::report_access(const Envelope& request,
                                                                        std::string report_id,
                                                                        ReportAction action,
                                                                        std::string purpose,
                                                                        Error not_found,
                                                                        std::string assignment_id) {
  if (!request.principal) co_return make_error(ErrorCode::unauthenticated, "", "sign in first");
  const auth::Principal& who = *request.principal;
  const json question{{"report", report_id}};
  auto facts = co_await store_.call_json("piket_report_access_facts", question);
  if (!facts.ok()) co_return facts.error();
  const ReportAccess access =
      decide_report_access(who, report_facts_from_json(*facts), action, assignment_id);
  if (access != ReportAccess::refused) co_return access;
  std::string roles;
  for (const auto& role : who.roles) roles += (roles.empty() ? "" : ",") + role;
  json entry{{"report", report_id}, {"now", std::to_string(to_unix_ms(clock_.now()))}, {"actor", who.actor()},
             {"via", who.via()}, {"roles", roles}, {"purpose", purpose}};
  auto logged = co_await store_.call_json("piket_log_access_refused", entry);
  if (!logged.ok()) co_return logged.error();  // a refusal that cannot be recorded is not answered
  log()->warn("event=access_refused report={} actor={} purpose={}", report_id, who.actor(), purpose);
  co_return not_found;
}

DispatcherService::Reply DispatcherService::submit(const Envelope& request) {
  std::string key;
  if (auto e = read_token(request.body, "idempotency_key", true, 128, key)) co_return *e;
  if (!request.body.contains("report")) co_return invalid("report", "is required");
  const std::string actor = request.principal ? request.principal->actor() : std::string{"api"};
  co_return co_await store_report(request.body["report"], key, actor, "");
}

// The desk turns an advice contact into a report: the report is validated and triaged like
// any other; the advice is marked converted in the same step.
DispatcherService::Reply DispatcherService::convert_advice(const Envelope& request) {
  std::string id;
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  const Error no_such_advice = make_error(ErrorCode::not_found, "id", "no such advice contact");
  if (!valid_report_id(id)) co_return no_such_advice;
  auto access = co_await report_access(request, id, ReportAction::desk_change, "advice_conversion", no_such_advice);
  if (!access.ok()) co_return access.error();
  const std::string actor = request.principal->actor();
  if (!request.body.contains("report") || !request.body["report"].is_object())
    co_return invalid("report", "is required: the report, as for POST /api/v1/reports");
  json report = request.body["report"];
  if (report.value("kind", std::string{"report"}) != "report")
    co_return invalid("report.kind", "a conversion makes a report, not another advice contact");
  co_return co_await store_report(report, "convert-" + id, actor, id);
}

DispatcherService::Reply DispatcherService::store_report(const json& body, const std::string& key,
                                                         const std::string& actor,
                                                         const std::string& from_advice) {
  const auto started = std::chrono::steady_clock::now();
  const TimePoint now = clock_.now();
  auto input = parse_report_input(body, data_.regions, data_.triage, now);
  if (!input.ok()) co_return input.error();
  const std::string time_zone = data_.regions.time_zone_of(input->region);
  const TriageFacts facts = input->triage_facts(now, time_zone);
  TriageResult triage = data_.triage.triage(facts);
  json triage_json = triage.to_json();
  const std::string report_id = new_id("r");

  NewReport r;
  r.id = report_id;
  r.idempotency_key = key;
  r.actor = actor;
  r.kind = input->kind;
  r.report = input->to_json();
  r.fingerprint = sha256_hex(r.report.dump());
  r.region = input->region;
  r.municipality = input->municipality;
  r.triage_class = triage.triage_class->id;
  r.needed = triage.two_person ? 2 : 1;
  r.from_advice = from_advice;
  if (input->advice()) {
    r.state = str(ReportState::advice);  // recorded, never dispatched
  } else {
    r.state = str(triage.acute() ? ReportState::matching : ReportState::queued);
    r.visit_required = triage.acute();
    std::optional<RestrainingOrderClocks> order;
    if (input->restraining_order) {
      order = restraining_order_clocks(input->restraining_order->imposed_at, time_zone,
                                       data_.triage.order_family_contact());
      // The family left behind is contacted by the local rule when that comes first.
      if (!triage.first_contact_by || order->family_contact_by < *triage.first_contact_by) {
        triage.first_contact_by = order->family_contact_by;
        triage_json["first_contact_by"] = format_utc(order->family_contact_by);
        triage_json["first_contact_by_order_rule"] = true;
      }
    }
    if (triage.first_contact_by) {
      r.first_contact_by_ms = to_unix_ms(*triage.first_contact_by);
      r.timers.emplace_back("notice:" + report_id + ":first_contact_due", *triage.first_contact_by);
    }
    for (std::size_t i = 0; i < triage.warnings.size(); ++i)
      r.timers.emplace_back("notice:" + report_id + ":first_contact_warning_" + std::to_string(i + 1),
                            triage.warnings[i]);
    if (order) {
      triage_json["restraining_order"] = order->to_json();
      r.timers.emplace_back("notice:" + report_id + ":order_address_due", order->address_due);
      r.timers.emplace_back("notice:" + report_id + ":order_ends_in_24h", order->ends_at - std::chrono::hours(24));
      r.timers.emplace_back("notice:" + report_id + ":order_ends", order->ends_at);
    }
  }
  // Continuity across reports without keeping the case system's reference as a key name.
  if (!input->family_reference.empty()) r.family_key = sha256_hex("family:" + input->family_reference);
  r.triage = triage_json;
  auto outcome = co_await store_.submit(r, now);
  if (!outcome.ok()) co_return outcome.error();
  metrics_.observe("piket_intake_duration_seconds", {},
                   std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  if (outcome->created) {
    metrics_.count("piket_reports_stored_total", {{"class", r.triage_class}});
    log()->info("event=report_stored report={} kind={} class={} region={} state={}", report_id,
                r.kind, r.triage_class, r.region, r.state);
    events_.publish(msg::kEventReportCreated,
                    {{"report", report_id}, {"class", r.triage_class}, {"region", r.region}, {"kind", r.kind}});
  }
  co_return json{{"id", outcome->report_id},
                 {"created", outcome->created},
                 {"kind", r.kind},
                 {"region", input->region},
                 {"municipality", input->municipality},
                 {"state", r.state},
                 {"triage", triage_json}};
}

DispatcherService::Reply DispatcherService::get_report(const Envelope& request) {
  std::string id, purpose = "view";
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  const Error no_such_report = make_error(ErrorCode::not_found, "id", "no such report");
  if (!valid_report_id(id)) co_return no_such_report;
  if (auto e = read_token(request.body, "purpose", false, 64, purpose)) co_return *e;
  auto access = co_await report_access(request, id, ReportAction::read, purpose, no_such_report);
  if (!access.ok()) co_return access.error();
  auto stored = co_await store_.read_report(id, clock_.now(), request.principal->actor(), purpose);
  if (!stored.ok()) co_return stored.error();
  // A worker sees their own case as a field professional needs it: without the reporter.
  if (*access == ReportAccess::own) co_return worker_report_view(*stored);
  co_return report_view(*stored);
}

// Break-glass: someone whose role may do it (the access table) but who has no need to know
// reads the case by giving a reason. The read is logged with the reason and flagged until the
// privacy officer closes it. Whoever has the right anyway reads it the ordinary way.
DispatcherService::Reply DispatcherService::break_glass(const Envelope& request) {
  std::string id, reason;
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  if (!valid_report_id(id)) co_return make_error(ErrorCode::not_found, "id", "no such report");
  if (auto e = read_text(request.body, "reason", true, 500, reason)) co_return *e;
  if (reason.size() < 10) co_return invalid("reason", "must say why, in at least 10 characters");
  const auth::Principal& who = *request.principal;
  const json question{{"report", id}};  // named: no brace temporaries in a co_await (GCC 12)
  auto facts = co_await store_.call_json("piket_report_access_facts", question);
  if (!facts.ok()) co_return facts.error();
  const ReportFacts f = report_facts_from_json(*facts);
  if (!f.exists) co_return make_error(ErrorCode::not_found, "id", "no such report");
  const bool entitled = decide_report_access(who, f, ReportAction::read) != ReportAccess::refused;
  // Named first: GCC 12 miscompiles a conditional inside a co_await expression.
  const std::string flagged_reason = entitled ? std::string{} : reason;
  auto stored = co_await store_.read_report(id, clock_.now(), who.actor(), "break_glass", flagged_reason);
  if (!stored.ok()) co_return stored.error();
  if (!entitled) log()->warn("event=break_glass report={} actor={}", id, who.actor());
  json view = report_view(*stored);
  view["break_glass"] = !entitled;
  co_return view;
}

DispatcherService::Reply DispatcherService::list_flagged_reads(const Envelope&) {
  auto flagged = co_await store_.flagged_reads(500);
  if (!flagged.ok()) co_return flagged.error();
  co_return json{{"flagged", *flagged}};
}

DispatcherService::Reply DispatcherService::close_flagged_read(const Envelope& request) {
  std::string id, note;
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  if (auto e = read_text(request.body, "note", true, 1000, note)) co_return *e;
  auto closed = co_await store_.close_flagged_read(id, clock_.now(), request.principal->actor(), note);
  if (!closed.ok()) co_return closed.error();
  co_return json{{"id", id}, {"closed", true}};
}

// The desk's queue: open reports of a region (or all), newest first, no personal details.
DispatcherService::Reply DispatcherService::list_reports(const Envelope& request) {
  const json& body = request.body;
  std::string region, state, limit_text = "100", cursor;
  if (auto e = read_token(body, "region", false, 64, region)) co_return *e;
  if (auto e = read_token(body, "cursor", false, 100, cursor)) co_return *e;
  if (!region.empty() && !data_.regions.find(region))
    co_return make_error(ErrorCode::unknown_region, "region", "unknown region");
  // The desk sees the queue of its regions: one of them named, or all when it serves all.
  const auth::Principal& who = *request.principal;
  if (!region.empty() && !who.in_region(region))
    co_return make_error(ErrorCode::forbidden, "region", "not one of your desk's regions");
  if (region.empty() && !who.all_regions()) {
    if (who.regions.size() != 1)
      co_return invalid("region", "is required: name one of your desk's regions");
    region = who.regions.front();
  }
  if (auto e = read_choice(body, "state", false,
                           {"all", "advice", "converted", "queued", "matching", "alerting", "unassigned",
                            "accepted", "visit_planned", "closed", "referred"},
                           state))
    co_return *e;
  if (auto e = read_token(body, "limit", false, 4, limit_text)) co_return *e;
  const int limit = std::atoi(limit_text.c_str());
  if (limit < 1 || limit > 500 || limit_text.find_first_not_of("0123456789") != std::string::npos)
    co_return invalid("limit", "must be a whole number from 1 to 500");
  auto page = co_await store_.list_reports(region, state, limit, clock_.now() - std::chrono::hours(24 * 90), cursor);
  if (!page.ok()) co_return page.error();
  json reports = json::array();
  // A named array, not a brace list: GCC 12 cannot keep brace-list temporaries in a coroutine.
  const std::array<const char*, 2> times{"created_at", "first_contact_by"};
  for (json row : page->rows) {
    for (const char* key : times) {
      const auto ms = row.value(key, std::int64_t{0});
      row[key] = ms > 0 ? json(format_utc(from_unix_ms(ms))) : json(nullptr);
    }
    if (row.value("visit", std::string{}).empty()) row["visit"] = nullptr;
    if (!row["assignments"].is_array()) row["assignments"] = json::array();  // Lua's {} when none
    reports.push_back(row);
  }
  co_return json{{"reports", reports},
                 {"next_cursor", page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}};
}

// The signed-in worker's open assignments: whose they are comes from the principal's worker
// id only (never the body), so nobody can list another worker's.
DispatcherService::Reply DispatcherService::my_assignments(const Envelope& request) {
  const auth::Principal& who = *request.principal;
  if (!who.has_role(auth::kWorker) || who.worker.empty())
    co_return make_error(ErrorCode::forbidden, "", "only a worker user has assignments");
  auto rows = co_await store_.worker_assignments(who.worker);
  if (!rows.ok()) co_return rows.error();
  json out = json::array();
  const std::array<const char*, 4> times{"deadline", "created_at", "first_contact_by", "updated_at"};
  for (json row : *rows) {
    for (const char* key : times) {
      const auto ms = row.value(key, std::int64_t{0});
      row[key] = ms > 0 ? json(format_utc(from_unix_ms(ms))) : json(nullptr);
    }
    if (row.value("visit", std::string{}).empty()) row["visit"] = nullptr;
    out.push_back(row);
  }
  co_return json{{"worker", who.worker}, {"assignments", out}};
}

// The console's live feed (the gateway's server-sent events): what happened after `after`,
// for the desk's regions and the worker's own reports, as the principal says.
DispatcherService::Reply DispatcherService::read_events(const Envelope& request) {
  std::string after, count_text = "200";
  if (auto e = read_token(request.body, "after", false, 40, after)) co_return *e;
  if (auto e = read_token(request.body, "count", false, 4, count_text)) co_return *e;
  // A Redis stream id "<ms>-<seq>", as the feed gave it (or empty: from now on).
  const auto dash = after.find('-');
  const bool digits = after.find_first_not_of("0123456789-") == std::string::npos;
  if (!after.empty() && (!digits || dash == 0 || dash == std::string::npos || dash + 1 == after.size() ||
                         after.find('-', dash + 1) != std::string::npos))
    co_return invalid("after", "must be an event id this feed gave (as in Last-Event-ID)");
  const int count = std::atoi(count_text.c_str());
  if (count < 1 || count > 1000) co_return invalid("count", "must be a whole number from 1 to 1000");
  const auth::Principal& who = *request.principal;
  std::string worker;
  if (who.has_role(auth::kWorker)) worker = who.worker;
  std::vector<std::string> regions;
  if (who.has_role(auth::kOperator)) regions = who.regions;
  if (worker.empty() && regions.empty()) co_return json{{"events", json::array()}, {"last_id", after}};
  auto page = co_await store_.read_events(after, count, worker, regions);
  if (!page.ok()) co_return page.error();
  json events = json::array();
  for (json row : page->rows) {
    const auto ms = row.value("at", std::int64_t{0});
    row["at"] = ms > 0 ? json(format_utc(from_unix_ms(ms))) : json(nullptr);
    events.push_back(row);
  }
  co_return json{{"events", events}, {"last_id", page->last_id}};
}

// The visit with the case as a field professional needs it: no reporter. The read is logged.
DispatcherService::Reply DispatcherService::get_visit(const Envelope& request) {
  std::string id;
  if (auto e = read_token(request.body, "id", true, 80, id)) co_return *e;
  const Error no_such_visit = make_error(ErrorCode::not_found, "id", "no such visit");
  if (id.size() < 3 || !id.ends_with("-v") || !valid_report_id(id.substr(0, id.size() - 2)))
    co_return no_such_visit;
  const std::string report_id = id.substr(0, id.size() - 2);
  auto access = co_await report_access(request, report_id, ReportAction::read_visit, "visit", no_such_visit);
  if (!access.ok()) co_return access.error();
  auto stored = co_await store_.read_report(report_id, clock_.now(), request.principal->actor(), "visit");
  if (!stored.ok()) co_return stored.error();
  json view = worker_report_view(*stored);
  if (view["visit"].is_null()) co_return make_error(ErrorCode::not_found, "id", "no such visit");
  json out = view["visit"];
  view.erase("visit");
  out["case"] = view;
  co_return out;
}

}  // namespace piket::dispatcher
