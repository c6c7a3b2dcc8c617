#pragma once

#include <string>
#include <string_view>

namespace gatescope {

// SHA-256 of `data`: the 32 raw bytes.
std::string Sha256(std::string_view data);
// The same as 64 lowercase hex digits (ids, idempotency keys, payload hashes).
std::string Sha256Hex(std::string_view data);
// `bytes` as lowercase hex, two digits per byte.
std::string HexEncode(std::string_view bytes);

}  // namespace gatescope
