// After the alert: answers (accept, decline), the visit's check-ins, the outcome, the desk's
// triage override, and the timers that drive the ladder, the check-ins and the notices.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/domain/states.hpp"
#include "common/domain/workers.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "common/request_fields.hpp"
#include "dispatcher/intake/report_input.hpp"
#include "dispatcher/ladder_steps.hpp"
#include "dispatcher/matching/on_call_candidates.hpp"
#include "dispatcher/service.hpp"
#include "dispatcher/notices/notice_timer.hpp"
#include "dispatcher/triage/restraining_order.hpp"
#include "dispatcher/visits/acceptance.hpp"
#include "dispatcher/visits/checkin_timer.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("dispatcher"); }

// The outcome's routes decide how the report ends: help continues elsewhere, or it is closed.
bool continues_elsewhere(const std::string& route) {
  return route == "local_team" || route == "save_team" || route == "veilig_thuis_investigation" ||
         route == "child_protection_board_request";
}

// A change decided on a read is applied only if the report is still as read; when it moved in
// between, the read and the decision are made again, a few times at most.
constexpr int kDecideAttempts = 3;

bool moved_since_read(const Error& e) {
  return e.code == ErrorCode::conflict && (e.field == "state" || e.field == "round" || e.field == "rev");
}

json expectation_of(const json& stored) {
  json out{{"state", stored.value("state", std::string{})}};
  out["round"] = std::strtoll(stored.value("round", std::string{"0"}).c_str(), nullptr, 10);
  out["rev"] = std::strtoll(stored.value("rev", std::string{"0"}).c_str(), nullptr, 10);
  return out;
}
}  // namespace

DispatcherService::Reply DispatcherService::change_assignment(const Envelope& request, bool accept) {
  std::string id, reason = "declined";
  if (auto e = read_token(request.body, "id", true, 80, id)) co_return *e;
  const Error no_such_assignment = make_error(ErrorCode::not_found, "id", "no such assignment");
  const auto report_id = report_id_of_assignment(id);
  if (!report_id) co_return no_such_assignment;
  // Only the worker the assignment is for answers it.
  std::string purpose = "decline";  // (named: no conditional inside a co_await for GCC 12)
  if (accept) purpose = "accept";
  auto access = co_await report_access(request, *report_id, ReportAction::answer, purpose, no_such_assignment, id);
  if (!access.ok()) co_return access.error();
  const std::string actor = request.principal->actor();
  if (!accept)
    if (auto e = read_text(request.body, "reason", false, 200, reason)) co_return *e;
  // Named, not temporaries in the call: GCC 12 cannot keep those in a coroutine frame.
  VisitSettings visit;
  visit.length = std::chrono::minutes(config_.dispatcher.visit_minutes);
  visit.checkin_interval = std::chrono::seconds(config_.dispatcher.checkin_interval_s);
  visit.link_base = config_.gateway.public_url;
  visit.min_call_out = data_.limits.min_call_out;
  const std::function<std::chrono::hours(const std::string&)> search_of_region =
      [this](const std::string& region) { return data_.escalation.for_region(region).visit_search; };
  // (if/else, not ?:, around co_await: GCC 12 miscompiles the conditional.)
  Result<AssignmentChange> change = make_error(ErrorCode::internal, "", "not run");
  if (accept)
    change = co_await accept_assignment(store_, id, clock_.now(), actor, visit, search_of_region);
  else
    change = co_await decline_assignment(store_, id, clock_.now(), actor, reason);
  if (!change.ok()) co_return change.error();
  wake_timers();
  if (change->changed) {
    log()->info("event=assignment_{} assignment={} report={} worker={}", change->state, id,
                change->report_id, change->worker_id);
    events_.publish(msg::kEventAssignmentChanged,
                    {{"assignment", id}, {"report", change->report_id}, {"state", change->state}});
  }
  json out{{"assignment", id},
           {"report", change->report_id},
           {"worker", change->worker_id},
           {"state", change->state},
           {"changed", change->changed}};
  if (!change->visit_id.empty()) {
    out["visit"] = {{"id", change->visit_id},
                    {"start", format_utc(from_unix_ms(change->visit_start_ms))},
                    {"late", change->late}};
    log()->info("event=visit_planned report={} visit={} late={}", change->report_id, change->visit_id, change->late);
    events_.publish(msg::kEventVisitPlanned, {{"report", change->report_id}, {"visit", change->visit_id}});
  }
  co_return out;
}

