#pragma once
// The dispatcher daemon: takes reports and advice contacts in (ZeroMQ RPC), triages and stores
// them durably, matches acute reports to on-call professionals (asking the scheduler), runs the
// escalation ladder from timers kept in Redis, plans the same-day visit on acceptance, watches
// the visit's check-ins and records the outcome.
// Members are defined by purpose: service.cpp (wiring, intake, reads), match_job.cpp
// (matching and the ladder), follow_up.cpp (answers, visit, outcome, triage override, timers).
#include <map>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.hpp"
#include "common/clock_timer.hpp"
#include "common/config.hpp"
#include "common/domain/places.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/worker_catalog.hpp"
#include "common/domain/workers.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/redis/stream_consumer.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "dispatcher/access/report_access.hpp"
#include "dispatcher/matching/escalation.hpp"
#include "dispatcher/matching/ranking.hpp"
#include "dispatcher/store/dispatch_store.hpp"
#include "dispatcher/triage/triage.hpp"

namespace piket::dispatcher {

// Everything the dispatcher reads from config/ at start-up.
struct DispatcherData {
  RegionDirectory regions;
  WorkerDirectory workers;  // until the scheduler has stored its own (WorkerCatalog)
  Places places;
  TriageRules triage;
  EscalationPolicies escalation;
  MatchingWeights weights;
  WorkingTimeLimits limits;  // the scheduler's working_time.toml
};

class DispatcherService {
 public:
  DispatcherService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                    DispatcherData data);
  Status start();  // binds sockets, starts Redis clients, consumers and the timer loop
  void stop();
  redis::Client& redis() { return redis_; }
  // For the shutdown drain (main.cpp): intake first, then the matching jobs in flight.
  zmqio::RpcServer& rpc() { return rpc_; }
  redis::StreamConsumer& match_consumer() { return *match_consumer_; }

 private:
  using Reply = boost::asio::awaitable<Result<nlohmann::json>>;
  Reply submit(const Envelope& request);
  Reply convert_advice(const Envelope& request);
  Reply get_report(const Envelope& request);
  Reply break_glass(const Envelope& request);
  Reply list_flagged_reads(const Envelope& request);
  Reply close_flagged_read(const Envelope& request);
  Reply list_reports(const Envelope& request);
  Reply get_visit(const Envelope& request);
  Reply change_assignment(const Envelope& request, bool accept);
  Reply override_triage(const Envelope& request);
  Reply record_outcome(const Envelope& request);
  Reply checkin(const Envelope& request);
  Reply extend_order(const Envelope& request);
  Reply my_assignments(const Envelope& request);
  Reply read_events(const Envelope& request);
  // Need to know: reads the report's access facts and decides with the request's principal. A
  // refusal is written to the access log (who, via which session or token, what for) and
  // answered as `not_found`, so a report that is not the caller's does not show it exists.
  boost::asio::awaitable<Result<ReportAccess>> report_access(const Envelope& request,
                                                             std::string report_id,
                                                             ReportAction action,
                                                             std::string purpose,
                                                             Error not_found,
                                                             std::string assignment_id = "");
  // Validates, triages and stores one report (or advice contact); `from_advice` links it.
  Reply store_report(const nlohmann::json& body, const std::string& idempotency_key,
                     const std::string& actor, const std::string& from_advice);
  boost::asio::awaitable<bool> handle_match_job(const redis::StreamEntry& entry);
  boost::asio::awaitable<void> timer_loop();
  // The claimed timers whose change is decided here (ladder steps, side by side; missed
  // check-ins), each read → decide → write.
  boost::asio::awaitable<void> decide_timers(const std::vector<std::string>& members,
                                             const std::vector<std::int64_t>& late_ms);
  boost::asio::awaitable<void> fire_step_timer(std::string member, std::int64_t late_ms);
  boost::asio::awaitable<void> fire_notice_timer(const std::string& member);
  boost::asio::awaitable<Result<std::vector<std::string>>> team_leads_on_call(const std::string& region);
  void wake_timers() { timer_sleep_.wake(); }
  boost::asio::awaitable<Status> check_durability();

  boost::asio::io_context& io_;
  PiketConfig config_;
  const Clock& clock_;
  DispatcherData data_;
  redis::Client redis_;
  WorkerCatalog workers_;  // skills, base and limits for the ranking, as the scheduler stores them
  DispatchStore store_;
  zmqio::RpcServer rpc_;
  zmqio::RpcClient scheduler_;
  zmqio::Publisher events_;
  std::unique_ptr<redis::StreamConsumer> match_consumer_;
  Metrics metrics_{instance_name("dispatcher")};
  ClockTimer timer_sleep_;  // the timer loop's sleep until the next deadline
  std::map<std::string, int> picks_in_flight_;  // worker -> first-step pages being stored
  bool running_ = false;
};

}  // namespace piket::dispatcher
