#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gatescope::env {

// An absolute http(s) URL split into the parts a request signer needs.
struct Url {
  std::string scheme;  // "http" or "https", lower case.
  std::string host;    // As written, without brackets for IPv6.
  uint16_t port = 0;   // Explicit port, or 0 for the scheme's default.
  std::string path;    // As written (still percent-encoded); "/" when empty.
  std::string query;   // As written, without '?'; may be empty.

  // "host" or "host:port" when the port is explicit and not the scheme's default: the value
  // of the Host header.
  std::string HostHeader() const;
};

// Parses "scheme://host[:port][/path][?query]". Fragments and user info are rejected.
Result<Url> ParseUrl(std::string_view url);

// True for a host that is this machine: "localhost", "::1" or any 127.0.0.0/8 address. Plain
// http:// is allowed only to these (tests, local relays); anything else must use TLS.
bool IsLoopbackHost(std::string_view host);

// RFC 3986 percent-encoding as AWS uses it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XX (upper-case hex); '/' stays when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash = false);

// application/x-www-form-urlencoded serialization of one name or value (as OAuth2 token
// requests need, RFC 6749 Appendix B): ALPHA, DIGIT and "-._*" stay, space becomes '+', every
// other byte %XX (upper-case hex).
std::string FormUrlEncode(std::string_view s);

// "a=1&b=x%20y" from raw pairs, each part UriEncode()d, in the given order.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace gatescope::env