DispatcherService::Reply DispatcherService::checkin(const Envelope& request) {
  std::string id, status;
  if (auto e = read_token(request.body, "id", true, 80, id)) co_return *e;
  if (request.body.contains("worker"))
    co_return invalid("worker", "is not taken: the check-in is the signed-in worker's");
  if (auto e = read_choice(request.body, "status", true, {"arrived", "ok", "done", "need_help"}, status))
    co_return *e;
  const Error no_such_visit = make_error(ErrorCode::not_found, "id", "no such visit");
  if (!id.ends_with("-v") || !valid_report_id(id.substr(0, id.size() - 2))) co_return no_such_visit;
  // Only a professional of the visit checks in, for themselves.
  auto access = co_await report_access(request, id.substr(0, id.size() - 2), ReportAction::checkin,
                                       "checkin", no_such_visit);
  if (!access.ok()) co_return access.error();
  const std::string worker = request.principal->worker, actor = request.principal->actor();
  json argument{{"visit", id}, {"worker", worker}, {"status", status},
                {"now", to_unix_ms(clock_.now())}, {"actor", actor}};
  auto result = co_await store_.call_json("piket_checkin", argument);
  if (!result.ok()) co_return result.error();
  wake_timers();
  log()->info("event=visit_checkin visit={} worker={} status={}", id, worker, status);
  co_return *result;
}

// The outcome of the contact: what was agreed, who else is involved, where help goes next, and
// the family's consent at each step (the voluntary framework records it; it is not the legal
// basis for handling the report).
DispatcherService::Reply DispatcherService::record_outcome(const Envelope& request) {
  const json& body = request.body;
  std::string id, route, note;
  bool safety_agreements = false, police_involved = false;
  if (auto e = read_token(body, "id", true, 64, id)) co_return *e;
  const Error no_such_report = make_error(ErrorCode::not_found, "id", "no such report");
  if (!valid_report_id(id)) co_return no_such_report;
  auto access = co_await report_access(request, id, ReportAction::outcome, "outcome", no_such_report);
  if (!access.ok()) co_return access.error();
  const std::string actor = request.principal->actor();
  if (auto e = read_bool(body, "safety_agreements", true, safety_agreements)) co_return *e;
  if (auto e = read_bool(body, "police_involved", true, police_involved)) co_return *e;
  if (auto e = read_choice(body, "route", true,
                           {"closed_no_further_help", "crisis_intervention", "save_team", "local_team",
                            "veilig_thuis_investigation", "child_protection_board_request"},
                           route))
    co_return *e;
  if (auto e = read_text(body, "note", false, 2000, note)) co_return *e;
  if (!body.contains("consent") || !body["consent"].is_array() || body["consent"].empty() ||
      body["consent"].size() > 20)
    co_return invalid("consent", "is required: the family's consent at each step, 1 to 20 of {step, given}");
  json consent = json::array();
  for (std::size_t i = 0; i < body["consent"].size(); ++i) {
    const json& c = body["consent"][i];
    const std::string path = "consent[" + std::to_string(i) + "]";
    std::string step;
    bool given = false;
    if (!c.is_object()) co_return invalid(path, "must be an object {step, given}");
    if (auto e = read_choice(c, "step", true, {"contact", "visit", "safety_agreements", "referral", "information_sharing"}, step))
      co_return invalid(path + "." + e->field, e->message);
    if (auto e = read_bool(c, "given", true, given)) co_return invalid(path + "." + e->field, e->message);
    consent.push_back({{"step", step}, {"given", given}});
  }
  json outcome{{"safety_agreements", safety_agreements}, {"police_involved", police_involved},
               {"route", route}, {"consent", consent}, {"note", note},
               {"recorded_by", actor}, {"recorded_at", format_utc(clock_.now())}};
  const std::string state = str(continues_elsewhere(route) ? ReportState::referred : ReportState::closed);
  json argument{{"report", id}, {"outcome", outcome.dump()}, {"state", state}, {"route", route},
                {"now", to_unix_ms(clock_.now())}, {"actor", actor}};
  auto result = co_await store_.call_json("piket_record_outcome", argument);
  if (!result.ok()) co_return result.error();
  log()->info("event=report_{} report={} route={}", state, id, route);
  co_return *result;
}

