#include "core/logging.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/time_format.h"

namespace gatescope {
namespace {

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t' || c == '\\') return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  out += '"';
}

}  // namespace

Result<LogLevel> ParseLogLevel(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (lower == "error") return LogLevel::kError;
  if (lower == "warning" || lower == "warn") return LogLevel::kWarning;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "trace") return LogLevel::kTrace;
  return InvalidArgumentError("unknown log level '" + std::string(text) +
                              "' (expected error, warning, info, debug or trace)");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kTrace: return "trace";
  }
  return "info";
}

Logger& Logger::Get() {
  static Logger logger;
  return logger;
}

void Logger::SetSink(Sink sink) {
  std::lock_guard lock(mu_);
  sink_ = std::move(sink);
}

void Logger::SetClock(const Clock* clock) {
  std::lock_guard lock(mu_);
  clock_ = clock;
}

void Logger::Log(LogLevel level, std::string_view message,
                 std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::lock_guard lock(mu_);
  const Clock& clock = clock_ ? *clock_ : SystemClock::Get();
  std::string line = FormatIso8601(UnixMillis(clock));
  line += ' ';
  line += LogLevelName(level);
  line += ' ';
  line += message;
  for (const LogField& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    AppendValue(line, f.value);
  }
  if (sink_) {
    sink_(line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

bool LogRateLimiter::Allow(uint64_t* suppressed) {
  auto now = clock_.MonotonicNow();
  if (logged_once_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  logged_once_ = true;
  last_ = now;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

Status ConfigureLogLevel(std::string_view flag) {
  std::string_view source = "--log-level";
  std::string_view value = flag;
  if (value.empty()) {
    const char* env = std::getenv("GATESCOPE_LOG_LEVEL");
    if (env == nullptr || *env == '\0') return Status::Ok();
    source = "GATESCOPE_LOG_LEVEL";
    value = env;
  }
  Result<LogLevel> level = ParseLogLevel(value);
  if (!level.ok()) return level.status().WithContext(source);
  Logger::Get().SetLevel(*level);
  return Status::Ok();
}

}  // namespace gatescope
