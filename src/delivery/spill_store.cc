#include "delivery/spill_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/sha256.h"
#include "env/durable_file.h"
#include "core/time_format.h"

namespace gatescope::delivery {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kMagic = "gatescope-spill 1 ";
constexpr std::string_view kExtension = ".spill";
constexpr size_t kMaxDetailBytes = 1024;
constexpr size_t kMaxReasonBytes = 64;
constexpr size_t kKeyTimeBytes = 20;  // "20240102T030405.678Z"
constexpr size_t kKeyBytes = kKeyTimeBytes + 1 + 16;
// The last millisecond with a four-digit year, 9999-12-31T23:59:59.999Z.
constexpr int64_t kMaxKeyTimeMs = 253402300799999;

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool IsSnakeCase(std::string_view s) {
  if (s.empty() || s.size() > kMaxReasonBytes || !(s.front() >= 'a' && s.front() <= 'z')) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The value of `digits` (all ASCII digits), or -1.
int ParseDigits(std::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

Status Malformed(std::string_view what) { return ParseError("spill record: " + std::string(what)); }

// The record under `key`, checked to be that key's.
Result<SpilledBatch> ParseRecordFor(std::string_view key, std::string_view bytes,
                                    const std::string& where) {
  Result<SpilledBatch> spilled = ParseSpillRecord(bytes);
  if (!spilled.ok()) return spilled.status().WithContext(where);
  if (spilled->key != key) return ParseError(where + ": record holds key " + spilled->key);
  return spilled;
}

// The key in a file or object name "<key>.spill", or empty when it is not one.
std::string_view KeyOfName(std::string_view name) {
  if (name.size() != kKeyBytes + kExtension.size() || !name.ends_with(kExtension)) return {};
  std::string_view key = name.substr(0, kKeyBytes);
  return ValidateSpillKey(key).ok() ? key : std::string_view();
}

Status CheckKey(std::string_view key) {
  Status status = ValidateSpillKey(key);
  if (!status.ok()) return InvalidArgumentError("spill store: " + status.message());
  return Status::Ok();
}

Result<SpilledBatch> MakeSpilled(const Batch& batch, std::string_view reason,
                                 std::string_view detail, const Clock& clock) {
  if (!IsSnakeCase(reason)) {
    return InvalidArgumentError("spill store: reason is not bounded snake_case: " +
                                std::string(reason.substr(0, kMaxReasonBytes)));
  }
  SpilledBatch spilled;
  spilled.spilled_at_ms = UnixMillis(clock);
  spilled.key = MakeSpillKey(spilled.spilled_at_ms, batch);
  spilled.reason = std::string(reason);
  spilled.detail = std::string(detail.substr(0, kMaxDetailBytes));
  spilled.batch = batch;
  return spilled;
}

class DirSpillStore final : public SpillStore {
 public:
  DirSpillStore(std::string dir, const Clock& clock) : dir_(std::move(dir)), clock_(clock) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  }

  Status Put(const Batch& batch, std::string_view reason, std::string_view detail) override {
    GS_ASSIGN_OR_RETURN(SpilledBatch spilled, MakeSpilled(batch, reason, detail, clock_));
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      return UnavailableError("spill store: cannot create directory " + dir_ + ": " + ec.message());
    }
    return env::WriteFileDurably(PathOf(spilled.key), SerializeSpillRecord(spilled))
        .WithContext("spill store");
  }

  Result<std::vector<std::string>> List() override {
    std::vector<std::string> keys;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir_, ec);
    if (ec == std::errc::no_such_file_or_directory) return keys;  // Nothing spilled yet.
    if (ec) return UnavailableError("spill store: cannot list " + dir_ + ": " + ec.message());
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::string_view key = KeyOfName(name);
      if (!key.empty()) keys.emplace_back(key);
    }
    if (ec) return UnavailableError("spill store: cannot list " + dir_ + ": " + ec.message());
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  Result<SpilledBatch> Get(std::string_view key) override {
    GS_RETURN_IF_ERROR(CheckKey(key));
    std::string path = PathOf(key);
    Result<std::string> bytes = env::ReadWholeFile(path);
    if (!bytes.ok()) return bytes.status().WithContext("spill store");
    return ParseRecordFor(key, *bytes, path);
  }

