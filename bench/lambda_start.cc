// Cold-start measurement of a Lambda custom runtime: the time from spawning `bootstrap` to its
// first GET /2018-06-01/runtime/invocation/next, which is the part of Lambda's INIT phase that
// the runtime controls (exec, dynamic loading, static initialisers, main() up to the request).
//
// Usage: lambda_start [--any-request] <executable> [runs=20] [args...]
// With --any-request the first request of any kind ends the measurement (a runtime without its
// configuration posts /runtime/init/error instead of asking for an event).
// A tiny loopback listener plays the Runtime API: it accepts, reads the request head, records the
// time, and answers 500 (container error) so that the runtime exits. Runs are sequential; the
// executable gets AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT (its directory) and _HANDLER.
// Prints each run and then the median, p90, min and max in milliseconds.
//
// Standard library and POSIX only, so that it builds anywhere:
//   g++ -O2 -std=c++20 bench/lambda_start.cc -o lambda_start
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kContainerError[] =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
    "Content-Length: 2\r\nConnection: close\r\n\r\n{}";

int Listen(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 16) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("listen");
    std::exit(2);
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// Waits up to `timeout_ms` for `fd` to be readable.
bool WaitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  // Nearest rank.
  size_t rank = static_cast<size_t>(p * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

}  // namespace

int main(int argc, char** argv) {
  bool any_request = argc > 1 && std::strcmp(argv[1], "--any-request") == 0;
  if (any_request) {
    --argc;
    ++argv;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: lambda_start [--any-request] <executable> [runs=20] [args...]\n");
    return 2;
  }
  std::string executable = argv[1];
  int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  if (runs <= 0) runs = 20;
  ::signal(SIGPIPE, SIG_IGN);

  int port = 0;
  int listener = Listen(&port);
  std::string task_root = executable.substr(0, executable.rfind('/') + 1);
  if (task_root.empty()) task_root = ".";
  std::vector<std::string> env = {"AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(port),
                                  "LAMBDA_TASK_ROOT=" + task_root,
                                  "_HANDLER=gatescope",
                                  "PATH=/usr/local/bin:/usr/bin:/bin",
                                  "TZ=:UTC",
                                  "LANG=en_US.UTF-8"};
  // The runtime's own configuration (a connector needs its GATESCOPE_* settings to reach /next).
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("GATESCOPE_", 0) == 0 || kv.rfind("AWS_REGION=", 0) == 0) env.emplace_back(kv);
  }
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> child_argv = {executable.data()};
  for (int i = 3; i < argc; ++i) child_argv.push_back(argv[i]);
  child_argv.push_back(nullptr);

  // The runtime's own log lines (one per exit) would drown the figures.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

  std::vector<double> samples;
  for (int run = 0; run < runs; ++run) {
    Clock::time_point start = Clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, executable.c_str(), &actions, nullptr, child_argv.data(), envp.data()) !=
        0) {
      std::perror("posix_spawn");
      return 2;
    }
    double ms = -1;
    if (WaitReadable(listener, 10000)) {
      int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      std::string request;
      char buffer[4096];
      while (conn >= 0 && request.find("\r\n\r\n") == std::string::npos &&
             WaitReadable(conn, 10000)) {
        ssize_t n = ::recv(conn, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      Clock::time_point reached = Clock::now();
      if (request.rfind("GET /2018-06-01/runtime/invocation/next ", 0) == 0 ||
          (any_request && request.find("\r\n\r\n") != std::string::npos)) {
        ms = std::chrono::duration<double, std::milli>(reached - start).count();
      } else {
        std::string line = request.substr(0, std::min(request.find('\r'), size_t{120}));
        std::fprintf(stderr, "run %d: first request was not GET /next but \"%s\"\n", run,
                     line.c_str());
      }
      if (conn >= 0) {
        (void)!::send(conn, kContainerError, sizeof(kContainerError) - 1, MSG_NOSIGNAL);
        ::close(conn);
      }
    } else {
      std::fprintf(stderr, "run %d: no request within 10 s\n", run);
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (ms < 0) return 1;
    samples.push_back(ms);
    std::printf("run %2d: %.2f ms\n", run, ms);
  }
  std::printf("%s: runs=%d median=%.2f ms p90=%.2f ms min=%.2f ms max=%.2f ms\n",
              executable.c_str(), runs, Percentile(samples, 0.5), Percentile(samples, 0.9),
              *std::min_element(samples.begin(), samples.end()),
              *std::max_element(samples.begin(), samples.end()));
  posix_spawn_file_actions_destroy(&actions);
  ::close(listener);
  return 0;
}
