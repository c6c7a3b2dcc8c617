#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gatescope::auth {

// What a token lets its bearer do. Read and ingest are distinct: a connector's client cannot
// read the inventory, a dashboard's cannot write to it.
enum Scope : uint32_t {
  kScopeRead = 1u << 0,    // "inventory:read": the inventory API, OpenAPI, metrics.
  kScopeIngest = 1u << 1,  // "inventory:ingest": POST /v1/batches, /v1/har, /v1/logs.
};
// "inventory:read inventory:ingest" -> bits; an unknown name is an error naming it.
Result<uint32_t> ParseScopes(std::string_view space_separated);
std::string ScopesToString(uint32_t scopes);  // Space separated, in a fixed order.

// A configured OAuth2 client. The secret is never stored: only its hash.
struct Client {
  std::string id;
  std::string secret_hash;  // HashSecret's format.
  uint32_t scopes = 0;      // What it may ask for.
};

// "pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>" with a random 16-byte salt.
// Slow on purpose (kHashIterations) so a leaked clients file does not give the secrets away.
inline constexpr uint32_t kHashIterations = 210000;
// REQUIRES: 1,000 <= iterations <= 10,000,000 (tests use the minimum to stay fast).
std::string HashSecret(std::string_view secret, uint32_t iterations = kHashIterations);
// Constant-time comparison; false for a malformed hash (wrong scheme, bad base64, or
// iterations outside 1,000..10,000,000).
bool VerifySecret(std::string_view secret, std::string_view hash);
// A new random secret for `gatescope auth add-client`: 32 bytes, base64url without padding.
std::string NewSecret();

// kInvalidArgument unless `id` can name a client: 1 to 128 bytes of visible ASCII (no space),
// as ClientRegistry::Parse requires. For `gatescope auth add-client` to check its argument.
Status CheckClientId(std::string_view id);

// For `gatescope auth add-client`: a new client with a NewSecret() and `scopes`, as the JSON
// object (pretty-printed) to paste into the clients file's "clients" array. The secret itself
// goes to `*secret_out` only (show it once: it cannot be recovered from the file).
// REQUIRES: secret_out != nullptr; CheckClientId(id) is ok; `scopes` has at least one bit.
// Costs one HashSecret (about a tenth of a second).
std::string NewClientJson(std::string_view id, uint32_t scopes, std::string* secret_out);

// The configured clients, from a JSON file:
//   {"clients": [{"id": "connector-prod", "secret_hash": "pbkdf2-sha256$...",
//                 "scopes": ["inventory:ingest"]}]}
// Errors name the client index and field: kParseError when the text is not JSON,
// kInvalidArgument for an unknown field, a missing or mistyped one, an unknown scope, a
// duplicate id, or a secret_hash that is not HashSecret's format with 1,000 to 10,000,000
// iterations (so that a hostile file cannot make each verification stall the server).
//
// Thread-safety: immutable after construction; Authenticate may be called from any thread.
class ClientRegistry {
 public:
  static Result<ClientRegistry> Parse(std::string_view json);
  explicit ClientRegistry(std::vector<Client> clients);

  // The client if `id` exists and `secret` matches. A successful verification is cached (by a
  // SHA-256 of id and secret) so that token requests do not each cost a slow hash. An unknown
  // id costs a verification too, so that timing does not reveal which ids exist.
  const Client* Authenticate(std::string_view id, std::string_view secret) const;
  const std::vector<Client>& clients() const { return clients_; }

 private:
  std::vector<Client> clients_;
  struct Cache;
  std::shared_ptr<Cache> cache_;
};

}  // namespace gatescope::auth
