#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace gatescope::testing {

// An emulator of the AWS Lambda Runtime API (2018-06-01) for tests: a cpp-httplib server on a
// free 127.0.0.1 port that hands queued invocations to GET /runtime/invocation/next and records
// what the runtime posts back (response, error, init error).
//
// GET /next blocks until an invocation is queued or Shutdown() is called, like the real API;
// after Shutdown() it answers 500 ("Container error. Non-recoverable state. Runtime should exit
// promptly.") so that a runtime loop exits.
//
// Thread-safety: all methods may be called from any thread; handlers run on httplib's workers.
// Stop() (or the destructor) joins the server; it must not run on a handler thread.
class RuntimeApiEmulator {
 public:
  RuntimeApiEmulator();
  ~RuntimeApiEmulator();
  RuntimeApiEmulator(const RuntimeApiEmulator&) = delete;
  RuntimeApiEmulator& operator=(const RuntimeApiEmulator&) = delete;

  // Binds a free loopback port and serves from a thread until Stop(). Returns once the server
  // accepts. A failure to bind aborts the test binary.
  void Start();
  // Shutdown() and join the server. Idempotent.
  void Stop();

  // "127.0.0.1:<port>", the value for AWS_LAMBDA_RUNTIME_API.
  std::string endpoint() const;

  // One queued invocation and the headers /next sends with it (empty ones are left out).
  struct QueuedInvocation {
    std::string request_id;  // Generated when empty.
    std::string body;
    int64_t deadline_ms = 0;  // Absolute Unix ms.
    std::string function_arn = "arn:aws:lambda:us-east-1:123456789012:function:gatescope";
    std::string trace_id;  // Generated when empty.
    std::string client_context;
    std::string cognito_identity;
  };

  // Queues an invocation; the request id is generated when empty. Returns the request id.
  std::string Enqueue(std::string body, int64_t deadline_ms, std::string request_id = "");
  std::string Enqueue(QueuedInvocation invocation);

  struct Outcome {
    std::string request_id;  // Empty for kInitError.
    enum Kind { kResponse, kError, kInitError } kind;
    std::string body;        // The posted body (the error document for errors).
    std::string error_type;  // Lambda-Runtime-Function-Error-Type, errors only.
    std::string content_type;
  };

  // True when at least `count` outcomes arrived within `timeout`.
  bool WaitForOutcomes(size_t count, std::chrono::milliseconds timeout);
  std::vector<Outcome> outcomes() const;

  // From now on /next answers 500, including the requests waiting in it. Idempotent.
  void Shutdown();

  // The steady_clock time of the first GET /next, for the cold-start measurement.
  std::optional<std::chrono::steady_clock::time_point> first_next() const;
  // How many GET /next requests arrived (answered or waiting).
  int next_requests() const;
  // True when a GET /next is waiting for an invocation right now.
  bool next_waiting() const;
  // Waits until a GET /next is waiting; true if one was within `timeout`.
  bool WaitForNextWaiting(std::chrono::milliseconds timeout);
  // Request ids the runtime posted for that the emulator never handed out (answered 404).
  std::vector<std::string> unknown_request_ids() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // Signalled on enqueue, outcome, shutdown and /next arrival.
  std::deque<QueuedInvocation> queue_;
  std::vector<std::string> handed_out_;
  std::vector<std::string> unknown_ids_;
  std::vector<Outcome> outcomes_;
  bool shutdown_ = false;
  int next_requests_ = 0;
  int next_waiting_ = 0;
  uint64_t id_counter_ = 0;
  std::optional<std::chrono::steady_clock::time_point> first_next_;
};

}  // namespace gatescope::testing
