#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "auth/client_registry.h"
#include "auth/internal/encoding.h"
#include "auth/token_endpoint.h"
#include "auth/token_signer.h"
#include "tests/support/test_util.h"

namespace gatescope::auth {
namespace {

using std::chrono::seconds;
using testing::FakeClock;

// The minimum iteration count keeps the tests fast; the format and code path are the same.
constexpr uint32_t kTestIterations = 1000;
const std::string kKey(32, 'k');

std::string B64Url(std::string_view s) { return internal::Base64Encode(s, /*url=*/true); }
std::string B64(std::string_view s) { return internal::Base64Encode(s, /*url=*/false); }

// A token signed with `key` over arbitrary header and claims, for forgeries.
std::string SignRaw(const std::string& key, const nlohmann::json& header,
                    const nlohmann::json& claims) {
  std::string token = B64Url(header.dump()) + "." + B64Url(claims.dump());
  return token + "." + B64Url(internal::HmacSha256(key, token));
}

nlohmann::json ValidClaims(const Clock& clock) {
  const int64_t now = std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count();
  return {{"iss", "gatescope"},        {"aud", "gatescope"}, {"sub", "svc"},
          {"scope", "inventory:read"}, {"iat", now},         {"exp", now + 600}};
}

std::string ClientsJson(const std::string& entries) { return R"({"clients":[)" + entries + "]}"; }

std::string ClientEntry(const std::string& id, const std::string& hash,
                        const std::string& scopes = R"(["inventory:ingest"])") {
  return R"({"id":")" + id + R"(","secret_hash":")" + hash + R"(","scopes":)" + scopes + "}";
}

// ---- Secrets ----

TEST(SecretHashTest, VerifiesTheRightSecretOnly) {
  const std::string hash = HashSecret("s3cret", kTestIterations);
  EXPECT_TRUE(VerifySecret("s3cret", hash));
  EXPECT_FALSE(VerifySecret("s3cret ", hash));
  EXPECT_FALSE(VerifySecret("", hash));
  EXPECT_FALSE(VerifySecret("S3cret", hash));
}

TEST(SecretHashTest, FormatHasSchemeIterationsSaltAndHash) {
  const std::string hash = HashSecret("s3cret", kTestIterations);
  EXPECT_EQ(hash.rfind("pbkdf2-sha256$1000$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("s3cret"), std::string::npos);
  const size_t salt_start = hash.find('$', 15) + 1;
  const size_t salt_end = hash.find('$', salt_start);
  const auto salt = internal::Base64Decode(hash.substr(salt_start, salt_end - salt_start), false);
  ASSERT_TRUE(salt.has_value());
  EXPECT_EQ(salt->size(), 16u);
  const auto derived = internal::Base64Decode(hash.substr(salt_end + 1), false);
  ASSERT_TRUE(derived.has_value());
  EXPECT_EQ(derived->size(), 32u);
  // A fresh salt each time: equal secrets do not give equal hashes.
  EXPECT_NE(HashSecret("s3cret", kTestIterations), hash);
}

TEST(SecretHashTest, DefaultIterationsAreTheDocumentedOnes) {
  EXPECT_EQ(HashSecret("x").rfind("pbkdf2-sha256$210000$", 0), 0u);
}

TEST(SecretHashTest, MalformedHashesNeverVerify) {
  const std::string good = HashSecret("pw", kTestIterations);
  const size_t last = good.rfind('$');
  for (const std::string& bad : std::vector<std::string>{
           "", "pw", "pbkdf2-sha256", "pbkdf2-sha256$1000", "pbkdf2-sha256$1000$c2FsdA==",
           "bcrypt" + good.substr(good.find('$')),                   // Wrong scheme.
           good + "$extra",                                          // Five parts.
           "pbkdf2-sha256$01000" + good.substr(good.find('$', 15)),  // Leading zero.
           "pbkdf2-sha256$-1000" + good.substr(good.find('$', 15)),
           "pbkdf2-sha256$abc" + good.substr(good.find('$', 15)),
           good.substr(0, last + 1) + "!!notbase64!!",
           good.substr(0, last + 1) + "c2hvcnQ=",  // Hash of 5 bytes.
       }) {
    EXPECT_FALSE(VerifySecret("pw", bad)) << bad;
  }
}

TEST(SecretHashTest, TamperedHashDoesNotVerify) {
  std::string hash = HashSecret("pw", kTestIterations);
  std::string salt_changed = hash;
  char& s = salt_changed[hash.find('$', 15) + 1];
  s = s == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySecret("pw", salt_changed));
  std::string hash_changed = hash;
  char& c = hash_changed[hash_changed.rfind('$') + 1];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySecret("pw", hash_changed));
  // The same salt and hash with another iteration count is another hash.
  std::string iterations_changed = hash;
  iterations_changed.replace(14, 4, "1001");
  EXPECT_FALSE(VerifySecret("pw", iterations_changed));
}

TEST(SecretHashTest, IterationsOutsideBoundsAreMalformed) {
  const std::string hash = HashSecret("pw", kTestIterations);
  const std::string rest = hash.substr(hash.find('$', 15));
  EXPECT_FALSE(VerifySecret("pw", "pbkdf2-sha256$999" + rest));
  // Refused before any work: this would otherwise take seconds.
  EXPECT_FALSE(VerifySecret("pw", "pbkdf2-sha256$10000001" + rest));
  EXPECT_FALSE(VerifySecret("pw", "pbkdf2-sha256$4294967296" + rest));
  EXPECT_FALSE(VerifySecret("pw", "pbkdf2-sha256$99999999999999" + rest));
}

TEST(SecretHashTest, NewSecretIs32RandomBytesBase64Url) {
  const std::string a = NewSecret();
  const std::string b = NewSecret();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  const auto raw = internal::Base64Decode(a, /*url=*/true);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
}

TEST(Base64Test, RoundTripsAndRejectsBadText) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\xfe\xfd\x00"}) {
    EXPECT_EQ(internal::Base64Decode(B64(s), false), s);
    EXPECT_EQ(internal::Base64Decode(B64Url(s), true), s);
  }
  EXPECT_EQ(B64("ab"), "YWI=");
  EXPECT_EQ(internal::Base64Decode("YWI", false), "ab");  // Unpadded Basic credentials.
  EXPECT_FALSE(internal::Base64Decode("YWI=", true));     // base64url carries no padding.
  EXPECT_FALSE(internal::Base64Decode("Y", false));
  EXPECT_FALSE(internal::Base64Decode("YW I", false));
  EXPECT_FALSE(internal::Base64Decode("Y===", false));
  EXPECT_FALSE(internal::Base64Decode("+/", true));
}

