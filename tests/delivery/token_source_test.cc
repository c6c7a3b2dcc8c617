#include "delivery/token_source.h"
#include "env/url.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_server.h"
#include "tests/support/test_util.h"

namespace gatescope::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Base64Decode(const std::string& in) {
  std::string out(in.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return "";
  out.resize(static_cast<size_t>(n));
  size_t pad = 0;  // EVP_DecodeBlock counts the '=' padding as zero bytes.
  for (auto it = in.rbegin(); it != in.rend() && *it == '='; ++it) ++pad;
  out.resize(out.size() - pad);
  return out;
}

// A token endpoint on loopback that issues "tok-<n>" and records what it was sent.
class FakeTokenEndpoint {
 public:
  struct Seen {
    std::string authorization, content_type, body;
  };

  FakeTokenEndpoint() {
    server_.server().Post("/oauth/token",
                          [this](const httplib::Request& req, httplib::Response& res) {
                            int status;
                            std::string body;
                            {
                              std::lock_guard lock(mu_);
                              seen_.push_back({req.get_header_value("Authorization"),
                                               req.get_header_value("Content-Type"), req.body});
                              status = status_;
                              body = body_;
                            }
                            if (delay_ms_ > 0) std::this_thread::sleep_for(milliseconds(delay_ms_));
                            if (status == 200 && body.empty()) {
                              const int n = ++issued_;
                              body = R"({"access_token":"tok-)" + std::to_string(n) +
                                     R"(","token_type":"Bearer","expires_in":)" + expires_in_ + "}";
                            }
                            res.status = status;
                            res.set_content(body, "application/json");
                          });
    server_.Start();
  }

  std::string url() const { return server_.url("/oauth/token"); }
  void Respond(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  size_t hits() { return seen().size(); }

  std::string expires_in_ = "3600";  // JSON text of expires_in; set before use.
  std::atomic<int> delay_ms_{0};

 private:
  testing::LoopbackServer server_;
  std::mutex mu_;
  int status_ = 200;
  std::string body_;
  std::vector<Seen> seen_;
  std::atomic<int> issued_{0};
};

class OAuth2Test : public ::testing::Test {
 protected:
  std::unique_ptr<TokenSource> Make(OAuth2Options options = {}) {
    if (options.token_url.empty()) options.token_url = endpoint_.url();
    if (options.client_id.empty()) options.client_id = "client-1";
    if (options.client_secret.empty()) options.client_secret = "hunter2-secret";
    return NewOAuth2ClientCredentials(std::move(options), *http_, clock_);
  }
  std::chrono::steady_clock::time_point Deadline() { return clock_.MonotonicNow() + seconds(5); }

  FakeTokenEndpoint endpoint_;
  std::unique_ptr<env::HttpClient> http_ = env::NewCurlHttpClient();
  testing::FakeClock clock_;
};

TEST_F(OAuth2Test, CachesTheTokenAcrossCalls) {
  auto source = Make();
  for (int i = 0; i < 20; ++i) {
    Result<std::string> token = source->Token(Deadline());
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(*token, "tok-1");
  }
  EXPECT_EQ(source->fetches(), 1u);
  EXPECT_EQ(endpoint_.hits(), 1u);
}

TEST_F(OAuth2Test, RefreshesRefreshSkewBeforeExpiry) {
  auto source = Make();  // expires_in 3600, skew 60 s.
  ASSERT_EQ(*source->Token(Deadline()), "tok-1");
  clock_.Advance(seconds(3539));
  EXPECT_EQ(*source->Token(Deadline()), "tok-1");
  clock_.Advance(seconds(2));  // 3541 s: inside the skew.
  EXPECT_EQ(*source->Token(Deadline()), "tok-2");
  EXPECT_EQ(source->fetches(), 2u);
}

