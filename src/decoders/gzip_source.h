#pragma once

#include <memory>
#include <string_view>

#include "env/byte_source.h"

namespace gatescope::decoders {

// True if `prefix` starts with the gzip magic bytes 1f 8b.
bool LooksGzipped(std::string_view prefix);

// A ByteSource that gunzips another one, streaming, in bounded memory. Reads concatenated
// gzip members (as `cat a.gz b.gz` makes) and ignores zero padding after the last one.
// Read() returns kParseError for corrupt or truncated data, after returning every byte
// that decompressed cleanly before the fault.
//
// Thread-safety: not thread-safe. Owns `inner`.
class GzipByteSource final : public env::ByteSource {
 public:
  explicit GzipByteSource(std::unique_ptr<env::ByteSource> inner);
  ~GzipByteSource() override;
  GzipByteSource(const GzipByteSource&) = delete;
  GzipByteSource& operator=(const GzipByteSource&) = delete;

  Result<size_t> Read(char* buffer, size_t capacity) override;

 private:
  struct State;
  std::unique_ptr<env::ByteSource> inner_;
  std::unique_ptr<State> state_;
};

}  // namespace gatescope::decoders
