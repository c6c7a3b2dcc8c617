#include "inventory/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "inventory/internal/wire.h"

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
  if (o.count_ == 0) return;
  if (o.buckets_.size() > buckets_.size()) buckets_.resize(o.buckets_.size());
  // Only the other's buckets in [min, max] can hold values (a delta's are usually a few).
  for (size_t i = BucketOf(o.min_), last = BucketOf(o.max_); i <= last; ++i) {
    buckets_[i] += o.buckets_[i];
  }
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

void LatencyHistogram::Encode(internal::WireWriter& out) const {
  out.Signed(min_);
  if (count_ == 0) return;
  out.Varint(static_cast<uint64_t>(max_ - min_));
  // Only the buckets in use, as (gap from the previous one, count): a histogram of one value
  // takes a byte or two, not the hundreds of empty buckets below it.
  // Every value lies in [min, max]: so do the buckets in use.
  size_t first = BucketOf(min_), last = BucketOf(max_);
  size_t used = 0;
  for (size_t i = first; i <= last; ++i) used += buckets_[i] != 0;
  out.Varint(used);
  size_t previous = 0;
  for (size_t i = first; i <= last; ++i) {
    if (buckets_[i] == 0) continue;
    out.Varint(i - previous);
    out.Varint(buckets_[i]);
    previous = i;
  }
}

bool LatencyHistogram::Decode(internal::WireReader& in) {
  int64_t min = in.Signed("latency min");
  if (!in.ok()) return false;
  if (min == -1) {
    *this = LatencyHistogram();
    return true;
  }
  if (min < 0) return in.Fail("latency min");
  uint64_t span = in.Varint("latency max");
  if (!in.ok() || span > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - min)) {
    return in.Fail("latency max");
  }
  int64_t max = min + static_cast<int64_t>(span);
  size_t first = BucketOf(min), last = BucketOf(max);
  size_t used = in.Count("latency buckets", last - first + 1);
  if (!in.ok() || used == 0) return in.Fail("latency buckets");
  std::vector<uint32_t> buckets(last + 1, 0);
  uint64_t count = 0;
  size_t at = 0;
  for (size_t k = 0; k < used; ++k) {
    uint64_t gap = in.Varint("latency bucket");
    uint64_t n = in.Bounded("latency bucket", std::numeric_limits<uint32_t>::max());
    // Strictly increasing positions, the first at min's bucket, all within [min, max].
    if (!in.ok() || n == 0 || (k > 0 && gap == 0) || gap > last - (k == 0 ? 0 : at)) {
      return in.Fail("latency bucket");
    }
    at = k == 0 ? gap : at + gap;
    if ((k == 0 && at != first) || at > last) return in.Fail("latency bucket");
    buckets[at] = static_cast<uint32_t>(n);
    count += n;
  }
  if (at != last) return in.Fail("latency bucket");
  buckets_ = std::move(buckets);
  count_ = count;
  min_ = min;
  max_ = max;
  return true;
}

}  // namespace gatescope::inventory
