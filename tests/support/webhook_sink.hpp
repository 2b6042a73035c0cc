#pragma once
// A webhook receiver inside the test: plain HTTP or TLS (a certificate the test made), with a
// behaviour per request the test chooses (answer, answer late, fail, hang until stopped), and a
// record of every request as it arrived. Blocking sockets on threads of its own: the test is
// the only user, and a hung request must not hold up the others.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace piket::test {

struct SinkRequest {
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::steady_clock::time_point at;  // when the whole request had arrived
};

struct SinkAnswer {
  int status = 200;
  std::chrono::milliseconds delay{0};  // answer this much later (a slow receiver)
  bool hang = false;                   // never answer: hold the connection until stopped
};

// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command line
// into `dir` (cert.pem, key.pem); it is its own CA.
struct TestCertificate {
  std::string cert_file;
  std::string key_file;
};
TestCertificate make_test_certificate(const std::string& dir, const std::string& name);

class WebhookSink {
 public:
  using Behaviour = std::function<SinkAnswer(const SinkRequest&)>;
  // Plain HTTP unless a certificate is given.
  explicit WebhookSink(Behaviour behaviour, const TestCertificate* tls = nullptr);
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;
  std::vector<SinkRequest> requests() const;
  std::size_t count(const std::string& path_prefix) const;
  void stop();

 private:
  void accept_loop();
  void serve(int fd);

  Behaviour behaviour_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*, kept out of this header
  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopping_;
  bool stopped_ = false;
  std::vector<SinkRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace piket::test
