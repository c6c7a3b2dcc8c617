#include "delivery/collector_http_sink.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "core/ascii.h"
#include "core/time_format.h"

namespace gatescope::delivery {
namespace {

constexpr std::chrono::milliseconds kSleepSlice{200};
constexpr size_t kLatencyWindow = 256;
constexpr size_t kDetailBytes = 256;

// A cursor over an HTTP-date (RFC 9110 5.6.7).
class DateReader {
 public:
  explicit DateReader(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  void SkipSpaces() {
    while (!s_.empty() && s_.front() == ' ') s_.remove_prefix(1);
  }
  // Exactly `n` digits (or, with `allow_space_pad`, a space then n-1 digits: asctime's day).
  std::optional<int> Digits(size_t n, bool allow_space_pad = false) {
    if (s_.size() < n) return std::nullopt;
    int value = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = s_[i];
      if (c == ' ' && allow_space_pad && i == 0) continue;
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    s_.remove_prefix(n);
    return value;
  }
  // A month name, "Jan".."Dec" (1..12).
  std::optional<int> Month() {
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i) {
      if (Literal(kMonths[i])) return i + 1;
    }
    return std::nullopt;
  }
  // "HH:MM:SS" as seconds of the day.
  std::optional<int> TimeOfDay() {
    const auto h = Digits(2);
    if (!h || !Literal(":")) return std::nullopt;
    const auto m = Digits(2);
    if (!m || !Literal(":")) return std::nullopt;
    const auto sec = Digits(2);
    if (!sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
    return *h * 3600 + *m * 60 + *sec;
  }
  // Skips a day name ("Sun" or "Sunday"): letters only.
  bool DayName() {
    size_t n = 0;
    while (n < s_.size() && ((s_[n] >= 'A' && s_[n] <= 'Z') || (s_[n] >= 'a' && s_[n] <= 'z'))) {
      ++n;
    }
    if (n < 3) return false;
    s_.remove_prefix(n);
    return true;
  }
  bool AtEnd() const { return s_.empty(); }

 private:
  std::string_view s_;
};

// Seconds since the epoch of an HTTP-date in any of its three forms, or nullopt.
std::optional<int64_t> ParseHttpDate(std::string_view value) {
  DateReader r(value);
  if (!r.DayName()) return std::nullopt;
  std::optional<int> day, month, year, seconds;
  if (r.Literal(",")) {
    r.SkipSpaces();
    day = r.Digits(2);
    if (!day) return std::nullopt;
    if (r.Literal("-")) {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT".
      month = r.Month();
      if (!month || !r.Literal("-")) return std::nullopt;
      year = r.Digits(2);
      // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
      if (year) *year += *year < 70 ? 2000 : 1900;
    } else {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
      if (!r.Literal(" ")) return std::nullopt;
      month = r.Month();
      if (!month || !r.Literal(" ")) return std::nullopt;
      year = r.Digits(4);
    }
    if (!year || !r.Literal(" ")) return std::nullopt;
    seconds = r.TimeOfDay();
    if (!seconds || !r.Literal(" GMT")) return std::nullopt;
  } else {  // asctime: "Sun Nov  6 08:49:37 1994".
    if (!r.Literal(" ")) return std::nullopt;
    month = r.Month();
    if (!month || !r.Literal(" ")) return std::nullopt;
    day = r.Digits(2, /*allow_space_pad=*/true);
    if (!day || !r.Literal(" ")) return std::nullopt;
    seconds = r.TimeOfDay();
    if (!seconds || !r.Literal(" ")) return std::nullopt;
    year = r.Digits(4);
    if (!year) return std::nullopt;
  }
  if (!r.AtEnd() || *day < 1 || *day > 31 || *year < 1) return std::nullopt;
  return DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * 86400 +
         *seconds;
}

std::mt19937_64& SeededEngine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// A response snippet for the outcome's detail, with `token` (if it appears) redacted.
std::string Detail(std::string_view text, std::string_view token) {
  std::string snippet(text.substr(0, kDetailBytes + token.size()));
  ReplaceAll(snippet, token, "[REDACTED]");
  return SanitizeDetail(snippet, kDetailBytes);
}

}  // namespace

std::string_view DeliveryResultName(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kDelivered:
      return "delivered";
    case DeliveryResult::kRejected:
      return "rejected";
    case DeliveryResult::kGaveUp:
      return "gave_up";
  }
  return "gave_up";
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = TrimAsciiSpace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds > kMaxRetryAfter.count() / 1000) return kMaxRetryAfter;
    }
    return std::chrono::milliseconds(seconds * 1000);
  }
  const std::optional<int64_t> date = ParseHttpDate(value);
  if (!date) return std::nullopt;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  // Years 1..9999 keep date * 1000 far inside int64.
  const int64_t wait_ms = *date * 1000 - now_ms;
  return std::chrono::milliseconds(std::clamp<int64_t>(wait_ms, 0, kMaxRetryAfter.count()));
}

