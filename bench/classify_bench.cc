// Throughput of ClassifyValue, SensitiveTagsForName and RedactValue.
//
// ClassifyValue runs on every string value of every body, so the figure that matters is the
// mixed stream: mostly short words, ids, numbers, dates and UUIDs, with the occasional email,
// card, phone and JWT, in the proportions a JSON API's bodies tend to have. The per-kind
// benchmarks show where the time goes. Setup checks that every sensitive sample is detected:
// a sample that silently stopped matching would measure the (cheaper) reject path instead.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "classify/value_classifier.h"

namespace gatescope::classify {
namespace {

constexpr std::string_view kJwt =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

void Require(bool ok, std::string_view what) {
  if (!ok) {
    std::fprintf(stderr, "classify_bench: sample not classified as expected: %.*s\n",
                 static_cast<int>(what.size()), what.data());
    std::abort();
  }
}

// 10,000 values; the weights (out of 100) approximate string values seen in JSON API bodies.
std::vector<std::string> MixedValues() {
  static constexpr std::string_view kWords[] = {"active",    "pending",
                                                "John",      "Smith",
                                                "available", "dog",
                                                "USD",       "en-US",
                                                "GET",       "application/json",
                                                "true",      "London",
                                                "premium",   "shipped",
                                                "ok",        "description text"};
  static constexpr std::string_view kCards[] = {"4111111111111111", "5555 5555 5555 4444",
                                                "378282246310005"};
  static constexpr std::string_view kPhones[] = {"+14155550132", "(415) 555-0132",
                                                 "+44 20 7946 0958"};
  std::mt19937 rng(42);
  auto pick = [&rng](int n) { return static_cast<size_t>(rng() % static_cast<uint32_t>(n)); };
  auto hex = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "0123456789abcdef"[pick(16)];
    return s;
  };
  std::vector<std::string> values;
  values.reserve(10000);
  char buf[64];
  while (values.size() < 10000) {
    const size_t r = pick(100);
    if (r < 25) {
      values.emplace_back(kWords[pick(std::size(kWords))]);
    } else if (r < 40) {  // Integers, prices and counts.
      std::snprintf(buf, sizeof(buf), r % 2 ? "%u" : "%u.%02u",
                    static_cast<unsigned>(rng() % 100000), static_cast<unsigned>(rng() % 100));
      values.emplace_back(buf);
    } else if (r < 52) {  // UUIDs.
      values.push_back(hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12));
    } else if (r < 62) {  // Hex and mixed ids.
      values.push_back(r % 2 ? hex(24) : "ORD-" + std::to_string(10000000 + pick(9000000)));
    } else if (r < 72) {  // Dates and date-times.
      std::snprintf(buf, sizeof(buf), r % 2 ? "2024-%02u-%02u" : "2024-%02u-%02uT12:34:56.789Z",
                    static_cast<unsigned>(1 + pick(12)), static_cast<unsigned>(1 + pick(28)));
      values.emplace_back(buf);
    } else if (r < 78) {  // Emails.
      values.push_back("user" + std::to_string(pick(10000)) + "@example.com");
    } else if (r < 82) {  // URLs.
      values.push_back("https://cdn.example.com/img/" + hex(8) + ".png");
    } else if (r < 85) {  // IP addresses.
      std::snprintf(buf, sizeof(buf), "203.0.%u.%u", static_cast<unsigned>(pick(256)),
                    static_cast<unsigned>(pick(256)));
      values.emplace_back(buf);
    } else if (r < 90) {  // Free text.
      values.emplace_back("Please leave the parcel at the front door, thanks!");
    } else if (r < 92) {
      values.emplace_back(kCards[pick(std::size(kCards))]);
    } else if (r < 94) {
      values.emplace_back(kJwt);
    } else if (r < 96) {
      values.emplace_back(kPhones[pick(std::size(kPhones))]);
    } else {  // Versions, file names, timestamps.
      static constexpr std::string_view kMisc[] = {"v2.7.1", "report-2024.pdf", "1714557600123",
                                                   "IMG_0042.JPG"};
      values.emplace_back(kMisc[pick(std::size(kMisc))]);
    }
  }
  for (std::string_view c : kCards) Require(ClassifyValue(c).tags == kTagCardNumber, c);
  for (std::string_view p : kPhones) Require(ClassifyValue(p).tags == kTagPhone, p);
  Require(ClassifyValue(kJwt).tags == kTagJwt, kJwt);
  return values;
}

void BM_ClassifyMixed(benchmark::State& state) {
  static const std::vector<std::string> kValues = MixedValues();
  size_t bytes = 0;
  for (const std::string& v : kValues) bytes += v.size();
  for (auto _ : state) {
    for (const std::string& v : kValues) benchmark::DoNotOptimize(ClassifyValue(v));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_ClassifyMixed);

// One value kind at a time, to see which detector costs what.
void BM_ClassifyOne(benchmark::State& state, std::string_view value) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(value);
    benchmark::DoNotOptimize(ClassifyValue(value));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(BM_ClassifyOne, Word, std::string_view("available"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Integer, std::string_view("48213"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Uuid, std::string_view("48752d0f-c99d-4cfa-a5a7-f3c6834d19e5"));
BENCHMARK_CAPTURE(BM_ClassifyOne, DateTime, std::string_view("2024-05-01T12:34:56.789Z"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Email, std::string_view("jane.doe@example.com"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Card, std::string_view("4111 1111 1111 1111"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Iban, std::string_view("DE89370400440532013000"));
BENCHMARK_CAPTURE(BM_ClassifyOne, Jwt, kJwt);
BENCHMARK_CAPTURE(BM_ClassifyOne, Text,
                  std::string_view("Please leave the parcel at the front door, thanks!"));

void BM_ClassifyLongBody(benchmark::State& state) {
  const std::string value(64 * 1024, 'x');  // Only the PEM and JWT checks run past 4 KB.
  for (auto _ : state) benchmark::DoNotOptimize(ClassifyValue(value));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * value.size()));
}
BENCHMARK(BM_ClassifyLongBody);

void BM_SensitiveTagsForName(benchmark::State& state) {
  static constexpr std::string_view kNames[] = {
      "id",          "name",   "email",       "password",        "created_at",  "x-api-key",
      "phoneNumber", "status", "card_number", "X-Forwarded-For", "description", "tokenizer_version",
      "userId",      "price"};
  for (auto _ : state) {
    for (std::string_view n : kNames) benchmark::DoNotOptimize(SensitiveTagsForName(n));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * std::size(kNames)));
}
BENCHMARK(BM_SensitiveTagsForName);

void BM_RedactValue(benchmark::State& state) {
  static const std::vector<std::string> kValues = MixedValues();
  std::vector<uint32_t> tags;
  tags.reserve(kValues.size());
  for (const std::string& v : kValues) tags.push_back(ClassifyValue(v).tags);
  for (auto _ : state) {
    for (size_t i = 0; i < kValues.size(); ++i) {
      benchmark::DoNotOptimize(RedactValue(kValues[i], tags[i]));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kValues.size()));
}
BENCHMARK(BM_RedactValue);

}  // namespace
}  // namespace gatescope::classify

BENCHMARK_MAIN();