// The desk overrides the triage with a reason; the rules' result and the override both stay.
DispatcherService::Reply DispatcherService::override_triage(const Envelope& request) {
  const json& body = request.body;
  std::string id, class_id, route, reason;
  if (auto e = read_token(body, "id", true, 64, id)) co_return *e;
  const Error no_such_report = make_error(ErrorCode::not_found, "id", "no such report");
  if (!valid_report_id(id)) co_return no_such_report;
  auto access = co_await report_access(request, id, ReportAction::desk_change, "triage_override", no_such_report);
  if (!access.ok()) co_return access.error();
  const std::string actor = request.principal->actor();
  if (auto e = read_token(body, "class", true, 16, class_id)) co_return *e;
  if (auto e = read_token(body, "route", false, 64, route)) co_return *e;
  if (auto e = read_text(body, "reason", true, 500, reason)) co_return *e;
  for (int attempt = 1;; ++attempt) {
    auto stored = co_await store_.read_report(id, clock_.now(), actor, "triage_override");
    if (!stored.ok()) co_return stored.error();
    json report = json::parse(stored->value("report", std::string{"{}"}), nullptr, false);
    if (!report.is_object() || stored->value("kind", std::string{}) == str(ReportState::advice))
      co_return make_error(ErrorCode::conflict, "id", "an advice contact has no triage; convert it to a report");
    const TriageFacts facts = stored_triage_facts(
        report, from_unix_ms(std::strtoll(stored->value("created_at", std::string{"0"}).c_str(), nullptr, 10)),
        data_.regions.time_zone_of(stored->value("region", "")));
    auto overridden = data_.triage.with_override(facts, class_id, route);
    if (!overridden.ok()) co_return overridden.error();
    json triage_json = overridden->to_json();
    triage_json["override"] = {{"by", actor}, {"reason", reason}, {"at", format_utc(clock_.now())}};
    json argument{{"report", id},
                  {"triage", triage_json.dump()},
                  {"class", class_id},
                  {"dispatch", overridden->acute()},
                  {"reason", reason},
                  {"now", to_unix_ms(clock_.now())},
                  {"actor", actor},
                  {"needed", overridden->two_person ? 2 : 1},
                  {"first_contact_by", overridden->first_contact_by ? to_unix_ms(*overridden->first_contact_by) : 0},
                  {"expect", expectation_of(*stored)}};
    auto result = co_await store_.call_json("piket_override_triage", argument);
    if (!result.ok() && moved_since_read(result.error()) && attempt < kDecideAttempts) continue;
    if (!result.ok()) co_return result.error();
    log()->info("event=triage_overridden report={} from={} to={}", id, result->value("previous_class", ""), class_id);
    (*result)["triage"] = triage_json;
    co_return *result;
  }
}

