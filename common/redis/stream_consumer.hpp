#pragma once
// A member of a Redis Streams consumer group: at-least-once work between daemons.
// On start (and after any error) it first re-reads its own pending entries, then blocks for new
// ones; now and then it claims entries that another (dead) member left idle too long.
// The handler returns true once the entry is done and acknowledged (ideally XACK inside the same
// Redis function as the state change), or once it has handed the entry to work of its own that
// acknowledges it later (the notifier's deliveries): the pending pass then moves past it and
// does not read it again until the next pass (after an error, a reconnect or a claim). False
// leaves it pending to be retried.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/redis/client.hpp"

namespace piket::redis {

// The version every stream entry carries in its "v" field (kEnvelopeVersion's, as text), beside
// its "type" (common/message_types.hpp): the envelope of ZeroMQ messages, as stream fields.
inline constexpr std::string_view kStreamVersion = "1";

struct StreamEntry {
  std::string id;
  std::map<std::string, std::string> fields;  // empty when the entry was deleted
};

struct StreamConsumerOptions {
  std::string stream;
  std::string group;
  std::string consumer;
  int count = 16;
  std::chrono::milliseconds block{1000};
  std::chrono::milliseconds claim_idle{30000};
  std::chrono::milliseconds retry_delay{200};  // doubles while failures repeat, up to 5 s
  // Handle the entries of one read (up to `count`) at the same time; the next read waits for
  // all of them. For handlers that wait on other daemons and whose steps are idempotent.
  bool parallel = false;
};

// A consumer name that stays the same across restarts of one instance, so a restarted daemon
// takes up its own pending entries at once instead of after `claim_idle`, and differs between
// instances: "<daemon>@<PIKET_INSTANCE>" when that is set, else the host and the endpoint this
// instance binds (two running instances cannot bind the same one). Without an endpoint, the
// process id makes it unique (and new at each start).
std::string stable_consumer_name(std::string_view daemon, std::string_view bound_endpoint);

class StreamConsumer {
 public:
  using Handler = std::function<boost::asio::awaitable<bool>(const StreamEntry&)>;

  // Uses its own connection: a blocking XREADGROUP must not hold up other commands.
  StreamConsumer(boost::asio::io_context& io, const RedisConfig& config,
                 StreamConsumerOptions options, Handler handler);
  void start();
  // Takes no more entries and returns once the entries being handled are done (acknowledged
  // or left pending, as the handler decides); a blocking read waiting for new ones is cut off
  // (what it would have read stays in the group for the others). Then stop() is immediate.
  boost::asio::awaitable<void> drain();
  void stop();
  Client& client() { return client_; }
  std::uint64_t handled() const { return handled_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> handle_batch(const Value& reply, bool& any, std::string& last_id);
  boost::asio::awaitable<bool> handle_one(const StreamEntry& entry);
  struct Batch;
  boost::asio::awaitable<void> handle_in_batch(StreamEntry entry, std::shared_ptr<Batch> batch);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds d);

  boost::asio::io_context& io_;
  Client client_;
  StreamConsumerOptions options_;
  Handler handler_;
  bool running_ = false;
  bool looping_ = false;   // run() has not returned yet
  bool handling_ = false;  // run() is inside handle_batch
  boost::asio::steady_timer wake_;    // the pause between failed reads; drain() cuts it short
  boost::asio::steady_timer exited_;  // cancelled when run() returns
  std::uint64_t handled_ = 0;
};

// Parses the entries of an XREADGROUP / XAUTOCLAIM / XRANGE reply (an array of [id, [k, v, ...]]).
std::vector<StreamEntry> parse_entries(const Value& entries);

// Creates the group at the start of the stream (so nothing already queued is missed).
boost::asio::awaitable<Status> ensure_group(Client& client, const std::string& stream,
                                            const std::string& group);

}  // namespace piket::redis
