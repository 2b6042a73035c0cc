#pragma once
// The dispatcher's state in Redis: each method is one Redis Function call (one round trip,
// one atomic step). Key names come from common/keys.hpp.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/domain/duty.hpp"
#include "dispatcher/matching/ladder_step.hpp"
#include "common/redis/client.hpp"

namespace piket::dispatcher {

struct SubmitOutcome {
  std::string report_id;
  bool created = false;  // false: the Idempotency-Key named an existing report
};

// What piket_submit_report stores; timers are notices such as "notice:<id>:warn_day_3".
struct NewReport {
  std::string id, idempotency_key, fingerprint, actor;
  std::string kind = "report";  // or "advice"
  nlohmann::json report, triage;
  std::string region, municipality, triage_class;
  std::string state;  // matching | queued | advice
  int needed = 1;
  bool visit_required = false;
  std::int64_t first_contact_by_ms = 0;
  std::string family_key;   // hash of the family reference: continuity across reports
  std::string from_advice;  // the advice contact this report was made from
  std::vector<std::pair<std::string, TimePoint>> timers;
};

struct MatchContext {
  bool exists = false;
  std::string state, region, municipality;
  nlohmann::json triage;
  int needed = 1;
  int round = 0;
  std::vector<std::string> family_workers;
  std::vector<std::string> declined;
  std::vector<AssignmentSeen> assignments;  // for deciding the first step
};

// What firing the next ladder step is decided on.
struct StepContext {
  bool exists = false;
  std::string state;
  std::optional<int> next_step;
  StepSnapshot snapshot;
};

struct WorkerLoadRow {
  std::string worker_id;
  int cases_today = 0;
  int jobs_24h = 0;
  std::int64_t last_ms = 0;
  int open_callouts = 0;  // alerted for other reports, not yet answered
  std::vector<Interval> call_outs;  // accepted call-outs' work that starts from call_outs_from
  std::int64_t busy_until_ms = 0;   // end of a visit they are on or have planned; 0 = free
};

struct AssignmentChange {
  std::string state;
  std::string report_id;
  std::string worker_id;
  bool changed = false;  // false: it already was in that state
  std::string visit_id;  // set when this acceptance planned the visit
  std::int64_t visit_start_ms = 0;
  bool late = false;
};

// What an acceptance is decided on (piket_accept_context).
struct AcceptContext {
  bool exists = false;
  std::string state, report_id, worker_id, report_state, region;
  int round = 0, needed = 1;
  bool visit_required = false;
  struct Accepted {
    std::string worker;
    std::chrono::milliseconds travel{0};
    std::int64_t shift_end_ms = 0;
  };
  std::vector<Accepted> accepted;  // this assignment included, as if it accepted
  std::vector<std::pair<std::int64_t, std::int64_t>> busy;  // those workers' visits [start, end) ms
};

// A decided acceptance: applied only if the report is as the decision read it.
struct AcceptDecision {
  std::string state;  // the report's state as read
  int round = 0;
  int accepted_seen = 0;                     // professionals accepted with this one, as read
  std::optional<TimePoint> visit_start;      // when this acceptance plans the visit
};

struct ClaimedTimers {
  std::vector<std::string> fired;
  std::vector<std::int64_t> late_ms;  // per fired timer: now - its deadline
  std::optional<TimePoint> next_due;
  // Claimed for the caller to decide ("step:<report>", "checkin:<visit>"), held a while in
  // case it dies; with how late each was claimed.
  std::vector<std::string> decide;
  std::vector<std::int64_t> decide_late_ms;
};

// One page of the desk's list; `next_cursor` is empty at the end.
struct ReportPage {
  std::vector<nlohmann::json> rows;
  std::string next_cursor;
};

// A page of the console's live feed: rows the caller may see, and the last stream id looked at.
struct EventPage {
  std::vector<nlohmann::json> rows;
  std::string last_id;
};

struct ChainCheck {
  std::int64_t checked = 0;   // entries of the chain that were sound
  std::string broken;         // the first entry that breaks it, "head" when entries are gone from the end
  std::string head;           // the last sound hash
};

class DispatchStore {
 public:
  explicit DispatchStore(redis::Client& client) : client_(client) {}

