// Feeds arbitrary bytes to the server's OAuth2 code: the clients file parser, the token
// verifier (raw tokens, and fuzzed headers and claims signed with the right key so that the
// claims checks are reached), the token endpoint and the Bearer check. Checks their contracts:
// bounded answers, statuses from the documented set, a challenge exactly on 401, and the
// client's secret never in an answer.
//
// Input: lines. 0: Authorization header; 1: Content-Type; 2: form body; 3: token; 4: claims
// JSON; the rest: a clients file. The whole input also goes to the parser and the verifier.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/client_registry.h"
#include "auth/internal/encoding.h"
#include "auth/token_endpoint.h"
#include "auth/token_signer.h"

using namespace gatescope;

namespace {

constexpr std::string_view kSecret = "fuzz-secret-Qw3rty-0123456789";
const std::string kKey(32, 'k');

void Check(bool condition) {
  if (!condition) std::abort();
}

class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  }
  std::chrono::steady_clock::time_point MonotonicNow() const override { return {}; }
};

const FixedClock& TheClock() {
  static const FixedClock clock;
  return clock;
}
const auth::TokenSigner& Signer() {
  static const auth::TokenSigner signer(kKey, TheClock(), std::chrono::seconds(900));
  return signer;
}
// One client, hashed once with the cheapest allowed cost.
const auth::ClientRegistry& Registry() {
  static const auth::ClientRegistry registry({{.id = "fuzz-client",
                                               .secret_hash = auth::HashSecret(kSecret, 1000),
                                               .scopes = auth::kScopeIngest}});
  return registry;
}

std::string_view NextLine(std::string_view& data) {
  const size_t nl = data.find('\n');
  const std::string_view line = data.substr(0, nl);
  data.remove_prefix(nl == std::string_view::npos ? data.size() : nl + 1);
  return line;
}

void CheckClaims(const Result<auth::TokenClaims>& claims) {
  if (!claims.ok()) {
    Check(claims.status().code() == StatusCode::kPermissionDenied);
    Check(claims.status().message().size() < 64);
    return;
  }
  Check(!claims->client_id.empty());
  Check((claims->scopes & ~(auth::kScopeRead | auth::kScopeIngest)) == 0);
  Check(claims->expires_at_s > 1700000000);
  Check(claims->issued_at_s <= 1700000060);
}

void FuzzRegistry(std::string_view json) {
  Result<auth::ClientRegistry> registry = auth::ClientRegistry::Parse(json);
  if (!registry.ok()) {
    Check(registry.status().code() == StatusCode::kParseError ||
          registry.status().code() == StatusCode::kInvalidArgument);
    return;
  }
  // Authenticate is not called: a parsed hash may legitimately cost 10^7 iterations.
  for (const auth::Client& client : registry->clients()) {
    Check(auth::CheckClientId(client.id).ok());
    Check(client.scopes != 0);
  }
}

std::string SignWithOurKey(std::string_view unsigned_token) {
  return std::string(unsigned_token) + "." +
         auth::internal::Base64Encode(auth::internal::HmacSha256(kKey, unsigned_token), true);
}

void FuzzVerify(std::string_view token, std::string_view claims_json) {
  CheckClaims(Signer().Verify(token));
  CheckClaims(Signer().Verify(SignWithOurKey(token)));
  const std::string forged = auth::internal::Base64Encode(R"({"alg":"HS256","typ":"JWT"})", true) +
                             "." + auth::internal::Base64Encode(claims_json, true);
  CheckClaims(Signer().Verify(SignWithOurKey(forged)));
}

void FuzzIssue(std::string_view id, uint32_t scopes) {
  for (char c : id) {
    if (c < 0x20 || c > 0x7e) return;  // Only printable ids round-trip byte for byte.
  }
  if (id.empty()) return;
  scopes &= auth::kScopeRead | auth::kScopeIngest;
  Result<auth::TokenClaims> claims = Signer().Verify(Signer().Issue(id, scopes));
  if (id.size() < 1000) {
    Check(claims.ok());
    Check(claims->client_id == id);
    Check(claims->scopes == scopes);
  }
}

void FuzzEndpoint(std::string_view authorization, std::string_view content_type,
                  std::string_view body) {
  const auth::HttpAnswer answer =
      auth::HandleTokenRequest(Registry(), Signer(), authorization, content_type, body);
  Check(answer.status == 200 || answer.status == 400 || answer.status == 401);
  Check((answer.status == 401) == !answer.www_authenticate.empty());
  Check(answer.body.find(kSecret) == std::string::npos);
  Check(answer.www_authenticate.find(kSecret) == std::string::npos);
  Check(answer.body.size() < 2048);
  const nlohmann::json json = nlohmann::json::parse(answer.body, nullptr, false);
  Check(json.is_object());
  if (answer.status == 200) {
    Result<auth::TokenClaims> claims =
        Signer().Verify(json["access_token"].get_ref<const std::string&>());
    Check(claims.ok());
    Check(claims->client_id == "fuzz-client");
    Check(claims->scopes == auth::kScopeIngest);
  }

  const uint32_t required = body.empty() ? 0 : static_cast<unsigned char>(body[0]) & 3;
  const auth::HttpAnswer bearer = auth::AuthorizeBearer(Signer(), authorization, required);
  Check(bearer.status == 200 || bearer.status == 401 || bearer.status == 403);
  Check((bearer.status == 200) == bearer.www_authenticate.empty());
  Check(bearer.body.size() < 2048);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view data(reinterpret_cast<const char*>(bytes), size);
  FuzzRegistry(data);
  CheckClaims(Signer().Verify(data));

  const std::string_view authorization = NextLine(data);
  const std::string_view content_type = NextLine(data);
  const std::string_view body = NextLine(data);
  const std::string_view token = NextLine(data);
  const std::string_view claims = NextLine(data);
  FuzzEndpoint(authorization, content_type, body);
  FuzzVerify(token, claims);
  FuzzIssue(token, static_cast<uint32_t>(size));
  FuzzRegistry(data);
  return 0;
}
