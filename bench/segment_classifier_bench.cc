// Throughput of ClassifySegment and IsDictionaryWord on the segment shapes of real paths.
//
// The dictionary loads once, in setup, so these figures are the steady state: the classifier
// allocates nothing per call. Words cost the most (dictionary and compound look-ups);
// integers, UUIDs and versions return after one scan.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classify/segment_classifier.h"

namespace gatescope::classify {
namespace {

// Literal segments from crAPI, Discourse, GitHub, Stripe and Kubernetes paths.
constexpr std::string_view kWords[] = {"users",
                                       "convert_video",
                                       "forget-password",
                                       "login-with-token",
                                       "refresh_gravatar.json",
                                       "private-messages-sent",
                                       "payment_intents",
                                       "clusterrolebindings",
                                       "getUserById",
                                       "oauth2",
                                       "networking.k8s.io",
                                       "check-runs",
                                       "horizontalpodautoscalers",
                                       "t",
                                       "-"};

// The identifiers that fill the same paths.
constexpr std::string_view kIdentifiers[] = {"42",
                                             "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                                             "5f3a9c2b1d4e6f7a8b9c0d1e",
                                             "2024-05-01",
                                             "INV-2024-0042",
                                             "jsmith87",
                                             "cus_NffrFeUfNV2Hib",
                                             "ch_3MqBkALkdIwHu7ix0snN0B15",
                                             "john%40example.com",
                                             "alice",
                                             "xkqzvbt",
                                             "42.json",
                                             "v2.7"};

void Run(benchmark::State& state, const std::vector<std::string_view>& inputs) {
  ClassifySegment("warm-up");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ClassifySegment(inputs[i]));
    if (++i == inputs.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ClassifyWords(benchmark::State& state) {
  Run(state, {std::begin(kWords), std::end(kWords)});
}
BENCHMARK(BM_ClassifyWords);

void BM_ClassifyIdentifiers(benchmark::State& state) {
  Run(state, {std::begin(kIdentifiers), std::end(kIdentifiers)});
}
BENCHMARK(BM_ClassifyIdentifiers);

void BM_ClassifyLongToken(benchmark::State& state) {
  const std::string token(static_cast<size_t>(state.range(0)), 'Q');
  Run(state, {token});
}
BENCHMARK(BM_ClassifyLongToken)->Arg(64)->Arg(4096)->Arg(65536);

void BM_IsDictionaryWord(benchmark::State& state) {
  const std::string_view words[] = {"users", "webhooks", "presigned", "alice", "xkqzvbt"};
  IsDictionaryWord("warm");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(IsDictionaryWord(words[i]));
    if (++i == std::size(words)) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_IsDictionaryWord);

}  // namespace
}  // namespace gatescope::classify

BENCHMARK_MAIN();
