#pragma once
// Event fan-out over PUB/SUB. PUB may drop (high-water mark, slow joiners), so every event
// carries its publisher's id and a sequence number; a subscriber that sees a jump knows it
// missed events and re-reads the state from Redis.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/envelope.hpp"
#include "common/result.hpp"
#include "common/zmq/async_socket.hpp"

namespace piket::zmqio {

class Publisher {
 public:
  Publisher(boost::asio::io_context& io, std::string endpoint, const Clock& clock);
  Status bind();
  // Fire and forget: the topic is the type. Returns the sequence number given.
  std::uint64_t publish(std::string_view type, nlohmann::json body);
  const std::string& source() const { return source_; }
  void stop() { socket_.close(); }

 private:
  std::string endpoint_;
  const Clock& clock_;
  AsyncSocket socket_;
  std::string source_;
  std::uint64_t seq_ = 0;
};

struct SequenceGap {
  std::string source;
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
};

// Tracks the last sequence number per publisher; pure, so it is tested on its own.
class SequenceTracker {
 public:
  // Returns a gap when `seq` skips ahead of what was expected from `source`.
  std::optional<SequenceGap> observe(const std::string& source, std::uint64_t seq);

 private:
  std::map<std::string, std::uint64_t> last_;
};

class Subscriber {
 public:
  using EventHandler = std::function<void(const Envelope&)>;
  using GapHandler = std::function<void(const SequenceGap&)>;

  Subscriber(boost::asio::io_context& io, std::string endpoint, std::string topic_prefix,
             EventHandler on_event, GapHandler on_gap)
      : Subscriber(io, std::vector<std::string>{std::move(endpoint)}, std::move(topic_prefix),
                   std::move(on_event), std::move(on_gap)) {}
  // Events of every instance of a daemon (each publisher numbers its own).
  Subscriber(boost::asio::io_context& io, std::vector<std::string> endpoints, std::string topic_prefix,
             EventHandler on_event, GapHandler on_gap);
  void start();
  void stop();
  std::uint64_t gaps() const { return gaps_; }

 private:
  boost::asio::awaitable<void> run();

  boost::asio::io_context& io_;
  std::vector<std::string> endpoints_;
  std::string prefix_;
  AsyncSocket socket_;
  EventHandler on_event_;
  GapHandler on_gap_;
  SequenceTracker tracker_;
  std::uint64_t gaps_ = 0;
  bool running_ = false;
};

}  // namespace piket::zmqio
