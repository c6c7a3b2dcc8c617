#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/retry.h"
#include "core/clock.h"
#include "delivery/batch.h"
#include "delivery/token_source.h"
#include "env/http_client.h"

namespace gatescope::delivery {

struct CollectorOptions {
  std::string url;  // https://... (http:// allowed only for loopback in tests: the lead validates)
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds base_delay{200};  // Full-jitter exponential backoff 200 ms -> 10 s
  std::chrono::milliseconds max_delay{10000};
  int max_attempts = 10;  // POSTs per Send, the first included; at least 1.
  std::string user_agent = "gatescope";
};

enum class DeliveryResult { kDelivered, kRejected, kGaveUp };

// "delivered", "rejected", "gave_up".
std::string_view DeliveryResultName(DeliveryResult result);

struct DeliveryOutcome {
  DeliveryResult result = DeliveryResult::kGaveUp;
  int http_status = 0;  // Last response status, 0 if none.
  int attempts = 0;     // POSTs sent (a token fetch that failed counts as one attempt).
  // Bounded snake_case: "http_<code>" for rejections (4xx other than 408/429, a second 401, or
  // an unexpected 1xx/3xx), "token_rejected" (the token endpoint refused the client or answered
  // unusably), "transport_error" (a non-retryable HttpClient error such as a malformed URL),
  // and for kGaveUp "deadline", "retries_exhausted" or "stopped". Empty when delivered.
  std::string reason;
  // For the spill record: the first 256 bytes of the last response body (or of the last error
  // message), control characters replaced by spaces; never a token.
  std::string detail;
};

// What a CollectorHttpSink has done since it was built.
struct SinkStats {
  uint64_t sends = 0;  // Send() calls.
  uint64_t delivered = 0;
  uint64_t rejected = 0;
  uint64_t gave_up = 0;
  uint64_t attempts = 0;  // POSTs.
  uint64_t retries = 0;   // Attempts after the first of a Send (401 refreshes included).
  uint64_t responses_2xx = 0;
  uint64_t responses_4xx = 0;
  uint64_t responses_5xx = 0;
  uint64_t responses_other = 0;   // 1xx and 3xx.
  uint64_t transport_errors = 0;  // HttpClient errors (refused, reset, timeout, ...).
  uint64_t throttled = 0;         // 429 responses.
  uint64_t token_refreshes = 0;   // Tokens invalidated after a 401 and fetched again.
  uint64_t token_errors = 0;      // TokenSource::Token() failures.
  uint64_t sleep_ms = 0;          // Time spent in backoff.
  // POST latency (one attempt, from sending to the response or error), on the injected clock.
  uint64_t latency_count = 0;
  uint64_t latency_sum_ms = 0;
  uint64_t latency_max_ms = 0;
  // The 99th percentile of the last (up to) 256 attempts' latency, in ms; 0 before any.
  uint64_t latency_p99_ms = 0;
};

// The longest Retry-After worth reading: a day. Longer values are capped to it.
inline constexpr std::chrono::milliseconds kMaxRetryAfter{24LL * 3600 * 1000};

// Parses a Retry-After header value (RFC 9110 10.2.3): delay-seconds ("120") or an HTTP-date
// (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850 and asctime forms).
// Returns the wait from `now` (zero for a date in the past; capped at kMaxRetryAfter), or
// nullopt when the value is neither. Exposed for fuzzing.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// Replaces control characters (bytes < 0x20 and 0x7f) by spaces and cuts to `max_bytes`
// without splitting a UTF-8 sequence: a response snippet safe for a spill record or a log.
std::string SanitizeDetail(std::string_view text, size_t max_bytes = 256);

// POSTs Batches to the collector (docs/specs/wire.md) with retries, backoff within a deadline
// and OAuth2 bearer tokens.
//
// Every POST carries Content-Type: application/x-ndjson, Content-Encoding: gzip (when the batch
// is gzipped), Idempotency-Key (the batch's key, the same on every retry),
// X-Gatescope-Format: gatescope.batch/v1, X-Gatescope-Records, X-Gatescope-Events, User-Agent
// and, with a TokenSource, Authorization: Bearer <token>.
//
// Thread-safety: Send() may be called from several threads at once; Stop() and
// stats_snapshot() from any thread. `http`, `tokens`, `clock` and `sleeper` must outlive the
// sink.
class CollectorHttpSink {
 public:
  // `tokens` may be null (no Authorization header). `random` returns uniform [0,1) for jitter;
  // empty: a std::mt19937_64 seeded from std::random_device.
  CollectorHttpSink(CollectorOptions options, env::HttpClient& http, TokenSource* tokens,
                    const Clock& clock, aws::Sleeper& sleeper, std::function<double()> random = {});
  CollectorHttpSink(const CollectorHttpSink&) = delete;
  CollectorHttpSink& operator=(const CollectorHttpSink&) = delete;

  // Delivers the whole batch or reports why not. Retries 408, 429, 5xx and transport errors
  // (kUnavailable, kDeadlineExceeded, kResourceExhausted from HttpClient) with full-jitter
  // exponential backoff (before retry n: uniform in [0, min(max_delay, base_delay * 2^(n-1))]),
  // honouring Retry-After (seconds or HTTP-date) as a lower bound; never starts an attempt or a
  // sleep that would end after `deadline` (then kGaveUp "deadline"); each attempt's
  // HttpRequest::timeout is min(request_timeout, deadline - now). A 401 invalidates the token,
  // fetches a new one and retries once per Send, without sleeping (a second 401 is a rejection
  // "http_401"). Other 4xx: kRejected with reason http_<code>, not retried. Token errors:
  // retryable ones are retried like 5xx; others (kPermissionDenied, a misconfigured token
  // endpoint) -> kRejected "token_rejected". After max_attempts: kGaveUp "retries_exhausted".
  DeliveryOutcome Send(const Batch& batch, std::chrono::steady_clock::time_point deadline);

  // Thread-safe, idempotent: a Send in progress returns kGaveUp "stopped" at its next sleep or
  // attempt (sleeps are taken in slices of at most 200 ms, so within 200 ms of real time).
  void Stop();
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // The counters. Read them only while no Send() runs (e.g. from the thread that calls Send);
  // stats_snapshot() is the thread-safe copy.
  const SinkStats& stats() const { return stats_; }
  SinkStats stats_snapshot() const;

 private:
  // Waits `delay` in slices; false if stopped meanwhile.
  bool SleepUnlessStopped(std::chrono::milliseconds delay);
  double NextRandom();
  void RecordLatency(std::chrono::steady_clock::duration latency);

  const CollectorOptions options_;
  env::HttpClient& http_;
  TokenSource* const tokens_;
  const Clock& clock_;
  aws::Sleeper& sleeper_;
  std::function<double()> random_;  // Guarded by mu_.
  std::atomic<bool> stopped_{false};

  mutable std::mutex mu_;
  SinkStats stats_;                       // Guarded by mu_.
  std::vector<uint64_t> latency_window_;  // Guarded by mu_; ring of the last 256, in ms.
  size_t latency_next_ = 0;               // Guarded by mu_.
};

}  // namespace gatescope::delivery
