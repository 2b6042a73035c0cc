#include "scheduler/service.hpp"

#include <utility>

#include "common/log.hpp"
#include "common/message_types.hpp"
#include "scheduler/on_call_query.hpp"

namespace piket::scheduler {
namespace asio = boost::asio;

SchedulerService::SchedulerService(asio::io_context& io, const PiketConfig& config,
                                   const Clock& clock, RegionDirectory regions,
                                   WorkerDirectory workers, std::vector<Rotation> rotations)
    : clock_(clock),
      regions_(std::move(regions)),
      workers_(std::move(workers)),
      rotations_(std::move(rotations)),
      server_(io, config.zmq.scheduler_rpc, clock) {}

Status SchedulerService::start() {
  server_.on(msg::kOnCallQuery,
             [this](const Envelope& request) -> asio::awaitable<Result<nlohmann::json>> {
               auto answer =
                   answer_on_call_query(request.body, clock_.now(), regions_, workers_, rotations_);
               if (!answer.ok())
                 logger("scheduler.service")
                     ->info("type={} id={} event=rejected code={} field={}", request.type,
                            request.id, error_code_name(answer.error().code), answer.error().field);
               co_return answer;
             });
  server_.on(msg::kPing, [](const Envelope&) -> asio::awaitable<Result<nlohmann::json>> {
    co_return nlohmann::json{{"service", "scheduler"}};
  });
  if (auto bound = server_.bind(); !bound.ok()) return bound;
  server_.start();
  logger("scheduler.service")
      ->info("event=started regions={} workers={} rotations={}", regions_.regions().size(),
             workers_.workers().size(), rotations_.size());
  return ok_status();
}

void SchedulerService::stop() { server_.stop(); }

}  // namespace piket::scheduler
