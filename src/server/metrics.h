#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gatescope::server {

// A tiny Prometheus registry: counters and histograms with fixed label sets, rendered in the
// text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Label values are escaped (\\, \", \n); names are validated when registered.
//
// Thread-safety: Counter::Add and Histogram::Observe are lock-free after the first use of a
// label set; Render may run concurrently with them.
class Metrics {
 public:
  class Counter {
   public:
    void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

   private:
    std::atomic<uint64_t> value_{0};
  };
  class Histogram {
   public:
    explicit Histogram(std::vector<double> bounds);
    void Observe(double value);

   private:
    friend class Metrics;
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // One per bound, plus +Inf.
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micros_{0};  // Sum scaled by 1e6, to stay atomic and exact.
  };

  // The counter `name{labels}` (labels as key=value pairs in order), created on first use;
  // the returned reference stays valid for the registry's lifetime. `help` is kept from the
  // first registration of `name`.
  Counter& GetCounter(std::string_view name, std::string_view help,
                      const std::vector<std::pair<std::string, std::string>>& labels = {});
  // Seconds-valued histogram, default buckets from 0.5 ms to 10 s.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<std::pair<std::string, std::string>>& labels = {});
  // A gauge read at render time.
  void SetGauge(std::string_view name, std::string_view help, double value);

  std::string Render() const;

 private:
  struct Family;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

}  // namespace gatescope::server
