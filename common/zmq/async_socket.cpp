#include "common/zmq/async_socket.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <zmq_addon.hpp>

namespace piket::zmqio {
namespace asio = boost::asio;

zmq::context_t& shared_context() {
  static zmq::context_t context{1};
  return context;
}

AsyncSocket::AsyncSocket(asio::io_context& io, zmq::context_t& context, zmq::socket_type type)
    : io_(io), socket_(context, type), fd_(io) {
  socket_.set(zmq::sockopt::linger, 0);  // never hang at shutdown on undelivered messages
  fd_.assign(socket_.get(zmq::sockopt::fd));
}

AsyncSocket::~AsyncSocket() { close(); }

void AsyncSocket::close() {
  if (closed_) return;
  closed_ = true;
  if (fd_.is_open()) fd_.release();  // zmq owns the fd
  socket_.close();
}

asio::awaitable<std::optional<Multipart>> AsyncSocket::receive() {
  while (!closed_) {
    Multipart parts;
    auto got = zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait);
    if (got) co_return parts;
    boost::system::error_code ec;
    co_await fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                            asio::redirect_error(asio::use_awaitable, ec));
    // Woken by the fd, by a send that may have consumed its edge, or by close(): look again.
  }
  co_return std::nullopt;
}

bool AsyncSocket::try_send(Multipart parts) {
  if (closed_) return false;
  bool sent = false;
  try {
    sent = zmq::send_multipart(socket_, parts, zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    sent = false;  // EHOSTUNREACH with ROUTER_MANDATORY, and the like
  }
  // A send can process incoming commands and swallow the fd's edge: wake the reader to re-check.
  if (fd_.is_open()) fd_.cancel();
  return sent;
}

}  // namespace piket::zmqio
