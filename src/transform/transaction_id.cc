#include "transform/transaction_id.h"

#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <string_view>

namespace gatescope::transform {
namespace {

// Appends an 8-byte big-endian length then the bytes. Writing into a flat buffer and hashing
// once is cheaper than the EVP streaming interface, which allocates a context per call.
size_t Put(std::string_view field, unsigned char* out) {
  uint64_t n = field.size();
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(n & 0xFF);
    n >>= 8;
  }
  if (!field.empty()) std::memcpy(out + 8, field.data(), field.size());
  return 8 + field.size();
}

}  // namespace

std::string TransactionId(const model::HttpTransaction& tx) {
  const std::string_view fields[] = {tx.log_group, tx.log_stream, tx.event_id, tx.request_id};
  size_t total = 0;
  for (std::string_view f : fields) total += 8 + f.size();
  // Identities are short (log group + stream + ids < 1 KiB); fall back to the heap otherwise.
  std::array<unsigned char, 1024> stack;
  std::string heap;
  unsigned char* buf = stack.data();
  if (total > stack.size()) {
    heap.resize(total);
    buf = reinterpret_cast<unsigned char*>(heap.data());
  }
  size_t at = 0;
  for (std::string_view f : fields) at += Put(f, buf + at);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(buf, at, digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (size_t i = 0; i < 16; ++i) {
    id[2 * i] = kHex[digest[i] >> 4];
    id[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return id;
}

}  // namespace gatescope::transform