// ---- Scopes ----

TEST(ScopesTest, ParsesNamesAndPrintsThemInFixedOrder) {
  EXPECT_EQ(*ParseScopes("inventory:read"), kScopeRead);
  EXPECT_EQ(*ParseScopes("inventory:ingest inventory:read"), kScopeRead | kScopeIngest);
  EXPECT_EQ(*ParseScopes(""), 0u);
  EXPECT_EQ(ScopesToString(kScopeIngest | kScopeRead), "inventory:read inventory:ingest");
  EXPECT_EQ(ScopesToString(0), "");
  Result<uint32_t> bad = ParseScopes("inventory:read inventory:write");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("inventory:write"), std::string::npos);
  EXPECT_FALSE(ParseScopes("INVENTORY:READ").ok());  // Scopes are case-sensitive (RFC 6749 3.3).
}

// ---- ClientRegistry ----

class ClientRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hash_ = new std::string(HashSecret("pw", kTestIterations)); }
  static const std::string& hash() { return *hash_; }

  // The error message of parsing `json`; empty when it parses.
  static std::string ParseErrorOf(const std::string& json) {
    Result<ClientRegistry> r = ClientRegistry::Parse(json);
    return r.ok() ? "" : r.status().message();
  }

 private:
  static inline std::string* hash_ = nullptr;
};

