#include "inventory/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gatescope::inventory {
namespace {
constexpr int kExactBits = 6;  // Values below 64 get a bucket each.
constexpr int kSubBits = 5;    // 32 sub-buckets per power of two above that.
}  // namespace

size_t LatencyHistogram::BucketOf(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  if (u < (1u << kExactBits)) return static_cast<size_t>(u);
  int e = 63 - std::countl_zero(u);  // floor(log2(v)) >= 6.
  uint64_t sub = (u >> (e - kSubBits)) & ((1u << kSubBits) - 1);
  return (1u << kExactBits) + static_cast<size_t>(e - kExactBits) * (1u << kSubBits) +
         static_cast<size_t>(sub);
}

int64_t LatencyHistogram::BucketMid(size_t index) {
  if (index < (1u << kExactBits)) return static_cast<int64_t>(index);
  size_t rel = index - (1u << kExactBits);
  int e = static_cast<int>(rel >> kSubBits) + kExactBits;
  uint64_t sub = rel & ((1u << kSubBits) - 1);
  uint64_t width = uint64_t{1} << (e - kSubBits);
  uint64_t low = (uint64_t{1} << e) + sub * width;
  return static_cast<int64_t>(low + width / 2);
}

void LatencyHistogram::Add(int64_t v) {
  if (v < 0) return;
  size_t b = BucketOf(v);
  if (b >= buckets_.size()) buckets_.resize(b + 1);
  ++buckets_[b];
  ++count_;
  min_ = min_ < 0 ? v : std::min(min_, v);
  max_ = std::max(max_, v);
}

void LatencyHistogram::Merge(const LatencyHistogram& o) {
  if (o.buckets_.size() > buckets_.size()) buckets_.resize(o.buckets_.size());
  for (size_t i = 0; i < o.buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  if (o.min_ >= 0) min_ = min_ < 0 ? o.min_ : std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return -1;
  auto rank = static_cast<uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(BucketMid(i), min_, max_);
  }
  return max_;
}

}  // namespace gatescope::inventory
