#pragma once

#include <cstdint>
#include <vector>

namespace gatescope::inventory {

// Requests, errors and latency over time: per hour for the 7 days and per day for the 90 days
// before the newest request seen, bucketed by each request's own time (replayed logs land in
// their hours). Merging adds buckets, and older ones are dropped relative to the newest, so
// merges are commutative and associative: a bucket kept by one order of merges was never
// dropped by another (the newest time only grows).
class TrafficSeries {
 public:
  static constexpr int64_t kHourMs = 3600LL * 1000;
  static constexpr int64_t kDayMs = 24 * kHourMs;
  static constexpr int64_t kHours = 7 * 24;
  static constexpr int64_t kDays = 90;

  struct Bucket {
    int64_t index = 0;  // Hours (or days) since the Unix epoch.
    uint64_t requests = 0;
    uint64_t client_errors = 0;  // 4xx.
    uint64_t server_errors = 0;  // 5xx.
    uint64_t latency_count = 0;  // Requests that logged a latency.
    uint64_t latency_sum_ms = 0;
    uint64_t latency_max_ms = 0;

    void Merge(const Bucket& other);
    bool operator==(const Bucket&) const = default;
  };

  // Counts a request at `time_ms` (ignored when < 0) with `status` (-1: not logged) and
  // `latency_ms` (-1: not logged).
  void Add(int64_t time_ms, int32_t status, int64_t latency_ms);
  void Merge(const TrafficSeries& other);

  // Sorted by index; at most kHours (kDays), all within that many of the last one.
  const std::vector<Bucket>& hours() const { return hours_; }
  const std::vector<Bucket>& days() const { return days_; }
  bool empty() const { return hours_.empty() && days_.empty(); }

  // For the codec: replaces the buckets. False (and nothing changed) unless each list is
  // sorted by strictly increasing index within its window.
  bool Assign(std::vector<Bucket> hours, std::vector<Bucket> days);

 private:
  std::vector<Bucket> hours_;
  std::vector<Bucket> days_;
};

}  // namespace gatescope::inventory
