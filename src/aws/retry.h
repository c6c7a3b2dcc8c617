#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace gatescope::aws {

// Waits. Injected so that tests of backoff and rate limits need not sleep for real.
//
// Thread-safety: implementations are safe to call from any thread.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepFor(std::chrono::nanoseconds duration) = 0;
};

// std::this_thread::sleep_for. A process-wide instance.
Sleeper& RealSleeper();

// The default pace of one account and region's control-plane calls: under CloudWatch Logs'
// FilterLogEvents quota (5/s per account and region, shared with every other reader).
inline constexpr double kDefaultRequestsPerSecond = 4.0;

// Capped exponential backoff with full jitter (the AWS SDKs' "standard" mode, and the AWS
// Architecture Blog's "Exponential Backoff and Jitter"): before retry n (n >= 1) wait a uniform
// random time in [0, min(max_delay, base_delay * 2^(n-1))].
struct RetryPolicy {
  int max_attempts = 8;  // Including the first.
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{20000};
  // Throttling waits longer: the bucket of the whole account and region is empty, and
  // hammering it only extends the throttling. Base delay for throttling errors.
  std::chrono::milliseconds throttle_base_delay{1000};
};

// The delay before retry `retry_number` (1 for the first retry). `unit_random` is in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry_number,
                                       bool throttled, double unit_random);

// A token bucket shared by every client of one account and region, so that all readers of one
// CloudWatch Logs account together stay under its per-account quota (FilterLogEvents: 5/s).
//
// Thread-safety: Acquire() may be called from any thread; callers queue in arrival order only
// approximately.
class TokenBucket {
 public:
  // `rate_per_second` tokens per second, at most `burst` saved up. REQUIRES: both > 0.
  TokenBucket(double rate_per_second, double burst, Clock& clock, Sleeper& sleeper);

  // Takes one token, sleeping until one is available.
  void Acquire();

  // The service throttled us anyway (another process shares the quota): empty the bucket so the
  // next callers wait a full interval.
  void Drain();

  double rate_per_second() const { return rate_per_second_; }

 private:
  const double rate_per_second_;
  const double burst_;
  Clock& clock_;
  Sleeper& sleeper_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
};

// One TokenBucket per key ("<account or profile>/<region>/<service>"), created on first use.
//
// Thread-safety: thread-safe; buckets live as long as the registry.
class TokenBucketRegistry {
 public:
  TokenBucketRegistry(double rate_per_second, double burst, Clock& clock, Sleeper& sleeper);
  TokenBucket& For(const std::string& key);

 private:
  const double rate_per_second_;
  const double burst_;
  Clock& clock_;
  Sleeper& sleeper_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<TokenBucket>> buckets_;
};

}  // namespace gatescope::aws
