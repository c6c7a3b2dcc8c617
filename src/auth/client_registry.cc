#include "auth/client_registry.h"

#include <openssl/evp.h>

#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>
#include <utility>

#include "auth/internal/encoding.h"
#include "core/check.h"
#include "core/sha256.h"

namespace gatescope::auth {
namespace {

constexpr std::string_view kHashScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kDerivedBytes = 32;
// Bounds on a stored hash's parameters. Below the minimum a hash is too cheap to brute-force
// slowly; above the maximum one verification would stall a request thread for seconds, which a
// hostile or mistyped clients file must not be able to do.
constexpr uint32_t kMinIterations = 1000;
constexpr uint32_t kMaxIterations = 10'000'000;
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kMinHashBytes = 16;
constexpr size_t kMaxHashBytes = 64;
constexpr size_t kMaxClientIdBytes = 128;
// Successful verifications remembered; the set is cleared when full, which only costs the next
// requests a slow hash each.
constexpr size_t kMaxCachedVerifications = 4096;

struct ScopeName {
  Scope bit;
  std::string_view name;
};
constexpr ScopeName kScopeNames[] = {{kScopeRead, "inventory:read"},
                                     {kScopeIngest, "inventory:ingest"}};

struct ParsedHash {
  uint32_t iterations = 0;
  std::string salt;
  std::string derived;
};

std::optional<uint32_t> ParseDecimal(std::string_view s) {
  uint32_t value = 0;
  if (s.empty() || s.size() > 10 || s[0] == '0') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// Splits "pbkdf2-sha256$<iterations>$<salt>$<hash>"; nullopt for anything else or out of
// bounds, so that verifying never starts an unbounded computation.
std::optional<ParsedHash> ParseHash(std::string_view hash) {
  std::string_view parts[4];
  for (size_t i = 0; i < 4; ++i) {
    const size_t dollar = hash.find('$');
    if ((dollar == std::string_view::npos) != (i == 3)) return std::nullopt;
    parts[i] = hash.substr(0, dollar);
    hash.remove_prefix(i == 3 ? hash.size() : dollar + 1);
  }
  if (parts[0] != kHashScheme) return std::nullopt;
  ParsedHash parsed;
  const std::optional<uint32_t> iterations = ParseDecimal(parts[1]);
  if (!iterations || *iterations < kMinIterations || *iterations > kMaxIterations) {
    return std::nullopt;
  }
  parsed.iterations = *iterations;
  std::optional<std::string> salt = internal::Base64Decode(parts[2], /*url=*/false);
  std::optional<std::string> derived = internal::Base64Decode(parts[3], /*url=*/false);
  if (!salt || salt->empty() || salt->size() > kMaxSaltBytes) return std::nullopt;
  if (!derived || derived->size() < kMinHashBytes || derived->size() > kMaxHashBytes) {
    return std::nullopt;
  }
  parsed.salt = std::move(*salt);
  parsed.derived = std::move(*derived);
  return parsed;
}

std::string Pbkdf2(std::string_view secret, std::string_view salt, uint32_t iterations,
                   size_t bytes) {
  std::string out(bytes, '\0');
  GS_CHECK(PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                             reinterpret_cast<const unsigned char*>(salt.data()),
                             static_cast<int>(salt.size()), static_cast<int>(iterations),
                             EVP_sha256(), static_cast<int>(bytes),
                             reinterpret_cast<unsigned char*>(out.data())) == 1);
  return out;
}

std::string FormatHash(uint32_t iterations, std::string_view salt, std::string_view derived) {
  return std::string(kHashScheme) + "$" + std::to_string(iterations) + "$" +
         internal::Base64Encode(salt, /*url=*/false) + "$" +
         internal::Base64Encode(derived, /*url=*/false);
}

Status CheckClientIdText(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("is empty");
  if (id.size() > kMaxClientIdBytes) {
    return InvalidArgumentError("is longer than " + std::to_string(kMaxClientIdBytes) + " bytes");
  }
  for (char c : id) {
    // Visible ASCII: ids appear in logs, metrics and the token's "sub".
    if (c <= 0x20 || c >= 0x7f) return InvalidArgumentError("has a space or non-ASCII byte");
  }
  return Status::Ok();
}

nlohmann::json ScopesToJson(uint32_t scopes) {
  nlohmann::json array = nlohmann::json::array();
  for (const ScopeName& s : kScopeNames) {
    if (scopes & s.bit) array.push_back(std::string(s.name));
  }
  return array;
}

Result<Client> ParseClient(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) return InvalidArgumentError(where + ": must be an object");
  Client client;
  bool has_id = false, has_hash = false, has_scopes = false;
  for (const auto& [key, value] : json.items()) {
    if (key == "id") {
      if (!value.is_string()) return InvalidArgumentError(where + ".id: must be a string");
      client.id = value.get<std::string>();
      if (Status s = CheckClientIdText(client.id); !s.ok()) {
        return InvalidArgumentError(where + ".id: " + s.message());
      }
      has_id = true;
    } else if (key == "secret_hash") {
      // The message never quotes the value: a mistaken paste could hold the secret itself.
      if (!value.is_string() || !ParseHash(value.get_ref<const std::string&>())) {
        return InvalidArgumentError(
            where + ".secret_hash: must be \"pbkdf2-sha256$<iterations>$<salt>$<hash>\" with " +
            std::to_string(kMinIterations) + " to " + std::to_string(kMaxIterations) +
            " iterations (as `gatescope auth add-client` writes it)");
      }
      client.secret_hash = value.get<std::string>();
      has_hash = true;
    } else if (key == "scopes") {
      if (!value.is_array()) {
        return InvalidArgumentError(where + ".scopes: must be an array of scope names");
      }
      for (size_t i = 0; i < value.size(); ++i) {
        const std::string field = where + ".scopes[" + std::to_string(i) + "]";
        if (!value[i].is_string()) return InvalidArgumentError(field + ": must be a string");
        const std::string& name = value[i].get_ref<const std::string&>();
        if (name.find(' ') != std::string::npos || name.empty()) {
          return InvalidArgumentError(field + ": must be one scope name");
        }
        Result<uint32_t> bit = ParseScopes(name);
        if (!bit.ok()) return InvalidArgumentError(field + ": " + bit.status().message());
        client.scopes |= *bit;
      }
      if (client.scopes == 0) {
        return InvalidArgumentError(where + ".scopes: must name at least one scope");
      }
      has_scopes = true;
    } else {
      return InvalidArgumentError(where + ": unknown field \"" + key +
                                  "\" (expected id, secret_hash, scopes)");
    }
  }
  if (!has_id) return InvalidArgumentError(where + ".id: missing");
  if (!has_hash) return InvalidArgumentError(where + ".secret_hash: missing");
  if (!has_scopes) return InvalidArgumentError(where + ".scopes: missing");
  return client;
}

}  // namespace

