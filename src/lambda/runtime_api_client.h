#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace gatescope::lambda {

// A client of the AWS Lambda Runtime API (version 2018-06-01), the plain-HTTP interface through
// which a custom runtime (provided.al2023, an executable named `bootstrap`) fetches events and
// returns results. It is written from the documented protocol: plain HTTP/1.1 over one POSIX TCP
// socket kept alive and reused, no TLS, no libcurl and no third-party library, so that the
// process reaches its first GET /next within a few milliseconds of exec.

// Lambda's synchronous invocation payload limit is 6 MB; events and answers larger than this
// (with headroom) are refused with kResourceExhausted rather than buffered.
inline constexpr size_t kMaxBodyBytes = size_t{16} << 20;
// The longest status line plus header section accepted in a response.
inline constexpr size_t kMaxHeaderBytes = size_t{64} << 10;

// One invocation, as returned by GET /runtime/invocation/next.
struct Invocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;       // Lambda-Runtime-Deadline-Ms (Unix ms); 0 when absent.
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;          // Lambda-Runtime-Trace-Id (also exported as _X_AMZN_TRACE_ID)
  std::string client_context;    // Lambda-Runtime-Client-Context (mobile SDK), may be empty.
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity, may be empty.
  std::string tenant_id;         // Lambda-Runtime-Aws-Tenant-Id, may be empty.
  std::string body;              // The event. Never log it.
};

// One parsed HTTP/1.1 response.
struct HttpMessage {
  int status = 0;
  // Header names lower-cased, values trimmed of surrounding spaces, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // False when the server asked to close the connection ("Connection: close", HTTP/1.0 without
  // keep-alive) or when the body was delimited by the end of the connection.
  bool keep_alive = true;

  // The value of the first header named `lower_name` (lower case), or empty. The view is valid
  // while this message is alive and unmodified.
  std::string_view Header(std::string_view lower_name) const;
};

// An incremental parser of one HTTP/1.1 response: status line, headers, then a body framed by
// Transfer-Encoding: chunked, Content-Length, or the end of the connection (neither given).
// Interim 1xx responses (100 Continue) are skipped. 204 and 304 have no body.
//
// Thread-safety: not thread-safe. Reset() before reusing it for the next response.
class HttpResponseParser {
 public:
  HttpResponseParser() = default;

  // Consumes `data`, which follows the bytes fed before. Returns kParseError on malformed input
  // and kResourceExhausted when the header section or body exceeds its limit; the parser is then
  // unusable until Reset(). Bytes fed after the response completed are kept as leftover().
  Status Feed(std::string_view data);

  // Tells the parser that the connection ended. Completes a body delimited by the end of the
  // connection; returns kUnavailable ("connection closed") when the response is incomplete.
  Status FinishAtEof();

  // True once the whole response has been parsed; message() is then final.
  bool done() const { return state_ == State::kDone; }
  // True when no byte of the response has been fed yet.
  bool empty() const { return !started_; }
  HttpMessage& message() { return message_; }
  // Bytes received after the end of the response (pipelining, or a misbehaving server).
  std::string_view leftover() const { return std::string_view(buffer_).substr(pos_); }

  void Reset();

 private:
  enum class State {
    kHead,
    kFixedBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kUntilEof,
    kDone,
    kFailed
  };

  Status Advance();
  Status ParseHead(std::string_view head);
  Status Fail(Status status);
  // The next line (without CR LF) starting at pos_, or false when none is complete yet.
  bool NextLine(std::string_view* line);

  State state_ = State::kHead;
  bool started_ = false;
  std::string buffer_;  // Unconsumed bytes start at pos_.
  size_t pos_ = 0;
  size_t remaining_ = 0;  // Bytes left in the fixed-length body or in the current chunk.
  size_t trailer_bytes_ = 0;
  HttpMessage message_;
};

// Parses one complete HTTP/1.1 response held in `bytes`. The end of `bytes` counts as the end of
// the connection. Returns kParseError when malformed, kUnavailable when truncated and
// kResourceExhausted over the limits above. Exposed for the fuzzer and tests.
Result<HttpMessage> ParseHttpResponse(std::string_view bytes);

// Appends `value` to `out` as the contents of a JSON string (without quotes): quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced by U+FFFD.
void AppendJsonEscaped(std::string_view value, std::string* out);

// The error document the Runtime API expects:
//   {"errorMessage":"<message>","errorType":"<type>","stackTrace":[]}
std::string ErrorDocument(std::string_view error_type, std::string_view message);