  Status Delete(std::string_view key) override {
    GS_RETURN_IF_ERROR(CheckKey(key));
    std::string path = PathOf(key);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return UnavailableError("spill store: cannot delete " + path + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  std::string Describe() const override { return dir_; }

 private:
  std::string PathOf(std::string_view key) const {
    return dir_ + "/" + std::string(key) + std::string(kExtension);
  }

  std::string dir_;
  const Clock& clock_;
};

class S3SpillStore final : public SpillStore {
 public:
  S3SpillStore(aws::S3Client& s3, std::string bucket, std::string prefix, const Clock& clock)
      : s3_(s3), bucket_(std::move(bucket)), prefix_(std::move(prefix)), clock_(clock) {
    if (!prefix_.empty() && prefix_.back() != '/') prefix_ += '/';
  }

  Status Put(const Batch& batch, std::string_view reason, std::string_view detail) override {
    GS_ASSIGN_OR_RETURN(SpilledBatch spilled, MakeSpilled(batch, reason, detail, clock_));
    return s3_.PutObject(bucket_, KeyOf(spilled.key), SerializeSpillRecord(spilled));
  }

  Result<std::vector<std::string>> List() override {
    GS_ASSIGN_OR_RETURN(std::vector<aws::S3Object> objects, s3_.ListAllObjects(bucket_, prefix_));
    std::vector<std::string> keys;
    for (const aws::S3Object& object : objects) {
      if (!object.key.starts_with(prefix_)) continue;
      std::string_view key = KeyOfName(std::string_view(object.key).substr(prefix_.size()));
      if (!key.empty()) keys.emplace_back(key);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  Result<SpilledBatch> Get(std::string_view key) override {
    GS_RETURN_IF_ERROR(CheckKey(key));
    std::string object_key = KeyOf(key);
    GS_ASSIGN_OR_RETURN(std::string bytes, s3_.GetObject(bucket_, object_key));
    return ParseRecordFor(key, bytes, "s3://" + bucket_ + "/" + object_key);
  }

  Status Delete(std::string_view key) override {
    GS_RETURN_IF_ERROR(CheckKey(key));
    return s3_.DeleteObject(bucket_, KeyOf(key));
  }

  std::string Describe() const override { return "s3://" + bucket_ + "/" + prefix_; }

 private:
  std::string KeyOf(std::string_view key) const {
    return prefix_ + std::string(key) + std::string(kExtension);
  }

  aws::S3Client& s3_;
  const std::string bucket_;
  std::string prefix_;
  const Clock& clock_;
};

}  // namespace

std::string MakeSpillKey(int64_t spilled_at_ms, const Batch& batch) {
  std::string iso = FormatIso8601(std::clamp<int64_t>(spilled_at_ms, 0, kMaxKeyTimeMs));
  std::string key;
  key.reserve(kKeyBytes);
  for (char c : iso) {
    if (c != '-' && c != ':') key.push_back(c);
  }
  key.push_back('-');
  std::string_view id = batch.idempotency_key;
  std::string suffix = id.size() >= 16 && IsHex(id.substr(0, 16))
                           ? std::string(id.substr(0, 16))
                           : Sha256Hex(batch.body).substr(0, 16);
  for (char& c : suffix) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  return key + suffix;
}

Status ValidateSpillKey(std::string_view key) {
  // 20240102T030405.678Z-0123456789abcdef
  if (key.size() != kKeyBytes || key[8] != 'T' || key[15] != '.' || key[19] != 'Z' ||
      key[20] != '-' || !IsLowerHex(key.substr(21))) {
    return ParseError("malformed spill key");
  }
  int year = ParseDigits(key.substr(0, 4));
  int month = ParseDigits(key.substr(4, 2));
  int day = ParseDigits(key.substr(6, 2));
  int hour = ParseDigits(key.substr(9, 2));
  int minute = ParseDigits(key.substr(11, 2));
  int second = ParseDigits(key.substr(13, 2));
  int millis = ParseDigits(key.substr(16, 3));
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
    return ParseError("malformed spill key time");
  }
  return Status::Ok();
}

std::string SerializeSpillRecord(const SpilledBatch& spilled) {
  const Batch& batch = spilled.batch;
  Json meta = Json::object();
  meta["key"] = spilled.key;
  meta["reason"] = spilled.reason;
  meta["detail"] = spilled.detail;
  meta["spilled_at_ms"] = spilled.spilled_at_ms;
  meta["gzip"] = batch.gzip;
  meta["records"] = batch.records;
  meta["events"] = batch.events;
  meta["raw_bytes"] = batch.raw_bytes;
  meta["shrunk"] = batch.shrunk;
  meta["idempotency_key"] = batch.idempotency_key;
  meta["body_bytes"] = batch.body.size();
  meta["body_sha256"] = Sha256Hex(batch.body);
  // The detail is free text: invalid UTF-8 is replaced rather than thrown on. dump() escapes
  // control characters, so the metadata stays on one line.
  std::string out(kMagic);
  out += meta.dump(-1, ' ', false, Json::error_handler_t::replace);
  out.push_back('\n');
  out += batch.body;
  return out;
}

Result<SpilledBatch> ParseSpillRecord(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) return Malformed("not a gatescope spill record (version 1)");
  bytes.remove_prefix(kMagic.size());
  size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos) return Malformed("truncated metadata");
  std::string_view header = bytes.substr(0, newline);
  std::string_view body = bytes.substr(newline + 1);

