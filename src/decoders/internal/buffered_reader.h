#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "env/byte_source.h"

namespace gatescope::decoders::internal {

// A growable window over a ByteSource for scanners that look ahead before they consume.
// Bytes in [data(), data() + size()) are stable until the next Fill(); at least kPadding
// readable bytes always follow them, as simdjson requires of its input.
//
// Thread-safety: not thread-safe. Borrows `source`, which must outlive the reader.
class BufferedReader {
 public:
  static constexpr size_t kPadding = 64;

  explicit BufferedReader(env::ByteSource& source, size_t chunk_bytes = size_t{1} << 18);

  // Reads more bytes, keeping the unconsumed ones (moving them to the front, or growing the
  // window when it is full). Returns false at the end of the source. Invalidates pointers.
  Result<bool> Fill();

  const char* data() const { return buf_.data() + pos_; }
  size_t size() const { return end_ - pos_; }
  bool source_done() const { return eof_; }
  void Consume(size_t n) {
    pos_ += n;
    consumed_ += n;
  }
  uint64_t bytes_consumed() const { return consumed_; }

 private:
  env::ByteSource& source_;
  size_t chunk_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t consumed_ = 0;
};

}  // namespace gatescope::decoders::internal
