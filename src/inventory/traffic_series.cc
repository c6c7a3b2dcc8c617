#include "inventory/traffic_series.h"

#include <algorithm>

namespace gatescope::inventory {
namespace {

// Floor division: times before 1970 still land in the right bucket.
int64_t IndexOf(int64_t time_ms, int64_t width_ms) {
  return time_ms >= 0 ? time_ms / width_ms : -((-time_ms + width_ms - 1) / width_ms);
}

// Drops the buckets older than `window` before the newest.
void Trim(std::vector<TrafficSeries::Bucket>& buckets, int64_t window) {
  if (buckets.empty()) return;
  int64_t oldest_kept = buckets.back().index - window + 1;
  auto first = std::find_if(buckets.begin(), buckets.end(),
                            [&](const TrafficSeries::Bucket& b) { return b.index >= oldest_kept; });
  buckets.erase(buckets.begin(), first);
}

TrafficSeries::Bucket& BucketAt(std::vector<TrafficSeries::Bucket>& buckets, int64_t index) {
  // Requests mostly arrive in time order: the last bucket, or a new one after it.
  if (!buckets.empty() && buckets.back().index == index) return buckets.back();
  auto it = std::lower_bound(buckets.begin(), buckets.end(), index,
                             [](const TrafficSeries::Bucket& b, int64_t i) { return b.index < i; });
  if (it != buckets.end() && it->index == index) return *it;
  it = buckets.insert(it, TrafficSeries::Bucket{});
  it->index = index;
  return *it;
}

void Count(std::vector<TrafficSeries::Bucket>& buckets, int64_t window, int64_t index,
           int32_t status, int64_t latency_ms) {
  // Older than the window before the newest: it would be dropped at once.
  if (!buckets.empty() && index <= buckets.back().index - window) return;
  TrafficSeries::Bucket& b = BucketAt(buckets, index);
  ++b.requests;
  if (status >= 400 && status < 500) ++b.client_errors;
  if (status >= 500 && status < 600) ++b.server_errors;
  if (latency_ms >= 0) {
    ++b.latency_count;
    b.latency_sum_ms += static_cast<uint64_t>(latency_ms);
    b.latency_max_ms = std::max(b.latency_max_ms, static_cast<uint64_t>(latency_ms));
  }
  if (buckets.back().index == index) Trim(buckets, window);
}

void MergeInto(std::vector<TrafficSeries::Bucket>& into,
               const std::vector<TrafficSeries::Bucket>& from, int64_t window) {
  if (from.empty()) return;
  std::vector<TrafficSeries::Bucket> merged;
  merged.reserve(into.size() + from.size());
  auto a = into.begin();
  auto b = from.begin();
  while (a != into.end() || b != from.end()) {
    if (b == from.end() || (a != into.end() && a->index < b->index)) {
      merged.push_back(*a++);
    } else if (a == into.end() || b->index < a->index) {
      merged.push_back(*b++);
    } else {
      merged.push_back(*a++);
      merged.back().Merge(*b++);
    }
  }
  Trim(merged, window);
  into = std::move(merged);
}

bool ValidWindow(const std::vector<TrafficSeries::Bucket>& buckets, int64_t window) {
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].index <= buckets[i - 1].index) return false;
  }
  return buckets.empty() || buckets.front().index > buckets.back().index - window;
}

}  // namespace

void TrafficSeries::Bucket::Merge(const Bucket& other) {
  requests += other.requests;
  client_errors += other.client_errors;
  server_errors += other.server_errors;
  latency_count += other.latency_count;
  latency_sum_ms += other.latency_sum_ms;
  latency_max_ms = std::max(latency_max_ms, other.latency_max_ms);
}

void TrafficSeries::Add(int64_t time_ms, int32_t status, int64_t latency_ms) {
  if (time_ms < 0) return;
  Count(hours_, kHours, IndexOf(time_ms, kHourMs), status, latency_ms);
  Count(days_, kDays, IndexOf(time_ms, kDayMs), status, latency_ms);
}

void TrafficSeries::Merge(const TrafficSeries& other) {
  MergeInto(hours_, other.hours_, kHours);
  MergeInto(days_, other.days_, kDays);
}

bool TrafficSeries::Assign(std::vector<Bucket> hours, std::vector<Bucket> days) {
  if (!ValidWindow(hours, kHours) || !ValidWindow(days, kDays)) return false;
  hours_ = std::move(hours);
  days_ = std::move(days);
  return true;
}

}  // namespace gatescope::inventory
