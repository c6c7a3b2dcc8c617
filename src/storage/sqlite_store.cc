#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace gatescope::storage {
namespace {

// Schema versions, applied in order inside one write transaction; the applied ones are
// recorded in schema_migrations. Append, never edit: a released migration is history.
//
// transaction_ids is an append-only log (rowid order), not a B-tree keyed by id: ids are
// SHA-256 values, so a unique index puts each insert on a random page, and SQLite's WAL writes
// whole pages: with a table of a million ids every 1,000-id commit wrote ~1,000 pages (4 MB)
// and reached ~14 commits/s. Uniqueness is checked in memory (FingerprintSet) instead; the log
// is ~12 pages per 1,000 ids. See docs/specs/storage.md. deltas uses AUTOINCREMENT so that a
// seq is never reused after compaction has deleted every row.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE batches(key TEXT PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE transaction_ids(seq INTEGER PRIMARY KEY, id BLOB NOT NULL,
                             received_at INTEGER NOT NULL);
CREATE TABLE deltas(seq INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
CREATE TABLE snapshot(id INTEGER PRIMARY KEY CHECK (id = 1), upto_seq INTEGER NOT NULL,
                      blob BLOB NOT NULL);
CREATE TABLE secrets(name TEXT PRIMARY KEY, value BLOB NOT NULL);
)sql",
};