TEST_F(ClientRegistryTest, ParsesClients) {
  Result<ClientRegistry> r = ClientRegistry::Parse(
      ClientsJson(ClientEntry("connector-prod", hash()) + "," +
                  ClientEntry("dashboard", hash(), R"(["inventory:read","inventory:ingest"])")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->clients().size(), 2u);
  EXPECT_EQ(r->clients()[0].id, "connector-prod");
  EXPECT_EQ(r->clients()[0].scopes, kScopeIngest);
  EXPECT_EQ(r->clients()[0].secret_hash, hash());
  EXPECT_EQ(r->clients()[1].scopes, kScopeRead | kScopeIngest);
  EXPECT_TRUE(ClientRegistry::Parse(R"({"clients":[]})").ok());
}

TEST_F(ClientRegistryTest, ErrorsNameTheClientIndexAndField) {
  struct Case {
    std::string json, expected;
  };
  const std::string ok = ClientEntry("a", hash());
  for (const Case& c : std::vector<Case>{
           {"{", "not valid JSON"},
           {"[]", "must be a JSON object"},
           {R"({"clients":{}})", "\"clients\" must be an array"},
           {R"({})", "\"clients\" must be an array"},
           {R"({"clients":[],"extra":1})", "unknown field \"extra\""},
           {ClientsJson(ok + ",1"), "clients[1]: must be an object"},
           {ClientsJson(ok + R"(,{"id":"b","secret_hash":")" + hash() +
                        R"(","scopes":["inventory:read"],"secret":"x"})"),
            "clients[1]: unknown field \"secret\""},
           {ClientsJson(ok + R"(,{"secret_hash":")" + hash() + R"(","scopes":["inventory:read"]})"),
            "clients[1].id: missing"},
           {ClientsJson(R"({"id":"a","scopes":["inventory:read"]})"),
            "clients[0].secret_hash: missing"},
           {ClientsJson(R"({"id":"a","secret_hash":")" + hash() + "\"}"),
            "clients[0].scopes: missing"},
           {ClientsJson(ClientEntry("", hash())), "clients[0].id: is empty"},
           {ClientsJson(ClientEntry("a b", hash())), "clients[0].id: has a space"},
           {ClientsJson(R"({"id":7,"secret_hash":")" + hash() + R"(","scopes":[]})"),
            "clients[0].id: must be a string"},
           {ClientsJson(ok + "," + ClientEntry("c", hash(), R"(["inventory:read","admin"])")),
            "clients[1].scopes[1]: unknown scope \"admin\""},
           {ClientsJson(ClientEntry("a", hash(), R"([])")),
            "clients[0].scopes: must name at least"},
           {ClientsJson(ClientEntry("a", hash(), R"("inventory:read")")),
            "clients[0].scopes: must be an array"},
           {ClientsJson(ClientEntry("a", hash(), R"(["inventory:read inventory:ingest"])")),
            "clients[0].scopes[0]: must be one scope name"},
           {ClientsJson(ok + "," + ClientEntry("a", hash())), "clients[1].id: duplicate client id"},
       }) {
    const std::string message = ParseErrorOf(c.json);
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "json: " << c.json << "\nmessage: " << message;
  }
}

TEST_F(ClientRegistryTest, RejectsHashesOutsideTheIterationBoundsWithoutQuotingThem) {
  const std::string rest = hash().substr(hash().find('$', 15));
  for (const std::string& bad : {"pbkdf2-sha256$999" + rest, "pbkdf2-sha256$10000001" + rest,
                                 std::string("plaintext-secret-value")}) {
    const std::string message = ParseErrorOf(ClientsJson(ClientEntry("a", bad)));
    EXPECT_NE(message.find("clients[0].secret_hash"), std::string::npos) << message;
    EXPECT_EQ(message.find(bad), std::string::npos) << message;
  }
  EXPECT_TRUE(ParseErrorOf(ClientsJson(ClientEntry("a", "pbkdf2-sha256$10000000" + rest))).empty());
}

