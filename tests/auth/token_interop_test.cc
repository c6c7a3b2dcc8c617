// The connector's OAuth2 client (delivery::TokenSource) against the server's token endpoint,
// over real HTTP on loopback: the two halves of issue 6 and issue 7 must agree on the wire.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "auth/client_registry.h"
#include "auth/token_endpoint.h"
#include "auth/token_signer.h"
#include "delivery/token_source.h"
#include "env/http_client.h"
#include "tests/support/loopback_server.h"
#include "tests/support/test_util.h"

namespace gatescope::auth {
namespace {

using std::chrono::seconds;

class TokenInteropTest : public ::testing::Test {
 protected:
  TokenInteropTest()
      : registry_({{.id = "connector-prod",
                    .secret_hash = HashSecret(kIngestSecret, 1000),
                    .scopes = kScopeIngest},
                   {.id = "dashboard",
                    .secret_hash = HashSecret(kBothSecret, 1000),
                    .scopes = kScopeRead | kScopeIngest}}),
        signer_(std::string(32, 'k'), clock_, seconds(900)) {
    // What the server's /oauth2/token route does with HandleTokenRequest's answer.
    server_.server().Post(
        "/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
          const HttpAnswer answer =
              HandleTokenRequest(registry_, signer_, req.get_header_value("Authorization"),
                                 req.get_header_value("Content-Type"), req.body);
          res.status = answer.status;
          res.set_header("Cache-Control", "no-store");
          if (!answer.www_authenticate.empty()) {
            res.set_header("WWW-Authenticate", answer.www_authenticate);
          }
          res.set_content(answer.body, "application/json");
        });
    server_.Start();
  }

  std::unique_ptr<delivery::TokenSource> Source(std::string id, std::string secret,
                                                delivery::OAuth2Options::AuthMethod method,
                                                std::string scope = "") {
    return delivery::NewOAuth2ClientCredentials({.token_url = server_.url("/oauth2/token"),
                                                 .client_id = std::move(id),
                                                 .client_secret = std::move(secret),
                                                 .scope = std::move(scope),
                                                 .auth_method = method},
                                                *http_, clock_);
  }
  std::chrono::steady_clock::time_point Deadline() { return clock_.MonotonicNow() + seconds(10); }

  // Secrets with characters that form-urlencoding changes, as an operator's might have.
  static constexpr const char* kIngestSecret = "in+gest/se%cret=&1";
  static constexpr const char* kBothSecret = "b0th secret:x";
  testing::FakeClock clock_;
  ClientRegistry registry_;
  TokenSigner signer_;
  testing::LoopbackServer server_;
  std::unique_ptr<env::HttpClient> http_ = env::NewCurlHttpClient();
};

TEST_F(TokenInteropTest, BasicClientWithScopeGetsATokenTheServerAccepts) {
  auto source = Source("connector-prod", kIngestSecret, delivery::OAuth2Options::AuthMethod::kBasic,
                       "inventory:ingest");
  Result<std::string> token = source->Token(Deadline());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  HttpAnswer allowed = AuthorizeBearer(signer_, "Bearer " + *token, kScopeIngest);
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.body, "connector-prod");
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + *token, kScopeRead).status, 403);
  EXPECT_EQ(source->fetches(), 1u);
}

TEST_F(TokenInteropTest, PostClientGetsATokenWithAllItsScopes) {
  auto source = Source("dashboard", kBothSecret, delivery::OAuth2Options::AuthMethod::kPost);
  Result<std::string> token = source->Token(Deadline());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + *token, kScopeRead | kScopeIngest).status, 200);
}

TEST_F(TokenInteropTest, PostClientNarrowsToTheAskedScope) {
  auto source = Source("dashboard", kBothSecret, delivery::OAuth2Options::AuthMethod::kPost,
                       "inventory:read");
  Result<std::string> token = source->Token(Deadline());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + *token, kScopeRead).status, 200);
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + *token, kScopeIngest).status, 403);
}

TEST_F(TokenInteropTest, RefreshesWhenTheTokenNearsExpiry) {
  auto source =
      Source("connector-prod", kIngestSecret, delivery::OAuth2Options::AuthMethod::kBasic);
  ASSERT_TRUE(source->Token(Deadline()).ok());
  clock_.Advance(seconds(850));  // Within the connector's 60 s refresh skew of 900 s.
  Result<std::string> token = source->Token(Deadline());
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(source->fetches(), 2u);
  EXPECT_EQ(AuthorizeBearer(signer_, "Bearer " + *token, kScopeIngest).status, 200);
}

TEST_F(TokenInteropTest, WrongSecretIsRefusedWithoutEchoingIt) {
  for (auto method :
       {delivery::OAuth2Options::AuthMethod::kBasic, delivery::OAuth2Options::AuthMethod::kPost}) {
    auto source = Source("connector-prod", "not-the-secret", method);
    Result<std::string> token = source->Token(Deadline());
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(token.status().message().find("invalid_client"), std::string::npos)
        << token.status().message();
    EXPECT_EQ(token.status().message().find("not-the-secret"), std::string::npos);
  }
}

TEST_F(TokenInteropTest, ScopeTheClientLacksIsRefused) {
  auto source = Source("connector-prod", kIngestSecret, delivery::OAuth2Options::AuthMethod::kBasic,
                       "inventory:read");
  Result<std::string> token = source->Token(Deadline());
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("invalid_scope"), std::string::npos)
      << token.status().message();
}

}  // namespace
}  // namespace gatescope::auth
