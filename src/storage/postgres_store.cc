#include "storage/postgres_store.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace gatescope::storage {
namespace {

// Advisory lock keys (per database). kOrderLock is held from a delta's INSERT to its commit, so
// seqs (drawn from a sequence while holding it) are handed out in commit order across every
// server; kMigrationLock makes servers starting together migrate once. ASCII "gatescop" + n.
constexpr int64_t kOrderLock = 0x6761746573636f70;
constexpr int64_t kMigrationLock = kOrderLock + 1;

// Schema versions, applied in order inside one transaction holding kMigrationLock. Append,
// never edit.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE batches(key text PRIMARY KEY, received_at bigint NOT NULL);
CREATE TABLE transaction_ids(id bytea PRIMARY KEY, received_at bigint NOT NULL);
CREATE TABLE deltas(seq bigserial PRIMARY KEY, blob bytea NOT NULL);
CREATE TABLE snapshot(id integer PRIMARY KEY CHECK (id = 1), upto_seq bigint NOT NULL,
                      blob bytea NOT NULL);
CREATE TABLE secrets(name text PRIMARY KEY, value bytea NOT NULL);
)sql",
};

// Prepared on every pooled connection.
constexpr std::pair<const char*, const char*> kStatements[] = {
    {"claim_batch",
     "INSERT INTO batches(key, received_at) VALUES($1, $2) ON CONFLICT DO NOTHING RETURNING 1"},
    // $1 is the batch's ids concatenated (32 bytes each), so a batch is one parameter and one
    // round trip. Sorting makes concurrent batches with overlapping ids lock index entries in
    // one order (no deadlock); DISTINCT lets a repeated id be inserted once.
    {"claim_ids",
     "INSERT INTO transaction_ids(id, received_at) "
     "SELECT DISTINCT substring($1::bytea FROM i * 32 + 1 FOR 32), $2::bigint "
     "FROM generate_series(0, length($1::bytea) / 32 - 1) AS i ORDER BY 1 "
     "ON CONFLICT DO NOTHING RETURNING id"},
    {"order_lock", "SELECT pg_advisory_xact_lock(7449363237723926384)"},
    {"append_delta", "INSERT INTO deltas(blob) VALUES($1::bytea) RETURNING seq"},
    {"select_snapshot", "SELECT upto_seq, blob FROM snapshot WHERE id = 1"},
    {"select_snapshot_seq", "SELECT upto_seq FROM snapshot WHERE id = 1"},
    {"select_deltas", "SELECT seq, blob FROM deltas WHERE seq > $1 ORDER BY seq LIMIT $2"},
    {"last_seq",
     "SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) FROM deltas), "
     "(SELECT COALESCE(MAX(upto_seq), 0) FROM snapshot))"},
    {"upsert_snapshot",
     "INSERT INTO snapshot(id, upto_seq, blob) VALUES(1, $1, $2::bytea) "
     "ON CONFLICT(id) DO UPDATE SET upto_seq = excluded.upto_seq, blob = excluded.blob"},
    {"delete_deltas_upto", "DELETE FROM deltas WHERE seq <= $1"},
    {"prune_ids", "DELETE FROM transaction_ids WHERE received_at < $1"},
    {"prune_batches", "DELETE FROM batches WHERE received_at < $1"},
    {"select_secret", "SELECT value FROM secrets WHERE name = $1"},
    {"insert_secret",
     "INSERT INTO secrets(name, value) VALUES($1, $2::bytea) ON CONFLICT DO NOTHING"},
};
static_assert(kOrderLock == 7449363237723926384, "order_lock's literal must match kOrderLock");