TEST_F(ClientRegistryTest, AuthenticatesTheRightSecretOnly) {
  ClientRegistry registry({{.id = "a", .secret_hash = hash(), .scopes = kScopeRead}});
  const Client* client = registry.Authenticate("a", "pw");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->id, "a");
  EXPECT_EQ(registry.Authenticate("a", "wrong"), nullptr);
  EXPECT_EQ(registry.Authenticate("b", "pw"), nullptr);  // Unknown id.
  EXPECT_EQ(registry.Authenticate("", ""), nullptr);
}

TEST_F(ClientRegistryTest, CachedVerificationStillRequiresTheSameIdAndSecret) {
  // "ab"/"c" and "a"/"bc" would collide if id and secret were hashed without a separator.
  ClientRegistry registry({{.id = "ab", .secret_hash = HashSecret("c", kTestIterations)},
                           {.id = "a", .secret_hash = HashSecret("other", kTestIterations)}});
  for (int i = 0; i < 3; ++i) {  // The first is verified, the next come from the cache.
    ASSERT_NE(registry.Authenticate("ab", "c"), nullptr);
    EXPECT_EQ(registry.Authenticate("ab", "c")->id, "ab");
    EXPECT_EQ(registry.Authenticate("a", "bc"), nullptr);
    EXPECT_EQ(registry.Authenticate("ab", "c "), nullptr);
    EXPECT_EQ(registry.Authenticate("a", "c"), nullptr);
  }
  // A copy shares the cache and answers the same.
  ClientRegistry copy = registry;
  EXPECT_NE(copy.Authenticate("ab", "c"), nullptr);
  EXPECT_EQ(copy.Authenticate("ab", "x"), nullptr);
}

TEST_F(ClientRegistryTest, AuthenticateIsSafeFromManyThreads) {
  ClientRegistry registry({{.id = "a", .secret_hash = hash(), .scopes = kScopeRead}});
  std::vector<std::thread> threads;
  std::vector<int> right(4, 0), wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        right[t] += registry.Authenticate("a", "pw") != nullptr;
        wrong[t] += registry.Authenticate("a", "pw" + std::to_string(i)) != nullptr;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(right[t], 20);
    EXPECT_EQ(wrong[t], 0);
  }
}

TEST(NewClientJsonTest, WritesAnEntryTheRegistryAcceptsWithTheSecret) {
  std::string secret;
  const std::string entry = NewClientJson("connector-prod", kScopeIngest, &secret);
  EXPECT_EQ(secret.size(), 43u);
  EXPECT_EQ(entry.find(secret), std::string::npos);  // Only its hash goes in the file.
  Result<ClientRegistry> registry = ClientRegistry::Parse(ClientsJson(entry));
  ASSERT_TRUE(registry.ok()) << registry.status().ToString() << "\n" << entry;
  EXPECT_EQ(registry->clients()[0].scopes, kScopeIngest);
  const Client* client = registry->Authenticate("connector-prod", secret);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(registry->Authenticate("connector-prod", NewSecret()), nullptr);
  EXPECT_TRUE(CheckClientId("connector-prod").ok());
  EXPECT_FALSE(CheckClientId("").ok());
  EXPECT_FALSE(CheckClientId("has space").ok());
  EXPECT_FALSE(CheckClientId(std::string(129, 'a')).ok());
}

// ---- TokenSigner ----