Result<uint32_t> ParseScopes(std::string_view space_separated) {
  uint32_t scopes = 0;
  while (!space_separated.empty()) {
    const size_t space = space_separated.find(' ');
    const std::string_view name = space_separated.substr(0, space);
    space_separated.remove_prefix(space == std::string_view::npos ? space_separated.size()
                                                                  : space + 1);
    if (name.empty()) continue;
    bool known = false;
    for (const ScopeName& s : kScopeNames) {
      if (name == s.name) {
        scopes |= s.bit;
        known = true;
      }
    }
    if (!known) {
      // Bounded and printable only: the name may come from a request.
      std::string shown;
      for (char c : name.substr(0, 64)) shown += (c > 0x20 && c < 0x7f) ? c : '?';
      return InvalidArgumentError("unknown scope \"" + shown +
                                  "\" (expected inventory:read or inventory:ingest)");
    }
  }
  return scopes;
}

std::string ScopesToString(uint32_t scopes) {
  std::string out;
  for (const ScopeName& s : kScopeNames) {
    if (!(scopes & s.bit)) continue;
    if (!out.empty()) out += ' ';
    out += s.name;
  }
  return out;
}

std::string HashSecret(std::string_view secret, uint32_t iterations) {
  const std::string salt = internal::RandomBytes(kSaltBytes);
  return FormatHash(iterations, salt, Pbkdf2(secret, salt, iterations, kDerivedBytes));
}

