#include "aws/retry.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/check.h"

namespace gatescope::aws {
namespace {

class ThreadSleeper final : public Sleeper {
 public:
  void SleepFor(std::chrono::nanoseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
};

}  // namespace

Sleeper& RealSleeper() {
  static ThreadSleeper sleeper;
  return sleeper;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry_number,
                                       bool throttled, double unit_random) {
  const double base = static_cast<double>(
      (throttled ? policy.throttle_base_delay : policy.base_delay).count());
  const int exponent = std::clamp(retry_number - 1, 0, 30);
  const double cap = std::min(static_cast<double>(policy.max_delay.count()),
                              base * std::ldexp(1.0, exponent));
  const double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(cap * r));
}

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock& clock, Sleeper& sleeper)
    : rate_per_second_(rate_per_second),
      burst_(burst),
      clock_(clock),
      sleeper_(sleeper),
      tokens_(burst),
      last_refill_(clock.MonotonicNow()) {
  GS_CHECK(rate_per_second > 0 && burst > 0);
}

void TokenBucket::Acquire() {
  while (true) {
    std::chrono::nanoseconds wait{0};
    {
      std::lock_guard lock(mu_);
      const auto now = clock_.MonotonicNow();
      const double elapsed_s = std::chrono::duration<double>(now - last_refill_).count();
      if (elapsed_s > 0) {
        tokens_ = std::min(burst_, tokens_ + elapsed_s * rate_per_second_);
        last_refill_ = now;
      }
      if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return;
      }
      // Reserve nothing: wait until one token accrues, then compete again. Waiters that lose
      // the race simply wait another interval.
      wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>((1.0 - tokens_) / rate_per_second_));
    }
    sleeper_.SleepFor(std::max(wait, std::chrono::nanoseconds(1000)));
  }
}

void TokenBucket::Drain() {
  std::lock_guard lock(mu_);
  tokens_ = std::min(tokens_, 0.0);
  last_refill_ = clock_.MonotonicNow();
}

TokenBucketRegistry::TokenBucketRegistry(double rate_per_second, double burst, Clock& clock,
                                         Sleeper& sleeper)
    : rate_per_second_(rate_per_second), burst_(burst), clock_(clock), sleeper_(sleeper) {}

TokenBucket& TokenBucketRegistry::For(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& bucket = buckets_[key];
  if (!bucket) bucket = std::make_unique<TokenBucket>(rate_per_second_, burst_, clock_, sleeper_);
  return *bucket;
}

}  // namespace gatescope::aws