TEST(TokenSignerTest, IssuesAJwtThatVerifies) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const std::string token = signer.Issue("svc", kScopeRead | kScopeIngest);
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  const auto header = internal::Base64Decode(token.substr(0, token.find('.')), true);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(nlohmann::json::parse(*header),
            nlohmann::json::parse(R"({"alg":"HS256","typ":"JWT"})"));
  const size_t dot2 = token.rfind('.');
  const auto payload =
      internal::Base64Decode(token.substr(token.find('.') + 1, dot2 - token.find('.') - 1), true);
  ASSERT_TRUE(payload.has_value());
  const nlohmann::json claims = nlohmann::json::parse(*payload);
  EXPECT_EQ(claims["iss"], "gatescope");
  EXPECT_EQ(claims["aud"], "gatescope");
  EXPECT_EQ(claims["sub"], "svc");
  EXPECT_EQ(claims["scope"], "inventory:read inventory:ingest");
  EXPECT_EQ(claims["iat"], 1700000000);
  EXPECT_EQ(claims["exp"], 1700000600);
  EXPECT_TRUE(claims["jti"].is_string());
  EXPECT_NE(signer.Issue("svc", kScopeRead), signer.Issue("svc", kScopeRead));  // jti differs.

  Result<TokenClaims> verified = signer.Verify(token);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->client_id, "svc");
  EXPECT_EQ(verified->scopes, kScopeRead | kScopeIngest);
  EXPECT_EQ(verified->issued_at_s, 1700000000);
  EXPECT_EQ(verified->expires_at_s, 1700000600);
}

// The message of a refused token, checking it is kPermissionDenied.
std::string Refusal(const TokenSigner& signer, std::string_view token) {
  Result<TokenClaims> r = signer.Verify(token);
  if (r.ok()) return "accepted";
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  return r.status().message();
}

TEST(TokenSignerTest, RefusesAnExpiredToken) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const std::string token = signer.Issue("svc", kScopeRead);
  clock.Advance(seconds(599));
  EXPECT_TRUE(signer.Verify(token).ok());
  clock.Advance(seconds(1));  // exp == now: expired (RFC 7519 4.1.4, "on or after").
  EXPECT_EQ(Refusal(signer, token), "token expired");
}

TEST(TokenSignerTest, AllowsSixtySecondsOfSkewOnIssuedAt) {
  FakeClock ahead_clock;
  ahead_clock.Advance(seconds(60));
  TokenSigner ahead(kKey, ahead_clock, seconds(600));  // Another server, its clock ahead.
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  EXPECT_TRUE(signer.Verify(ahead.Issue("svc", kScopeRead)).ok());
  ahead_clock.Advance(seconds(1));
  EXPECT_EQ(Refusal(signer, ahead.Issue("svc", kScopeRead)), "token issued in the future");
}

TEST(TokenSignerTest, RefusesTamperedPayloadOrSignature) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const std::string token = signer.Issue("svc", kScopeRead);
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');

  // The claims re-encoded with more scope, the signature kept.
  nlohmann::json claims =
      nlohmann::json::parse(*internal::Base64Decode(token.substr(dot1 + 1, dot2 - dot1 - 1), true));
  claims["scope"] = "inventory:read inventory:ingest";
  const std::string more_scope =
      token.substr(0, dot1 + 1) + B64Url(claims.dump()) + token.substr(dot2);
  EXPECT_EQ(Refusal(signer, more_scope), "bad signature");

  for (size_t i : {dot2 + 1, token.size() - 1, dot1 + 3}) {
    std::string flipped = token;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(Refusal(signer, flipped), "bad signature") << i;
  }
  EXPECT_EQ(Refusal(signer, token.substr(0, token.size() - 1)), "bad signature");
}