// The ids of the transaction_ids log, as 64-bit fingerprints in an open-addressing hash set
// (linear probing, backward-shift deletion): 8 bytes a slot, at most 70% full, so 11-23 bytes
// per remembered id. Ids are SHA-256 values, so two distinct ids share a fingerprint with
// probability n / 2^64 (n remembered ids): a new id would then be taken for a duplicate.
//
// Thread-safety: none; SqliteStore guards it with its mutex.
class FingerprintSet {
 public:
  static uint64_t Of(std::string_view id) {
    uint64_t fp = 0;
    for (size_t i = 0; i + 8 <= id.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, id.data() + i, sizeof(word));
      fp ^= word;
    }
    return fp == kEmpty ? 1 : fp;  // 0 marks an empty slot.
  }

  bool Contains(uint64_t fp) const {
    if (slots_.empty()) return false;
    for (size_t i = Home(fp);; i = (i + 1) & mask_) {
      if (slots_[i] == fp) return true;
      if (slots_[i] == kEmpty) return false;
    }
  }

  void Insert(uint64_t fp) {
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    size_t i = Home(fp);
    while (slots_[i] != kEmpty) {
      if (slots_[i] == fp) return;
      i = (i + 1) & mask_;
    }
    slots_[i] = fp;
    ++size_;
  }

  void Erase(uint64_t fp) {
    if (slots_.empty()) return;
    size_t i = Home(fp);
    while (slots_[i] != fp) {
      if (slots_[i] == kEmpty) return;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later members of the probe run into the hole, so no lookup ever
    // stops early at it.
    for (size_t j = (i + 1) & mask_; slots_[j] != kEmpty; j = (j + 1) & mask_) {
      const size_t home = Home(slots_[j]);
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = kEmpty;
    --size_;
  }

  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = 0;
  size_t Home(uint64_t fp) const {
    return static_cast<size_t>(fp * 0x9e3779b97f4a7c15ULL >> 17) & mask_;
  }
  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (uint64_t fp : old) {
      if (fp != kEmpty) Insert(fp);
    }
  }

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// A prepared statement, reset after every use so it can be reused.
class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  int Prepare(sqlite3* db, const char* sql) {
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement (and clears its bindings) when the scope ends, whatever the outcome.
class StatementUse {
 public:
  explicit StatementUse(const Statement& s) : stmt_(s.get()) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  sqlite3_stmt* operator*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  ~SqliteStore() override {
    // Statements first: sqlite3_close refuses while any is alive.
    statements_.clear();
    sqlite3_close(db_);
  }

  Status Initialize(const StoreOptions& options);

  Result<CommitResult> CommitBatch(const BatchRecord& batch, const DeltaBuilder& build) override;
  Result<Snapshot> LoadSnapshot() override;
  Result<std::vector<Delta>> ReadDeltas(int64_t after_seq, size_t limit) override;
  Result<int64_t> LastSeq() override;
  Result<int64_t> SnapshotSeq() override;
  Status WriteSnapshot(int64_t upto_seq, std::string_view blob) override;
  Result<uint64_t> PruneDedupe(int64_t before_ms) override;
  Result<std::string> GetOrCreateSecret(std::string_view name,
                                        const std::function<std::string()>& make) override;
  Status Ping() override;
  std::string_view kind() const override { return "sqlite"; }

 private:
  // Indexes into statements_.
  enum StatementId {
    kBegin,
    kCommit,
    kRollback,
    kSavepoint,
    kRelease,
    kRollbackTo,
    kClaimBatch,
    kClaimId,
    kSelectIdsAfter,
    kAppendDelta,
    kSelectSnapshot,
    kSelectDeltas,
    kLastDeltaSeq,
    kUpsertSnapshot,
    kDeleteDeltasUpTo,
    kPruneIds,
    kPruneBatches,
    kSelectSecret,
    kInsertSecret,
    kPing,
    kStatementCount,
  };

  Status Error(int rc, std::string_view what) const;
  Status Exec(const char* sql, std::string_view what);
  // Steps a statement that returns no row.
  Status Run(StatementId id, std::string_view what);
  Status Begin() { return Run(kBegin, "BEGIN IMMEDIATE"); }
  Status Commit() { return Run(kCommit, "COMMIT"); }
  void Rollback() {
    // Fails harmlessly when SQLite already rolled back (e.g. after SQLITE_FULL).
    if (sqlite3_get_autocommit(db_) == 0) (void)Run(kRollback, "ROLLBACK");
  }
  Status Migrate();
  Status PrepareStatements();
  // One CommitBatch call waiting in the group-commit queue; lives on its caller's stack.
  struct QueuedCommit {
    const BatchRecord* batch;
    const DeltaBuilder* build;
    Result<CommitResult> result = InternalError("batch was not committed");
    bool done = false;  // Guarded by queue_mu_.
  };
  void CommitGroupLocked(const std::vector<QueuedCommit*>& group);
  Result<CommitResult> CommitLocked(const BatchRecord& batch, const DeltaBuilder& build);
  Result<Snapshot> LoadSnapshotLocked();
  Result<int64_t> LastDeltaSeqLocked();
  Result<std::string> SelectSecretLocked(std::string_view name, bool* found);
  // Adds the ids other connections appended since we last looked (all of them at open).
  // REQUIRES: inside a write transaction, so that what is read is committed and complete.
  Status CatchUpIdsLocked();

  const std::string path_;
  std::mutex mu_;
  sqlite3* db_;  // Guarded by mu_ once Initialize has returned.
  std::vector<std::unique_ptr<Statement>> statements_;
  FingerprintSet ids_;   // Guarded by mu_: every id of transaction_ids up to ids_seq_.
  int64_t ids_seq_ = 0;  // Guarded by mu_.
  // Of the transaction in progress (guarded by mu_): its new ids, merged into ids_ on commit.
  std::vector<uint64_t> pending_ids_;
  FingerprintSet pending_set_;
  int64_t pending_ids_seq_ = 0;

  // The group-commit queue (see CommitBatch). queue_mu_ is never held while waiting for mu_.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<QueuedCommit*> queue_;  // Guarded by queue_mu_.
  bool leader_active_ = false;        // Guarded by queue_mu_.
};

Status SqliteStore::Error(int rc, std::string_view what) const {
  std::string message =
      "SQLite " + std::string(what) + " on '" + path_ + "' failed: " + sqlite3_errstr(rc);
  if (db_ != nullptr && sqlite3_errcode(db_) == rc) {
    message += std::string(" (") + sqlite3_errmsg(db_) + ")";
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return UnavailableError(std::move(message));
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

Status SqliteStore::Exec(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, what);
  return Status::Ok();
}

Status SqliteStore::Run(StatementId id, std::string_view what) {
  StatementUse use(*statements_[id]);
  const int rc = sqlite3_step(*use);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(rc, what);
  return Status::Ok();
}

Status SqliteStore::Initialize(const StoreOptions& options) {
  sqlite3_extended_result_codes(db_, 1);
  const int rc = sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout_ms));
  if (rc != SQLITE_OK) return Error(rc, "busy_timeout");
  // WAL: readers never block the writer and a commit appends to one file.
  GS_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL", "PRAGMA journal_mode"));
  GS_RETURN_IF_ERROR(
      Exec(options.sqlite_full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
           "PRAGMA synchronous"));
  GS_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys"));
  GS_RETURN_IF_ERROR(Exec("PRAGMA cache_size=-65536", "PRAGMA cache_size"));
  GS_RETURN_IF_ERROR(Exec("PRAGMA temp_store=MEMORY", "PRAGMA temp_store"));
  GS_RETURN_IF_ERROR(Migrate());
  GS_RETURN_IF_ERROR(PrepareStatements());
  GS_RETURN_IF_ERROR(Begin());
  Status loaded = CatchUpIdsLocked();
  Rollback();
  return loaded;
}

Status SqliteStore::CatchUpIdsLocked() {
  StatementUse select(*statements_[kSelectIdsAfter]);
  sqlite3_bind_int64(*select, 1, ids_seq_);
  int rc;
  while ((rc = sqlite3_step(*select)) == SQLITE_ROW) {
    ids_seq_ = sqlite3_column_int64(*select, 0);
    const void* id = sqlite3_column_blob(*select, 1);
    ids_.Insert(FingerprintSet::Of(std::string_view(
        static_cast<const char*>(id), static_cast<size_t>(sqlite3_column_bytes(*select, 1)))));
  }
  if (rc != SQLITE_DONE) return Error(rc, "reading transaction ids");
  return Status::Ok();
}

Status SqliteStore::Migrate() {
  // BEGIN IMMEDIATE takes the write lock first, so two processes opening one new file migrate
  // it once.
  GS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "BEGIN IMMEDIATE (migrations)"));
  Status status = Exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY)",
                       "CREATE TABLE schema_migrations");
  int64_t applied = 0;
  if (status.ok()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
                                &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      applied = sqlite3_column_int64(stmt, 0);
    } else {
      status = Error(rc, "reading schema_migrations");
    }
    sqlite3_finalize(stmt);
  }
  constexpr int64_t kKnown = sizeof(kMigrations) / sizeof(kMigrations[0]);
  if (status.ok() && applied > kKnown) {
    status =
        InternalError("SQLite store '" + path_ + "' has schema version " + std::to_string(applied) +
                      ", newer than this gatescope (" + std::to_string(kKnown) + ")");
  }
  for (int64_t version = applied + 1; status.ok() && version <= kKnown; ++version) {
    status = Exec(kMigrations[version - 1], "migration " + std::to_string(version));
    if (!status.ok()) break;
    const std::string record =
        "INSERT INTO schema_migrations(version) VALUES(" + std::to_string(version) + ")";
    status = Exec(record.c_str(), "recording migration " + std::to_string(version));
  }
  if (!status.ok()) {
    (void)Exec("ROLLBACK", "ROLLBACK (migrations)");
    return status;
  }
  return Exec("COMMIT", "COMMIT (migrations)");
}

