#include "server/inventory_service.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/logging.h"
#include "core/sha256.h"
#include "inventory/inventory_codec.h"
#include "model/transaction_json.h"

namespace gatescope::server {
namespace {

constexpr size_t kDeltaPage = 256;
constexpr int64_t kPruneIntervalMs = 3600 * 1000;

// The 32-byte id the store keys on: the SHA-256 of the transaction's id (the connector's, a
// HAR's, a client's own), or of its JSON when it has none, so that the same transaction
// posted twice is still one.
std::string StoredId(const model::HttpTransaction& tx) {
  return Sha256(tx.id.empty() ? model::TransactionToJson(tx) : tx.id);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Records how long a store operation took, when there are metrics.
void ObserveStore(Metrics* metrics, const char* op, std::chrono::steady_clock::time_point start) {
  if (metrics == nullptr) return;
  metrics->GetHistogram("gatescope_store_seconds", "Storage operation latency.", {{"op", op}})
      .Observe(SecondsSince(start));
}

}  // namespace

InventoryService::InventoryService(std::unique_ptr<storage::Store> store,
                                   inventory::DiscoveryOptions discovery, Options options,
                                   const Clock& clock, Metrics* metrics)
    : store_(std::move(store)),
      discovery_(std::move(discovery)),
      options_(options),
      clock_(clock),
      metrics_(metrics) {}

InventoryService::~InventoryService() = default;

Result<std::unique_ptr<InventoryService>> InventoryService::Open(
    std::unique_ptr<storage::Store> store, inventory::DiscoveryOptions discovery, Options options,
    const Clock& clock, Metrics* metrics) {
  std::unique_ptr<InventoryService> service(
      new InventoryService(std::move(store), std::move(discovery), options, clock, metrics));
  std::unique_lock lock(service->mu_);
  if (Status s = service->Reload(); !s.ok()) return s;
  service->last_compact_ms_ = UnixMillis(clock);
  return service;
}

// Rebuilds the live inventory from the snapshot and every delta after it. REQUIRES: mu_ held
// exclusively.
Status InventoryService::Reload() {
  auto start = std::chrono::steady_clock::now();
  Result<storage::Snapshot> snapshot = store_->LoadSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  auto live = std::make_unique<inventory::Inventory>(discovery_);
  if (!snapshot->blob.empty()) {
    if (Status s = inventory::MergeEncodedInventory(snapshot->blob, live.get()); !s.ok()) {
      return InternalError("stored snapshot " + std::to_string(snapshot->upto_seq) + ": " + s.message());
    }
  }
  int64_t applied = snapshot->upto_seq;
  int64_t deltas = 0;
  for (;;) {
    Result<std::vector<storage::Delta>> page = store_->ReadDeltas(applied, kDeltaPage);
    if (!page.ok()) return page.status();
    for (const storage::Delta& d : *page) {
      if (Status s = inventory::MergeEncodedInventory(d.blob, live.get()); !s.ok()) {
        return InternalError("stored delta " + std::to_string(d.seq) + ": " + s.message());
      }
      applied = d.seq;
      ++deltas;
    }
    if (page->size() < kDeltaPage) break;
  }
  live_ = std::move(live);
  applied_seq_ = applied;
  deltas_since_snapshot_ = deltas;
  ++version_;
  GS_LOG(kInfo, "Inventory loaded.", {{"snapshot_seq", snapshot->upto_seq},
                                      {"deltas", deltas},
                                      {"applied_seq", applied_seq_},
                                      {"seconds", SecondsSince(start)}});
  return Status();
}

// Merges stored deltas after applied_seq_ up to `upto_seq` (every one when 0). Another
// server may have compacted them into a snapshot first: then the whole inventory is
// reloaded. REQUIRES: mu_ held exclusively.
Status InventoryService::CatchUpLocked(int64_t upto_seq) {
  for (;;) {
    Result<std::vector<storage::Delta>> page = store_->ReadDeltas(applied_seq_, kDeltaPage);
    if (!page.ok()) return page.status();
    // Deltas we expected are not there: either a hole in the sequence (a rolled-back
    // commit) or deltas another server compacted into its snapshot, and then we reload.
    bool missing = page->empty() ? upto_seq > applied_seq_ : page->front().seq > applied_seq_ + 1;
    if (missing) {
      Result<int64_t> snapshot_seq = store_->SnapshotSeq();
      if (!snapshot_seq.ok()) return snapshot_seq.status();
      if (*snapshot_seq > applied_seq_) return Reload();
    }
    for (const storage::Delta& d : *page) {
      if (upto_seq > 0 && d.seq > upto_seq) return Status();
      if (Status s = inventory::MergeEncodedInventory(d.blob, live_.get()); !s.ok()) {
        return InternalError("stored delta " + std::to_string(d.seq) + ": " + s.message());
      }
      applied_seq_ = d.seq;
      ++deltas_since_snapshot_;
      ++version_;
    }
    if (page->size() < kDeltaPage) return Status();
  }
}

Result<IngestOutcome> InventoryService::Ingest(std::string_view idempotency_key,
                                               std::span<const model::HttpTransaction> txs) {
  IngestOutcome outcome;
  outcome.received = txs.size();
  storage::BatchRecord record;
  record.key = std::string(idempotency_key);
  record.received_at_ms = UnixMillis(clock_);
  record.ids.reserve(txs.size());
  for (const model::HttpTransaction& tx : txs) record.ids.push_back(StoredId(tx));

  // The delta is built before the store's transaction, as if every transaction were new
  // (the common case): Add and Encode are most of the work and run in parallel on the HTTP
  // threads. Only when the store finds duplicates is it rebuilt, inside the transaction, from
  // the new ones.
  auto make_delta = [&](const std::vector<bool>* fresh) {
    auto d = std::make_unique<inventory::Inventory>(discovery_);
    outcome.accepted = outcome.duplicates = outcome.unattributed = 0;
    for (size_t i = 0; i < txs.size(); ++i) {
      if (fresh != nullptr && !(*fresh)[i]) {
        ++outcome.duplicates;
        continue;
      }
      ++outcome.accepted;
      if (!d->Add(txs[i])) ++outcome.unattributed;
    }
    return d;
  };
  std::unique_ptr<inventory::Inventory> delta = make_delta(nullptr);
  std::string blob = delta->empty() ? std::string() : inventory::EncodeInventory(*delta);
  auto build = [&](const std::vector<bool>& fresh) {
    if (std::find(fresh.begin(), fresh.end(), false) == fresh.end()) return std::move(blob);
    delta = make_delta(&fresh);
    return delta->empty() ? std::string() : inventory::EncodeInventory(*delta);
  };
  auto start = std::chrono::steady_clock::now();
  Result<storage::CommitResult> commit = store_->CommitBatch(record, build);
  ObserveStore(metrics_, "commit", start);
  if (!commit.ok()) return commit.status();
  if (commit->duplicate_batch) {
    outcome.duplicate_batch = true;
    outcome.accepted = 0;
    outcome.duplicates = txs.size();
    return outcome;
  }
  if (commit->seq > 0) {
    std::unique_lock lock(mu_);
    if (commit->seq > applied_seq_) {
      // Deltas committed before ours (other threads, other servers) are merged first, from
      // the store, so the live inventory is always a prefix of the store's order.
      if (commit->seq > applied_seq_ + 1) {
        if (Status s = CatchUpLocked(commit->seq - 1); !s.ok()) return s;
      }
      if (commit->seq > applied_seq_) {
        live_->Merge(*delta);
        applied_seq_ = commit->seq;
        ++deltas_since_snapshot_;
        ++version_;
      }
    }
  }
  return outcome;
}

std::shared_ptr<const inventory::Inventory::Snapshot> InventoryService::View(bool fresh) {
  std::lock_guard view_lock(view_mu_);
  int64_t now = UnixMillis(clock_);
  uint64_t version;
  {
    std::shared_lock lock(mu_);
    version = version_;
  }
  bool stale = version != view_version_;
  if (view_ != nullptr &&
      (!stale || (!fresh && now - view_rendered_ms_ < options_.render_interval_ms))) {
    return view_;
  }
  auto start = std::chrono::steady_clock::now();
  std::shared_lock lock(mu_);
  view_ = std::make_shared<const inventory::Inventory::Snapshot>(live_->Render());
  view_version_ = version_;
  lock.unlock();
  view_rendered_ms_ = now;
  if (metrics_ != nullptr) {
    metrics_->GetHistogram("gatescope_render_seconds", "Time to template and render the inventory.")
        .Observe(SecondsSince(start));
  }
  return view_;
}

Status InventoryService::CompactIfDue(bool force) {
  std::lock_guard compact_lock(compact_mu_);
  int64_t now = UnixMillis(clock_);
  std::string blob;
  int64_t upto = 0;
  int64_t included = 0;
  {
    std::shared_lock lock(mu_);
    if (deltas_since_snapshot_ == 0) return Status();
    bool due = force || deltas_since_snapshot_ >= options_.compact_every_deltas ||
               now - last_compact_ms_ >= options_.compact_interval_ms;
    if (!due) return Status();
    blob = inventory::EncodeInventory(*live_);
    upto = applied_seq_;
    included = deltas_since_snapshot_;
  }
  auto start = std::chrono::steady_clock::now();
  Status s = store_->WriteSnapshot(upto, blob);
  ObserveStore(metrics_, "snapshot", start);
  if (!s.ok()) return s;
  std::unique_lock lock(mu_);
  deltas_since_snapshot_ = std::max<int64_t>(0, deltas_since_snapshot_ - included);
  last_compact_ms_ = now;
  return Status();
}

Status InventoryService::Poll() {
  {
    auto start = std::chrono::steady_clock::now();
    Result<int64_t> last = store_->LastSeq();
    if (!last.ok()) return last.status();
    std::unique_lock lock(mu_);
    if (*last > applied_seq_) {
      if (Status s = CatchUpLocked(*last); !s.ok()) return s;
    }
    ObserveStore(metrics_, "poll", start);
  }
  if (Status s = CompactIfDue(false); !s.ok()) return s;
  int64_t now = UnixMillis(clock_);
  if (now - last_prune_ms_ >= kPruneIntervalMs) {
    Result<uint64_t> pruned = store_->PruneDedupe(now - options_.dedupe_window_ms);
    if (!pruned.ok()) return pruned.status();
    last_prune_ms_ = now;
    if (*pruned > 0) GS_LOG(kInfo, "Pruned deduplication records.", {{"ids", *pruned}});
  }
  return Status();
}

Status InventoryService::Flush() { return CompactIfDue(true); }

int64_t InventoryService::applied_seq() const {
  std::shared_lock lock(mu_);
  return applied_seq_;
}

}  // namespace gatescope::server