TEST(TokenSignerTest, RefusesAlgNoneAndOtherAlgorithms) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const nlohmann::json claims = ValidClaims(clock);
  // The classic forgery: "alg":"none" and an empty signature.
  const std::string none = B64Url(R"({"alg":"none","typ":"JWT"})") + "." + B64Url(claims.dump());
  EXPECT_EQ(Refusal(signer, none + "."), "malformed token");
  EXPECT_EQ(Refusal(signer, none), "malformed token");
  // Even correctly MACed with our key, only HS256 is accepted.
  for (const char* alg : {"none", "HS512", "RS256", "hs256"}) {
    EXPECT_EQ(Refusal(signer, SignRaw(kKey, {{"alg", alg}, {"typ", "JWT"}}, claims)),
              "unsupported token algorithm")
        << alg;
  }
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, {{"typ", "JWT"}}, claims)),
            "unsupported token algorithm");
  EXPECT_TRUE(signer.Verify(SignRaw(kKey, {{"alg", "HS256"}}, claims)).ok());
}

TEST(TokenSignerTest, RefusesATokenSignedWithAnotherKey) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  TokenSigner other(std::string(32, 'o'), clock, seconds(600));
  EXPECT_EQ(Refusal(signer, other.Issue("svc", kScopeRead)), "bad signature");
  EXPECT_TRUE(other.Verify(other.Issue("svc", kScopeRead)).ok());
}

TEST(TokenSignerTest, RefusesWrongAudienceIssuerOrMissingClaims) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  nlohmann::json claims = ValidClaims(clock);
  claims["aud"] = "someone-else";
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "wrong token audience");
  claims["aud"] = nlohmann::json::array({"gatescope"});
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "wrong token audience");
  claims = ValidClaims(clock);
  claims["iss"] = "evil";
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "wrong token issuer");
  for (const char* name : {"sub", "scope", "iat", "exp"}) {
    claims = ValidClaims(clock);
    claims.erase(name);
    EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "malformed token") << name;
  }
  claims = ValidClaims(clock);
  claims["exp"] = "1800000000";
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "malformed token");
  claims = ValidClaims(clock);
  claims["scope"] = "inventory:admin";
  EXPECT_EQ(Refusal(signer, SignRaw(kKey, header, claims)), "malformed token");
}

TEST(TokenSignerTest, RefusesMalformedText) {
  FakeClock clock;
  TokenSigner signer(kKey, clock, seconds(600));
  const std::string token = signer.Issue("svc", kScopeRead);
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "...", "a.b", "a.b.c.d", token + ".x", token + "=", " " + token,
           token.substr(0, token.find('.')) + "..x", "!!!.b.c", B64Url("not json") + ".e30.sig",
           // Over 4 KB: refused before any decoding.
           token.substr(0, token.rfind('.')) + std::string(5000, 'A') +
               token.substr(token.rfind('.'))}) {
    EXPECT_EQ(Refusal(signer, bad), "malformed token") << bad;
  }
}

// ---- The token endpoint ----

constexpr std::string_view kForm = "application/x-www-form-urlencoded";

class TokenEndpointTest : public ::testing::Test {
 protected:
  TokenEndpointTest()
      : registry_({{.id = "ingest-client",
                    .secret_hash = HashSecret(kSecret, kTestIterations),
                    .scopes = kScopeIngest},
                   {.id = "both:1",
                    .secret_hash = HashSecret("p+w%d &x", kTestIterations),
                    .scopes = kScopeRead | kScopeIngest}}),
        signer_(kKey, clock_, seconds(900)) {}

  static std::string Basic(std::string_view id, std::string_view secret) {
    return "Basic " + B64(std::string(id) + ":" + std::string(secret));
  }
  HttpAnswer Post(std::string_view authorization, std::string_view body,
                  std::string_view content_type = kForm) {
    HttpAnswer answer = HandleTokenRequest(registry_, signer_, authorization, content_type, body);
    // Whatever the answer, the secret never appears in it.
    EXPECT_EQ(answer.body.find(kSecret), std::string::npos);
    EXPECT_EQ(answer.www_authenticate.find(kSecret), std::string::npos);
    EXPECT_EQ(answer.status == 401, !answer.www_authenticate.empty());
    return answer;
  }
  static std::string ErrorOf(const HttpAnswer& answer) {
    const nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    return body.is_object() && body.contains("error") ? body["error"].get<std::string>() : "?";
  }