// The password of a libpq URI ("scheme://user:password@host..." or "password=" parameter),
// or empty.
std::string ExtractPassword(const std::string& url) {
  const size_t authority = url.find("://");
  if (authority != std::string::npos) {
    size_t end = url.find_first_of("/?#", authority + 3);
    if (end == std::string::npos) end = url.size();
    const size_t at = url.rfind('@', end);
    const size_t colon = url.find(':', authority + 3);
    if (at != std::string::npos && at > authority && colon < at) {
      return url.substr(colon + 1, at - colon - 1);
    }
  }
  const size_t param = url.find("password=");
  if (param != std::string::npos) {
    const size_t start = param + 9;
    const size_t end = url.find_first_of("& ", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return "";
}

// libpq waits for the OS TCP timeout by default; a store that cannot be reached should say so
// sooner.
std::string WithConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

class PostgresStore;

// A bounded pool of connections: created on demand up to `capacity`, callers wait for one
// beyond that. A connection that failed is dropped instead of being returned.
class ConnectionPool {
 public:
  ConnectionPool(std::string url, size_t capacity) : url_(std::move(url)), capacity_(capacity) {}

  // Throws pqxx::broken_connection when a new connection cannot be opened.
  std::unique_ptr<pqxx::connection> Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
    lock.unlock();
    try {
      return Open();
    } catch (...) {
      Discard();
      throw;
    }
  }

  void Release(std::unique_ptr<pqxx::connection> conn) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  // Forgets a connection that is broken or in an unknown state.
  void Discard() {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
  }

  std::unique_ptr<pqxx::connection> Open() const {
    auto conn = std::make_unique<pqxx::connection>(url_);
    for (const auto& [name, sql] : kStatements) conn->prepare(name, sql);
    return conn;
  }

 private:
  const std::string url_;
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // Guarded by mu_.
  size_t open_ = 0;                                      // Guarded by mu_.
};

// A connection borrowed from the pool; returned on destruction unless marked broken.
class Lease {
 public:
  Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  ~Lease() {
    if (conn_ == nullptr) return;
    if (broken_ || !conn_->is_open()) {
      conn_.reset();
      pool_.Discard();
    } else {
      pool_.Release(std::move(conn_));
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  pqxx::connection& operator*() { return *conn_; }
  void MarkBroken() { broken_ = true; }

 private:
  ConnectionPool& pool_;
  std::unique_ptr<pqxx::connection> conn_;
  bool broken_ = false;
};

// Signals that a DeltaBuilder threw: not a database failure, never retried.
struct BuildFailed {
  Status status;
};

pqxx::binarystring Bytes(std::string_view s) { return pqxx::binarystring(s.data(), s.size()); }

std::string BytesOf(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, std::string redacted_url, std::string password)
      : redacted_url_(std::move(redacted_url)),
        password_(std::move(password)),
        pool_(std::move(url), kPoolSize) {}

  Status Migrate();

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
  std::string_view kind() const override { return "postgresql"; }

 private:
  static constexpr size_t kPoolSize = 4;

  // Runs `body(connection)` with a pooled connection. A lost connection or a serialization
  // failure/deadlock is retried once on a fresh connection, but only while `*retryable` (when
  // given) is still true: CommitBatch clears it once `build` ran, so build runs at most once.
  template <typename T, typename Body>
  Result<T> Run(std::string_view what, Body&& body, const bool* retryable = nullptr);

  Status Failure(StatusCode code, std::string_view what, const std::exception& e) const;

  std::string redacted_url_;
  std::string password_;
  ConnectionPool pool_;
};

Status PostgresStore::Failure(StatusCode code, std::string_view what,
                              const std::exception& e) const {
  std::string detail = e.what();
  // Server and libpq messages do not echo passwords, but a malformed URI may be quoted back.
  if (!password_.empty()) {
    for (size_t pos = 0; (pos = detail.find(password_, pos)) != std::string::npos;) {
      detail.replace(pos, password_.size(), "***");
    }
  }
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  return Status(
      code, "PostgreSQL " + std::string(what) + " on '" + redacted_url_ + "' failed: " + detail);
}

template <typename T, typename Body>
Result<T> PostgresStore::Run(std::string_view what, Body&& body, const bool* retryable) {
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt == 0;
    std::unique_ptr<pqxx::connection> conn;
    try {
      conn = pool_.Acquire();
    } catch (const std::exception& e) {
      if (may_retry) continue;
      return Failure(StatusCode::kUnavailable, "connecting for " + std::string(what), e);
    }
    Lease lease(pool_, std::move(conn));
    try {
      return body(*lease);
    } catch (const BuildFailed& failed) {
      return failed.status;
    } catch (const pqxx::in_doubt_error& e) {
      // The commit may or may not have happened; a retry of the batch by its sender is safe
      // because the key then reads as a duplicate.
      lease.MarkBroken();
      return Failure(StatusCode::kUnavailable, what, e);
    } catch (const pqxx::broken_connection& e) {
      lease.MarkBroken();
      if (may_retry && (retryable == nullptr || *retryable)) continue;
      return Failure(StatusCode::kUnavailable, what, e);
    } catch (const pqxx::transaction_rollback& e) {
      if (may_retry && (retryable == nullptr || *retryable)) continue;
      return Failure(StatusCode::kUnavailable, what, e);
    } catch (const pqxx::insufficient_resources& e) {
      return Failure(StatusCode::kResourceExhausted, what, e);
    } catch (const pqxx::insufficient_privilege& e) {
      return Failure(StatusCode::kPermissionDenied, what, e);
    } catch (const std::exception& e) {
      lease.MarkBroken();  // Unknown state: do not hand this connection to the next caller.
      return Failure(StatusCode::kInternal, what, e);
    }
  }
}

Status PostgresStore::Migrate() {
  Result<bool> migrated = Run<bool>("migration", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    const int64_t applied =
        tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int64_t>();
    constexpr int64_t kKnown = sizeof(kMigrations) / sizeof(kMigrations[0]);
    if (applied > kKnown) {
      throw BuildFailed{InternalError(
          "PostgreSQL store '" + redacted_url_ + "' has schema version " + std::to_string(applied) +
          ", newer than this gatescope (" + std::to_string(kKnown) + ")")};
    }
    for (int64_t version = applied + 1; version <= kKnown; ++version) {
      tx.exec(kMigrations[version - 1]);
      tx.exec("INSERT INTO schema_migrations(version) VALUES(" + std::to_string(version) + ")");
    }
    tx.commit();
    return true;
  });
  return migrated.ok() ? Status::Ok() : migrated.status();
}

