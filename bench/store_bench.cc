// Throughput of Store::CommitBatch (src/storage/store.h), the store's share of ingestion: one
// commit per batch of ~1,000 transaction ids with a ~30 KB delta blob.
//
// Target: the server ingests 200,000 transactions/s on a 2-core machine, so the store must
// sustain about 200 commits/s of 1,000 ids (200,000 ids/s) with synchronous=FULL.
//
// Benchmarks:
//   BM_SqliteCommit/full_sync:{0,1}/ids:N     one thread; ids are random (SHA-256-like), so every
//                                             insert lands on a random B-tree page; the store is
//                                             pre-filled with 1M ids so the tree is realistically
//                                             deep.
//   BM_SqliteCommitThreads/full_sync:1        2 and 4 threads on one store (the mutex serializes).
//   BM_SqlitePrune                            PruneDedupe of half of 1M ids (a full scan, no
//   index). BM_PostgresCommit/ids:N, threads 1..4     against $GS_BENCH_PG_URL, else a throwaway
//   server
//                                             from tests/support/postgres_server.h (fsync=off!).
// Counters: ids/s (items_per_second) and commits/s.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"
#ifdef GS_BENCH_WITH_PG_SERVER
#include "tests/support/postgres_server.h"
#endif

namespace gatescope::storage {
namespace {

constexpr size_t kBlobBytes = 30 * 1024;
constexpr int kPrefillIds = 1'000'000;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string RandomBytes(uint64_t& state, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = SplitMix64(state);
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

std::string KeyOf(uint64_t n) {
  char buf[65];
  std::snprintf(buf, sizeof(buf), "%064llx", static_cast<unsigned long long>(n));
  return buf;
}

BatchRecord RandomBatch(uint64_t& state, uint64_t key, int ids) {
  BatchRecord batch{.key = KeyOf(key), .ids = {}, .received_at_ms = static_cast<int64_t>(key)};
  batch.ids.reserve(ids);
  for (int i = 0; i < ids; ++i) batch.ids.push_back(RandomBytes(state, 32));
  return batch;
}

const std::string& Blob() {
  static const std::string blob = [] {
    uint64_t state = 42;
    return RandomBytes(state, kBlobBytes);
  }();
  return blob;
}

// A fresh SQLite file under the temp dir, removed on destruction.
struct SqliteFile {
  SqliteFile() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "store-bench-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    path = dir + "/store.db";
  }
  ~SqliteFile() { std::filesystem::remove_all(dir); }
  std::string dir;
  std::string path;
};

std::atomic<uint64_t> next_key{1};

// Commits `count` batches of 1,000 ids with NORMAL sync (quick) so the id B-tree is deep.
void Prefill(Store& store, int ids) {
  uint64_t state = 7;
  for (int done = 0; done < ids; done += 1000) {
    auto r = store.CommitBatch(RandomBatch(state, next_key++, 1000),
                               [](const std::vector<bool>&) { return std::string(); });
    if (!r.ok()) std::abort();
  }
}

std::unique_ptr<Store> OpenSqlite(const std::string& path, bool full_sync) {
  auto store = OpenStore(path, {.sqlite_full_sync = full_sync});
  if (!store.ok()) std::abort();
  return std::move(store).value();
}

// `store` is read inside the loop: in multi-threaded runs thread 0 opens it before the loop's
// start barrier.
void CommitLoop(benchmark::State& state, const std::unique_ptr<Store>& store, int ids,
                uint64_t seed) {
  uint64_t rng = seed;
  std::vector<BatchRecord> batches;
  for (int i = 0; i < 64; ++i) batches.push_back(RandomBatch(rng, 0, ids));
  size_t next = 0;
  for (auto _ : state) {
    BatchRecord& batch = batches[next++ % batches.size()];
    state.PauseTiming();
    batch.key = KeyOf(next_key++);
    for (std::string& id : batch.ids) {
      const uint64_t v = SplitMix64(rng);
      std::memcpy(id.data(), &v, sizeof(v));  // New ids: the first 8 bytes change.
    }
    state.ResumeTiming();
    auto r = store->CommitBatch(batch, [](const std::vector<bool>&) { return Blob(); });
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * ids);
  state.counters["commits_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// A store holding kPrefillIds ids, made once per process (Google Benchmark calls a benchmark
// function several times) and copied for each run.
const std::string& PrefilledTemplate() {
  static SqliteFile file;
  static const bool made = [] {
    auto store = OpenSqlite(file.path, false);
    Prefill(*store, kPrefillIds);
    return true;
  }();
  (void)made;
  return file.path;
}

void BM_SqliteCommit(benchmark::State& state) {
  const bool full_sync = state.range(0) != 0;
  const int ids = static_cast<int>(state.range(1));
  const bool prefilled = state.range(2) != 0;
  SqliteFile file;
  if (prefilled) std::filesystem::copy_file(PrefilledTemplate(), file.path);
  auto store = OpenSqlite(file.path, full_sync);
  CommitLoop(state, store, ids, 11);
}
BENCHMARK(BM_SqliteCommit)
    ->ArgNames({"full_sync", "ids", "prefilled"})
    ->Args({1, 1000, 0})
    ->Args({0, 1000, 0})
    ->Args({1, 1000, 1})
    ->Args({0, 1000, 1})
    ->Args({1, 100, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3);

// Shared by the threads of one BM_SqliteCommitThreads run.
struct SharedSqlite {
  std::mutex mu;
  std::unique_ptr<SqliteFile> file;
  std::unique_ptr<Store> store;
};
SharedSqlite shared_sqlite;

void BM_SqliteCommitThreads(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_sqlite.file = std::make_unique<SqliteFile>();
    std::filesystem::copy_file(PrefilledTemplate(), shared_sqlite.file->path);
    shared_sqlite.store = OpenSqlite(shared_sqlite.file->path, state.range(0) != 0);
  }
  // Google Benchmark starts every thread's loop together, after thread 0's setup above.
  CommitLoop(state, shared_sqlite.store, 1000, 100 + state.thread_index());
  if (state.thread_index() == 0) {
    shared_sqlite.store.reset();
    shared_sqlite.file.reset();
  }
}
BENCHMARK(BM_SqliteCommitThreads)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Threads(2)
    ->Threads(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2);

void BM_SqlitePrune(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    SqliteFile file;
    std::filesystem::copy_file(PrefilledTemplate(), file.path);
    auto store = OpenSqlite(file.path, true);
    // The prefill's batches have received_at 1..1000: prune the older half.
    state.ResumeTiming();
    auto removed = store->PruneDedupe(kPrefillIds / 2000 + 1);
    if (!removed.ok()) state.SkipWithError(removed.status().ToString().c_str());
  }
}
BENCHMARK(BM_SqlitePrune)->Unit(benchmark::kMillisecond)->Iterations(1);

// PostgreSQL: $GS_BENCH_PG_URL (a database the bench may fill), else a throwaway server.
std::string PostgresUrl() {
  if (const char* url = std::getenv("GS_BENCH_PG_URL"); url != nullptr && *url != '\0') return url;
#ifdef GS_BENCH_WITH_PG_SERVER
  auto server = testing::SharedPostgresServer();
  if (!server.ok()) return "";
  static int database = 0;
  auto url = (*server)->CreateDatabase("store_bench_" + std::to_string(++database));
  return url.ok() ? *url : "";
#else
  return "";
#endif
}

// One store (one database) for every PostgreSQL run, opened by whichever thread comes first.
const std::unique_ptr<Store>& PostgresStore() {
  static const std::unique_ptr<Store> store = [] {
    const std::string url = PostgresUrl();
    if (url.empty()) return std::unique_ptr<Store>();
    auto opened = OpenStore(url);
    return opened.ok() ? std::move(opened).value() : std::unique_ptr<Store>();
  }();
  return store;
}

void BM_PostgresCommit(benchmark::State& state) {
  const std::unique_ptr<Store>& store = PostgresStore();
  if (store == nullptr) {
    state.SkipWithError("no PostgreSQL: set GS_BENCH_PG_URL or build with tests");
    for (auto _ : state) {
    }
    return;
  }
  CommitLoop(state, store, static_cast<int>(state.range(0)), 200 + state.thread_index());
}
BENCHMARK(BM_PostgresCommit)
    ->ArgName("ids")
    ->Arg(1000)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2);

}  // namespace
}  // namespace gatescope::storage

BENCHMARK_MAIN();
