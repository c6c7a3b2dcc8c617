#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace gatescope::storage {

// One ingested batch, as the store records it for deduplication.
struct BatchRecord {
  std::string key;               // The Idempotency-Key (64 lowercase hex digits).
  std::vector<std::string> ids;  // Transaction ids, each 32 raw bytes (SHA-256), in batch order.
  int64_t received_at_ms = 0;
};

// What CommitBatch did.
struct CommitResult {
  bool duplicate_batch = false;  // The key was already stored: nothing else was done.
  std::vector<bool> fresh;       // Per id of the batch: false when an earlier batch had it.
  int64_t seq = 0;               // The appended delta's sequence number; 0 when none was.
};

// An inventory delta (an encoded inventory::Inventory, opaque to the store) and its place in
// the store's total order.
struct Delta {
  int64_t seq = 0;
  std::string blob;
};

// The merge of every delta up to `upto_seq` (0 and empty when none was written yet).
struct Snapshot {
  int64_t upto_seq = 0;
  std::string blob;
};

// Given which ids of a batch are fresh, returns the encoded delta to append; an empty string
// appends nothing (every transaction was a duplicate). Called inside the store's transaction.
using DeltaBuilder = std::function<std::string(const std::vector<bool>& fresh)>;

// The server's persistent state: the inventory as a snapshot plus an append-only log of
// deltas, and what deduplication needs (batch keys, transaction ids). Deltas are merged
// commutatively by every server reading them, so several servers on one database build one
// inventory; nothing is ever updated in place except by compaction (WriteSnapshot).
//
// Sequence numbers are assigned in commit order: when CommitBatch returns seq S, every delta
// with a smaller seq is committed and visible (gaps may exist, e.g. after a rollback).
//
// Thread-safety: every method may be called from any thread; adapters serialize internally.
class Store {
 public:
  virtual ~Store() = default;

  // Atomically: claims `batch.key` (if already claimed, returns duplicate_batch and does
  // nothing else), claims the ids (an id claimed before is not fresh), calls `build` once with
  // the freshness of each id and appends its non-empty result as a delta. Durable when it
  // returns OK (the transaction is committed and synced). On error nothing was stored.
  // An exception thrown by `build` is caught: the transaction rolls back and kInternal is
  // returned. kInvalidArgument when ValidateBatch(batch) fails; kUnavailable when the database
  // cannot be reached or is busy.
  virtual Result<CommitResult> CommitBatch(const BatchRecord& batch, const DeltaBuilder& build) = 0;

  virtual Result<Snapshot> LoadSnapshot() = 0;
  // Deltas with seq > after_seq, in seq order, at most `limit`.
  virtual Result<std::vector<Delta>> ReadDeltas(int64_t after_seq, size_t limit) = 0;
  // The seq of the newest committed delta, including deltas already folded into the snapshot
  // (0 if none), and the snapshot's upto_seq.
  virtual Result<int64_t> LastSeq() = 0;
  virtual Result<int64_t> SnapshotSeq() = 0;

  // Compaction: stores `blob` (the merge of the current snapshot and every delta up to
  // `upto_seq`) as the snapshot and deletes those deltas, in one transaction. Does nothing
  // and returns OK when the stored snapshot is already at or past `upto_seq` (another server
  // compacted first).
  virtual Status WriteSnapshot(int64_t upto_seq, std::string_view blob) = 0;

  // Forgets batch keys and transaction ids received before `before_ms` (the deduplication
  // window). Returns how many ids were removed.
  virtual Result<uint64_t> PruneDedupe(int64_t before_ms) = 0;

  // A server-wide secret (the token signing key), created by `make` on first use and shared by
  // every server on this store. Concurrent first uses agree on one value.
  virtual Result<std::string> GetOrCreateSecret(std::string_view name,
                                                const std::function<std::string()>& make) = 0;

  // A cheap round trip to the database, for /readyz.
  virtual Status Ping() = 0;

  virtual std::string_view kind() const = 0;  // "sqlite" or "postgresql".
};

struct StoreOptions {
  // SQLite: fsync the WAL at every commit (synchronous=FULL), so an acknowledged batch survives
  // power loss as well as a crash; NORMAL survives a process crash (kill -9) only.
  bool sqlite_full_sync = true;
  int64_t busy_timeout_ms = 5000;
};

// Opens (creating and migrating as needed) the store named by `url`:
//   "sqlite:PATH" or a plain path              -> the embedded SQLite store (one file, WAL);
//   "postgresql://..." or "postgres://..."     -> PostgreSQL (libpq connection URI).
// Errors name the URL without its password.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options = {});

// OK when `batch` is what CommitBatch accepts: a non-empty key and ids of exactly 32 bytes;
// kInvalidArgument naming the offending field otherwise. Every adapter checks it first.
Status ValidateBatch(const BatchRecord& batch);

// `url` with any password replaced by "***", for logs and errors.
std::string RedactStoreUrl(std::string_view url);

}  // namespace gatescope::storage