Status SqliteStore::PrepareStatements() {
  static constexpr std::pair<StatementId, const char*> kSql[] = {
      {kBegin, "BEGIN IMMEDIATE"},
      {kCommit, "COMMIT"},
      {kRollback, "ROLLBACK"},
      {kSavepoint, "SAVEPOINT batch"},
      {kRelease, "RELEASE batch"},
      {kRollbackTo, "ROLLBACK TO batch"},
      {kClaimBatch, "INSERT INTO batches(key, received_at) VALUES(?1, ?2) ON CONFLICT DO NOTHING"},
      {kClaimId, "INSERT INTO transaction_ids(id, received_at) VALUES(?1, ?2)"},
      {kSelectIdsAfter, "SELECT seq, id FROM transaction_ids WHERE seq > ?1 ORDER BY seq"},
      {kAppendDelta, "INSERT INTO deltas(blob) VALUES(?1)"},
      {kSelectSnapshot, "SELECT upto_seq, blob FROM snapshot WHERE id = 1"},
      {kSelectDeltas, "SELECT seq, blob FROM deltas WHERE seq > ?1 ORDER BY seq LIMIT ?2"},
      {kLastDeltaSeq, "SELECT COALESCE(MAX(seq), 0) FROM deltas"},
      {kUpsertSnapshot,
       "INSERT INTO snapshot(id, upto_seq, blob) VALUES(1, ?1, ?2) "
       "ON CONFLICT(id) DO UPDATE SET upto_seq = excluded.upto_seq, blob = excluded.blob"},
      {kDeleteDeltasUpTo, "DELETE FROM deltas WHERE seq <= ?1"},
      {kPruneIds, "DELETE FROM transaction_ids WHERE received_at < ?1 RETURNING id"},
      {kPruneBatches, "DELETE FROM batches WHERE received_at < ?1"},
      {kSelectSecret, "SELECT value FROM secrets WHERE name = ?1"},
      {kInsertSecret, "INSERT INTO secrets(name, value) VALUES(?1, ?2) ON CONFLICT DO NOTHING"},
      {kPing, "SELECT 1"},
  };
  statements_.resize(kStatementCount);
  for (const auto& [id, sql] : kSql) {
    statements_[id] = std::make_unique<Statement>();
    const int rc = statements_[id]->Prepare(db_, sql);
    if (rc != SQLITE_OK) return Error(rc, std::string("preparing '") + sql + "'");
  }
  return Status::Ok();
}

