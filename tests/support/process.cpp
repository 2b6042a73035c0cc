#include "tests/support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <thread>

namespace piket::test {

namespace {
int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind to find a free port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Holds a port for this process until it ends: ctest runs several test processes at once, and
// the kernel may hand the same just-released port to two of them. The lock goes with the process.
bool reserve_across_processes(int port) {
  const std::string path = "/tmp/piket-test-port-" + std::to_string(port) + ".lock";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // cannot coordinate: take the kernel's word
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  return true;  // the descriptor stays open, and the lock held, until the process ends
}
}  // namespace

// The kernel may hand out a just-released port again: never give the same one twice, or a
// stack's gateway and webhook receiver could be asked to share one.
int free_port() {
  static std::set<int> given;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = unused_port();
    if (given.insert(port).second && reserve_across_processes(port)) return port;
  }
  throw std::runtime_error("no fresh free port found");
}

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

bool wait_for_port(int port, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Process::Process(std::vector<std::string> argv, const std::string& log_file) {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no servers behind
    int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0) stop(std::chrono::milliseconds(3000));
}

Process::Process(Process&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) stop();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

void Process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  pid_ = -1;
}

int Process::wait_exit(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pid_ <= 0) return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    if (!running()) continue;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  ::kill(pid_, SIGTERM);
  int code = wait_exit(grace);
  if (code == -1) kill_hard();
  return code;
}

RedisServer::RedisServer() : port_(free_port()), dir_(make_temp_dir("piket-redis")) { launch(); }

RedisServer::~RedisServer() {
  process_.kill_hard();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::launch() {
  // Without LD_PRELOAD: when the suite runs under libfaketime (scripts/test-every-hour.sh),
  // Redis keeps the real clock, as its allocator and libfaketime do not get along.
  process_ = Process({"env", "-u", "LD_PRELOAD", "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                      "--dir", dir_, "--save", "", "--appendonly", "yes", "--appendfsync",
                      "always", "--daemonize", "no", "--logfile", dir_ + "/redis.log"},
                     dir_ + "/redis.stdout");
  if (!wait_for_port(port_, std::chrono::seconds(10)))
    throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
  // Accepting is not loaded: wait until it answers PING.
  for (int i = 0; i < 200 && cli("PING").find("PONG") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void Process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

void RedisServer::freeze() { process_.signal(SIGSTOP); }
void RedisServer::thaw() { process_.signal(SIGCONT); }

void RedisServer::restart() {
  process_.stop();
  launch();
}

piket::RedisConfig RedisServer::client_config() const {
  piket::RedisConfig c;
  c.port = port_;
  c.connect_timeout_ms = 500;
  c.command_timeout_ms = 500;
  return c;
}

std::string RedisServer::cli(const std::string& arguments) const {
  // Without LD_PRELOAD, as redis-server: redis-cli's allocator can hang under libfaketime.
  std::string command =
      "env -u LD_PRELOAD redis-cli -p " + std::to_string(port_) + " " + arguments + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

std::string build_dir() { return PIKET_BUILD_DIR; }
std::string source_dir() { return PIKET_SOURCE_DIR; }

}  // namespace piket::test
