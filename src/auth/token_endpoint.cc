#include "auth/token_endpoint.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "auth/internal/encoding.h"
#include "core/ascii.h"

namespace gatescope::auth {
namespace {

// Token requests are a few hundred bytes; the bounds refuse anything else before any work.
constexpr size_t kMaxFormBytes = 8192;
constexpr size_t kMaxFormParameters = 16;
constexpr size_t kMaxClientIdBytes = 256;
constexpr size_t kMaxSecretBytes = 1024;
constexpr size_t kMaxAuthorizationBytes = 8192;

constexpr std::string_view kBasicChallenge = R"(Basic realm="gatescope")";
constexpr std::string_view kBearerRealm = R"(Bearer realm="gatescope")";

std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An RFC 6749 §5.2 error. `description` is ours, never request text: it must not echo a secret.
HttpAnswer OAuthError(int status, std::string_view code, std::string_view description) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = Dump({{"error", code}, {"error_description", description}});
  // RFC 6749 §5.2: a 401 names the scheme the client may authenticate with.
  if (status == 401) answer.www_authenticate = kBasicChallenge;
  return answer;
}

HttpAnswer InvalidRequest(std::string_view description) {
  return OAuthError(400, "invalid_request", description);
}

HttpAnswer InvalidClient() {
  return OAuthError(401, "invalid_client", "client authentication failed");
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  std::string type(TrimAsciiSpace(content_type.substr(0, content_type.find(';'))));
  LowerAsciiInPlace(type);
  return type;
}

struct FormParameter {
  std::string name, value;
};

// application/x-www-form-urlencoded. nullopt when a parameter repeats (RFC 6749 §3.2: "MUST
// NOT be included more than once") or there are too many of them.
std::optional<std::vector<FormParameter>> ParseForm(std::string_view body) {
  std::vector<FormParameter> form;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body.remove_prefix(amp == std::string_view::npos ? body.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    FormParameter p{FormDecode(pair.substr(0, eq)),
                    eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1))};
    for (const FormParameter& seen : form) {
      if (seen.name == p.name) return std::nullopt;
    }
    if (form.size() == kMaxFormParameters) return std::nullopt;
    form.push_back(std::move(p));
  }
  return form;
}

const std::string* Find(const std::vector<FormParameter>& form, std::string_view name) {
  for (const FormParameter& p : form) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

// "<scheme> <credentials>" with the scheme matched case-insensitively (RFC 9110 §11.1);
// nullopt when the header is another scheme or has no credentials.
std::optional<std::string_view> Credentials(std::string_view header, std::string_view scheme) {
  header = TrimAsciiSpace(header);
  if (header.size() <= scheme.size() ||
      !EqualsIgnoreCase(header.substr(0, scheme.size()), scheme) || header[scheme.size()] != ' ') {
    return std::nullopt;
  }
  const std::string_view credentials = TrimAsciiSpace(header.substr(scheme.size() + 1));
  if (credentials.empty()) return std::nullopt;
  return credentials;
}

struct ClientCredentials {
  std::string id, secret;
};

// RFC 6749 §2.3.1: base64("<form-urlencoded id>:<form-urlencoded secret>").
std::optional<ClientCredentials> DecodeBasic(std::string_view credentials) {
  const std::optional<std::string> decoded = internal::Base64Decode(credentials, /*url=*/false);
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return ClientCredentials{FormDecode(std::string_view(*decoded).substr(0, colon)),
                           FormDecode(std::string_view(*decoded).substr(colon + 1))};
}

HttpAnswer BearerError(int status, std::string_view code, std::string_view description,
                       std::string_view scope = {}) {
  HttpAnswer answer;
  answer.status = status;
  nlohmann::json body = {{"error", code}, {"error_description", description}};
  // RFC 6750 §3: the values are ours (fixed codes, Verify's safe messages, scope names), never
  // request text, and none holds a '"' or '\'.
  answer.www_authenticate = std::string(kBearerRealm) + ", error=\"" + std::string(code) +
                            "\", error_description=\"" + std::string(description) + "\"";
  if (!scope.empty()) {
    answer.www_authenticate += ", scope=\"" + std::string(scope) + "\"";
    body["scope"] = scope;
  }
  answer.body = Dump(body);
  return answer;
}

}  // namespace

