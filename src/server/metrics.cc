#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/check.h"

namespace gatescope::server {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Seconds: from half a millisecond (a cached lookup) to 10 s (past API Gateway's 29 s limit
// only timeouts go, and they are counted apart).
const std::vector<double>& DefaultBounds() {
  static const std::vector<double> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBounds;
}

bool IsNameChar(char c, bool first, bool colon_ok) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  bool digit = c >= '0' && c <= '9';
  return alpha || (colon_ok && c == ':') || (!first && digit);
}

bool IsName(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

// The shortest decimal that reads back as `value`, in the notation Prometheus' Go client uses:
// fixed for exponents -4..20 ("0.0005", "10"), scientific otherwise ("1.5e-07"); and the
// exposition format's spellings of the non-finite values.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto scientific = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(scientific.ptr - buf));
  int exponent = 0;
  std::string_view digits = text.substr(text.find('e') + 1);
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);  // from_chars takes no '+'.
  std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
  if (exponent < -4 || exponent >= 21) return std::string(text);
  auto fixed = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

// HELP text escapes backslash and line feed; label values also the double quote.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// "k1=\"v1\",k2=\"v2\"" without braces, so that histograms can append "le".
// REQUIRES (checked): valid label names; metric names are code, not input.
std::string RenderLabels(const Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    GS_CHECK(Metrics::IsValidLabelName(key));
    if (!out.empty()) out += ',';
    out += key + "=\"" + Escape(value, true) + '"';
  }
  return out;
}

std::string Braced(const std::string& labels) { return labels.empty() ? "" : "{" + labels + "}"; }

}  // namespace

struct Metrics::Family {
  enum class Type { kCounter, kHistogram, kGauge };
  Type type;
  std::string help;
  // Keyed by the rendered label set, so that rendering is sorted and deterministic.
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters;
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> histograms;
  double gauge = 0;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Metrics::Histogram::Observe(double value) {
  // Buckets count values <= their bound ("le"); the last one is +Inf (NaN lands there too).
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0 && std::isfinite(value)) {
    sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(value * 1e6)),
                          std::memory_order_relaxed);
  }
}

bool Metrics::IsValidMetricName(std::string_view name) { return IsName(name, true); }

bool Metrics::IsValidLabelName(std::string_view name) {
  // "__" names are reserved for Prometheus; "le" is the histograms' own label.
  return IsName(name, false) && name.rfind("__", 0) != 0 && name != "le";
}

Metrics::Family& Metrics::FamilyLocked(std::string_view name, std::string_view help, int type) {
  GS_CHECK(IsValidMetricName(name));
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->type = static_cast<Family::Type>(type);
    family->help = std::string(help);
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  // One name, one type: a second registration as another type is a bug in the caller.
  GS_CHECK(it->second->type == static_cast<Family::Type>(type));
  return *it->second;
}

Metrics::Counter& Metrics::GetCounter(std::string_view name, std::string_view help,
                                      const Labels& labels) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  Family& family = FamilyLocked(name, help, static_cast<int>(Family::Type::kCounter));
  auto& slot = family.counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Metrics::Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help,
                                          const Labels& labels) {
  std::string key = RenderLabels(labels);
  std::lock_guard lock(mu_);
  Family& family = FamilyLocked(name, help, static_cast<int>(Family::Type::kHistogram));
  auto& slot = family.histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(DefaultBounds());
  return *slot;
}

void Metrics::SetGauge(std::string_view name, std::string_view help, double value) {
  std::lock_guard lock(mu_);
  FamilyLocked(name, help, static_cast<int>(Family::Type::kGauge)).gauge = value;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    static constexpr const char* kTypeNames[] = {"counter", "histogram", "gauge"};
    out += "# HELP " + name + ' ' + Escape(family->help, false) + '\n';
    out += "# TYPE " + name + ' ' + kTypeNames[static_cast<int>(family->type)] + '\n';
    switch (family->type) {
      case Family::Type::kCounter:
        for (const auto& [labels, counter] : family->counters) {
          out += name + Braced(labels) + ' ' + std::to_string(counter->value()) + '\n';
        }
        break;
      case Family::Type::kGauge:
        out += name + ' ' + FormatValue(family->gauge) + '\n';
        break;
      case Family::Type::kHistogram:
        for (const auto& [labels, h] : family->histograms) {
          std::string prefix = labels.empty() ? "" : labels + ",";
          // Buckets are cumulative (each counts the values <= its bound).
          uint64_t cumulative = 0;
          for (size_t i = 0; i <= h->bounds_.size(); ++i) {
            cumulative += h->buckets_[i].load(std::memory_order_relaxed);
            std::string le = i < h->bounds_.size() ? FormatValue(h->bounds_[i]) : "+Inf";
            out += name + "_bucket{" + prefix + "le=\"" + le + "\"} " + std::to_string(cumulative) +
                   '\n';
          }
          double sum = static_cast<double>(h->sum_micros_.load(std::memory_order_relaxed)) / 1e6;
          out += name + "_sum" + Braced(labels) + ' ' + FormatValue(sum) + '\n';
          // The +Inf bucket and _count must agree (Prometheus checks): use the bucket total.
          out += name + "_count" + Braced(labels) + ' ' + std::to_string(cumulative) + '\n';
        }
        break;
    }
  }
  return out;
}

}  // namespace gatescope::server
