#pragma once
// A real SMTP server for the e-mail tests: scripts/smtp_sink.py (Debian's python3-aiosmtpd) on a
// free loopback port, each message it receives a file the test reads back.
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace piket::test {

class SmtpSink {
 public:
  SmtpSink();  // started and accepting when this returns
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Every message received so far, oldest first: the envelope lines, then the raw message.
  std::vector<std::string> messages() const;
  void stop();  // a mail server that is down: connections are refused

 private:
  int port_ = 0;
  std::string dir_;
  Process process_;
};

}  // namespace piket::test