// The mayor extends a temporary restraining order (at most to 28 days in all): the new end
// and its notices replace the old ones.
DispatcherService::Reply DispatcherService::extend_order(const Envelope& request) {
  const json& body = request.body;
  std::string id, until_text, reason;
  if (auto e = read_token(body, "id", true, 64, id)) co_return *e;
  const Error no_such_report = make_error(ErrorCode::not_found, "id", "no such report");
  if (!valid_report_id(id)) co_return no_such_report;
  auto access = co_await report_access(request, id, ReportAction::desk_change, "order_extension", no_such_report);
  if (!access.ok()) co_return access.error();
  const std::string actor = request.principal->actor();
  if (auto e = read_token(body, "until", true, 40, until_text)) co_return *e;
  if (auto e = read_text(body, "reason", true, 500, reason)) co_return *e;
  TimePoint until;
  if (!parse_utc(until_text, until)) co_return invalid("until", "must be an RFC 3339 time");
  for (int attempt = 1;; ++attempt) {
    auto stored = co_await store_.read_report(id, clock_.now(), actor, "order_extension");
    if (!stored.ok()) co_return stored.error();
    json triage = json::parse(stored->value("triage", std::string{"{}"}), nullptr, false);
    TimePoint imposed;
    if (!triage.is_object() || !triage.contains("restraining_order") ||
        !parse_utc(triage["restraining_order"].value("imposed_at", ""), imposed))
      co_return make_error(ErrorCode::conflict, "id", "this report has no restraining order");
    const Region* region = data_.regions.find(stored->value("region", ""));
    auto clocks = restraining_order_clocks(imposed, region ? region->time_zone : config_.data.time_zone);
    TimePoint current_end;  // an earlier extension moved it
    if (parse_utc(triage["restraining_order"].value("ends_at", ""), current_end)) clocks.ends_at = current_end;
    auto checked = check_extension(clocks, until);
    if (!checked.ok()) co_return checked.error();
    clocks.ends_at = *checked;
    json order = clocks.to_json();
    order["extended"] = {{"by", actor}, {"reason", reason}, {"at", format_utc(clock_.now())}};
    triage["restraining_order"] = order;
    json argument{{"report", id}, {"triage", triage.dump()}, {"until_ms", to_unix_ms(*checked)},
                  {"now", to_unix_ms(clock_.now())}, {"actor", actor}, {"reason", reason},
                  {"expect", {{"rev", expectation_of(*stored)["rev"]}}}};
    auto result = co_await store_.call_json("piket_extend_order", argument);
    if (!result.ok() && moved_since_read(result.error()) && attempt < kDecideAttempts) continue;
    if (!result.ok()) co_return result.error();
    (*result)["restraining_order"] = order;
    co_return *result;
  }
}

asio::awaitable<void> DispatcherService::fire_step_timer(std::string member, std::int64_t late_ms) {
  const std::string report = member.substr(5);
  auto fired = co_await fire_next_step(store_, report, clock_.now(), true);
  if (!fired.ok()) {
    // The claim holds the timer for a few seconds; it fires again then.
    log()->warn("event=ladder_step_failed report={} error={}", report, fired.error().to_string());
    co_return;
  }
  if (*fired == "none") co_return;
  metrics_.count("piket_deadlines_fired_total", {{"kind", "step"}});
  metrics_.observe("piket_timer_lateness_seconds", {}, std::chrono::microseconds(late_ms * 1000));
  log()->info("event=timer_fired timer={} outcome={}", member, *fired);
  events_.publish(msg::kEventEscalation, {{"timer", member}});
}

// The team leads on call in a region now, asked of the scheduler.
asio::awaitable<Result<std::vector<std::string>>> DispatcherService::team_leads_on_call(const std::string& region) {
  json query{{"region", region}, {"role", kRoleTeamLead}, {"at", format_utc(clock_.now())}};
  json question{{"queries", json::array({query})}};
  auto on_call = co_await scheduler_.call(msg::kOnCallQueryMany, std::move(question));
  if (!on_call.ok()) co_return on_call.error();
  std::vector<std::string> leads;
  const json answers = on_call->value("answers", json::array());
  if (!answers.empty())
    for (const auto& c : candidates_from_on_call(answers[0])) leads.push_back(c.worker_id);
  co_return leads;
}

asio::awaitable<void> DispatcherService::fire_notice_timer(const std::string& member) {
  const TeamLeadsOnCall leads = [this](const std::string& region) { return team_leads_on_call(region); };
  auto paged = co_await fire_deadline_notice(store_, member, clock_.now(), leads);
  if (!paged.ok()) {
    // The claim holds the timer for a while; it is decided again then, never dropped.
    log()->warn("event=deadline_notice_failed timer={} error={}", member, paged.error().to_string());
    co_return;
  }
  metrics_.count("piket_deadlines_fired_total", {{"kind", "notice"}});
  log()->info("event=timer_fired timer={} paged={}", member, *paged);
  events_.publish(msg::kEventEscalation, {{"timer", member}});
}

