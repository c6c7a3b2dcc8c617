#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/clock.h"
#include "core/result.h"

namespace gatescope {

// Severity, most severe first. The user picks info (default), debug or trace; errors and
// warnings are always shown.
enum class LogLevel { kError = 0, kWarning, kInfo, kDebug, kTrace };

// Parses "error", "warning", "info", "debug" or "trace" (case-insensitive).
// Returns kInvalidArgument naming the accepted values otherwise.
Result<LogLevel> ParseLogLevel(std::string_view text);
std::string_view LogLevelName(LogLevel level);

// One structured key=value pair of a log line. Keys are snake_case literals.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <typename N, typename = std::enable_if_t<std::is_arithmetic_v<N>>>
  LogField(std::string_view k, N v) : key(k), value(std::to_string(v)) {}

  std::string_view key;
  std::string value;
};

// The process-wide structured logger. Lines look like
//   2026-11-21T10:00:00.000Z info Read input. path=a.log events=12
// Never pass bodies, Authorization headers, API keys or cookies as fields.
//
// Thread-safety: all methods may be called from any thread.
class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  static Logger& Get();

  void SetLevel(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  bool Enabled(LogLevel level) const { return level <= this->level(); }

  // Replaces where lines go (stderr by default) and which clock stamps them. Tests only.
  void SetSink(Sink sink);
  void SetClock(const Clock* clock);

  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

 private:
  Logger() = default;

  std::atomic<LogLevel> level_{LogLevel::kInfo};
  std::mutex mu_;
  Sink sink_;                    // Guarded by mu_.
  const Clock* clock_ = nullptr;  // Guarded by mu_; null means SystemClock.
};

// Lets through at most one event per `interval`, and counts the ones it held back, so that a
// flood of bad lines produces one warning per interval instead of one per line.
//
// Thread-safety: not thread-safe; keep one per worker.
class LogRateLimiter {
 public:
  LogRateLimiter(const Clock& clock, std::chrono::steady_clock::duration interval)
      : clock_(clock), interval_(interval) {}

  // True if the caller should log now; `*suppressed` is how many were held back since.
  bool Allow(uint64_t* suppressed);

 private:
  const Clock& clock_;
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_once_ = false;
  uint64_t suppressed_ = 0;
};

// Sets the level from `flag` if not empty, else from GATESCOPE_LOG_LEVEL, else leaves info.
// Returns kInvalidArgument naming the setting that holds a bad value.
Status ConfigureLogLevel(std::string_view flag);

}  // namespace gatescope

#define GS_LOG(level, ...)                                           \
  do {                                                               \
    if (::gatescope::Logger::Get().Enabled(::gatescope::LogLevel::level)) \
      ::gatescope::Logger::Get().Log(::gatescope::LogLevel::level, __VA_ARGS__); \
  } while (false)
