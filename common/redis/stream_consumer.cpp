#include "common/redis/stream_consumer.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.hpp"

namespace piket::redis {

std::string stable_consumer_name(std::string_view daemon, std::string_view bound_endpoint) {
  if (const char* id = std::getenv("PIKET_INSTANCE"); id && *id) return std::string(daemon) + "@" + id;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) std::snprintf(host, sizeof host, "localhost");
  if (bound_endpoint.empty()) return std::string(daemon) + "@" + host + ":" + std::to_string(getpid());
  return std::string(daemon) + "@" + host + "/" + std::string(bound_endpoint);
}

namespace asio = boost::asio;

std::vector<StreamEntry> parse_entries(const Value& entries) {
  std::vector<StreamEntry> out;
  if (!entries.is_array()) return out;
  for (const auto& e : entries.elements) {
    if (!e.is_array() || e.elements.size() < 2) continue;
    StreamEntry entry;
    entry.id = e.elements[0].str;
    const auto& kv = e.elements[1];
    for (std::size_t i = 0; kv.is_array() && i + 1 < kv.elements.size(); i += 2)
      entry.fields[kv.elements[i].str] = kv.elements[i + 1].str;
    out.push_back(std::move(entry));
  }
  return out;
}

asio::awaitable<Status> ensure_group(Client& client, const std::string& stream,
                                     const std::string& group) {
  auto reply = co_await client.raw_command(args("XGROUP", "CREATE", stream, group, "0", "MKSTREAM"));
  if (!reply.ok()) co_return reply.error();
  if (reply->is_error() && reply->str.rfind("BUSYGROUP", 0) != 0)
    co_return error_from_redis(reply->str);
  co_return ok_status();
}

StreamConsumer::StreamConsumer(asio::io_context& io, const RedisConfig& config,
                               StreamConsumerOptions options, Handler handler)
    : io_(io),
      client_(io, config, "consumer:" + options.stream),
      options_(std::move(options)),
      handler_(std::move(handler)),
      wake_(io),
      exited_(io) {
  client_.on_connect([this]() { return ensure_group(client_, options_.stream, options_.group); });
}

void StreamConsumer::start() {
  if (running_) return;
  running_ = true;
  looping_ = true;
  client_.start();
  asio::co_spawn(io_, run(), asio::detached);
}

