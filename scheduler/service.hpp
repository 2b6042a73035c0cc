#pragma once
// The scheduler daemon: answers who is on call (with overrides, swaps and leave), and lets
// managers plan: workers and teams, overrides, leave, swaps with approval, coverage gaps,
// working-time checks, fairness, CSV import and iCalendar feeds. Rotations, workers and teams
// come from config/ at the first start; from then on they live in Redis (RosterStore,
// WorkerStore) and in memory. On-call answers keep coming from memory while Redis is away;
// changes need Redis. Members are defined by purpose: service.cpp (wiring, roster questions
// and changes), worker_requests.cpp (workers and teams).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

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
#include "scheduler/rules/working_time.hpp"
#include "scheduler/store/roster_store.hpp"
#include "scheduler/store/worker_store.hpp"

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
  Reply save_workers(std::vector<Worker> changed, const nlohmann::json& request,
                     const std::string& action);

  boost::asio::awaitable<Status> reload();
  boost::asio::awaitable<Status> reload_workers();  // seeds them at the first start
  void use_workers(WorkerDirectory workers);  // and their active state in the roster
  boost::asio::awaitable<void> handoff_loop();
  // The hand-off notices for duties that started in (from, until].
  std::vector<nlohmann::json> handoffs_between(TimePoint from, TimePoint until) const;
  // Counts the change and publishes the gaps it created.
  void publish_gaps(const nlohmann::json& report, const std::string& kind, const std::string& cause);
  // Checks a planned roster against the current one: new violations refuse the change unless
  // forced with a reason; new gaps are reported. Fills `report` with both.
  // `adds_duty` false (leave) skips the working-time check: taking duty away breaks no rule.
  Status check_change(const Roster& planned, const std::set<std::string>& workers,
                      Interval changed, const nlohmann::json& request, nlohmann::json& report,
                      bool adds_duty = true) const;
  // The answer to removing the entry of roster_.*part that `matches`: the coverage gaps the
  // removal opens. `scope(entry)` gives the workers and the interval it touched.
  template <typename T, typename Matches, typename Scope>
  nlohmann::json removal_report(std::vector<T> Roster::*part, Matches matches, Scope scope) const;
  Result<Interval> period(const nlohmann::json& body, std::chrono::hours default_length) const;
  const date::time_zone& zone() const { return *zone_; }

  const PiketConfig config_;
  const Clock& clock_;
  SchedulerData data_;
  Roster roster_;
  std::map<std::string, Roster> slices_;  // per region, for fast on-call answers
  void reslice();
  // Fairness figures per region for the dispatcher's ranking: four weeks of duties take
  // milliseconds to count, so they are kept until the roster changes or for a quarter hour.
  struct FairnessFigures {
    TimePoint computed_at;
    std::map<std::string, double> by_worker;
  };
  std::map<std::string, FairnessFigures> fairness_figures_;
  const std::map<std::string, double>& fairness_figures(const std::string& region);
  bool roster_loaded_ = false;
  const date::time_zone* zone_;
  redis::Client redis_;
  RosterStore store_;
  WorkerStore worker_store_;
  zmqio::RpcServer server_;
  zmqio::RpcClient dispatcher_;  // the open cases for hand-off notices
  std::unique_ptr<zmqio::Publisher> events_;
  Metrics metrics_;  // only when zmq.scheduler_events is set
  boost::asio::io_context& io_;
  ClockTimer handoff_sleep_;  // between looks for shift hand-offs
  bool running_ = false;
};

}  // namespace piket::scheduler
