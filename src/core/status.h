#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace gatescope {

// The closed set of error codes. Callers branch on the code, never on the message.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kParseError,
  kNotFound,
  kUnavailable,
  kDeadlineExceeded,
  kResourceExhausted,
  kPermissionDenied,
  kCancelled,
  kInternal,
};

// Returns the snake_case name of `code`, e.g. "parse_error"; suitable for metric labels.
std::string_view StatusCodeName(StatusCode code);

// The outcome of a fallible operation: ok, or a code with a message saying what and where.
//
// Thread-safety: a value type; distinct objects may be used from distinct threads.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "parse_error: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; ok stays ok.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// True for failures worth retrying: kUnavailable, kDeadlineExceeded, kResourceExhausted.
bool IsRetryable(const Status& status);

}  // namespace gatescope

#define GS_STATUS_CONCAT_INNER_(a, b) a##b
#define GS_STATUS_CONCAT_(a, b) GS_STATUS_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
#define GS_RETURN_IF_ERROR(expr)                         \
  do {                                                   \
    ::gatescope::Status gs_status_ = (expr);             \
    if (!gs_status_.ok()) return gs_status_;             \
  } while (false)