asio::awaitable<void> DispatcherService::decide_timers(const std::vector<std::string>& members,
                                                       const std::vector<std::int64_t>& late_ms) {
  // Ladder steps of different reports are independent: decided side by side, so many steps
  // due at once do not wait in line for each other's round trips.
  struct Countdown {
    asio::steady_timer done;
    std::size_t left;
  };
  auto countdown = std::make_shared<Countdown>(Countdown{asio::steady_timer(io_), 0});
  countdown->done.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!members[i].starts_with("step:")) continue;
    ++countdown->left;
    asio::co_spawn(io_, fire_step_timer(members[i], i < late_ms.size() ? late_ms[i] : 0),
                   [countdown](std::exception_ptr) {
                     if (--countdown->left == 0) countdown->done.cancel();
                   });
  }
  if (countdown->left > 0) {
    boost::system::error_code ec;
    co_await countdown->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  const std::function<std::chrono::seconds(const std::string&)> reminder_of_region =
      [this](const std::string& region) { return data_.escalation.for_region(region).checkin_reminder; };
  for (const std::string& member : members) {
    if (member.starts_with("step:")) continue;
    if (member.starts_with("notice:")) {
      co_await fire_notice_timer(member);
      continue;
    }
    const std::string visit = member.substr(member.find(':') + 1);
    auto escalated = co_await escalate_missed_checkin(store_, visit, clock_.now(), reminder_of_region);
    if (!escalated.ok()) {
      // The claim holds the timer for a while; it fires again then.
      log()->warn("event=checkin_escalation_failed visit={} error={}", visit, escalated.error().to_string());
      continue;
    }
    metrics_.count("piket_deadlines_fired_total", {{"kind", "checkin"}});
    log()->info("event=timer_fired timer={} team_leads_alerted={}", member, *escalated);
    events_.publish(msg::kEventEscalation, {{"timer", member}});
  }
}

// Sleeps until the next deadline by the clock (at most timer_poll_ms of real time, so a
// deadline added by another dispatcher is seen soon; a step that set a timer here, or a moved
// test clock, wakes it at once), then claims what is due.
asio::awaitable<void> DispatcherService::timer_loop() {
  const auto poll = std::chrono::milliseconds(config_.dispatcher.timer_poll_ms);
  TimePoint next_due = clock_.now() + poll;
  auto next_anchor = std::chrono::steady_clock::now();
  while (running_) {
    // The chains' heads go to the log now and then: an anchor outside Redis.
    if (redis_.connected() && std::chrono::steady_clock::now() >= next_anchor) {
      next_anchor = std::chrono::steady_clock::now() + std::chrono::minutes(10);
      auto heads = co_await store_.chain_heads();
      if (heads.ok()) log()->info("event=audit_chain_heads audit={} access={}", heads->first, heads->second);
    }
    co_await timer_sleep_.sleep_until(next_due, poll);
    next_due = clock_.now() + poll;
    if (!running_) break;
    if (!redis_.connected()) continue;
    auto claimed = co_await store_.claim_due(clock_.now(), 100);
    if (!claimed.ok()) continue;
    for (std::size_t i = 0; i < claimed->fired.size(); ++i) {
      const std::string& member = claimed->fired[i];
      metrics_.count("piket_deadlines_fired_total", {{"kind", member.substr(0, member.find(':'))}});
      if (i < claimed->late_ms.size())
        metrics_.observe("piket_timer_lateness_seconds", {}, std::chrono::microseconds(claimed->late_ms[i] * 1000));
      log()->info("event=timer_fired timer={}", member);
      events_.publish(msg::kEventEscalation, {{"timer", member}});
    }
    co_await decide_timers(claimed->decide, claimed->decide_late_ms);
    if (claimed->fired.size() >= 100) next_due = clock_.now();  // more are due
    else if (claimed->next_due) next_due = std::min(next_due, *claimed->next_due);
  }
}

}  // namespace piket::dispatcher