  static constexpr std::string_view kSecret = "Zx9-secret-value-never-echoed";
  FakeClock clock_;
  ClientRegistry registry_;
  TokenSigner signer_;
};

TEST_F(TokenEndpointTest, IssuesATokenToABasicClient) {
  const HttpAnswer answer = Post(Basic("ingest-client", kSecret), "grant_type=client_credentials");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const nlohmann::json body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 900);
  EXPECT_EQ(body["scope"], "inventory:ingest");
  Result<TokenClaims> claims = signer_.Verify(body["access_token"].get<std::string>());
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->client_id, "ingest-client");
  EXPECT_EQ(claims->scopes, kScopeIngest);
  EXPECT_EQ(claims->expires_at_s - claims->issued_at_s, 900);
}

TEST_F(TokenEndpointTest, IssuesATokenToAPostClient) {
  const HttpAnswer answer =
      Post("", "grant_type=client_credentials&client_id=ingest-client&client_secret=" +
                   std::string(kSecret));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(nlohmann::json::parse(answer.body)["scope"], "inventory:ingest");
}

TEST_F(TokenEndpointTest, DecodesFormEncodedCredentialsInBothMethods) {
  // RFC 6749 2.3.1: Basic carries the form-urlencoded id and secret.
  HttpAnswer answer = Post(Basic("both%3A1", "p%2Bw%25d+%26x"), "grant_type=client_credentials");
  ASSERT_EQ(answer.status, 200) << answer.body;
  answer =
      Post("", "client_secret=p%2Bw%25d+%26x&grant_type=client_credentials&client_id=both%3A1");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(nlohmann::json::parse(answer.body)["scope"], "inventory:read inventory:ingest");
}

TEST_F(TokenEndpointTest, NarrowsToTheAskedScope) {
  const HttpAnswer answer =
      Post(Basic("both%3A1", "p%2Bw%25d+%26x"),
           "grant_type=client_credentials&scope=inventory%3Aread&audience=gatescope");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const nlohmann::json body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["scope"], "inventory:read");
  EXPECT_EQ(signer_.Verify(body["access_token"].get<std::string>())->scopes, kScopeRead);
}

TEST_F(TokenEndpointTest, RefusesAScopeTheClientDoesNotHave) {
  HttpAnswer answer =
      Post(Basic("ingest-client", kSecret), "grant_type=client_credentials&scope=inventory:read");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_scope");
  answer = Post(Basic("ingest-client", kSecret), "grant_type=client_credentials&scope=admin");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_scope");
}

TEST_F(TokenEndpointTest, RefusesOtherGrantTypes) {
  HttpAnswer answer = Post(Basic("ingest-client", kSecret), "grant_type=password");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "unsupported_grant_type");
  answer = Post(Basic("ingest-client", kSecret), "scope=inventory:ingest");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_request");
}

TEST_F(TokenEndpointTest, WrongSecretIsInvalidClientWithAChallenge) {
  const std::string wrong = "wrong-secret-that-must-not-echo";
  for (const HttpAnswer& answer :
       {Post(Basic("ingest-client", wrong), "grant_type=client_credentials"),
        Post("", "grant_type=client_credentials&client_id=ingest-client&client_secret=" + wrong),
        Post(Basic("nobody", wrong), "grant_type=client_credentials"),
        Post("", "grant_type=client_credentials"),
        Post("", "grant_type=client_credentials&client_id=ingest-client"),
        Post("Bearer abc", "grant_type=client_credentials"),
        Post("Basic !!!", "grant_type=client_credentials"),
        Post("Basic " + B64("no-colon"), "grant_type=client_credentials")}) {
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(ErrorOf(answer), "invalid_client");
    EXPECT_EQ(answer.www_authenticate, R"(Basic realm="gatescope")");
    EXPECT_EQ(answer.body.find(wrong), std::string::npos);
    EXPECT_EQ(answer.body.find("ingest-client"), std::string::npos);
  }
}

