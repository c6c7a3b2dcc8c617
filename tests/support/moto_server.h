#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace gatescope::testing {

// A moto_server child process (pip package moto) listening on a free loopback port, stopped
// (SIGTERM, then SIGKILL) on destruction. One per test binary or fixture; moto serves every
// AWS service on one port and routes by the SigV4 credential scope.
//
// Thread-safety: not thread-safe; use from the test's main thread.
class MotoServer {
 public:
  // Starts moto_server and waits until it answers (up to 30 s). Fails with a message naming
  // moto_server when it is not on PATH or does not come up.
  static Result<std::unique_ptr<MotoServer>> Start();
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>".
  const std::string& endpoint() const { return endpoint_; }

  // Variables for AwsEnvironment::FromMap and for the aws CLI: AWS_ENDPOINT_URL, fake keys,
  // AWS_REGION/AWS_DEFAULT_REGION us-east-1, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE
  // pointing at /dev/null, AWS_EC2_METADATA_DISABLED=true, NO_PROXY for loopback.
  std::map<std::string, std::string> Env() const;

  // Runs `aws <args> --output json` with Env() (plus `extra_env`), returns stdout; an error
  // carrying stderr when the CLI exits non-zero.
  Result<std::string> RunAwsCli(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& extra_env = {}) const;

  // Forgets every resource (POST /moto-api/reset), so tests in one binary start clean.
  Status Reset() const;

 private:
  MotoServer(int pid, uint16_t port);
  int pid_;
  uint16_t port_;
  std::string endpoint_;
};

// The test binary's one moto_server: started on first use, so that every fixture of the binary
// shares it and pays the start-up once, and stopped when the program exits. Once a start has
// failed, every call returns that error. Fixtures call MotoServer::Reset() to start clean.
Result<MotoServer*> SharedMotoServer();

// A loopback port that was free a moment ago.
uint16_t FreeLoopbackPort();

}  // namespace gatescope::testing