// Talks to the Runtime API at AWS_LAMBDA_RUNTIME_API over one keep-alive connection, reconnecting
// when the connection fails or the server closes it.
//
// Status codes of the calls: kUnavailable when the endpoint cannot be reached or the connection
// broke; kInternal when the Runtime API answered 500 ("Container error. Non-recoverable state.
// Runtime should exit promptly."), see IsContainerError(); kInvalidArgument for 400 and 413 (bad
// or oversized payload); kPermissionDenied for 403; kNotFound for 404 (an unknown request id);
// kParseError for a malformed response; kResourceExhausted for an oversized one.
//
// Thread-safety: not thread-safe; one thread drives the loop. Owns its socket.
class RuntimeApiClient {
 public:
  // `endpoint` is the value of AWS_LAMBDA_RUNTIME_API: "host:port", with host an IPv4 address,
  // a "[v6]" address or a host name, and port 1 to 65535. Returns kInvalidArgument when
  // malformed. Does not connect: the first call does.
  static Result<std::unique_ptr<RuntimeApiClient>> Create(std::string_view endpoint);

  ~RuntimeApiClient();
  RuntimeApiClient(const RuntimeApiClient&) = delete;
  RuntimeApiClient& operator=(const RuntimeApiClient&) = delete;

  // GET /2018-06-01/runtime/invocation/next. Waits without a timeout, as the Runtime API
  // documents (the response is held until an event arrives). Returns kParseError when the answer
  // has no request id.
  // Exports the trace id as _X_AMZN_TRACE_ID (empty when absent; the variable is never removed).
  // setenv is not safe while another thread calls setenv or unsetenv; concurrent getenv is safe
  // once the variable exists, as glibc then replaces the value pointer in place. Turn this off
  // with set_export_trace_id(false) when nothing in the process reads the variable.
  Result<Invocation> Next();

  // POST /2018-06-01/runtime/invocation/{request_id}/response with `body` as the result.
  Status Respond(std::string_view request_id, std::string_view body);
  Status Respond(std::string_view request_id, std::string_view body, std::string_view content_type);

  // POST /2018-06-01/runtime/invocation/{request_id}/error with header
  // Lambda-Runtime-Function-Error-Type: `error_type` and the ErrorDocument() body.
  Status ReportError(std::string_view request_id, std::string_view error_type,
                     std::string_view message);

  // POST /2018-06-01/runtime/init/error, for a runtime that cannot start (bad configuration).
  Status ReportInitError(std::string_view error_type, std::string_view message);

  void set_export_trace_id(bool on) { export_trace_id_ = on; }

  // "host:port" as given to Create().
  const std::string& endpoint() const { return endpoint_; }
  // How many TCP connections have been opened so far (for tests of connection reuse).
  int connections_opened() const { return connections_opened_; }

 private:
  RuntimeApiClient(std::string endpoint, std::string host, uint16_t port);

  Status Connect();
  void Disconnect();
  // Sends one request and reads its response, reconnecting once when a reused connection turns
  // out to be closed before any byte of the response arrived.
  Result<HttpMessage> Exchange(std::string_view method, std::string_view path,
                               std::string_view extra_headers, std::string_view body);
  Result<HttpMessage> ExchangeOnce(std::string_view request_head, std::string_view body,
                                   bool* nothing_received);
  Status PostExpecting202(std::string_view what, std::string_view path,
                          std::string_view extra_headers, std::string_view body);

  std::string endpoint_;
  std::string host_;
  uint16_t port_ = 0;
  int fd_ = -1;
  int connections_opened_ = 0;
  bool export_trace_id_ = true;
  HttpResponseParser parser_;
  std::string read_buffer_;
};

// True when `status` is the Runtime API's 500 answer, after which the runtime must exit.
bool IsContainerError(const Status& status);

// What a handler returns: a response body, or an error type (e.g. "Runtime.ConfigError") and a
// message. The message goes to the Runtime API (and so to CloudWatch); never put a body,
// credential or token in it.
struct HandlerResult {
  bool ok = true;
  std::string body;
  std::string error_type;
  std::string error_message;
};
using Handler = std::function<HandlerResult(const Invocation&)>;

// Exit codes of RunLambdaLoop.
inline constexpr int kExitContainerError = 1;  // The Runtime API answered 500.
inline constexpr int kExitRuntimeApiGone = 1;  // Next kept failing (unreachable, refused, 4xx).

struct LoopOptions {
  // Attempts of a failing Next before giving up (500 gives up at once).
  int max_next_attempts = 3;
  // Wait before retry i (1-based) is retry_backoff * 2^(i-1).
  std::chrono::milliseconds retry_backoff{20};
};

// Next -> handler -> Respond (ok) or ReportError (not ok), forever. A handler that throws is
// reported as "Runtime.UnknownReason" without its message. Returns a process exit code when the
// Runtime API is gone (Next failed max_next_attempts times in a row) or answers 500
// ("Container error. Non-recoverable state. Runtime should exit promptly"). A failed Respond or
// ReportError is logged (without the body) and the loop goes on: the next Next tells whether
// the Runtime API is still there.
int RunLambdaLoop(RuntimeApiClient& client, const Handler& handler);
int RunLambdaLoop(RuntimeApiClient& client, const Handler& handler, const LoopOptions& options);

}  // namespace gatescope::lambda
