// Cost of the server's inventory state (src/inventory/inventory_codec.h): a delta (the
// Inventory of one 1,000-transaction batch) is encoded once by the server that ingests it, then
// decoded and merged by every server into its live inventory; snapshots of a large inventory
// are encoded and loaded at start-up.
//
// Budget (issue 7): ~200,000 transactions/s on 2 cores, i.e. ~200 deltas/s decoded and merged
// into a live inventory of ~10,000 endpoints, next to the ingest itself.
//
// Traffic: a third each of access-log lines with a logged template ("/svc3/items/{id}"),
// lines under a greedy route whose concrete paths need inference ("/svc3/items/8123/history"),
// and execution-log transactions with query parameters, headers and JSON bodies. Delta
// benchmarks take an argument: 0 draws endpoints uniformly (the worst case: ~950 distinct
// endpoints in 1,000 transactions), 1 draws them skewed as real traffic is (a few hot
// endpoints, ~350 distinct).
//
//   inventory_codec_bench [Google Benchmark flags]

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "inventory/inventory_codec.h"
#include "model/http_transaction.h"

namespace gatescope {
namespace {

using inventory::Inventory;
using model::HttpTransaction;

struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
};

constexpr const char* kResources[] = {"items", "orders", "users", "invoices", "reports",
                                      "tickets", "projects", "devices", "teams", "plans"};
constexpr const char* kSubs[] = {"history", "status", "details", "owners", "metrics"};
constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};

// Endpoint `e` of `endpoints` (shared by the three kinds): one of 10 resources x 5 sub
// resources x 4 methods per service.
void Shape(uint32_t e, std::string* service, const char** resource, const char** sub,
           const char** method) {
  *method = kMethods[e % 4];
  *sub = kSubs[(e / 4) % 5];
  *resource = kResources[(e / 20) % 10];
  *service = "svc" + std::to_string(e / 200);
}

HttpTransaction Make(uint32_t endpoint, Rng& rng) {
  std::string service;
  const char *resource, *sub, *method;
  Shape(endpoint, &service, &resource, &sub, &method);
  HttpTransaction tx;
  tx.api_id = "api" + std::to_string(endpoint % 3);
  tx.stage = "prod";
  tx.method = method;
  tx.domain_name = "api.example.com";
  tx.log_group = "/aws/apigateway/access";
  tx.api_kind = model::ApiKind::kRest;
  tx.status = rng.Below(20) == 0 ? 404 : 200;
  tx.request_time_ms = 1700000000000 + rng.Below(86400000);
  tx.response_latency_ms = 5 + rng.Below(400);
  tx.integration_latency_ms = tx.response_latency_ms - 3;
  std::string id = std::to_string(10000 + rng.Below(900000));
  tx.path = "/" + service + "/" + resource + "/" + id + "/" + sub;
  switch (endpoint % 3) {
    case 0:
      tx.resource_path = "/" + service + "/" + resource + "/{id}/" + sub;
      break;
    case 1:
      tx.resource_path = "/{proxy+}";
      break;
    default:
      tx.resource_path = "/" + service + "/" + resource + "/{id}/" + sub;
      tx.source = model::LogSource::kExecutionLog;
      tx.coverage = model::Coverage::kFull;
      tx.query_params.logged = true;
      tx.query_params.Add("limit", std::to_string(rng.Below(100)));
      tx.query_params.Add("cursor", id);
      tx.request_headers.logged = true;
      tx.request_headers.Add("Accept", "application/json");
      tx.request_headers.Add("User-Agent", "bench/1.0");
      tx.request_headers.Add("x-api-key", "****abcd");
      tx.request_headers.Add("Authorization", "Bearer abc.def");
      tx.response_headers.logged = true;
      tx.response_headers.Add("Content-Type", "application/json");
      tx.response_headers.Add("x-amzn-RequestId", id);
      tx.response_body.present = true;
      tx.response_body.content_type = "application/json";
      tx.response_body.text = R"({"id":")" + id + R"(","name":"item )" + id +
                              R"(","status":"active","count":)" + std::to_string(rng.Below(50)) +
                              R"(,"tags":["a","b"],"owner":{"email":"u)" + id +
                              R"(@example.com","team":"core"}})";
      break;
  }
  return tx;
}

