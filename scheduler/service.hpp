#pragma once
// The scheduler daemon: answers who is on call (with overrides, swaps and leave), and lets
// managers plan: workers and teams, overrides, leave, swaps with approval, coverage gaps,
// working-time checks, fairness, CSV import and iCalendar feeds. Rotations, workers and teams
// come from config/ at the first start; from then on they live in Redis (RosterStore,
// WorkerStore) and in memory. On-call answers keep coming from memory while Redis is away;
// changes need Redis. Every roster change is decided against the roster in memory and goes
// through apply(), one at a time, stored only if Redis is still at the version it was decided
// on; the scheduler follows the version key, so changes made by another instance reach this
// one within a second. Members are defined by purpose: service.cpp (wiring, roster questions,
// hand-offs), roster_requests.cpp (roster changes), worker_requests.cpp (workers and teams).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>

#include "common/clock.hpp"
#include "common/clock_timer.hpp"
#include "common/config.hpp"
#include "common/domain/holidays.hpp"
#include "common/domain/regions.hpp"
#include "common/domain/teams.hpp"
#include "common/domain/workers.hpp"
#include "common/metrics.hpp"
#include "common/redis/client.hpp"
#include "common/zmq/events.hpp"
#include "common/zmq/rpc.hpp"
#include "scheduler/model/roster.hpp"
#include "scheduler/roster/roster_change.hpp"
#include "common/domain/working_time.hpp"
#include "scheduler/store/roster_store.hpp"
#include "scheduler/store/worker_store.hpp"
#include "scheduler/turns.hpp"

namespace piket::scheduler {

struct SchedulerData {
  RegionDirectory regions;
  WorkerDirectory workers;
  TeamDirectory teams;
  std::vector<Rotation> rotations;
  std::vector<StaffingMinimum> minimums;
  WorkingTimeLimits limits;
  HolidayCalendar holidays;
};

class SchedulerService {
 public:
  SchedulerService(boost::asio::io_context& io, const PiketConfig& config, const Clock& clock,
                   SchedulerData data);
  SchedulerService(const SchedulerService&) = delete;
  SchedulerService& operator=(const SchedulerService&) = delete;

  Status start();  // binds zmq.scheduler_rpc, connects to Redis
  void stop();
  redis::Client& redis() { return redis_; }
  std::uint64_t requests_served() const { return server_.requests_served(); }
  zmqio::RpcServer& rpc() { return server_; }  // for the shutdown drain (main.cpp)

 private:
  using Reply = boost::asio::awaitable<Result<nlohmann::json>>;
  Reply on_call(const Envelope& request);
  Reply on_call_many(const Envelope& request);
  Reply acknowledge_handoff(const Envelope& request);
  Reply list_handoffs(const Envelope& request);
  Reply shifts(const Envelope& request);
  Reply coverage(const Envelope& request);
  Reply violations(const Envelope& request);
  Reply fairness(const Envelope& request);
  Reply list_overrides(const Envelope& request);
  Reply list_rotations(const Envelope& request);
  Reply put_rotation(const Envelope& request);
  Reply delete_rotation(const Envelope& request);
  Reply create_override(const Envelope& request);
  Reply delete_override(const Envelope& request);
  Reply create_leave(const Envelope& request);
  Reply delete_leave(const Envelope& request);
  Reply request_swap(const Envelope& request);
  Reply step_swap(const Envelope& request, const std::string& step);
  Reply import_assignments(const Envelope& request);
  Reply create_ical_feed(const Envelope& request);
  Reply list_ical_feeds(const Envelope& request);
  Reply revoke_ical_feed(const Envelope& request);
  bool may_keep_feed(const auth::Principal& who, const std::string& target) const;
  Reply ical_feed(const Envelope& request);
  Reply list_workers(const Envelope& request);
  Reply get_worker(const Envelope& request);
  Reply put_worker(const Envelope& request);
  Reply set_worker_active(const Envelope& request, bool active);
  Reply delete_worker(const Envelope& request);
  Reply import_workers(const Envelope& request);
  Reply list_teams(const Envelope& request);
  Reply put_team(const Envelope& request);
  Reply delete_team(const Envelope& request);
  // Stores changed (or new) workers, checked and in one step, and applies them; the answer
  // holds the coverage gaps they open (an inactive worker is off every duty).
  Reply save_workers(std::vector<Worker> changed, const Envelope& request,
                     const std::string& action);

