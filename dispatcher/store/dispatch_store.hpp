#pragma once
// The dispatcher's state in Redis: each method is one Redis Function call (one round trip,
// one atomic step). Key names come from common/keys.hpp.
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/redis/client.hpp"

namespace piket::dispatcher {

struct SubmitOutcome {
  std::string report_id;
  bool created = false;  // false: the Idempotency-Key named an existing report
};

struct MatchContext {
  bool exists = false;
  std::string state;
  std::string region;
  std::string municipality;
  nlohmann::json triage;
  std::vector<std::string> alerted_workers;
};

struct AssignmentChange {
  std::string state;
  std::string report_id;
  std::string worker_id;
  bool changed = false;  // false: it already was in that state
};

struct NewAssignment {
  std::string report_id;
  std::string assignment_id;
  std::string worker_id;
  TimePoint deadline;
  std::string match_entry_id;
  nlohmann::json alert;
  nlohmann::json candidates;
  int position = 0;
  std::string reason;
};

class DispatchStore {
 public:
  explicit DispatchStore(redis::Client& client) : client_(client) {}

  boost::asio::awaitable<Result<SubmitOutcome>> submit(const std::string& report_id,
                                                       const std::string& idempotency_key,
                                                       const std::string& fingerprint,
                                                       const nlohmann::json& report,
                                                       const nlohmann::json& triage,
                                                       const std::string& region,
                                                       const std::string& municipality, bool dispatch,
                                                       TimePoint now, const std::string& actor);
  boost::asio::awaitable<Result<MatchContext>> match_context(const std::string& report_id);
  // "assigned" or "skipped" (the job was a repeat).
  boost::asio::awaitable<Result<std::string>> assign(const NewAssignment& a, TimePoint now);
  boost::asio::awaitable<Result<std::string>> no_candidate(const std::string& report_id,
                                                           const std::string& match_entry_id,
                                                           TimePoint retry_at, TimePoint now,
                                                           const std::string& reason);
  boost::asio::awaitable<Status> drop_job(const std::string& match_entry_id);
  boost::asio::awaitable<Result<AssignmentChange>> accept(const std::string& assignment_id,
                                                          TimePoint now, const std::string& actor);
  boost::asio::awaitable<Result<AssignmentChange>> decline(const std::string& assignment_id,
                                                           TimePoint now, const std::string& actor,
                                                           const std::string& reason);
  // The deadlines that fired (members such as "ack:<assignment>" and "rematch:<report>").
  boost::asio::awaitable<Result<std::vector<std::string>>> claim_due(TimePoint now, int limit);
  // Ids of the region's open reports created since `since`, newest first, at most `limit`.
  boost::asio::awaitable<Result<std::vector<std::string>>> open_reports(const std::string& region,
                                                                        TimePoint since, int limit);
  boost::asio::awaitable<Result<nlohmann::json>> read_report(const std::string& report_id,
                                                             TimePoint now, const std::string& actor,
                                                             const std::string& purpose);

 private:
  redis::Client& client_;
};

// Assignment ids are "<report id>-<n>", so the report is known without a lookup.
std::string assignment_id_for(const std::string& report_id, std::int64_t n);
std::optional<std::string> report_id_of_assignment(const std::string& assignment_id);
bool valid_report_id(const std::string& id);

}  // namespace piket::dispatcher