HttpAnswer HandleTokenRequest(const ClientRegistry& clients, const TokenSigner& signer,
                              std::string_view authorization_header, std::string_view content_type,
                              std::string_view body) {
  if (MediaType(content_type) != "application/x-www-form-urlencoded") {
    return InvalidRequest("Content-Type must be application/x-www-form-urlencoded");
  }
  if (body.size() > kMaxFormBytes) return InvalidRequest("request body too large");
  if (authorization_header.size() > kMaxAuthorizationBytes) {
    return InvalidRequest("Authorization header too large");
  }
  const std::optional<std::vector<FormParameter>> form = ParseForm(body);
  if (!form) return InvalidRequest("repeated or too many form parameters");

  // Client authentication (RFC 6749 §2.3.1) comes first, so that a caller without valid
  // credentials learns nothing about the rest of its request.
  const std::string* body_id = Find(*form, "client_id");
  const std::string* body_secret = Find(*form, "client_secret");
  ClientCredentials credentials;
  if (!TrimAsciiSpace(authorization_header).empty()) {
    if (body_id != nullptr || body_secret != nullptr) {
      // RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request".
      return InvalidRequest("client credentials in both the Authorization header and the body");
    }
    const std::optional<std::string_view> basic = Credentials(authorization_header, "Basic");
    if (!basic) return InvalidClient();
    std::optional<ClientCredentials> decoded = DecodeBasic(*basic);
    if (!decoded) return InvalidClient();
    credentials = std::move(*decoded);
  } else if (body_id != nullptr && body_secret != nullptr) {
    credentials = {*body_id, *body_secret};
  } else {
    // No credentials, or an id alone: we have no public clients.
    return InvalidClient();
  }
  if (credentials.id.empty() || credentials.id.size() > kMaxClientIdBytes ||
      credentials.secret.size() > kMaxSecretBytes) {
    return InvalidClient();
  }
  const Client* client = clients.Authenticate(credentials.id, credentials.secret);
  if (client == nullptr) return InvalidClient();

  const std::string* grant_type = Find(*form, "grant_type");
  if (grant_type == nullptr || grant_type->empty()) return InvalidRequest("grant_type is missing");
  if (*grant_type != "client_credentials") {
    return OAuthError(400, "unsupported_grant_type", "only client_credentials is supported");
  }

  // RFC 6749 §3.3: absent means the client's default, here all it may have. "audience" and
  // other parameters are ignored (§3.2): every token is for the gatescope audience.
  uint32_t scopes = client->scopes;
  if (const std::string* scope = Find(*form, "scope"); scope != nullptr && !scope->empty()) {
    Result<uint32_t> asked = ParseScopes(*scope);
    if (!asked.ok()) return OAuthError(400, "invalid_scope", asked.status().message());
    if (*asked == 0) return OAuthError(400, "invalid_scope", "scope names no scope");
    if ((*asked & ~client->scopes) != 0) {
      return OAuthError(
          400, "invalid_scope",
          "scope not granted to this client: " + ScopesToString(*asked & ~client->scopes));
    }
    scopes = *asked;
  }

  HttpAnswer answer;
  answer.body = Dump({{"access_token", signer.Issue(client->id, scopes)},
                      {"token_type", "Bearer"},
                      {"expires_in", signer.lifetime().count()},
                      {"scope", ScopesToString(scopes)}});
  return answer;
}

HttpAnswer AuthorizeBearer(const TokenSigner& signer, std::string_view authorization_header,
                           uint32_t required) {
  const std::optional<std::string_view> token = authorization_header.size() > kMaxAuthorizationBytes
                                                    ? std::nullopt
                                                    : Credentials(authorization_header, "Bearer");
  if (!token) {
    // RFC 6750 §3.1: a request without a bearer token gets the bare challenge, no error code.
    HttpAnswer answer;
    answer.status = 401;
    answer.www_authenticate = kBearerRealm;
    answer.body = Dump({{"error", "unauthorized"}, {"error_description", "missing bearer token"}});
    return answer;
  }
  Result<TokenClaims> claims = signer.Verify(*token);
  if (!claims.ok()) return BearerError(401, "invalid_token", claims.status().message());
  if ((claims->scopes & required) != required) {
    return BearerError(403, "insufficient_scope", "token lacks a required scope",
                       ScopesToString(required));
  }
  HttpAnswer answer;
  answer.body = claims->client_id;
  return answer;
}

}  // namespace gatescope::auth
