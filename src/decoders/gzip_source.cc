#include "decoders/gzip_source.h"

#include <zlib.h>

#include <string>

namespace gatescope::decoders {

bool LooksGzipped(std::string_view prefix) {
  return prefix.size() >= 2 && static_cast<unsigned char>(prefix[0]) == 0x1f &&
         static_cast<unsigned char>(prefix[1]) == 0x8b;
}

struct GzipByteSource::State {
  z_stream zs{};
  std::string in = std::string(size_t{1} << 16, '\0');
  bool inner_done = false;
  bool member_done = false;  // The last member ended; more input may start another.
  bool finished = false;
  const char* failure = nullptr;  // Set once the data is found truncated or corrupt.
};

GzipByteSource::GzipByteSource(std::unique_ptr<env::ByteSource> inner)
    : inner_(std::move(inner)), state_(std::make_unique<State>()) {
  // 16 + MAX_WBITS: gzip framing only; the caller has already checked the magic bytes.
  inflateInit2(&state_->zs, 16 + MAX_WBITS);
}

GzipByteSource::~GzipByteSource() { inflateEnd(&state_->zs); }

Result<size_t> GzipByteSource::Read(char* buffer, size_t capacity) {
  State& s = *state_;
  if (s.finished || capacity == 0) return size_t{0};
  if (s.failure != nullptr) return ParseError(s.failure);
  s.zs.next_out = reinterpret_cast<Bytef*>(buffer);
  s.zs.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
  while (s.zs.avail_out > 0) {
    if (s.zs.avail_in == 0 && !s.inner_done) {
      GS_ASSIGN_OR_RETURN(size_t n, inner_->Read(s.in.data(), s.in.size()));
      if (n == 0) s.inner_done = true;
      s.zs.next_in = reinterpret_cast<Bytef*>(s.in.data());
      s.zs.avail_in = static_cast<uInt>(n);
    }
    if (s.member_done) {
      // Between members: skip zero padding; anything else must be another gzip member.
      while (s.zs.avail_in > 0 && *s.zs.next_in == 0) {
        ++s.zs.next_in;
        --s.zs.avail_in;
      }
      if (s.zs.avail_in == 0) {
        if (s.inner_done) {
          s.finished = true;
          break;
        }
        continue;
      }
      if (*s.zs.next_in != 0x1f) {
        s.failure = "trailing data after the last gzip member";
        break;
      }
      inflateReset(&s.zs);
      s.member_done = false;
    }
    if (s.zs.avail_in == 0 && s.inner_done) {
      s.failure = "truncated gzip data";  // The stream ended inside a member.
      break;
    }
    int rc = inflate(&s.zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      s.member_done = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      s.failure = "corrupt gzip data";
      break;
    }
  }
  size_t produced = capacity - s.zs.avail_out;
  if (produced > 0) return produced;  // Report the fault on the next call, after the data.
  if (s.failure != nullptr) return ParseError(s.failure);
  return size_t{0};
}

}  // namespace gatescope::decoders
