#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gatescope::auth::internal {

// Base64 (RFC 4648 §4, with '=' padding) or, with `url`, base64url (§5) without padding, as
// JWTs (RFC 7515 §2) and our secrets use it.
std::string Base64Encode(std::string_view data, bool url);

// The inverse of Base64Encode. Standard base64 accepts the input with or without its padding
// (HTTP Basic credentials come both ways); base64url rejects padding. Any byte outside the
// alphabet, or a length no encoding produces, gives nullopt.
std::optional<std::string> Base64Decode(std::string_view text, bool url);

// `n` bytes from OpenSSL's CSPRNG. Aborts if the generator fails: every caller needs
// unpredictable bytes (salts, secrets, token ids) and none could go on safely without them.
std::string RandomBytes(size_t n);


// The raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// True when `a` and `b` are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gatescope::auth::internal
