#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "inventory/inventory.h"
#include "model/http_transaction.h"
#include "server/metrics.h"
#include "storage/store.h"

namespace gatescope::server {

// What one ingested batch did.
struct IngestOutcome {
  bool duplicate_batch = false;
  uint64_t received = 0;    // Transactions in the request.
  uint64_t accepted = 0;    // New ones, now in the inventory.
  uint64_t duplicates = 0;  // Ids stored before.
  uint64_t unattributed = 0;  // Accepted but naming no endpoint (no method or path).
};

// The inventory kept in memory over the store: ingest appends a delta to the store (durably)
// and then merges it into the live inventory; other servers' deltas are read back and merged
// in sequence order; snapshots compact the delta log. Readers get a rendered snapshot that is
// at most `render_interval` old.
//
// Thread-safety: every method may be called from any thread.
class InventoryService {
 public:
  struct Options {
    int64_t compact_every_deltas = 1000;
    int64_t compact_interval_ms = 60000;
    int64_t render_interval_ms = 1000;
    int64_t dedupe_window_ms = 168LL * 3600 * 1000;
  };
  // Loads the snapshot and every delta after it.
  static Result<std::unique_ptr<InventoryService>> Open(std::unique_ptr<storage::Store> store,
                                                        inventory::DiscoveryOptions discovery,
                                                        Options options, const Clock& clock,
                                                        Metrics* metrics);
  ~InventoryService();

  // Adds transactions (each with its id: 64 hex digits, or any text, which is hashed) under
  // an idempotency key. Durable when it returns OK; an error means nothing was stored.
  Result<IngestOutcome> Ingest(std::string_view idempotency_key,
                               std::span<const model::HttpTransaction> txs);

  // The rendered inventory, re-rendered when it changed and the last one is older than
  // render_interval (or `fresh`).
  std::shared_ptr<const inventory::Inventory::Snapshot> View(bool fresh = false);

  // Background upkeep, called periodically by the server: merges other servers' deltas,
  // compacts, prunes deduplication records.
  Status Poll();
  // Writes a snapshot now if any delta is not in one (graceful shutdown).
  Status Flush();

  storage::Store& store() { return *store_; }
  int64_t applied_seq() const;

 private:
  InventoryService(std::unique_ptr<storage::Store> store, inventory::DiscoveryOptions discovery,
                   Options options, const Clock& clock, Metrics* metrics);
  Status Reload();
  Status CatchUpLocked(int64_t upto_seq);
  Status CompactIfDue(bool force);

  std::unique_ptr<storage::Store> store_;
  inventory::DiscoveryOptions discovery_;
  Options options_;
  const Clock& clock_;
  Metrics* metrics_;

  mutable std::shared_mutex mu_;  // Guards live_, applied_seq_, deltas_since_snapshot_.
  std::unique_ptr<inventory::Inventory> live_;
  int64_t applied_seq_ = 0;
  int64_t deltas_since_snapshot_ = 0;
  int64_t last_compact_ms_ = 0;
  int64_t last_prune_ms_ = 0;
  uint64_t version_ = 0;  // Bumped by every merge.

  std::mutex view_mu_;
  std::shared_ptr<const inventory::Inventory::Snapshot> view_;
  uint64_t view_version_ = ~0ull;
  int64_t view_rendered_ms_ = 0;
  std::mutex compact_mu_;
};

}  // namespace gatescope::server
