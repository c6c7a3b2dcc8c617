#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_client.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/status.h"
#include "delivery/batch.h"

namespace gatescope::delivery {

// A batch as it was spilled, with why and when.
struct SpilledBatch {
  std::string key;            // The store's key: "<yyyymmddThhmmss.mmmZ>-<16 hex>".
  std::string reason;         // Bounded snake_case, e.g. "http_400", "deadline".
  int64_t spilled_at_ms = 0;  // Clock::Now() at Put, ms since the epoch.
  Batch batch;                // shrunk and raw_bytes are kept too.
  std::string detail;         // Free text (a status message); never a body or a secret.
};

// Where batches that could not be delivered go, so that no event is lost; replayed later by a
// command. One file or object per batch holds the body and its metadata.
//
// Thread-safety: all methods may be called from several threads.
class SpillStore {
 public:
  virtual ~SpillStore() = default;

  // Stores the batch durably (the file is fsync'ed and renamed into place; the S3 object is
  // written whole) with the reason (bounded snake_case, e.g. "http_400", "deadline",
  // "retries_exhausted") and a detail string (cut to 1,024 bytes). Returns an error only when
  // the batch could not be stored: kInvalidArgument for a reason that is not snake_case, the
  // file system's or S3's error otherwise. Putting the same batch twice in one millisecond
  // stores it once.
  virtual Status Put(const Batch& batch, std::string_view reason, std::string_view detail) = 0;

  // Keys of the stored batches, oldest first. Files or objects whose name is not a spill key
  // are ignored.
  virtual Result<std::vector<std::string>> List() = 0;

  // The batch under `key`. kInvalidArgument for a malformed key, kNotFound when absent,
  // kParseError when the record is corrupt (truncated, body checksum mismatch, bad metadata).
  virtual Result<SpilledBatch> Get(std::string_view key) = 0;

  // Removes the batch under `key`; a missing key is not an error. kInvalidArgument for a
  // malformed key.
  virtual Status Delete(std::string_view key) = 0;

  // Where the batches go, for logs: "/var/spool/gatescope" or "s3://bucket/prefix/".
  virtual std::string Describe() const = 0;
};

// Batches as files "<key>.spill" in `dir` (created with its parents on first Put).
// `clock` is borrowed and must outlive the store.
std::unique_ptr<SpillStore> NewDirSpillStore(std::string dir, const Clock& clock);

// Batches as objects "<prefix><key>.spill" in `bucket` (a '/' is appended to a non-empty prefix
// that lacks one). `s3` and `clock` are borrowed and must outlive the store.
std::unique_ptr<SpillStore> NewS3SpillStore(aws::S3Client& s3, std::string bucket,
                                            std::string prefix, const Clock& clock);

// The record format, shared by both stores and the fuzzer.

// The key of a batch spilled at `spilled_at_ms`: the UTC time "20240102T030405.678Z", '-', and
// the first 16 hex digits of the idempotency key (lower-cased), or of the body's SHA-256 when the
// idempotency key is not at least 16 hex digits. Keys sort by time.
std::string MakeSpillKey(int64_t spilled_at_ms, const Batch& batch);

// kParseError unless `key` has exactly the MakeSpillKey form (a valid date and time, lowercase
// hex).
Status ValidateSpillKey(std::string_view key);

// One record: the line "gatescope-spill 1 <metadata JSON>\n" followed by the body bytes. The
// metadata holds key, reason, detail, spilled_at_ms, gzip, records, events, raw_bytes, shrunk,
// idempotency_key, body_bytes and body_sha256.
std::string SerializeSpillRecord(const SpilledBatch& spilled);

// Parses what SerializeSpillRecord wrote. kParseError on anything malformed: wrong magic or
// version, bad JSON, a missing or mistyped member, an invalid key or reason, a body whose length
// or SHA-256 does not match. Never crashes (fuzzed by fuzz/checkpoint_fuzz.cc).
Result<SpilledBatch> ParseSpillRecord(std::string_view bytes);

}  // namespace gatescope::delivery
