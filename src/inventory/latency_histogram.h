#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gatescope::inventory {

namespace internal {
class WireReader;
class WireWriter;
}  // namespace internal

// A log-linear histogram of latencies in milliseconds: exact below 64 ms, then 32 buckets per
// power of two, so a percentile is within 1/32 (about 3%) of the true value. Memory grows with
// the largest value seen (about 1.4 KB at 30 s), never with the number of values.
//
// Thread-safety: not thread-safe.
class LatencyHistogram {
 public:
  // Negative values (unknown latencies) are ignored.
  void Add(int64_t value_ms);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min() const { return min_; }  // Exact; -1 when empty.
  int64_t max() const { return max_; }  // Exact; -1 when empty.
  // The value at quantile `q` in [0, 1] (bucket midpoint, clamped to [min, max], so exact
  // for a single value), or -1 when empty.
  int64_t Percentile(double q) const;

  // The histogram as the inventory codec stores it (inventory_codec.h): min, max and the
  // non-empty buckets.
  void Encode(internal::WireWriter& out) const;
  // Replaces this histogram by one Encode() wrote. Returns false, with the reason recorded in
  // `in`, when the input is corrupt or inconsistent (buckets outside [min, max], a bucket
  // count that does not fit); the histogram is then unchanged.
  bool Decode(internal::WireReader& in);

 private:
  static size_t BucketOf(int64_t v);
  static int64_t BucketMid(size_t index);

  std::vector<uint32_t> buckets_;
  uint64_t count_ = 0;
  int64_t min_ = -1;
  int64_t max_ = -1;
};

}  // namespace gatescope::inventory