bool VerifySecret(std::string_view secret, std::string_view hash) {
  const std::optional<ParsedHash> parsed = ParseHash(hash);
  if (!parsed) return false;
  const std::string derived =
      Pbkdf2(secret, parsed->salt, parsed->iterations, parsed->derived.size());
  return internal::ConstantTimeEquals(derived, parsed->derived);
}

std::string NewSecret() { return internal::Base64Encode(internal::RandomBytes(32), /*url=*/true); }

Status CheckClientId(std::string_view id) {
  Status s = CheckClientIdText(id);
  if (!s.ok()) return InvalidArgumentError("client id " + s.message());
  return s;
}

std::string NewClientJson(std::string_view id, uint32_t scopes, std::string* secret_out) {
  GS_CHECK(secret_out != nullptr);
  *secret_out = NewSecret();
  nlohmann::json client = nlohmann::json::object();
  client["id"] = std::string(id);
  client["secret_hash"] = HashSecret(*secret_out);
  client["scopes"] = ScopesToJson(scopes);
  return client.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct ClientRegistry::Cache {
  std::mutex mu;
  std::unordered_set<std::string> verified;  // Guarded by mu: CacheKey()s.
  // Per registry, so that the cached digests are useless outside this process.
  const std::string pepper = internal::RandomBytes(16);
  // A well-formed hash that matches no secret, with the clients' own iteration count, so that
  // an unknown id costs what a wrong secret costs.
  std::string dummy_hash;

  std::string Key(std::string_view id, std::string_view secret) const {
    std::string material = pepper;
    material.append(id);
    material.push_back('\0');
    material.append(secret);
    return Sha256(material);
  }
};

ClientRegistry::ClientRegistry(std::vector<Client> clients)
    : clients_(std::move(clients)), cache_(std::make_shared<Cache>()) {
  uint32_t iterations = kHashIterations;
  for (const Client& client : clients_) {
    if (const std::optional<ParsedHash> parsed = ParseHash(client.secret_hash)) {
      iterations = parsed->iterations;
      break;
    }
  }
  cache_->dummy_hash =
      FormatHash(iterations, std::string(kSaltBytes, 'x'), std::string(kDerivedBytes, '\0'));
}

Result<ClientRegistry> ClientRegistry::Parse(std::string_view json) {
  const nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) return ParseError("clients file: not valid JSON");
  if (!doc.is_object()) return InvalidArgumentError("clients file: must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "clients") {
      return InvalidArgumentError("clients file: unknown field \"" + key + "\" (expected clients)");
    }
  }
  const auto list = doc.find("clients");
  if (list == doc.end() || !list->is_array()) {
    return InvalidArgumentError("clients file: \"clients\" must be an array");
  }
  std::vector<Client> clients;
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "clients[" + std::to_string(i) + "]";
    GS_ASSIGN_OR_RETURN(Client client, ParseClient((*list)[i], where));
    if (!ids.insert(client.id).second) {
      return InvalidArgumentError(where + ".id: duplicate client id \"" + client.id + "\"");
    }
    clients.push_back(std::move(client));
  }
  return ClientRegistry(std::move(clients));
}

const Client* ClientRegistry::Authenticate(std::string_view id, std::string_view secret) const {
  const Client* found = nullptr;
  for (const Client& client : clients_) {
    if (client.id == id) found = &client;
  }
  if (found == nullptr) {
    // Same cost as a wrong secret: timing does not tell which ids exist.
    (void)VerifySecret(secret, cache_->dummy_hash);
    return nullptr;
  }
  const std::string key = cache_->Key(id, secret);
  {
    std::lock_guard lock(cache_->mu);
    if (cache_->verified.count(key) > 0) return found;
  }
  if (!VerifySecret(secret, found->secret_hash)) return nullptr;
  std::lock_guard lock(cache_->mu);
  if (cache_->verified.size() >= kMaxCachedVerifications) cache_->verified.clear();
  cache_->verified.insert(key);
  return found;
}

}  // namespace gatescope::auth
