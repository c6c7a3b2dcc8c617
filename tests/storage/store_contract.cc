#include "tests/storage/store_contract.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gatescope::storage::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Returns `blob` and records what build() was called with.
struct RecordingBuilder {
  std::string blob;
  int calls = 0;
  std::vector<bool> fresh;
  DeltaBuilder Builder() {
    return [this](const std::vector<bool>& f) {
      ++calls;
      fresh = f;
      return blob;
    };
  }
};

DeltaBuilder Returning(std::string blob) {
  return [blob](const std::vector<bool>&) { return blob; };
}

BatchRecord Batch(int key, std::vector<int> ids, int64_t received_at_ms = 1000) {
  BatchRecord batch{.key = Key(key), .ids = {}, .received_at_ms = received_at_ms};
  for (int id : ids) batch.ids.push_back(Id(id));
  return batch;
}

std::vector<int64_t> Seqs(const std::vector<Delta>& deltas) {
  std::vector<int64_t> seqs;
  for (const Delta& d : deltas) seqs.push_back(d.seq);
  return seqs;
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

void StoreContractTest::SetUp() {
  backend_ = GetParam().make();
  ASSERT_NE(backend_, nullptr);
  Result<std::string> location = backend_->NewLocation();
  ASSERT_TRUE(location.ok()) << location.status().ToString();
  location_ = *location;
  store_ = Open();
  ASSERT_NE(store_, nullptr);
}

std::unique_ptr<Store> StoreContractTest::Open(const StoreOptions& options) {
  Result<std::unique_ptr<Store>> store = OpenStore(location_, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

TEST_P(StoreContractTest, CommitReportsFreshIdsAndCallsBuildOnce) {
  RecordingBuilder build{.blob = "delta-1"};
  // Id 2 appears twice: its first occurrence claims it, the second is a duplicate.
  Result<CommitResult> result = store_->CommitBatch(Batch(1, {1, 2, 2, 3}), build.Builder());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->duplicate_batch);
  EXPECT_THAT(result->fresh, ElementsAre(true, true, false, true));
  EXPECT_EQ(build.calls, 1);
  EXPECT_EQ(build.fresh, result->fresh);
  EXPECT_GT(result->seq, 0);

  Result<std::vector<Delta>> deltas = store_->ReadDeltas(0, 10);
  ASSERT_TRUE(deltas.ok()) << deltas.status().ToString();
  ASSERT_EQ(deltas->size(), 1u);
  EXPECT_EQ((*deltas)[0].seq, result->seq);
  EXPECT_EQ((*deltas)[0].blob, "delta-1");
}

TEST_P(StoreContractTest, IdsOfAnEarlierBatchAreNotFresh) {
  ASSERT_TRUE(store_->CommitBatch(Batch(1, {1, 2}), Returning("a")).ok());
  RecordingBuilder build{.blob = "b"};
  Result<CommitResult> result = store_->CommitBatch(Batch(2, {2, 4, 1, 5}), build.Builder());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_THAT(result->fresh, ElementsAre(false, true, false, true));
  EXPECT_EQ(build.fresh, result->fresh);
}

TEST_P(StoreContractTest, DuplicateKeyDoesNothingElse) {
  Result<CommitResult> first = store_->CommitBatch(Batch(7, {1}), Returning("a"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  RecordingBuilder build{.blob = "b"};
  Result<CommitResult> again = store_->CommitBatch(Batch(7, {2, 3}), build.Builder());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->duplicate_batch);
  EXPECT_EQ(again->seq, 0);
  EXPECT_TRUE(again->fresh.empty());
  EXPECT_EQ(build.calls, 0);
  // The duplicate's ids were not claimed, and no delta was appended.
  Result<CommitResult> later = store_->CommitBatch(Batch(8, {2, 3}), Returning(""));
  ASSERT_TRUE(later.ok());
  EXPECT_THAT(later->fresh, ElementsAre(true, true));
  Result<std::vector<Delta>> deltas = store_->ReadDeltas(0, 10);
  ASSERT_TRUE(deltas.ok());
  EXPECT_THAT(Seqs(*deltas), ElementsAre(first->seq));
}

TEST_P(StoreContractTest, EmptyDeltaAppendsNothingButClaims) {
  Result<CommitResult> result = store_->CommitBatch(Batch(1, {1}), Returning(""));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->seq, 0);
  EXPECT_THAT(result->fresh, ElementsAre(true));
  EXPECT_TRUE(store_->ReadDeltas(0, 10)->empty());
  EXPECT_EQ(*store_->LastSeq(), 0);
  EXPECT_TRUE(store_->CommitBatch(Batch(1, {9}), Returning("x"))->duplicate_batch);
  EXPECT_THAT(store_->CommitBatch(Batch(2, {1}), Returning(""))->fresh, ElementsAre(false));
}

TEST_P(StoreContractTest, BatchWithoutIdsStillClaimsItsKey) {
  RecordingBuilder build{.blob = "d"};
  Result<CommitResult> result = store_->CommitBatch(Batch(1, {}), build.Builder());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->fresh.empty());
  EXPECT_EQ(build.calls, 1);
  EXPECT_GT(result->seq, 0);
  EXPECT_TRUE(store_->CommitBatch(Batch(1, {}), Returning("d"))->duplicate_batch);
}

TEST_P(StoreContractTest, SeqsIncreaseAndReadDeltasPages) {
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    Result<CommitResult> r = store_->CommitBatch(Batch(i, {i}), Returning("d" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (!seqs.empty()) {
      EXPECT_GT(r->seq, seqs.back());
    }
    seqs.push_back(r->seq);
  }
  EXPECT_EQ(*store_->LastSeq(), seqs.back());
  Result<std::vector<Delta>> page1 = store_->ReadDeltas(0, 2);
  ASSERT_TRUE(page1.ok());
  EXPECT_THAT(Seqs(*page1), ElementsAre(seqs[0], seqs[1]));
  EXPECT_EQ((*page1)[1].blob, "d1");
  Result<std::vector<Delta>> page2 = store_->ReadDeltas(page1->back().seq, 2);
  EXPECT_THAT(Seqs(*page2), ElementsAre(seqs[2], seqs[3]));
  Result<std::vector<Delta>> page3 = store_->ReadDeltas(page2->back().seq, 2);
  EXPECT_THAT(Seqs(*page3), ElementsAre(seqs[4]));
  EXPECT_EQ((*page3)[0].blob, "d4");
  EXPECT_TRUE(store_->ReadDeltas(seqs[4], 2)->empty());
}

TEST_P(StoreContractTest, WriteSnapshotCompactsAndIgnoresStaleOnes) {
  std::vector<int64_t> seqs;
  for (int i = 0; i < 4; ++i)
    seqs.push_back(store_->CommitBatch(Batch(i, {i}), Returning("d"))->seq);
  EXPECT_EQ(store_->LoadSnapshot()->upto_seq, 0);
  EXPECT_TRUE(store_->LoadSnapshot()->blob.empty());

  ASSERT_TRUE(store_->WriteSnapshot(seqs[1], "snap-1").ok());
  Result<Snapshot> snapshot = store_->LoadSnapshot();
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->upto_seq, seqs[1]);
  EXPECT_EQ(snapshot->blob, "snap-1");
  EXPECT_EQ(*store_->SnapshotSeq(), seqs[1]);
  EXPECT_THAT(Seqs(*store_->ReadDeltas(0, 10)), ElementsAre(seqs[2], seqs[3]));

  // Another server compacted further first: an older snapshot changes nothing.
  ASSERT_TRUE(store_->WriteSnapshot(seqs[0], "stale").ok());
  ASSERT_TRUE(store_->WriteSnapshot(seqs[1], "same").ok());
  EXPECT_EQ(store_->LoadSnapshot()->blob, "snap-1");
  EXPECT_THAT(Seqs(*store_->ReadDeltas(0, 10)), ElementsAre(seqs[2], seqs[3]));

  // Compacting everything keeps LastSeq, and later seqs are never reused.
  ASSERT_TRUE(store_->WriteSnapshot(seqs[3], "snap-3").ok());
  EXPECT_TRUE(store_->ReadDeltas(0, 10)->empty());
  EXPECT_EQ(*store_->LastSeq(), seqs[3]);
  Result<CommitResult> next = store_->CommitBatch(Batch(10, {10}), Returning("n"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->seq, seqs[3]);
}

TEST_P(StoreContractTest, PruneForgetsOnlyOldKeysAndIds) {
  ASSERT_TRUE(store_->CommitBatch(Batch(1, {1, 2}, 1000), Returning("")).ok());
  ASSERT_TRUE(store_->CommitBatch(Batch(2, {3}, 5000), Returning("")).ok());
  Result<uint64_t> removed = store_->PruneDedupe(3000);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 2u);
  Result<CommitResult> old_again = store_->CommitBatch(Batch(1, {1, 3}, 6000), Returning(""));
  ASSERT_TRUE(old_again.ok());
  EXPECT_FALSE(old_again->duplicate_batch);
  EXPECT_THAT(old_again->fresh, ElementsAre(true, false));
  EXPECT_TRUE(store_->CommitBatch(Batch(2, {}, 6000), Returning(""))->duplicate_batch);
  EXPECT_EQ(*store_->PruneDedupe(3000), 0u);
}

TEST_P(StoreContractTest, PruneOfManyIdsKeepsTheOthers) {
  // Enough ids to grow and reshuffle any in-memory index, pruned from the middle of its runs.
  constexpr int kPerBatch = 1000;
  for (int b = 0; b < 6; ++b) {
    std::vector<int> ids;
    for (int i = 0; i < kPerBatch; ++i) ids.push_back(i * 6 + b);  // Old and new interleave.
    ASSERT_TRUE(store_->CommitBatch(Batch(b, ids, b % 2 == 0 ? 1000 : 5000), Returning("")).ok());
  }
  EXPECT_EQ(*store_->PruneDedupe(3000), 3u * kPerBatch);
  for (int b = 0; b < 6; ++b) {
    std::vector<int> ids;
    for (int i = 0; i < kPerBatch; ++i) ids.push_back(i * 6 + b);
    Result<CommitResult> again = store_->CommitBatch(Batch(100 + b, ids, 6000), Returning(""));
    ASSERT_TRUE(again.ok());
    const bool pruned = b % 2 == 0;
    EXPECT_EQ(std::count(again->fresh.begin(), again->fresh.end(), pruned), kPerBatch)
        << "batch " << b;
  }
}

TEST_P(StoreContractTest, SecretsAgreeAcrossStores) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  int made = 0;
  const auto make = [&made] { return "secret-" + std::to_string(++made) + std::string(1, '\0'); };
  Result<std::string> first = store_->GetOrCreateSecret("signing_key", make);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<std::string> second = other->GetOrCreateSecret("signing_key", make);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*first, std::string("secret-1") + '\0');
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(*other->GetOrCreateSecret("other", make), std::string("secret-2") + '\0');
}

