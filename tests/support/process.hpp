#pragma once
// Test support: real processes (redis-server, the daemons) started and stopped by tests.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace piket::test {

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();
// A fresh temporary directory, removed by the caller (or left for post-mortem).
std::string make_temp_dir(const std::string& prefix);
// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds limit);

class Process {
 public:
  Process() = default;
  // Starts argv[0] with the arguments; stdout and stderr go to log_file (appended).
  Process(std::vector<std::string> argv, const std::string& log_file);
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  bool running();
  void kill_hard();           // SIGKILL, then reap
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));  // SIGTERM, wait
  int wait_exit(std::chrono::milliseconds limit);  // exit code, or -1 on time-out

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

// A redis-server of our own: loopback, temp dir, AOF with fsync always (as in production).
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  int port() const { return port_; }
  // A client configuration for this server, with short time-outs so a test never waits long.
  piket::RedisConfig client_config() const;
  const std::string& dir() const { return dir_; }
  void kill_hard() { process_.kill_hard(); }
  void freeze();  // SIGSTOP: a server that accepts but never answers
  void thaw();
  void restart();  // same port, same data
  // Runs redis-cli against this server and returns its stdout (for assertions).
  std::string cli(const std::string& arguments) const;

 private:
  void launch();
  int port_;
  std::string dir_;
  Process process_;
};

// The build and source directories, baked in by CMake.
std::string build_dir();
std::string source_dir();

}  // namespace piket::test