TEST_F(OAuth2Test, RefreshesAtTenPercentOfAShortLifetimeGivenAsAString) {
  endpoint_.expires_in_ = R"("300")";  // A string, as some servers send it: margin 30 s < 60 s.
  auto source = Make();
  ASSERT_EQ(*source->Token(Deadline()), "tok-1");
  clock_.Advance(seconds(269));
  EXPECT_EQ(*source->Token(Deadline()), "tok-1");
  clock_.Advance(seconds(2));
  EXPECT_EQ(*source->Token(Deadline()), "tok-2");
}

TEST_F(OAuth2Test, BasicAuthFormEncodesThenBase64s) {
  auto source = Make({.client_id = "client id:1",
                      .client_secret = "s3cr:t/+é",
                      .scope = "read write",
                      .audience = "https://api.example.com/"});
  ASSERT_TRUE(source->Token(Deadline()).ok());
  const auto seen = endpoint_.seen();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_EQ(seen[0].authorization.rfind("Basic ", 0), 0u);
  // RFC 6749 2.3.1: each part application/x-www-form-urlencoded, then "id:secret" in Basic.
  EXPECT_EQ(Base64Decode(seen[0].authorization.substr(6)), "client+id%3A1:s3cr%3At%2F%2B%C3%A9");
  EXPECT_EQ(seen[0].content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].body,
            "grant_type=client_credentials&scope=read+write&audience=https%3A%2F%2Fapi.example."
            "com%2F");
  EXPECT_EQ(seen[0].body.find("s3cr"), std::string::npos);
}

TEST_F(OAuth2Test, PostAuthPutsTheCredentialsInTheBody) {
  auto source = Make({.client_id = "client id",
                      .client_secret = "p&ss=word",
                      .auth_method = OAuth2Options::AuthMethod::kPost});
  ASSERT_TRUE(source->Token(Deadline()).ok());
  const auto seen = endpoint_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].authorization, "");
  EXPECT_EQ(seen[0].body,
            "grant_type=client_credentials&client_id=client+id&client_secret=p%26ss%3Dword");
}

TEST_F(OAuth2Test, RejectedCredentialsArePermissionDeniedWithoutTheSecret) {
  endpoint_.Respond(401, R"({"error":"invalid_client","error_description":"bad hunter2-secret"})");
  auto source = Make();
  Result<std::string> token = source->Token(Deadline());
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
  const std::string& message = token.status().message();
  EXPECT_NE(message.find(endpoint_.url()), std::string::npos) << message;
  EXPECT_NE(message.find("invalid_client"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(source->fetches(), 0u);

  endpoint_.Respond(400, R"({"error":"Robert'); DROP TABLE"})");  // Not a bounded code.
  token = source->Token(Deadline());
  EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(token.status().message().find("unknown"), std::string::npos);
}

TEST_F(OAuth2Test, ServerErrorsAreRetryableAndAValidCachedTokenSurvivesThem) {
  endpoint_.expires_in_ = "100";  // Margin 10 s.
  auto source = Make();
  ASSERT_EQ(*source->Token(Deadline()), "tok-1");
  endpoint_.Respond(503, "down");
  clock_.Advance(seconds(95));  // Refresh due, refresh fails, token still valid for 5 s.
  Result<std::string> token = source->Token(Deadline());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "tok-1");
  clock_.Advance(seconds(6));  // Expired.
  token = source->Token(Deadline());
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(token.status()));
  endpoint_.Respond(200, "");
  EXPECT_EQ(*source->Token(Deadline()), "tok-2");
}

TEST_F(OAuth2Test, ResponseWithoutAccessTokenIsAParseError) {
  endpoint_.Respond(200, R"({"token_type":"Bearer"})");
  auto source = Make();
  Result<std::string> token = source->Token(Deadline());
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kParseError);
}