std::unique_ptr<Inventory> Build(uint32_t endpoints, uint32_t transactions, uint64_t seed) {
  auto inv = std::make_unique<Inventory>();
  Rng rng{seed};
  // Every endpoint once (so the inventory has them all), then random ones.
  for (uint32_t e = 0; e < endpoints && e < transactions; ++e) inv->Add(Make(e, rng));
  for (uint32_t i = endpoints; i < transactions; ++i) inv->Add(Make(rng.Below(endpoints), rng));
  return inv;
}

// An endpoint of the live inventory's 10,000: uniform, or skewed (log-uniform: endpoint k
// drawn with probability ~1/k).
uint32_t Endpoint(Rng& rng, bool skewed) {
  return skewed ? rng.Below(rng.Below(10000) + 1) : rng.Below(10000);
}

// A delta: 1,000 transactions over the live inventory's 10,000 endpoints.
std::unique_ptr<Inventory> Delta(uint64_t seed, bool skewed) {
  auto inv = std::make_unique<Inventory>();
  Rng rng{seed};
  for (int i = 0; i < 1000; ++i) inv->Add(Make(Endpoint(rng, skewed), rng));
  return inv;
}

const Inventory& Live() {
  static const std::unique_ptr<Inventory> live = Build(10000, 50000, 1);
  return *live;
}

void BM_EncodeDelta(benchmark::State& state) {
  auto delta = Delta(2, state.range(0) != 0);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string blob = inventory::EncodeInventory(*delta);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob);
  }
  state.counters["blob_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeDelta)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Decode + merge of a delta into a live inventory of 10,000 endpoints (the live inventory
// grows in counts only: the deltas cover endpoints it already has, as in steady state).
void BM_DecodeMergeDelta(benchmark::State& state) {
  std::string blob = inventory::EncodeInventory(*Delta(3, state.range(0) != 0));
  Inventory live;
  live.Merge(Live());
  for (auto _ : state) {
    Status s = inventory::MergeEncodedInventory(blob, &live);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.counters["deltas_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeMergeDelta)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Merge of the same delta as an object (no codec).
void BM_MergeDelta(benchmark::State& state) {
  auto delta = Delta(3, state.range(0) != 0);
  Inventory live;
  live.Merge(Live());
  for (auto _ : state) live.Merge(*delta);
}
BENCHMARK(BM_MergeDelta)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Building the delta itself, for scale: what ingesting the batch costs.
void BM_AddDelta(benchmark::State& state) {
  Rng rng{4};
  std::vector<HttpTransaction> txs;
  for (int i = 0; i < 1000; ++i) txs.push_back(Make(Endpoint(rng, state.range(0) != 0), rng));
  for (auto _ : state) {
    Inventory inv;
    for (const HttpTransaction& tx : txs) inv.Add(tx);
    benchmark::DoNotOptimize(inv);
  }
}
BENCHMARK(BM_AddDelta)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_EncodeLarge(benchmark::State& state) {
  const Inventory& live = Live();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string blob = inventory::EncodeInventory(live);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob);
  }
  state.counters["blob_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeLarge)->Unit(benchmark::kMillisecond);

// Loading a snapshot of 10,000 endpoints into an empty inventory (server start-up).
void BM_DecodeLarge(benchmark::State& state) {
  std::string blob = inventory::EncodeInventory(Live());
  for (auto _ : state) {
    Inventory inv;
    Status s = inventory::MergeEncodedInventory(blob, &inv);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(inv);
  }
}
BENCHMARK(BM_DecodeLarge)->Unit(benchmark::kMillisecond);

void BM_MergeLarge(benchmark::State& state) {
  const Inventory& live = Live();
  for (auto _ : state) {
    Inventory inv;
    inv.Merge(live);
    benchmark::DoNotOptimize(inv);
  }
}
BENCHMARK(BM_MergeLarge)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gatescope

BENCHMARK_MAIN();
