#pragma once

#include <chrono>
#include <cstdint>

namespace gatescope {

// The time source. Everything that reads the time takes a Clock&, so tests can use a fake.
//
// Thread-safety: implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time, for user-facing timestamps.
  virtual std::chrono::system_clock::time_point Now() const = 0;

  // Monotonic time, for measuring intervals and deadlines.
  virtual std::chrono::steady_clock::time_point MonotonicNow() const = 0;
};

// `clock.Now()` in milliseconds since the Unix epoch: the unit of CloudWatch timestamps and of
// every time field gatescope writes.
inline int64_t UnixMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point MonotonicNow() const override;

  // A process-wide instance; lives for the whole program.
  static SystemClock& Get();
};

}  // namespace gatescope