Result<CommitResult> PostgresStore::CommitBatch(const BatchRecord& batch,
                                                const DeltaBuilder& build) {
  GS_RETURN_IF_ERROR(ValidateBatch(batch));
  std::string ids;
  ids.reserve(batch.ids.size() * 32);
  for (const std::string& id : batch.ids) ids += id;
  bool retryable = true;
  return Run<CommitResult>(
      "commit of a batch",
      [&](pqxx::connection& conn) {
        CommitResult result;
        pqxx::work tx(conn);
        if (tx.exec_prepared("claim_batch", batch.key, batch.received_at_ms).empty()) {
          tx.abort();
          result.duplicate_batch = true;
          return result;
        }
        std::unordered_set<std::string> inserted;
        if (!batch.ids.empty()) {
          const pqxx::result claimed =
              tx.exec_prepared("claim_ids", Bytes(ids), batch.received_at_ms);
          inserted.reserve(claimed.size());
          for (const auto& row : claimed) inserted.insert(BytesOf(row[0]));
        }
        // The first occurrence of an id in the batch takes its claim; repeats are not fresh.
        result.fresh.reserve(batch.ids.size());
        for (const std::string& id : batch.ids) result.fresh.push_back(inserted.erase(id) > 0);
        retryable = false;
        std::string delta;
        try {
          delta = build(result.fresh);
        } catch (const std::exception& e) {
          throw BuildFailed{
              InternalError(std::string("building the inventory delta failed: ") + e.what())};
        } catch (...) {
          throw BuildFailed{InternalError("building the inventory delta failed")};
        }
        if (!delta.empty()) {
          // Held until commit: the next writer draws its seq after this one is visible.
          tx.exec_prepared("order_lock");
          result.seq = tx.exec_prepared1("append_delta", Bytes(delta))[0].as<int64_t>();
        }
        tx.commit();
        return result;
      },
      &retryable);
}

