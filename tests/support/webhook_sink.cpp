#include "tests/support/webhook_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace piket::test {

TestCertificate make_test_certificate(const std::string& dir, const std::string& name) {
  TestCertificate out{dir + "/" + name + "-cert.pem", dir + "/" + name + "-key.pem"};
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
      " -subj /CN=piket-test-" + name + " -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
      " -keyout " + out.key_file + " -out " + out.cert_file + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("openssl could not make a test certificate in " + dir);
  return out;
}

WebhookSink::WebhookSink(Behaviour behaviour, const TestCertificate* tls)
    : behaviour_(std::move(behaviour)) {
  if (tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_file(ctx, tls->cert_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, tls->key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("the test TLS server could not load its certificate");
    ssl_ctx_ = ctx;
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("the webhook sink could not listen");
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

WebhookSink::~WebhookSink() {
  stop();
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::string WebhookSink::url(const std::string& path) const {
  return std::string(ssl_ctx_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<SinkRequest> WebhookSink::requests() const {
  std::lock_guard lock{mutex_};
  return requests_;
}

std::size_t WebhookSink::count(const std::string& path_prefix) const {
  std::lock_guard lock{mutex_};
  return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& r) {
    return r.path.rfind(path_prefix, 0) == 0;
  }));
}

void WebhookSink::stop() {
  {
    std::lock_guard lock{mutex_};
    if (stopped_) return;
    stopped_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // wakes reads and writes
  }
  stopping_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& t : threads_) t.join();
  ::close(listen_fd_);
}

void WebhookSink::accept_loop() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::lock_guard lock{mutex_};
    if (stopped_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) continue;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void WebhookSink::serve(int fd) {
  SSL* ssl = nullptr;
  auto read_some = [&](char* buffer, int size) -> int {
    return ssl ? SSL_read(ssl, buffer, size) : static_cast<int>(::recv(fd, buffer, size, 0));
  };
  auto write_all = [&](const std::string& text) {
    if (ssl) SSL_write(ssl, text.data(), static_cast<int>(text.size()));
    else ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
  };
  timeval limit{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  bool ok = true;
  if (ssl_ctx_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(ssl, fd);
    ok = SSL_accept(ssl) == 1;  // a client that refuses our certificate ends here
  }
  std::string data;
  std::size_t header_end = std::string::npos, content_length = 0;
  char buffer[8192];
  while (ok) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string lower = data.substr(0, header_end);
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        const auto at = lower.find("\r\ncontent-length:");
        if (at != std::string::npos) content_length = std::stoul(lower.substr(at + 17));
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    const int n = read_some(buffer, sizeof buffer);
    if (n <= 0) ok = false;
    else data.append(buffer, static_cast<std::size_t>(n));
  }
  if (ok) {
    SinkRequest request;
    request.at = std::chrono::steady_clock::now();
    const auto first_line_end = data.find("\r\n");
    const std::string first_line = data.substr(0, first_line_end);
    const auto path_start = first_line.find(' ') + 1;
    request.path = first_line.substr(path_start, first_line.find(' ', path_start) - path_start);
    for (std::size_t at = first_line_end + 2; at < header_end;) {
      const auto end = data.find("\r\n", at);
      const std::string line = data.substr(at, std::min(end, header_end) - at);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      at = end + 2;
    }
    request.body = data.substr(header_end + 4, content_length);
    const SinkAnswer answer = behaviour_(request);
    {
      std::unique_lock lock{mutex_};
      requests_.push_back(request);
      if (answer.hang)
        stopping_.wait(lock, [&] { return stopped_; });
      else if (answer.delay.count() > 0)
        stopping_.wait_for(lock, answer.delay, [&] { return stopped_; });
    }
    const std::string text = answer.status >= 200 && answer.status < 300 ? "ok" : "no";
    write_all("HTTP/1.1 " + std::to_string(answer.status) + " X\r\nContent-Length: " +
              std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + text);
  }
  if (ssl) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  std::lock_guard lock{mutex_};
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

}  // namespace piket::test
