#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

namespace gatescope::testing {

// What the proxy does to one request instead of (or before) forwarding it.
enum class Fault {
  kThrottleJson,         // 400 {"__type":"ThrottlingException","message":"Rate exceeded"}
  kThrottleRestJson,     // 429 x-amzn-ErrorType: TooManyRequestsException (API Gateway)
  kThrottleXml,          // 503 <Error><Code>RequestLimitExceeded</Code> (EC2) / SlowDown (S3)
  kServerError,          // 500 {"__type":"InternalFailure"}
  kServiceUnavailable,   // 503 {"__type":"ServiceUnavailableException"}
  kExpiredToken,         // 400 {"__type":"ExpiredTokenException"} (JSON) for any protocol
  kDelay,                // Sleep `delay`, then forward: a client timeout shorter than it fires.
  kAccessDenied,         // 400 {"__type":"AccessDeniedException","message":"User ... is not authorized"}
  kRespond,              // Answer `status` with `body` (JSON) instead of forwarding: scripted
                         // responses such as an empty page that still carries a nextToken.
};

struct FaultSpec {
  Fault fault;
  std::chrono::milliseconds delay{0};  // kDelay only.
  int status = 200;                    // kRespond only.
  std::string body;                    // kRespond only.
};

// An HTTP proxy on a free loopback port that forwards to `upstream` (moto_server), except that
// the next queued faults are applied to the next requests, one fault per request, in order.
// Records every request it saw, so tests can check what was retried and how it was signed.
//
// Thread-safety: Enqueue()/requests() may be called while the proxy serves; stopped on
// destruction.
class FaultProxy {
 public:
  struct SeenRequest {
    std::string method;
    std::string path;           // With the query string.
    std::string target;         // X-Amz-Target, if any.
    std::string authorization;  // The Authorization header (test credentials only).
    std::string security_token; // X-Amz-Security-Token, if any.
    std::string body;
    bool faulted = false;       // Answered with a fault instead of forwarded.
  };

  static Result<std::unique_ptr<FaultProxy>> Start(std::string upstream_endpoint);
  ~FaultProxy();

  // "http://127.0.0.1:<port>".
  const std::string& endpoint() const { return endpoint_; }
  void Enqueue(std::vector<FaultSpec> faults);
  std::vector<SeenRequest> requests() const;

  struct Impl;

 private:
  explicit FaultProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string endpoint_;
};

}  // namespace gatescope::testing