Result<Snapshot> PostgresStore::LoadSnapshot() {
  return Run<Snapshot>("reading the snapshot", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::result r = tx.exec_prepared("select_snapshot");
    Snapshot snapshot;
    if (!r.empty()) {
      snapshot.upto_seq = r[0][0].as<int64_t>();
      snapshot.blob = BytesOf(r[0][1]);
    }
    return snapshot;
  });
}

Result<std::vector<Delta>> PostgresStore::ReadDeltas(int64_t after_seq, size_t limit) {
  const int64_t bounded_limit = static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX));
  return Run<std::vector<Delta>>("reading deltas", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::result r = tx.exec_prepared("select_deltas", after_seq, bounded_limit);
    std::vector<Delta> deltas;
    deltas.reserve(r.size());
    for (const auto& row : r) deltas.push_back({row[0].as<int64_t>(), BytesOf(row[1])});
    return deltas;
  });
}

Result<int64_t> PostgresStore::LastSeq() {
  return Run<int64_t>("reading the last seq", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return tx.exec_prepared1("last_seq")[0].as<int64_t>();
  });
}

Result<int64_t> PostgresStore::SnapshotSeq() {
  return Run<int64_t>("reading the snapshot seq", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::result r = tx.exec_prepared("select_snapshot_seq");
    return r.empty() ? int64_t{0} : r[0][0].as<int64_t>();
  });
}

Status PostgresStore::WriteSnapshot(int64_t upto_seq, std::string_view blob) {
  Result<bool> written = Run<bool>("writing the snapshot", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    // The order lock: no delta is between its seq and its commit while the snapshot moves.
    tx.exec_prepared("order_lock");
    const pqxx::result stored = tx.exec_prepared("select_snapshot_seq");
    if (!stored.empty() && stored[0][0].as<int64_t>() >= upto_seq) {
      tx.abort();
      return false;
    }
    tx.exec_prepared("upsert_snapshot", upto_seq, Bytes(blob));
    tx.exec_prepared("delete_deltas_upto", upto_seq);
    tx.commit();
    return true;
  });
  return written.ok() ? Status::Ok() : written.status();
}

Result<uint64_t> PostgresStore::PruneDedupe(int64_t before_ms) {
  return Run<uint64_t>("pruning deduplication state", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    const pqxx::result ids = tx.exec_prepared("prune_ids", before_ms);
    tx.exec_prepared("prune_batches", before_ms);
    tx.commit();
    return static_cast<uint64_t>(ids.affected_rows());
  });
}

Result<std::string> PostgresStore::GetOrCreateSecret(std::string_view name,
                                                     const std::function<std::string()>& make) {
  const std::string key(name);
  return Run<std::string>("reading secret '" + key + "'", [&](pqxx::connection& conn) {
    {
      pqxx::read_transaction tx(conn);
      const pqxx::result r = tx.exec_prepared("select_secret", key);
      if (!r.empty()) return BytesOf(r[0][0]);
    }
    // Insert-if-absent then read back: concurrent first uses all return the winner's value.
    pqxx::work tx(conn);
    tx.exec_prepared("insert_secret", key, Bytes(make()));
    std::string value = BytesOf(tx.exec_prepared1("select_secret", key)[0]);
    tx.commit();
    return value;
  });
}

Status PostgresStore::Ping() {
  Result<bool> pinged = Run<bool>("ping", [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    tx.exec1("SELECT 1");
    return true;
  });
  return pinged.ok() ? Status::Ok() : pinged.status();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& /*options*/) {
  auto store = std::make_unique<PostgresStore>(WithConnectTimeout(url), RedactStoreUrl(url),
                                               ExtractPassword(url));
  GS_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace gatescope::storage
