#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "env/http_client.h"

namespace gatescope::delivery {

// Where the collector sink gets its bearer tokens.
//
// Thread-safety: implementations are thread-safe.
class TokenSource {
 public:
  virtual ~TokenSource() = default;

  // A bearer token valid until at least now + a margin. Fetches when none is cached or the
  // cached one is within refresh_skew of expiry; one fetch at a time (single flight: callers
  // arriving during a fetch wait for it and share its result). Errors: kUnavailable /
  // kDeadlineExceeded (endpoint down or 5xx, or `deadline` passed: retryable),
  // kPermissionDenied (400/401/403 from the token endpoint: bad client credentials; the message
  // names the token URL and the OAuth error code, never the secret), kParseError (response
  // without access_token), kInvalidArgument (any other answer, e.g. 404 or a redirect: a
  // misconfigured token URL).
  virtual Result<std::string> Token(std::chrono::steady_clock::time_point deadline) = 0;

  // The collector refused `token` (401): forget it if it is still the cached one.
  virtual void Invalidate(std::string_view token) = 0;

  // Tokens fetched from the endpoint.
  virtual uint64_t fetches() const = 0;
};

// Always returns `token` (an API key or long-lived bearer token); Invalidate does nothing, and
// fetches() is 0.
std::unique_ptr<TokenSource> NewStaticTokenSource(std::string token);

struct OAuth2Options {
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  std::string scope;     // Optional.
  std::string audience;  // Optional (Auth0-style).
  // client_secret_basic (RFC 6749 2.3.1: id and secret form-urlencoded, then HTTP Basic) or
  // client_secret_post (both in the form body).
  enum class AuthMethod { kBasic, kPost } auth_method = AuthMethod::kBasic;
  // Refresh this long before expiry (or at 10% of expires_in when that is shorter).
  std::chrono::seconds refresh_skew{60};
};

// The OAuth 2.0 client credentials grant (RFC 6749 4.4) against `options.token_url`, with the
// token cached until refresh time. When a refresh fails but the cached token has not expired
// yet, Token() still returns the cached one. `http` and `clock` must outlive the source.
std::unique_ptr<TokenSource> NewOAuth2ClientCredentials(OAuth2Options options,
                                                        env::HttpClient& http, const Clock& clock);

// A token endpoint's successful response (RFC 6749 5.1).
struct ParsedToken {
  std::string access_token;
  std::string token_type;  // As sent ("Bearer", "bearer", ...); may be empty.
  std::chrono::seconds expires_in{3600};
};

// Parses a token endpoint response (RFC 6749 5.1): access_token, token_type, expires_in (number
// or numeric string; absent or unreadable -> 1 hour; negative -> 0; capped at one year).
// Returns kParseError when the body is not a JSON object or access_token is missing, empty or
// not a string. Exposed for fuzzing.
Result<ParsedToken> ParseTokenResponse(std::string_view body);

// The "error" member of an RFC 6749 5.2 error response when it is a bounded snake_case code
// (at most 64 characters of [a-z0-9_]), else "unknown". Never returns the description.
std::string ParseOAuthErrorCode(std::string_view body);

}  // namespace gatescope::delivery
