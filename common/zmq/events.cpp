#include "common/zmq/events.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "common/log.hpp"

namespace piket::zmqio {
namespace asio = boost::asio;

Publisher::Publisher(asio::io_context& io, std::string endpoint, const Clock& clock)
    : endpoint_(std::move(endpoint)),
      clock_(clock),
      socket_(io, shared_context(), zmq::socket_type::pub),
      source_(new_id("s")) {}

Status Publisher::bind() {
  try {
    socket_.socket().bind(endpoint_);
  } catch (const zmq::error_t& e) {
    return make_error(ErrorCode::unavailable, "endpoint", "cannot bind " + endpoint_ + ": " + e.what());
  }
  return ok_status();
}

std::uint64_t Publisher::publish(std::string_view type, nlohmann::json body) {
  Envelope e;
  e.type = std::string(type);
  e.id = new_id("e");
  e.sent_at = clock_.now();
  e.seq = ++seq_;
  e.source = source_;
  e.body = std::move(body);
  std::string payload = encode_envelope(e);
  Multipart parts;
  parts.emplace_back(e.type.data(), e.type.size());
  parts.emplace_back(payload.data(), payload.size());
  socket_.try_send(std::move(parts));  // a drop is what the sequence number is for
  return *e.seq;
}

std::optional<SequenceGap> SequenceTracker::observe(const std::string& source, std::uint64_t seq) {
  auto [it, first] = last_.try_emplace(source, seq);
  if (first) return std::nullopt;  // a joiner cannot know what came before
  std::optional<SequenceGap> gap;
  if (seq > it->second + 1) gap = SequenceGap{source, it->second + 1, seq};
  if (seq > it->second) it->second = seq;
  return gap;
}

Subscriber::Subscriber(asio::io_context& io, std::vector<std::string> endpoints, std::string topic_prefix,
                       EventHandler on_event, GapHandler on_gap)
    : io_(io),
      endpoints_(std::move(endpoints)),
      prefix_(std::move(topic_prefix)),
      socket_(io, shared_context(), zmq::socket_type::sub),
      on_event_(std::move(on_event)),
      on_gap_(std::move(on_gap)) {}

void Subscriber::start() {
  socket_.socket().set(zmq::sockopt::subscribe, prefix_);
  for (const auto& endpoint : endpoints_) socket_.socket().connect(endpoint);
  running_ = true;
  asio::co_spawn(io_, run(), asio::detached);
}

void Subscriber::stop() {
  running_ = false;
  socket_.close();
}

asio::awaitable<void> Subscriber::run() {
  while (running_) {
    auto parts = co_await socket_.receive();
    if (!parts) co_return;
    if (parts->size() != 2) continue;
    auto event = decode_envelope(to_string((*parts)[1]));
    if (!event.ok()) {
      logger("zmq.events")->warn("event=bad_event reason=\"{}\"", event.error().to_string());
      continue;
    }
    if (event->seq) {
      if (auto gap = tracker_.observe(event->source, *event->seq)) {
        ++gaps_;
        if (on_gap_) on_gap_(*gap);
      }
    }
    if (on_event_) on_event_(*event);
  }
}

}  // namespace piket::zmqio