// Group commit: callers queue their batch; one of them (the leader) takes every queued batch
// and commits them in one transaction, so they share one WAL fsync (~4 ms on this class of
// disk, more than the CPU work of a 1,000-id batch). Each batch runs inside its own SAVEPOINT:
// one that fails is rolled back alone, and its caller gets the error.
Result<CommitResult> SqliteStore::CommitBatch(const BatchRecord& batch, const DeltaBuilder& build) {
  GS_RETURN_IF_ERROR(ValidateBatch(batch));
  QueuedCommit me{.batch = &batch, .build = &build};
  std::unique_lock queue_lock(queue_mu_);
  queue_.push_back(&me);
  queue_cv_.wait(queue_lock, [&] { return me.done || !leader_active_; });
  if (me.done) return std::move(me.result);
  leader_active_ = true;
  std::vector<QueuedCommit*> group;
  group.swap(queue_);
  queue_lock.unlock();
  {
    std::lock_guard lock(mu_);
    CommitGroupLocked(group);
  }
  queue_lock.lock();
  for (QueuedCommit* commit : group) commit->done = true;
  leader_active_ = false;
  queue_lock.unlock();
  queue_cv_.notify_all();
  return std::move(me.result);
}

void SqliteStore::CommitGroupLocked(const std::vector<QueuedCommit*>& group) {
  const auto fail_all = [&](const Status& status) {
    for (QueuedCommit* commit : group) commit->result = status;
  };
  if (Status begun = Begin(); !begun.ok()) return fail_all(begun);
  pending_ids_.clear();
  pending_set_ = FingerprintSet();
  // Once, before any of our own inserts: afterwards rows past ids_seq_ are ours, uncommitted.
  if (Status caught_up = CatchUpIdsLocked(); !caught_up.ok()) {
    Rollback();
    return fail_all(caught_up);
  }
  bool any_stored = false;
  for (QueuedCommit* commit : group) {
    const size_t pending_mark = pending_ids_.size();
    const int64_t seq_mark = pending_ids_seq_;
    if (Status saved = Run(kSavepoint, "SAVEPOINT"); !saved.ok()) {
      commit->result = saved;
      continue;
    }
    commit->result = CommitLocked(*commit->batch, *commit->build);
    if (commit->result.ok() && !commit->result->duplicate_batch) {
      Status released = Run(kRelease, "RELEASE");
      if (released.ok()) {
        any_stored = true;
        continue;
      }
      commit->result = released;
    }
    // Undo this batch only: its rows, and its ids in the pending set.
    (void)Run(kRollbackTo, "ROLLBACK TO");
    (void)Run(kRelease, "RELEASE");
    for (size_t i = pending_mark; i < pending_ids_.size(); ++i) pending_set_.Erase(pending_ids_[i]);
    pending_ids_.resize(pending_mark);
    pending_ids_seq_ = seq_mark;
  }
  if (!any_stored) return Rollback();
  if (Status committed = Commit(); !committed.ok()) {
    Rollback();
    for (QueuedCommit* commit : group) {
      if (commit->result.ok()) commit->result = committed;
    }
    return;
  }
  for (uint64_t fp : pending_ids_) ids_.Insert(fp);
  if (!pending_ids_.empty()) ids_seq_ = pending_ids_seq_;
}