asio::awaitable<void> StreamConsumer::drain() {
  running_ = false;
  wake_.cancel();
  if (!handling_) client_.stop();  // only a read or a pause is under way: cut it
  if (looping_) {
    exited_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await exited_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  client_.stop();
}

void StreamConsumer::stop() {
  running_ = false;
  wake_.cancel();
  client_.stop();
}

asio::awaitable<void> StreamConsumer::pause(std::chrono::milliseconds d) {
  if (!running_) co_return;
  wake_.expires_after(d);
  boost::system::error_code ec;
  co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<bool> StreamConsumer::handle_one(const StreamEntry& entry) {
  if (entry.fields.empty()) {  // deleted while pending: nothing to do but acknowledge
    co_await client_.command(args("XACK", options_.stream, options_.group, entry.id));
    co_return true;
  }
  // Entries carry the envelope's version ("v"; none before it was written: version 1). One
  // from a newer version is left pending for a member that reads it, never half-understood.
  if (auto v = entry.fields.find("v"); v != entry.fields.end() && v->second != kStreamVersion) {
    logger("redis")->error("stream={} entry={} event=unknown_version v={} (left for a newer reader)",
                           options_.stream, entry.id, v->second.substr(0, 8));
    co_return true;
  }
  bool done = false;
  try {
    done = co_await handler_(entry);
  } catch (const std::exception& e) {
    logger("redis")->error("stream={} entry={} event=handler_threw what=\"{}\"", options_.stream,
                           entry.id, e.what());
  }
  if (done) ++handled_;
  co_return done;
}

struct StreamConsumer::Batch {
  explicit Batch(asio::io_context& io, std::size_t n) : left(n), finished(io) {}
  std::size_t left;
  bool all_done = true;
  asio::steady_timer finished;
};

asio::awaitable<void> StreamConsumer::handle_in_batch(StreamEntry entry, std::shared_ptr<Batch> batch) {
  const bool done = co_await handle_one(entry);
  if (!done) batch->all_done = false;
  if (--batch->left == 0) batch->finished.cancel();
}

asio::awaitable<bool> StreamConsumer::handle_batch(const Value& reply, bool& any,
                                                  std::string& last_id) {
  any = false;
  // XREADGROUP answers [[stream, [entries...]]], or nil when BLOCK timed out.
  if (!reply.is_array() || reply.elements.empty()) co_return true;
  const auto& per_stream = reply.elements[0];
  if (!per_stream.is_array() || per_stream.elements.size() < 2) co_return true;
  std::vector<StreamEntry> entries = parse_entries(per_stream.elements[1]);
  any = !entries.empty();
  if (any) last_id = entries.back().id;
  // Results are named before they are tested: GCC 12 miscompiled `if (!co_await ...)` and
  // `co_return co_await ...` forms here (a crash calling the handler).
  if (!options_.parallel) {
    for (const auto& entry : entries) {
      const bool done = co_await handle_one(entry);
      if (!done) co_return false;
    }
    co_return true;
  }
  auto batch = std::make_shared<Batch>(io_, entries.size());
  batch->finished.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < entries.size(); ++i)
    asio::co_spawn(io_, handle_in_batch(entries[i], batch), asio::detached);
  if (batch->left > 0) {
    boost::system::error_code ec;
    co_await batch->finished.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return batch->all_done;
}

asio::awaitable<void> StreamConsumer::run() {
  // The pending pass pages through our own pending entries from `pending_from` on, one read of
  // up to `count` after the other, and ends at the first empty page. It never starts over from
  // "0" while the handler is busy with entries it has taken: an entry a handler keeps working on
  // (a notifier's delivery waiting to retry) stays pending, and re-reading it at once, again and
  // again, was a busy loop that also kept the new entries (">") from ever being read.
  bool pending_first = true;
  std::string pending_from = "0";
  auto rescan = [&] {
    pending_first = true;
    pending_from = "0";
  };
  auto delay = options_.retry_delay;  // grows while the same trouble repeats
  auto last_claim = std::chrono::steady_clock::now();
  const auto block_timeout = options_.block + std::chrono::milliseconds(2000);
  while (running_) {
    if (!client_.connected()) {
      co_await client_.wait_connected(std::chrono::milliseconds(500));
      rescan();
      continue;
    }
    if (std::chrono::steady_clock::now() - last_claim > options_.claim_idle / 2) {
      last_claim = std::chrono::steady_clock::now();
      auto claimed = co_await client_.command(
          args("XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
               options_.claim_idle.count(), "0-0", "COUNT", options_.count));
      // Claimed entries become our pending ones: read them through the pending pass.
      if (claimed.ok() && claimed->is_array() && claimed->elements.size() >= 2 &&
          !claimed->elements[1].elements.empty())
        rescan();
    }
    // (Two statements, not a conditional: GCC 12 miscompiles co_await inside ?:.)
    std::vector<std::string> read_args =
        pending_first ? args("XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                             options_.count, "STREAMS", options_.stream, pending_from)
                      : args("XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                             options_.count, "BLOCK", options_.block.count(), "STREAMS",
                             options_.stream, ">");
    Result<Value> reply = co_await client_.command(std::move(read_args), block_timeout);
    if (!reply.ok()) {
      if (running_)  // a read cut by drain() or stop() is no trouble
        logger("redis")->warn("stream={} event=read_failed reason=\"{}\"", options_.stream,
                              reply.error().to_string());
      rescan();
      co_await pause(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(5000));
      continue;
    }
    bool any = false;
    std::string last_id;
    handling_ = true;
    bool all_done = co_await handle_batch(*reply, any, last_id);
    handling_ = false;
    if (!all_done) {
      rescan();
      co_await pause(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(5000));
      continue;
    }
    delay = options_.retry_delay;
    if (pending_first) {
      if (any)
        pending_from = last_id;  // the next page starts after this one
      else
        pending_first = false;   // through the pending list: on to new entries
    }
  }
  // Plain statements, not a guard object: a frame destroyed with the loop must not touch us.
  looping_ = false;
  exited_.cancel();
}

}  // namespace piket::redis