TEST_P(StoreContractTest, ConcurrentFirstUsesOfASecretAgree) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  std::vector<std::string> values(8);
  std::vector<std::thread> threads;
  std::atomic<int> counter{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *other;
      Result<std::string> v =
          store.GetOrCreateSecret("k", [&] { return "v" + std::to_string(counter++); });
      values[t] = v.ok() ? *v : "error: " + v.status().ToString();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& v : values) EXPECT_EQ(v, values[0]);
  EXPECT_EQ(values[0].rfind("v", 0), 0u) << values[0];
}

TEST_P(StoreContractTest, ReopenKeepsEverything) {
  const int64_t seq = store_->CommitBatch(Batch(1, {1}), Returning("d1"))->seq;
  ASSERT_TRUE(store_->WriteSnapshot(seq, "snap").ok());
  const int64_t seq2 = store_->CommitBatch(Batch(2, {2}), Returning("d2"))->seq;
  const std::string secret = *store_->GetOrCreateSecret("s", [] { return std::string("xyz"); });
  store_.reset();

  std::unique_ptr<Store> reopened = Open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->LoadSnapshot()->blob, "snap");
  EXPECT_EQ(*reopened->SnapshotSeq(), seq);
  EXPECT_EQ(*reopened->LastSeq(), seq2);
  Result<std::vector<Delta>> deltas = reopened->ReadDeltas(0, 10);
  ASSERT_EQ(deltas->size(), 1u);
  EXPECT_EQ((*deltas)[0].blob, "d2");
  EXPECT_TRUE(reopened->CommitBatch(Batch(1, {}), Returning(""))->duplicate_batch);
  EXPECT_THAT(reopened->CommitBatch(Batch(3, {1, 2, 3}), Returning(""))->fresh,
              ElementsAre(false, false, true));
  EXPECT_EQ(*reopened->GetOrCreateSecret("s", [] { return std::string("other"); }), secret);
}