  boost::asio::awaitable<Result<SubmitOutcome>> submit(const NewReport& report, TimePoint now);
  boost::asio::awaitable<Result<MatchContext>> match_context(const std::string& report_id);
  // Loads of `workers`: cases since `day_start`, jobs since `since`, and the call-outs that
  // start from `call_outs_from`, read in one call.
  boost::asio::awaitable<Result<std::vector<WorkerLoadRow>>> worker_loads(
      const std::vector<std::string>& workers, TimePoint day_start, TimePoint since,
      TimePoint call_outs_from, TimePoint now);
  // Stores the ranking and the ladder and fires its first step. "alerted", "exhausted",
  // "restarted" or "skipped" (a repeated job).
  boost::asio::awaitable<Result<std::string>> start_ladder(const nlohmann::json& plan);
  boost::asio::awaitable<Result<std::string>> no_candidate(const std::string& report_id,
                                                           const std::string& match_entry_id,
                                                           TimePoint retry_at, TimePoint now,
                                                           const std::string& reason);
  boost::asio::awaitable<Status> drop_job(const std::string& match_entry_id);
  // Read: the report's ladder, round and assignments, to decide its next step.
  boost::asio::awaitable<Result<StepContext>> step_context(const std::string& report_id);
  // Write: the decided step, if the report is still at `context`'s state, round and next step
  // (a conflict otherwise). Answers the outcome: "alerted", "exhausted" or "restarted".
  // A claimed step that needs nothing after all: no longer being decided.
  boost::asio::awaitable<Status> release_step(const std::string& report_id);
  boost::asio::awaitable<Result<std::string>> apply_step(const std::string& report_id, const StepContext& context,
                                                         const StepDecision& decision, TimePoint now);
  // Read: the acceptance's snapshot, with the workers' visits that start from `from` to `to`.
  boost::asio::awaitable<Result<AcceptContext>> accept_context(const std::string& assignment_id,
                                                               TimePoint from, TimePoint to);
  // Write: the decided acceptance (a conflict when the report moved since the read).
  boost::asio::awaitable<Result<AssignmentChange>> accept(const std::string& assignment_id,
                                                          TimePoint now, const std::string& actor,
                                                          std::chrono::milliseconds visit_length,
                                                          std::chrono::milliseconds checkin_interval,
                                                          const std::string& link_base,
                                                          const AcceptDecision& decision,
                                                          std::chrono::milliseconds min_call_out);
  // `expect` (optional): the report's state and round as the caller read them.
  boost::asio::awaitable<Result<AssignmentChange>> decline(const std::string& assignment_id,
                                                           TimePoint now, const std::string& actor,
                                                           const std::string& reason,
                                                           const nlohmann::json& expect = nullptr);
  // The timers that fired ("step:<report>", "rematch:<report>", "checkin:<visit>",
  // "notice:<report>:<label>"), how late, and when the next one is due.
  boost::asio::awaitable<Result<ClaimedTimers>> claim_due(TimePoint now, int limit);
  // One JSON-in, JSON-out function: checkin, record_outcome, override_triage.
  boost::asio::awaitable<Result<nlohmann::json>> call_json(std::string_view function,
                                                           const nlohmann::json& argument);
  // Builds the open-reports index from the reports stored before it existed (once; a batch
  // per call, so Redis is never blocked long). Run at every connect: after the first, one read.
  boost::asio::awaitable<Status> index_open_reports();
  // Ids of every open report of the region, newest first (however old), page by page.
  boost::asio::awaitable<Result<std::vector<std::string>>> open_reports(const std::string& region);
  // The case, its read logged in the access stream; a break-glass read (a reason given) is
  // logged with the reason and flagged for the privacy officer.
  boost::asio::awaitable<Result<nlohmann::json>> read_report(const std::string& report_id,
                                                             TimePoint now, const std::string& actor,
                                                             const std::string& purpose,
                                                             const std::string& break_glass_reason = "");
  // Break-glass reads not yet reviewed, oldest first: {id, at, actor, report, reason}.
  boost::asio::awaitable<Result<nlohmann::json>> flagged_reads(int limit);
  boost::asio::awaitable<Status> close_flagged_read(const std::string& entry_id, TimePoint now,
                                                    const std::string& actor, const std::string& note);
  // Walks the hash chain of the audit or access stream, a page at a time.
  boost::asio::awaitable<Result<ChainCheck>> verify_chain(const std::string& stream);
  // The last hash of each chained stream (audit, access), for the log outside Redis.
  boost::asio::awaitable<Result<std::pair<std::string, std::string>>> chain_heads();
  // Summaries without personal details; `state` empty = every open state (from the open-reports
  // index, however old), "all" = every state created since `since`. `cursor` continues a page.
  boost::asio::awaitable<Result<ReportPage>> list_reports(const std::string& region,
                                                          const std::string& state, int limit,
                                                          TimePoint since, const std::string& cursor);

  // The worker's alerted and accepted assignments on open reports, newest report first.
  boost::asio::awaitable<Result<std::vector<nlohmann::json>>> worker_assignments(const std::string& worker);
  // Audit entries after `after` (empty: none, the end of the stream), for a worker (empty: none)
  // and a desk's regions ("*": all), without actors or details.
  boost::asio::awaitable<Result<EventPage>> read_events(const std::string& after, int count,
                                                       const std::string& worker,
                                                       const std::vector<std::string>& regions);

 private:
  redis::Client& client_;
};

// Assignment ids are "<report id>-<n>", so the report is known without a lookup.
std::string assignment_id_for(const std::string& report_id, std::int64_t n);
std::optional<std::string> report_id_of_assignment(const std::string& assignment_id);
bool valid_report_id(const std::string& id);

}  // namespace piket::dispatcher
