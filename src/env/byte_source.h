#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gatescope::env {

// A stream of bytes read front to back: a file, stdin, a decompressor or memory.
//
// Thread-safety: not thread-safe; one reader at a time.
class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `capacity` bytes into `buffer`. Returns the count read, 0 at the end.
  // Returns kUnavailable on an I/O error, kParseError when the bytes are corrupt (gzip).
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;

  // The total size in bytes if known up front (a regular file), else -1.
  virtual int64_t size_bytes() const { return -1; }
};

// Opens `path` for reading; "-" means standard input. Returns kNotFound or
// kPermissionDenied with the path in the message.
Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path);

// A ByteSource over bytes in memory. Keeps a view: `data` must outlive the source.
class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buffer, size_t capacity) override;
  int64_t size_bytes() const override { return static_cast<int64_t>(data_.size()); }

 private:
  std::string_view data_;
};

}  // namespace gatescope::env
