#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "support/test_util.h"

namespace gatescope::testing {

// A real `gatescope serve` child process (the binary named by GS_GATESCOPE_BIN) on a free
// loopback port, killed (SIGKILL) on destruction if still running.
class ServeProcess {
 public:
  // Starts `gatescope serve <args> --listen 127.0.0.1:0 --port-file ...` with the environment
  // plus `env`, and waits (up to 30 s) until /healthz answers. The server's stderr goes to a
  // file whose tail is in the error message when it does not come up.
  static Result<std::unique_ptr<ServeProcess>> Start(const std::vector<std::string>& args,
                                                     const std::map<std::string, std::string>& env = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int pid() const { return pid_; }
  void Signal(int sig) const;
  // The exit code (or 128 + signal), or an error if it has not exited within `timeout`.
  Result<int> Wait(std::chrono::milliseconds timeout);
  std::string Stderr() const;

 private:
  ServeProcess(int pid, std::unique_ptr<TempDir> dir);
  int pid_;
  bool exited_ = false;
  uint16_t port_ = 0;
  std::unique_ptr<TempDir> dir_;
};

// Runs `gatescope <args>` to completion and returns its stdout (error with stderr on failure).
Result<std::string> RunGatescope(const std::vector<std::string>& args, std::string_view stdin_text = "");

}  // namespace gatescope::testing