TEST_F(OAuth2Test, OtherAnswersAreInvalidArgument) {
  endpoint_.Respond(404, "no such path");
  auto source = Make();
  EXPECT_EQ(source->Token(Deadline()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(OAuth2Test, UnreachableEndpointIsUnavailable) {
  std::string url;
  {
    testing::LoopbackServer gone;
    gone.Start();
    url = gone.url("/token");
  }
  auto source = Make({.token_url = url});
  Result<std::string> token = source->Token(Deadline());
  ASSERT_FALSE(token.ok());
  EXPECT_TRUE(IsRetryable(token.status())) << token.status().ToString();
}

TEST_F(OAuth2Test, PassedDeadlineFetchesNothing) {
  auto source = Make();
  Result<std::string> token = source->Token(clock_.MonotonicNow());
  EXPECT_EQ(token.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(endpoint_.hits(), 0u);
}

TEST_F(OAuth2Test, InvalidateForgetsOnlyTheCachedToken) {
  auto source = Make();
  ASSERT_EQ(*source->Token(Deadline()), "tok-1");
  source->Invalidate("tok-0");  // Stale: already replaced, nothing to do.
  EXPECT_EQ(*source->Token(Deadline()), "tok-1");
  source->Invalidate("tok-1");
  EXPECT_EQ(*source->Token(Deadline()), "tok-2");
  EXPECT_EQ(source->fetches(), 2u);
}

TEST_F(OAuth2Test, ConcurrentCallersShareOneFetch) {
  endpoint_.delay_ms_ = 200;  // Long enough for every thread to arrive during the fetch.
  auto source = Make();
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(8);
  for (size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::string> token = source->Token(Deadline());
      tokens[i] = token.ok() ? *token : token.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& token : tokens) EXPECT_EQ(token, "tok-1");
  EXPECT_EQ(source->fetches(), 1u);
  EXPECT_EQ(endpoint_.hits(), 1u);
}

TEST(StaticTokenSourceTest, AlwaysReturnsItsToken) {
  auto source = NewStaticTokenSource("static-key");
  EXPECT_EQ(*source->Token(std::chrono::steady_clock::time_point{}), "static-key");
  source->Invalidate("static-key");
  EXPECT_EQ(*source->Token(std::chrono::steady_clock::time_point{}), "static-key");
  EXPECT_EQ(source->fetches(), 0u);
}

TEST(ParseTokenResponseTest, ReadsTheFields) {
  Result<ParsedToken> t =
      ParseTokenResponse(R"({"access_token":"abc","token_type":"bearer","expires_in":120})");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->access_token, "abc");
  EXPECT_EQ(t->token_type, "bearer");
  EXPECT_EQ(t->expires_in, seconds(120));
}

TEST(ParseTokenResponseTest, ExpiresInVariants) {
  auto expires = [](const std::string& value) {
    Result<ParsedToken> t =
        ParseTokenResponse(R"({"access_token":"a","expires_in":)" + value + "}");
    return t.ok() ? t->expires_in.count() : -999;
  };
  EXPECT_EQ(expires(R"("3599")"), 3599);
  EXPECT_EQ(expires(R"(" 60 ")"), 60);
  EXPECT_EQ(expires("59.9"), 59);
  EXPECT_EQ(expires("-5"), 0);
  EXPECT_EQ(expires(R"("soon")"), 3600);
  EXPECT_EQ(expires("null"), 3600);
  EXPECT_EQ(expires("1e300"), 365 * 24 * 3600);
  Result<ParsedToken> absent = ParseTokenResponse(R"({"access_token":"a"})");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->expires_in, seconds(3600));
}

TEST(ParseTokenResponseTest, RejectsResponsesWithoutAToken) {
  for (const char* body : {"", "[]", "not json", R"({"access_token":""})", R"({"access_token":42})",
                           R"({"error":"invalid_client"})", R"({"access_token":"a")"}) {
    Result<ParsedToken> t = ParseTokenResponse(body);
    ASSERT_FALSE(t.ok()) << body;
    EXPECT_EQ(t.status().code(), StatusCode::kParseError) << body;
  }
}

TEST(FormUrlEncodeTest, EncodesAsFormsDo) {
  EXPECT_EQ(env::FormUrlEncode("AZaz09-._*"), "AZaz09-._*");
  EXPECT_EQ(env::FormUrlEncode("a b~c:d/e+f%"), "a+b%7Ec%3Ad%2Fe%2Bf%25");
}

}  // namespace
}  // namespace gatescope::delivery
