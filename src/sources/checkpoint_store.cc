#include "sources/checkpoint_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "env/durable_file.h"

namespace gatescope::sources {
namespace {

// Past this the escaped name is cut and a hash appended; with the suffix it stays well under
// NAME_MAX (255) and S3's 1,024-byte key limit. CloudWatch names go up to 512 bytes, which
// escaped could reach 1,536.
constexpr size_t kMaxEscapedName = 180;
constexpr std::string_view kSuffix = ".checkpoint.json";

Result<Checkpoint> ParseFor(std::string_view log_group, std::string_view text,
                            const std::string& where) {
  Result<Checkpoint> cp = ParseCheckpoint(text);
  if (!cp.ok()) return cp.status().WithContext(where);
  // A cut name's hash could collide, and a file could be copied by hand: never use another
  // group's position.
  if (cp->log_group != log_group) {
    return ParseError(where + ": checkpoint belongs to log group " + cp->log_group);
  }
  return cp;
}

class FileCheckpointStore final : public CheckpointStore {
 public:
  explicit FileCheckpointStore(std::string dir) : dir_(std::move(dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  }

  Result<std::optional<Checkpoint>> Load(std::string_view log_group) override {
    if (log_group.empty()) return InvalidArgumentError("checkpoint store: empty log group");
    std::string path = PathOf(log_group);
    Result<std::string> text = env::ReadWholeFile(path);
    if (text.status().code() == StatusCode::kNotFound) return std::optional<Checkpoint>();
    if (!text.ok()) return text.status().WithContext("checkpoint store");
    GS_ASSIGN_OR_RETURN(Checkpoint cp, ParseFor(log_group, *text, path));
    return std::optional<Checkpoint>(std::move(cp));
  }

  Status Save(const Checkpoint& cp) override {
    if (cp.log_group.empty()) return InvalidArgumentError("checkpoint store: empty log group");
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      return UnavailableError("checkpoint store: cannot create directory " + dir_ + ": " +
                              ec.message());
    }
    return env::WriteFileDurably(PathOf(cp.log_group), SerializeCheckpoint(cp), 0644)
        .WithContext("checkpoint store");
  }

  std::string Describe() const override { return dir_; }

 private:
  std::string PathOf(std::string_view log_group) const {
    return dir_ + "/" + CheckpointFileName(log_group);
  }

  std::string dir_;
};

class S3CheckpointStore final : public CheckpointStore {
 public:
  S3CheckpointStore(aws::S3Client& s3, std::string bucket, std::string prefix)
      : s3_(s3), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {
    if (!prefix_.empty() && prefix_.back() != '/') prefix_ += '/';
  }

  Result<std::optional<Checkpoint>> Load(std::string_view log_group) override {
    if (log_group.empty()) return InvalidArgumentError("checkpoint store: empty log group");
    std::string key = prefix_ + CheckpointFileName(log_group);
    Result<std::string> text = s3_.GetObject(bucket_, key);
    // NoSuchKey and NoSuchBucket are both kNotFound. Reading a missing bucket as "no checkpoint"
    // is harmless: the Save() after the first run fails loudly with the same error.
    if (text.status().code() == StatusCode::kNotFound) return std::optional<Checkpoint>();
    if (!text.ok()) return text.status().WithContext("checkpoint store");
    GS_ASSIGN_OR_RETURN(Checkpoint cp, ParseFor(log_group, *text, Where(key)));
    return std::optional<Checkpoint>(std::move(cp));
  }

  Status Save(const Checkpoint& cp) override {
    if (cp.log_group.empty()) return InvalidArgumentError("checkpoint store: empty log group");
    // PutObject replaces the object whole: readers see the old or the new version.
    return s3_.PutObject(bucket_, prefix_ + CheckpointFileName(cp.log_group),
                         SerializeCheckpoint(cp), "application/json");
  }

  std::string Describe() const override { return "s3://" + bucket_ + "/" + prefix_; }

 private:
  std::string Where(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  aws::S3Client& s3_;
  const std::string bucket_;
  std::string prefix_;
};

}  // namespace

std::string CheckpointFileName(std::string_view log_group) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string escaped;
  escaped.reserve(log_group.size() + 16);
  for (char c : log_group) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
    if (plain) {
      escaped.push_back(c);
    } else {
      uint8_t b = static_cast<uint8_t>(c);
      escaped.push_back('%');
      escaped.push_back(kHex[b >> 4]);
      escaped.push_back(kHex[b & 15]);
    }
  }
  if (escaped.size() > kMaxEscapedName) {
    escaped.resize(kMaxEscapedName - 17);
    // Do not leave half an escape at the cut.
    size_t percent = escaped.rfind('%');
    if (percent != std::string::npos && percent + 3 > escaped.size()) escaped.resize(percent);
    uint64_t hash = Checkpoint::HashEventId(log_group);
    escaped.push_back('~');
    for (int shift = 60; shift >= 0; shift -= 4) escaped.push_back(kHex[(hash >> shift) & 15]);
  }
  return escaped + std::string(kSuffix);
}

std::unique_ptr<CheckpointStore> NewFileCheckpointStore(std::string dir) {
  return std::make_unique<FileCheckpointStore>(std::move(dir));
}

std::unique_ptr<CheckpointStore> NewS3CheckpointStore(aws::S3Client& s3, std::string bucket,
                                                      std::string prefix) {
  return std::make_unique<S3CheckpointStore>(s3, std::move(bucket), std::move(prefix));
}

}  // namespace gatescope::sources
