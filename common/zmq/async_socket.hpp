#pragma once
// A ZeroMQ socket on the Asio loop. ZMQ_FD is edge-triggered and only says "look at
// ZMQ_EVENTS": the reader always tries a non-blocking receive before waiting, and every send
// wakes a waiting reader so no message sits unseen.
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <zmq.hpp>

namespace piket::zmqio {

using Multipart = std::vector<zmq::message_t>;

class AsyncSocket {
 public:
  AsyncSocket(boost::asio::io_context& io, zmq::context_t& context, zmq::socket_type type);
  ~AsyncSocket();
  AsyncSocket(const AsyncSocket&) = delete;
  AsyncSocket& operator=(const AsyncSocket&) = delete;

  zmq::socket_t& socket() { return socket_; }
  // Waits for one whole multipart message; nullopt once close() was called.
  boost::asio::awaitable<std::optional<Multipart>> receive();
  // Never blocks: false when the message cannot be queued now (no peer, high-water mark).
  bool try_send(Multipart parts);
  void close();

 private:
  boost::asio::io_context& io_;
  zmq::socket_t socket_;
  boost::asio::posix::stream_descriptor fd_;
  bool closed_ = false;
};

inline std::string to_string(const zmq::message_t& m) { return std::string(m.data<char>(), m.size()); }

// A zmq context per process, with linger 0 defaults applied to every socket we make.
zmq::context_t& shared_context();

}  // namespace piket::zmqio
