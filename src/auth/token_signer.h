#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace gatescope::auth {

struct TokenClaims {
  std::string client_id;  // "sub"
  uint32_t scopes = 0;    // "scope"
  int64_t issued_at_s = 0;   // "iat"
  int64_t expires_at_s = 0;  // "exp"
};

// Issues and verifies the server's access tokens: JWTs signed with HMAC-SHA256 (RFC 7519,
// "alg":"HS256", "iss":"gatescope", "aud":"gatescope"), so any server holding the key (every
// server on one store) accepts them without a lookup.
//
// Thread-safety: immutable; may be used from any thread.
class TokenSigner {
 public:
  // `key` must be at least 32 bytes.
  TokenSigner(std::string key, const Clock& clock, std::chrono::seconds lifetime);

  std::string Issue(std::string_view client_id, uint32_t scopes) const;
  // kPermissionDenied (message safe to return to the caller: "token expired", "bad
  // signature", "malformed token"...) unless the token is well formed, signed with our key,
  // for our audience, and not expired (60 s of clock skew allowed on iat only).
  Result<TokenClaims> Verify(std::string_view token) const;
  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  std::string key_;
  const Clock& clock_;
  std::chrono::seconds lifetime_;
};

}  // namespace gatescope::auth