  Json meta = Json::parse(header.begin(), header.end(), nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.is_object()) return Malformed("metadata is not a JSON object");
  auto find = [&](const char* name) -> const Json* {
    auto it = meta.find(name);
    return it == meta.end() ? nullptr : &*it;
  };
  auto text = [&](const char* name, std::string* out) {
    const Json* value = find(name);
    if (value == nullptr || !value->is_string()) return false;
    *out = value->get<std::string>();
    return true;
  };
  // Unsigned JSON integers up to `max`.
  auto count = [&](const char* name, uint64_t max, uint64_t* out) {
    const Json* value = find(name);
    if (value == nullptr || !value->is_number_unsigned()) return false;
    *out = value->get<uint64_t>();
    return *out <= max;
  };

  SpilledBatch spilled;
  if (!text("key", &spilled.key) || !ValidateSpillKey(spilled.key).ok()) {
    return Malformed("missing or malformed key");
  }
  if (!text("reason", &spilled.reason) || !IsSnakeCase(spilled.reason)) {
    return Malformed("missing or malformed reason");
  }
  if (!text("detail", &spilled.detail)) return Malformed("missing detail");
  const Json* spilled_at = find("spilled_at_ms");
  if (spilled_at == nullptr || !spilled_at->is_number_integer() ||
      (spilled_at->is_number_unsigned() &&
       spilled_at->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    return Malformed("missing spilled_at_ms");
  }
  spilled.spilled_at_ms = spilled_at->get<int64_t>();
  const Json* gzip = find("gzip");
  if (gzip == nullptr || !gzip->is_boolean()) return Malformed("missing gzip");
  Batch& batch = spilled.batch;
  batch.gzip = gzip->get<bool>();
  uint64_t records = 0, shrunk = 0, body_bytes = 0;
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
  if (!count("records", kMax32, &records) || !count("events", kMax64, &batch.events) ||
      !count("raw_bytes", kMax64, &batch.raw_bytes) || !count("shrunk", kMax32, &shrunk) ||
      !count("body_bytes", kMax64, &body_bytes)) {
    return Malformed("missing or out-of-range count");
  }
  batch.records = static_cast<uint32_t>(records);
  batch.shrunk = static_cast<uint32_t>(shrunk);
  if (!text("idempotency_key", &batch.idempotency_key)) return Malformed("missing idempotency_key");
  std::string sha256;
  if (!text("body_sha256", &sha256)) return Malformed("missing body_sha256");
  if (body_bytes != body.size()) return Malformed("body length does not match (truncated?)");
  if (sha256 != Sha256Hex(body)) return Malformed("body checksum does not match");
  batch.body = std::string(body);
  return spilled;
}

std::unique_ptr<SpillStore> NewDirSpillStore(std::string dir, const Clock& clock) {
  return std::make_unique<DirSpillStore>(std::move(dir), clock);
}

std::unique_ptr<SpillStore> NewS3SpillStore(aws::S3Client& s3, std::string bucket,
                                            std::string prefix, const Clock& clock) {
  return std::make_unique<S3SpillStore>(s3, std::move(bucket), std::move(prefix), clock);
}

}  // namespace gatescope::delivery
