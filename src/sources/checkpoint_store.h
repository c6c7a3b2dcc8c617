#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/s3_client.h"
#include "core/result.h"
#include "core/status.h"
#include "sources/checkpoint.h"

namespace gatescope::sources {

// Where checkpoints live between runs: one record per log group.
//
// Thread-safety: all methods may be called from several threads; Save() of different log
// groups never interfere, and concurrent Save()s of one group leave one of them whole.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;

  // The checkpoint of `log_group`; nullopt when none was saved yet. Returns kParseError when
  // the stored record is malformed or belongs to another log group, and the store's I/O or S3
  // errors (kUnavailable, kPermissionDenied, ...) otherwise.
  virtual Result<std::optional<Checkpoint>> Load(std::string_view log_group) = 0;

  // Stores `cp` under cp.log_group, replacing what was there. Atomic: a reader sees the old or
  // the new one, never half (temp file + fsync + rename; S3 PutObject). kInvalidArgument for an
  // empty log group.
  virtual Status Save(const Checkpoint& cp) = 0;

  // Where the checkpoints go, for logs: "/var/lib/gatescope" or "s3://bucket/prefix/".
  virtual std::string Describe() const = 0;
};

// The file or object name of `log_group`'s checkpoint, without directory or prefix: the name
// with every byte outside [A-Za-z0-9_-] written as %XX (so '/', '#' and '.' cannot walk
// directories), then ".checkpoint.json". Names whose escaped form exceeds 180 bytes are cut and
// followed by '~' and 16 hex digits of a hash of the whole name, to stay under NAME_MAX.
std::string CheckpointFileName(std::string_view log_group);

// One file per log group in `dir` (created with its parents on first Save if missing).
std::unique_ptr<CheckpointStore> NewFileCheckpointStore(std::string dir);

// One object per log group under s3://bucket/prefix (a '/' is appended to a non-empty prefix
// that lacks one). `s3` is borrowed and must outlive the store.
std::unique_ptr<CheckpointStore> NewS3CheckpointStore(aws::S3Client& s3, std::string bucket,
                                                      std::string prefix);

}  // namespace gatescope::sources
