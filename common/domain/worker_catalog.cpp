#include "common/domain/worker_catalog.hpp"

#include "common/domain/worker_codec.hpp"
#include "common/keys.hpp"
#include "common/log.hpp"

namespace piket {
namespace {
auto log() { return logger("workers"); }
}  // namespace

WorkerCatalog::WorkerCatalog(redis::Client& client, const RegionDirectory& regions,
                             WorkerDirectory from_config, std::chrono::milliseconds fresh_for)
    : client_(client),
      regions_(regions),
      directory_(std::make_shared<const WorkerDirectory>(std::move(from_config))),
      fresh_for_(fresh_for) {}

boost::asio::awaitable<std::shared_ptr<const WorkerDirectory>> WorkerCatalog::current() {
  const auto now = std::chrono::steady_clock::now();
  if (!version_.empty() && now - checked_ < fresh_for_) co_return directory_;
  checked_ = now;
  auto version = co_await client_.command(redis::args("GET", keys::workers_version()));
  if (!version.ok() || version->is_nil() || version->text() == version_) co_return directory_;
  const std::string seen = version->text();
  auto stored = co_await client_.command(redis::args("HGETALL", keys::workers()));
  if (!stored.ok()) co_return directory_;
  std::vector<Worker> workers;
  for (std::size_t i = 0; i + 1 < stored->elements.size(); i += 2) {
    auto j = nlohmann::json::parse(stored->elements[i + 1].str, nullptr, false);
    auto w = worker_from_json(j, regions_);
    if (w.ok())
      workers.push_back(std::move(w).value());
    else
      log()->warn("event=stored_worker_skipped id={} reason=\"{}\"", stored->elements[i].str,
                  w.error().to_string());
  }
  directory_ = std::make_shared<const WorkerDirectory>(std::move(workers));
  version_ = seen;
  log()->info("event=workers_reloaded version={} workers={}", seen, directory_->workers().size());
  co_return directory_;
}

}  // namespace piket