// Inside BEGIN IMMEDIATE; the caller commits or rolls back.
Result<CommitResult> SqliteStore::CommitLocked(const BatchRecord& batch,
                                               const DeltaBuilder& build) {
  CommitResult result;
  {
    StatementUse claim(*statements_[kClaimBatch]);
    sqlite3_bind_text(*claim, 1, batch.key.data(), static_cast<int>(batch.key.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(*claim, 2, batch.received_at_ms);
    const int rc = sqlite3_step(*claim);
    if (rc != SQLITE_DONE) return Error(rc, "claiming batch key");
    if (sqlite3_changes(db_) == 0) {
      result.duplicate_batch = true;
      return result;
    }
  }
  // An id is fresh when neither the log nor an earlier id of this group has it; only fresh ids
  // are appended, so the log holds each id once.
  result.fresh.reserve(batch.ids.size());
  pending_ids_.reserve(batch.ids.size());
  {
    StatementUse claim(*statements_[kClaimId]);
    sqlite3_bind_int64(*claim, 2, batch.received_at_ms);
    for (const std::string& id : batch.ids) {
      const uint64_t fp = FingerprintSet::Of(id);
      const bool fresh = !ids_.Contains(fp) && !pending_set_.Contains(fp);
      result.fresh.push_back(fresh);
      if (!fresh) continue;
      pending_ids_.push_back(fp);
      pending_set_.Insert(fp);
      sqlite3_bind_blob(*claim, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      const int rc = sqlite3_step(*claim);
      if (rc != SQLITE_DONE) return Error(rc, "claiming transaction ids");
      sqlite3_reset(*claim);
    }
    if (!pending_ids_.empty()) pending_ids_seq_ = sqlite3_last_insert_rowid(db_);
  }
  std::string delta;
  try {
    delta = build(result.fresh);
  } catch (const std::exception& e) {
    return InternalError(std::string("building the inventory delta failed: ") + e.what());
  } catch (...) {
    return InternalError("building the inventory delta failed");
  }
  if (delta.empty()) return result;
  StatementUse append(*statements_[kAppendDelta]);
  sqlite3_bind_blob64(*append, 1, delta.data(), delta.size(), SQLITE_STATIC);
  const int rc = sqlite3_step(*append);
  if (rc != SQLITE_DONE) return Error(rc, "appending delta");
  result.seq = sqlite3_last_insert_rowid(db_);
  return result;
}

Result<Snapshot> SqliteStore::LoadSnapshotLocked() {
  StatementUse select(*statements_[kSelectSnapshot]);
  const int rc = sqlite3_step(*select);
  Snapshot snapshot;
  if (rc == SQLITE_DONE) return snapshot;
  if (rc != SQLITE_ROW) return Error(rc, "reading snapshot");
  snapshot.upto_seq = sqlite3_column_int64(*select, 0);
  const void* blob = sqlite3_column_blob(*select, 1);
  snapshot.blob.assign(static_cast<const char*>(blob),
                       static_cast<size_t>(sqlite3_column_bytes(*select, 1)));
  return snapshot;
}

Result<Snapshot> SqliteStore::LoadSnapshot() {
  std::lock_guard lock(mu_);
  return LoadSnapshotLocked();
}

Result<std::vector<Delta>> SqliteStore::ReadDeltas(int64_t after_seq, size_t limit) {
  std::lock_guard lock(mu_);
  StatementUse select(*statements_[kSelectDeltas]);
  sqlite3_bind_int64(*select, 1, after_seq);
  sqlite3_bind_int64(*select, 2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<Delta> deltas;
  int rc;
  while ((rc = sqlite3_step(*select)) == SQLITE_ROW) {
    Delta& delta = deltas.emplace_back();
    delta.seq = sqlite3_column_int64(*select, 0);
    const void* blob = sqlite3_column_blob(*select, 1);
    delta.blob.assign(static_cast<const char*>(blob),
                      static_cast<size_t>(sqlite3_column_bytes(*select, 1)));
  }
  if (rc != SQLITE_DONE) return Error(rc, "reading deltas");
  return deltas;
}

Result<int64_t> SqliteStore::LastDeltaSeqLocked() {
  StatementUse select(*statements_[kLastDeltaSeq]);
  const int rc = sqlite3_step(*select);
  if (rc != SQLITE_ROW) return Error(rc, "reading the last seq");
  return sqlite3_column_int64(*select, 0);
}

Result<int64_t> SqliteStore::LastSeq() {
  std::lock_guard lock(mu_);
  // Compaction may have deleted every delta: the snapshot then holds the newest seq.
  GS_ASSIGN_OR_RETURN(const int64_t newest_delta, LastDeltaSeqLocked());
  GS_ASSIGN_OR_RETURN(const Snapshot snapshot, LoadSnapshotLocked());
  return std::max(newest_delta, snapshot.upto_seq);
}

Result<int64_t> SqliteStore::SnapshotSeq() {
  std::lock_guard lock(mu_);
  GS_ASSIGN_OR_RETURN(const Snapshot snapshot, LoadSnapshotLocked());
  return snapshot.upto_seq;
}

Status SqliteStore::WriteSnapshot(int64_t upto_seq, std::string_view blob) {
  std::lock_guard lock(mu_);
  GS_RETURN_IF_ERROR(Begin());
  const auto write = [&]() -> Status {
    GS_ASSIGN_OR_RETURN(const Snapshot stored, LoadSnapshotLocked());
    if (stored.upto_seq >= upto_seq) return Status::Ok();
    {
      StatementUse upsert(*statements_[kUpsertSnapshot]);
      sqlite3_bind_int64(*upsert, 1, upto_seq);
      sqlite3_bind_blob64(*upsert, 2, blob.data(), blob.size(), SQLITE_STATIC);
      const int rc = sqlite3_step(*upsert);
      if (rc != SQLITE_DONE) return Error(rc, "writing snapshot");
    }
    StatementUse remove(*statements_[kDeleteDeltasUpTo]);
    sqlite3_bind_int64(*remove, 1, upto_seq);
    const int rc = sqlite3_step(*remove);
    if (rc != SQLITE_DONE) return Error(rc, "deleting compacted deltas");
    return Status::Ok();
  };
  if (Status status = write(); !status.ok()) {
    Rollback();
    return status;
  }
  if (Status status = Commit(); !status.ok()) {
    Rollback();
    return status;
  }
  return Status::Ok();
}

Result<uint64_t> SqliteStore::PruneDedupe(int64_t before_ms) {
  std::lock_guard lock(mu_);
  GS_RETURN_IF_ERROR(Begin());
  std::vector<uint64_t> removed_ids;
  const auto prune = [&]() -> Status {
    GS_RETURN_IF_ERROR(CatchUpIdsLocked());
    {
      StatementUse ids(*statements_[kPruneIds]);
      sqlite3_bind_int64(*ids, 1, before_ms);
      int rc;
      while ((rc = sqlite3_step(*ids)) == SQLITE_ROW) {
        const void* id = sqlite3_column_blob(*ids, 0);
        removed_ids.push_back(FingerprintSet::Of(std::string_view(
            static_cast<const char*>(id), static_cast<size_t>(sqlite3_column_bytes(*ids, 0)))));
      }
      if (rc != SQLITE_DONE) return Error(rc, "pruning transaction ids");
    }
    StatementUse batches(*statements_[kPruneBatches]);
    sqlite3_bind_int64(*batches, 1, before_ms);
    const int rc = sqlite3_step(*batches);
    if (rc != SQLITE_DONE) return Error(rc, "pruning batch keys");
    return Status::Ok();
  };
  if (Status status = prune(); !status.ok()) {
    Rollback();
    return status;
  }
  if (Status status = Commit(); !status.ok()) {
    Rollback();
    return status;
  }
  // Another process on the same file that prunes leaves these in our set: they then stay
  // "seen" here until restart, a longer window, never a lost transaction.
  for (uint64_t fp : removed_ids) ids_.Erase(fp);
  return static_cast<uint64_t>(removed_ids.size());
}

Result<std::string> SqliteStore::SelectSecretLocked(std::string_view name, bool* found) {
  StatementUse select(*statements_[kSelectSecret]);
  sqlite3_bind_text(*select, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(*select);
  *found = rc == SQLITE_ROW;
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return Error(rc, "reading secret '" + std::string(name) + "'");
  const void* value = sqlite3_column_blob(*select, 0);
  return std::string(static_cast<const char*>(value),
                     static_cast<size_t>(sqlite3_column_bytes(*select, 0)));
}

Result<std::string> SqliteStore::GetOrCreateSecret(std::string_view name,
                                                   const std::function<std::string()>& make) {
  std::lock_guard lock(mu_);
  bool found = false;
  GS_ASSIGN_OR_RETURN(std::string existing, SelectSecretLocked(name, &found));
  if (found) return existing;
  // Another process on the same file may create it at the same time: insert-if-absent, then
  // read back whichever value won.
  const std::string made = make();
  {
    StatementUse insert(*statements_[kInsertSecret]);
    sqlite3_bind_text(*insert, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
    sqlite3_bind_blob64(*insert, 2, made.data(), made.size(), SQLITE_STATIC);
    const int rc = sqlite3_step(*insert);
    if (rc != SQLITE_DONE) return Error(rc, "creating secret '" + std::string(name) + "'");
  }
  GS_ASSIGN_OR_RETURN(std::string stored, SelectSecretLocked(name, &found));
  if (!found) return InternalError("secret '" + std::string(name) + "' vanished after insert");
  return stored;
}

Status SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  return Run(kPing, "ping");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  sqlite3* db = nullptr;
  // NOMUTEX: SqliteStore serializes every use of its one connection itself.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto store = std::make_unique<SqliteStore>(path, db);
  if (rc != SQLITE_OK) {
    return UnavailableError("opening SQLite store '" + path + "' failed: " +
                            (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  GS_RETURN_IF_ERROR(store->Initialize(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace gatescope::storage