TEST_F(TokenEndpointTest, BothAuthenticationMethodsAtOnceIsInvalidRequest) {
  const HttpAnswer answer =
      Post(Basic("ingest-client", kSecret),
           "grant_type=client_credentials&client_id=ingest-client&client_secret=" +
               std::string(kSecret));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_request");
}

TEST_F(TokenEndpointTest, RequiresAFormBody) {
  HttpAnswer answer = Post(Basic("ingest-client", kSecret),
                           R"({"grant_type":"client_credentials"})", "application/json");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_request");
  answer = Post(Basic("ingest-client", kSecret), "grant_type=client_credentials", "");
  EXPECT_EQ(answer.status, 400);
  answer = Post(Basic("ingest-client", kSecret), "grant_type=client_credentials",
                "Application/X-WWW-Form-URLEncoded; charset=UTF-8");
  EXPECT_EQ(answer.status, 200) << answer.body;
}

TEST_F(TokenEndpointTest, RefusesRepeatedParametersAndHugeBodies) {
  HttpAnswer answer = Post(Basic("ingest-client", kSecret),
                           "grant_type=client_credentials&grant_type=client_credentials");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_request");
  answer = Post(Basic("ingest-client", kSecret),
                "grant_type=client_credentials&x=" + std::string(10000, 'a'));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorOf(answer), "invalid_request");
}

// ---- AuthorizeBearer ----

TEST_F(TokenEndpointTest, AuthorizeBearerAllowsATokenWithTheScope) {
  const std::string token = signer_.Issue("ingest-client", kScopeIngest);
  HttpAnswer answer = AuthorizeBearer(signer_, "Bearer " + token, kScopeIngest);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ingest-client");
  EXPECT_TRUE(answer.www_authenticate.empty());
  EXPECT_EQ(AuthorizeBearer(signer_, "bearer  " + token + " ", kScopeIngest).status, 200);
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + token, 0).status, 200);
}

TEST_F(TokenEndpointTest, AuthorizeBearerRefusesMissingOrBadTokensWith401) {
  HttpAnswer answer = AuthorizeBearer(signer_, "", kScopeRead);
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.www_authenticate, R"(Bearer realm="gatescope")");
  EXPECT_EQ(AuthorizeBearer(signer_, "Basic " + B64("a:b"), kScopeRead).www_authenticate,
            R"(Bearer realm="gatescope")");
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer", kScopeRead).status, 401);

  answer = AuthorizeBearer(signer_, "Bearer not.a.token", kScopeRead);
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(
      answer.www_authenticate,
      R"(Bearer realm="gatescope", error="invalid_token", error_description="malformed token")");
  EXPECT_EQ(ErrorOf(answer), "invalid_token");

  const std::string token = signer_.Issue("ingest-client", kScopeIngest);
  clock_.Advance(seconds(900));
  answer = AuthorizeBearer(signer_, "Bearer " + token, kScopeIngest);
  EXPECT_EQ(answer.status, 401);
  EXPECT_NE(answer.www_authenticate.find(R"(error_description="token expired")"),
            std::string::npos);
  EXPECT_EQ(answer.body.find(token), std::string::npos);
}

TEST_F(TokenEndpointTest, AuthorizeBearerRefusesAMissingScopeWith403) {
  const std::string token = signer_.Issue("ingest-client", kScopeIngest);
  HttpAnswer answer = AuthorizeBearer(signer_, "Bearer " + token, kScopeRead);
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(ErrorOf(answer), "insufficient_scope");
  EXPECT_NE(answer.www_authenticate.find(R"(error="insufficient_scope")"), std::string::npos);
  EXPECT_NE(answer.www_authenticate.find(R"(scope="inventory:read")"), std::string::npos);
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + token, kScopeRead | kScopeIngest).status, 403);
}

}  // namespace
}  // namespace gatescope::auth