  // A roster change decided against the current roster: what to store, the answer, and for
  // the metrics and gap events its kind and the id that caused it.
  struct Decision {
    RosterChange change;
    nlohmann::json report = nlohmann::json::object();
    std::string kind;
    std::string cause;
  };
  using Decide = std::function<Result<Decision>(const Roster& current)>;
  // The one path of every roster change: in its turn (one change at a time), `decide` looks at
  // the current roster; the decision is stored only if Redis is still at the version it was
  // made on, then applied in memory. When another scheduler changed the roster meanwhile,
  // the roster is read again and `decide` runs again (a few times at most, then conflict).
  Reply apply(Decide decide);
  // A decision that removes `id` from `part`; the answer lists the gaps that opens.
  Result<Decision> removal(const Roster& current, RosterPart part, const std::string& id,
                           const std::set<std::string>& workers, Interval changed,
                           std::string kind, std::string action, std::string actor) const;

  boost::asio::awaitable<Status> reload();
  boost::asio::awaitable<Status> reload_workers();  // seeds them at the first start
  // Reads the stored roster (seeding the rotations at the first start); call in a turn.
  boost::asio::awaitable<Status> load_roster();
  // Re-reads the roster when the stored version moved (another scheduler changed it).
  boost::asio::awaitable<void> follow_roster_loop();
  void use_workers(WorkerDirectory workers);  // and their active state in the roster
  boost::asio::awaitable<void> handoff_loop();
  // Counts the change and publishes the gaps it created.
  void publish_gaps(const nlohmann::json& report, const std::string& kind, const std::string& cause);
  // The pages for the gaps a change creates that start soon: to the region's team leads on
  // call now (scheduler/coverage/gap_pages.hpp).
  std::vector<std::string> gap_pages(const nlohmann::json& report);
  // Checks a planned roster against `current`: new violations refuse the change unless forced
  // with a reason; new gaps are reported. Fills `report` with both, and with the violations
  // of the affected workers that were there before and remain.
  // `adds_duty` false (leave, removals) skips the working-time check: taking duty away breaks
  // no rule.
  Status check_change(const Roster& current, const Roster& planned,
                      const std::set<std::string>& workers, Interval changed,
                      const nlohmann::json& request, nlohmann::json& report,
                      bool adds_duty = true) const;
  Result<Interval> period(const nlohmann::json& body, std::chrono::hours default_length) const;
  const date::time_zone& zone() const { return *zone_; }

  const PiketConfig config_;
  const Clock& clock_;
  SchedulerData data_;
  Roster roster_;
  std::map<std::string, Roster> slices_;  // per region, for fast on-call answers
  std::map<std::string, std::vector<Interval>> call_outs_;  // recent, read by apply() for its check
  void reslice();
  // Fairness figures per region for the dispatcher's ranking: four weeks of duties take
  // milliseconds to count, so they are kept until the roster changes or for a quarter hour.
  struct FairnessFigures {
    TimePoint computed_at;
    std::map<std::string, double> by_worker;
  };
  std::map<std::string, FairnessFigures> fairness_figures_;
  const std::map<std::string, double>& fairness_figures(const std::string& region);
  // Each worker's duties of one region around the current minute (a day back, a day and two
  // hours ahead), as the on-call answers carry them: expanded once a minute, not per question,
  // and dropped when the roster changes.
  struct RegionDuties {
    std::int64_t minute = -1;
    std::map<std::string, nlohmann::json> by_worker;
  };
  std::map<std::string, RegionDuties> duties_;
  const std::map<std::string, nlohmann::json>& duties_around_now(const std::string& region);
  bool roster_loaded_ = false;
  std::int64_t version_ = -1;  // of the stored roster roster_ was read or written at
  Turns turns_;                // roster changes and re-reads, one at a time
  const date::time_zone* zone_;
  redis::Client redis_;
  RosterStore store_;
  WorkerStore worker_store_;
  zmqio::RpcServer server_;
  zmqio::RpcClient dispatcher_;  // the open cases for hand-off notices
  std::unique_ptr<zmqio::Publisher> events_;
  Metrics metrics_{instance_name("scheduler")};  // only when zmq.scheduler_events is set
  boost::asio::io_context& io_;
  ClockTimer handoff_sleep_;  // between looks for shift hand-offs
  bool running_ = false;
};

}  // namespace piket::scheduler