std::string SanitizeDetail(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
  }
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

CollectorHttpSink::CollectorHttpSink(CollectorOptions options, env::HttpClient& http,
                                     TokenSource* tokens, const Clock& clock, aws::Sleeper& sleeper,
                                     std::function<double()> random)
    : options_(std::move(options)),
      http_(http),
      tokens_(tokens),
      clock_(clock),
      sleeper_(sleeper),
      random_(std::move(random)) {
  latency_window_.reserve(kLatencyWindow);
}

void CollectorHttpSink::Stop() { stopped_.store(true, std::memory_order_release); }

SinkStats CollectorHttpSink::stats_snapshot() const {
  std::lock_guard lock(mu_);
  return stats_;
}

double CollectorHttpSink::NextRandom() {
  std::lock_guard lock(mu_);
  const double r =
      random_ ? random_() : std::uniform_real_distribution<double>(0.0, 1.0)(SeededEngine());
  return std::clamp(r, 0.0, 1.0);
}

void CollectorHttpSink::RecordLatency(std::chrono::steady_clock::duration latency) {
  const auto ms = static_cast<uint64_t>(
      std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(latency).count()));
  std::lock_guard lock(mu_);
  ++stats_.latency_count;
  stats_.latency_sum_ms += ms;
  stats_.latency_max_ms = std::max(stats_.latency_max_ms, ms);
  if (latency_window_.size() < kLatencyWindow) {
    latency_window_.push_back(ms);
  } else {
    latency_window_[latency_next_] = ms;
    latency_next_ = (latency_next_ + 1) % kLatencyWindow;
  }
  // 256 values once per POST: cheap next to the POST itself.
  std::vector<uint64_t> sorted = latency_window_;
  const size_t rank = (sorted.size() * 99 + 99) / 100 - 1;  // ceil(0.99 n) - 1.
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank),
                   sorted.end());
  stats_.latency_p99_ms = sorted[rank];
}

bool CollectorHttpSink::SleepUnlessStopped(std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mu_);
    stats_.sleep_ms += static_cast<uint64_t>(delay.count());
  }
  while (delay > std::chrono::milliseconds::zero()) {
    if (stopped()) return false;
    const auto slice = std::min(delay, kSleepSlice);
    sleeper_.SleepFor(slice);
    delay -= slice;
  }
  return !stopped();
}

