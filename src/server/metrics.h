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

  Metrics();
  ~Metrics();  // Out of line: Family is defined in the .cc.
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

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

  // The text exposition: families sorted by name, each with HELP and TYPE lines; label sets
  // sorted; histograms as cumulative `_bucket{le=...}` lines ending with "+Inf", `_sum` and
  // `_count`.
  std::string Render() const;

  // [a-zA-Z_:][a-zA-Z0-9_:]*. Get*/SetGauge REQUIRE (checked) a valid name, and one type per
  // name: names are constants in the code, never input.
  static bool IsValidMetricName(std::string_view name);
  // [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved) nor "le" (the histograms').
  // Label names are checked like metric names; label values may be any text.
  static bool IsValidLabelName(std::string_view name);

 private:
  struct Family;
  Family& FamilyLocked(std::string_view name, std::string_view help, int type);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

}  // namespace gatescope::server
