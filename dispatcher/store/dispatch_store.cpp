#include "dispatcher/store/dispatch_store.hpp"

#include "common/envelope.hpp"
#include "common/keys.hpp"

namespace piket::dispatcher {
namespace asio = boost::asio;
using redis::args;
using redis::Value;

namespace {
constexpr const char* kActorDispatcher = "dispatcher";

// Commands are built in a statement before each co_await: GCC 12 cannot keep brace-list
// temporaries (initializer_list arrays) in a coroutine frame.
std::vector<std::string> fcall(std::string_view name, std::vector<std::string> keys,
                               std::vector<std::string> argv) {
  std::vector<std::string> out{"FCALL", std::string(name), std::to_string(keys.size())};
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

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

Result<AssignmentChange> change_from(const Result<Value>& reply, std::string_view what) {
  if (!reply.ok()) return reply.error();
  const auto& v = reply.value();
  if (!v.is_array() || v.elements.size() != 4) return unexpected(what);
  return AssignmentChange{v.elements[0].str, v.elements[1].str, v.elements[2].str,
                          v.elements[3].integer == 1};
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

asio::awaitable<Result<SubmitOutcome>> DispatchStore::submit(
    const std::string& report_id, const std::string& idempotency_key, const std::string& fingerprint,
    const nlohmann::json& report, const nlohmann::json& triage, const std::string& region,
    const std::string& municipality, bool dispatch, TimePoint now, const std::string& actor) {
    auto command = fcall(
      "piket_submit_report",
      {keys::idempotency(idempotency_key), keys::report(report_id), keys::reports_index(),
       keys::match_stream(), keys::audit_stream()},
      {report_id, fingerprint, report.dump(), triage.dump(), ms(now), region, std::string(dispatch ? "1" : "0"),
       std::string(dispatch ? "matching" : "queued"), actor, triage.value("class", std::string{}), municipality});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 2) co_return unexpected("submit");
  co_return SubmitOutcome{reply->elements[0].str, reply->elements[1].integer == 1};
}

asio::awaitable<Result<MatchContext>> DispatchStore::match_context(const std::string& report_id) {
    auto command = 
      fcall("piket_match_context", {keys::report(report_id), keys::report_assignments(report_id)},
            {keys::assignment_prefix()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  MatchContext context;
  if (!reply->is_array()) co_return unexpected("match context");
  if (reply->elements.size() < 4) co_return context;  // no such report
  context.exists = true;
  context.state = reply->elements[0].str;
  context.region = reply->elements[1].str;
  context.triage = nlohmann::json::parse(reply->elements[2].str, nullptr, false);
  context.municipality = reply->elements[3].str;
  for (std::size_t i = 4; i < reply->elements.size(); ++i)
    context.alerted_workers.push_back(reply->elements[i].str);
  co_return context;
}

asio::awaitable<Result<std::string>> DispatchStore::assign(const NewAssignment& a, TimePoint now) {
    auto command = fcall(
      "piket_assign",
      {keys::report(a.report_id), keys::assignment(a.assignment_id),
       keys::report_assignments(a.report_id), keys::alert_stream(), keys::timers(),
       keys::match_stream(), keys::audit_stream()},
      {a.report_id, a.assignment_id, a.worker_id, ms(a.deadline), ms(now), a.match_entry_id,
       std::string(keys::kMatchGroup), a.alert.dump(), a.candidates.dump(),
       std::to_string(a.position), a.reason, kActorDispatcher});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<Result<std::string>> DispatchStore::no_candidate(const std::string& report_id,
                                                                 const std::string& match_entry_id,
                                                                 TimePoint retry_at, TimePoint now,
                                                                 const std::string& reason) {
    auto command = 
      fcall("piket_no_candidate",
            {keys::report(report_id), keys::timers(), keys::match_stream(), keys::audit_stream()},
            {report_id, ms(retry_at), ms(now), match_entry_id, std::string(keys::kMatchGroup),
             reason, kActorDispatcher});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<Status> DispatchStore::drop_job(const std::string& match_entry_id) {
    auto command = fcall("piket_drop_job", {keys::match_stream()},
                                              {match_entry_id, std::string(keys::kMatchGroup)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<AssignmentChange>> DispatchStore::accept(const std::string& assignment_id,
                                                                TimePoint now,
                                                                const std::string& actor) {
  auto report_id = report_id_of_assignment(assignment_id).value_or("");
    auto command = 
      fcall("piket_accept",
            {keys::assignment(assignment_id), keys::report(report_id), keys::timers(),
             keys::audit_stream()},
            {assignment_id, ms(now), actor});
  auto reply = co_await client_.command(std::move(command));
  co_return change_from(reply, "accept");
}

asio::awaitable<Result<AssignmentChange>> DispatchStore::decline(const std::string& assignment_id,
                                                                 TimePoint now,
                                                                 const std::string& actor,
                                                                 const std::string& reason) {
  auto report_id = report_id_of_assignment(assignment_id).value_or("");
    auto command = 
      fcall("piket_decline",
            {keys::assignment(assignment_id), keys::report(report_id), keys::timers(),
             keys::match_stream(), keys::audit_stream()},
            {assignment_id, ms(now), actor, reason});
  auto reply = co_await client_.command(std::move(command));
  co_return change_from(reply, "decline");
}

asio::awaitable<Result<std::vector<std::string>>> DispatchStore::claim_due(TimePoint now, int limit) {
    auto command = 
      fcall("piket_claim_due", {keys::timers(), keys::match_stream(), keys::audit_stream()},
            {ms(now), std::to_string(limit), keys::report_prefix(), keys::assignment_prefix(),
             kActorDispatcher});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  std::vector<std::string> fired;
  for (const auto& e : reply->elements) fired.push_back(e.str);
  co_return fired;
}

asio::awaitable<Result<std::vector<std::string>>> DispatchStore::open_reports(
    const std::string& region, TimePoint since, int limit) {
  auto command = fcall("piket_open_reports", {keys::reports_index()},
                       {region, ms(since), keys::report_prefix(), std::to_string(limit)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  std::vector<std::string> ids;
  for (const auto& e : reply->elements) ids.push_back(e.str);
  co_return ids;
}

asio::awaitable<Result<nlohmann::json>> DispatchStore::read_report(const std::string& report_id,
                                                                   TimePoint now,
                                                                   const std::string& actor,
                                                                   const std::string& purpose) {
    auto command = 
      fcall("piket_read_report",
            {keys::report(report_id), keys::report_assignments(report_id), keys::access_stream()},
            {ms(now), actor, purpose, keys::assignment_prefix(), report_id});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (!reply->is_array() || reply->elements.size() != 2) co_return unexpected("read report");
  nlohmann::json out = hash_to_json(reply->elements[0]);
  out["assignments"] = nlohmann::json::array();
  for (const auto& a : reply->elements[1].elements) out["assignments"].push_back(hash_to_json(a));
  co_return out;
}

}  // namespace piket::dispatcher