DeliveryOutcome CollectorHttpSink::Send(const Batch& batch,
                                        std::chrono::steady_clock::time_point deadline) {
  DeliveryOutcome out;
  env::HttpRequest request;
  request.method = "POST";
  request.url = options_.url;
  request.headers = {
      {"Content-Type", "application/x-ndjson"},
      {"Idempotency-Key", batch.idempotency_key},
      {"X-Gatescope-Format", "gatescope.batch/v1"},
      {"X-Gatescope-Records", std::to_string(batch.records)},
      {"X-Gatescope-Events", std::to_string(batch.events)},
      {"User-Agent", options_.user_agent},
  };
  if (batch.gzip) request.headers.push_back({"Content-Encoding", "gzip"});
  const size_t authorization_index = request.headers.size();
  if (tokens_ != nullptr) request.headers.push_back({"Authorization", ""});
  request.body = batch.body;

  const int max_attempts = std::max(options_.max_attempts, 1);
  bool refreshed = false;  // The one token refresh a 401 earns per Send.
  int retry = 0;           // Backoff retries so far.
  std::string token;

  auto finish = [&](DeliveryResult result, std::string reason) {
    out.result = result;
    out.reason = std::move(reason);
    std::lock_guard lock(mu_);
    ++stats_.sends;
    switch (result) {
      case DeliveryResult::kDelivered:
        ++stats_.delivered;
        break;
      case DeliveryResult::kRejected:
        ++stats_.rejected;
        break;
      case DeliveryResult::kGaveUp:
        ++stats_.gave_up;
        break;
    }
    return out;
  };

  while (true) {
    if (stopped()) return finish(DeliveryResult::kGaveUp, "stopped");
    if (out.attempts >= max_attempts) return finish(DeliveryResult::kGaveUp, "retries_exhausted");
    if (deadline - clock_.MonotonicNow() < std::chrono::milliseconds(1)) {
      return finish(DeliveryResult::kGaveUp, "deadline");
    }
    std::optional<std::chrono::milliseconds> retry_after;
    bool retry_now = false;

    Status token_error;
    if (tokens_ != nullptr) {
      Result<std::string> fetched = tokens_->Token(deadline);
      if (fetched.ok()) {
        token = std::move(fetched).value();
        request.headers[authorization_index].value = "Bearer " + token;
      } else {
        token_error = fetched.status();
      }
    }

    if (!token_error.ok()) {
      // No POST: the token endpoint failed. Counted as an attempt, so a dead endpoint cannot
      // loop forever.
      ++out.attempts;
      out.detail = SanitizeDetail(token_error.ToString(), kDetailBytes);
      {
        std::lock_guard lock(mu_);
        ++stats_.token_errors;
      }
      if (!IsRetryable(token_error)) return finish(DeliveryResult::kRejected, "token_rejected");
    } else {
      // Measured after the token fetch, which may have taken time.
      request.timeout = std::min(
          options_.request_timeout,
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.MonotonicNow()));
      if (request.timeout < std::chrono::milliseconds(1)) {
        return finish(DeliveryResult::kGaveUp, "deadline");
      }
      ++out.attempts;
      {
        std::lock_guard lock(mu_);
        ++stats_.attempts;
        if (out.attempts > 1) ++stats_.retries;
      }
      const auto started = clock_.MonotonicNow();
      Result<env::HttpResponse> response = http_.Send(request);
      RecordLatency(clock_.MonotonicNow() - started);

      if (!response.ok()) {
        out.detail = Detail(response.status().ToString(), token);
        {
          std::lock_guard lock(mu_);
          ++stats_.transport_errors;
        }
        if (!IsRetryable(response.status())) {
          return finish(DeliveryResult::kRejected, "transport_error");
        }
      } else {
        const int code = response->status;
        out.http_status = code;
        {
          std::lock_guard lock(mu_);
          if (code >= 200 && code < 300) {
            ++stats_.responses_2xx;
          } else if (code >= 400 && code < 500) {
            ++stats_.responses_4xx;
          } else if (code >= 500) {
            ++stats_.responses_5xx;
          } else {
            ++stats_.responses_other;
          }
          if (code == 429) ++stats_.throttled;
        }
        if (code >= 200 && code < 300) {
          out.detail.clear();
          return finish(DeliveryResult::kDelivered, "");
        }
        out.detail = Detail(response->body, token);
        if (code == 401 && tokens_ != nullptr && !refreshed) {
          tokens_->Invalidate(token);
          refreshed = true;
          retry_now = true;
          std::lock_guard lock(mu_);
          ++stats_.token_refreshes;
        } else if (code == 408 || code == 429 || (code >= 500 && code < 600)) {
          retry_after = ParseRetryAfter(response->Header("retry-after"), clock_.Now());
        } else {
          return finish(DeliveryResult::kRejected, "http_" + std::to_string(code));
        }
      }
    }

    if (retry_now) continue;
    if (out.attempts >= max_attempts) return finish(DeliveryResult::kGaveUp, "retries_exhausted");
    ++retry;
    // Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").
    const double cap = std::min(static_cast<double>(options_.max_delay.count()),
                                static_cast<double>(options_.base_delay.count()) *
                                    std::ldexp(1.0, std::min(retry - 1, 30)));
    auto delay = std::chrono::milliseconds(static_cast<int64_t>(cap * NextRandom()));
    if (retry_after) delay = std::max(delay, *retry_after);
    // Sleeping up to the deadline would leave no time for the attempt after it.
    if (clock_.MonotonicNow() + delay >= deadline) {
      return finish(DeliveryResult::kGaveUp, "deadline");
    }
    if (!SleepUnlessStopped(delay)) return finish(DeliveryResult::kGaveUp, "stopped");
  }
}

}  // namespace gatescope::delivery