TEST_P(StoreContractTest, FailingBuildLeavesNothingStored) {
  Result<CommitResult> failed = store_->CommitBatch(
      Batch(1, {1, 2}),
      [](const std::vector<bool>&) -> std::string { throw std::runtime_error("encoder broke"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("encoder broke"));
  // Neither the key nor the ids were claimed.
  Result<CommitResult> retried = store_->CommitBatch(Batch(1, {1, 2}), Returning("d"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_FALSE(retried->duplicate_batch);
  EXPECT_THAT(retried->fresh, ElementsAre(true, true));
  EXPECT_THAT(Seqs(*store_->ReadDeltas(0, 10)), ElementsAre(retried->seq));
}

TEST_P(StoreContractTest, RejectsMalformedBatches) {
  BatchRecord short_id = Batch(1, {1});
  short_id.ids[0].pop_back();
  Result<CommitResult> r = store_->CommitBatch(short_id, Returning("d"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("ids[0]"));
  BatchRecord no_key = Batch(1, {1});
  no_key.key.clear();
  EXPECT_EQ(store_->CommitBatch(no_key, Returning("d")).status().code(),
            StatusCode::kInvalidArgument);
  // Nothing was claimed by the rejected batches.
  EXPECT_THAT(store_->CommitBatch(Batch(1, {1}), Returning(""))->fresh, ElementsAre(true));
}

TEST_P(StoreContractTest, PingAndKind) {
  EXPECT_TRUE(store_->Ping().ok());
  EXPECT_TRUE(store_->kind() == "sqlite" || store_->kind() == "postgresql") << store_->kind();
}

// Two Store objects on one location, several threads each, batches with overlapping ids: every
// id is fresh exactly once, seqs are unique, and when a commit returns seq S every delta with a
// smaller seq is already visible.
TEST_P(StoreContractTest, ConcurrentCommitsFromTwoStores) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 6;
  constexpr int kBatchesPerThread = 15;
  constexpr int kIdsPerBatch = 20;
  constexpr int kIdPool = 400;  // Smaller than all ids sent, so batches overlap.
  std::mutex mu;
  std::map<int, int> fresh_count;                                 // id -> times reported fresh
  std::map<int64_t, std::string> returned;                        // seq -> blob
  std::vector<std::pair<int64_t, std::set<int64_t>>> visible_at;  // S -> seqs <= S seen after S
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? *store_ : *other;
      for (int b = 0; b < kBatchesPerThread; ++b) {
        const int key = t * 1000 + b;
        std::vector<int> ids;
        for (int i = 0; i < kIdsPerBatch; ++i) ids.push_back((key * 7919 + i * 104729) % kIdPool);
        const std::string blob = "blob-" + std::to_string(key);
        Result<CommitResult> r = store.CommitBatch(Batch(key, ids), Returning(blob));
        if (!r.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(r.status().ToString());
          continue;
        }
        Result<std::vector<Delta>> seen = store.ReadDeltas(0, 100000);
        std::lock_guard lock(mu);
        for (size_t i = 0; i < ids.size(); ++i) fresh_count[ids[i]] += r->fresh[i] ? 1 : 0;
        if (!returned.emplace(r->seq, blob).second) errors.push_back("seq reused");
        if (!seen.ok()) {
          errors.push_back(seen.status().ToString());
          continue;
        }
        std::set<int64_t> below;
        for (const Delta& d : *seen) {
          if (d.seq <= r->seq) below.insert(d.seq);
        }
        visible_at.emplace_back(r->seq, std::move(below));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());

  for (const auto& [id, count] : fresh_count) EXPECT_EQ(count, 1) << "id " << id;
  EXPECT_EQ(returned.size(), static_cast<size_t>(kThreads * kBatchesPerThread));
  Result<std::vector<Delta>> all = store_->ReadDeltas(0, 100000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), returned.size());
  auto expected = returned.begin();
  for (const Delta& d : *all) {
    EXPECT_EQ(d.seq, expected->first);  // Seq order, no delta missing or extra.
    EXPECT_EQ(d.blob, expected->second);
    ++expected;
  }
  for (const auto& [seq, below] : visible_at) {
    std::set<int64_t> committed_below;
    for (const auto& [s, blob] : returned) {
      if (s <= seq) committed_below.insert(s);
    }
    EXPECT_EQ(below, committed_below) << "deltas visible when seq " << seq << " returned";
  }
}

// Many callers on one store at once (SQLite commits them as a group): the same key from two
// callers is stored once, a failing build fails only its own caller, ids are fresh once.
TEST_P(StoreContractTest, ConcurrentCallersOnOneStoreAreIndependent) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  std::mutex mu;
  std::map<int, int> stored_per_key;
  std::map<int, int> fresh_count;
  int failures = 0;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const int key = round * 100 + t % 4;  // Two threads per key.
        std::vector<int> ids;
        for (int i = 0; i < 30; ++i) ids.push_back(round * 1000 + (t % 4) * 10 + i);
        const bool throws = t == 3;  // Thread 7 shares its keys and ids.
        Result<CommitResult> r =
            store_->CommitBatch(Batch(key, ids), [throws](const std::vector<bool>&) -> std::string {
              if (throws) throw std::runtime_error("boom");
              return "d";
            });
        std::lock_guard lock(mu);
        if (!r.ok()) {
          if (throws && r.status().code() == StatusCode::kInternal) {
            ++failures;
          } else {
            unexpected.push_back(r.status().ToString());
          }
          continue;
        }
        if (r->duplicate_batch) continue;
        if (throws) unexpected.push_back("a throwing build was stored");
        ++stored_per_key[key];
        for (size_t i = 0; i < ids.size(); ++i) fresh_count[ids[i]] += r->fresh[i] ? 1 : 0;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
  EXPECT_EQ(stored_per_key.size(), static_cast<size_t>(kRounds * 4));
  for (const auto& [key, count] : stored_per_key) EXPECT_EQ(count, 1) << "key " << key;
  for (const auto& [id, count] : fresh_count) EXPECT_EQ(count, 1) << "id " << id;
  // Keys' id ranges overlap (10 apart, 30 wide): 60 distinct ids a round, each stored once.
  EXPECT_EQ(fresh_count.size(), static_cast<size_t>(kRounds * 60));
  EXPECT_EQ(store_->ReadDeltas(0, 1000)->size(), stored_per_key.size());
}

}  // namespace gatescope::storage::testing
