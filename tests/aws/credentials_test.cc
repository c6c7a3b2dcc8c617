#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.h"
#include "aws/aws_environment.h"
#include "aws/internal/xml_scan.h"
#include "core/time_format.h"
#include "env/http_client.h"
#include "tests/support/loopback_server.h"
#include "tests/support/moto_server.h"
#include "tests/support/test_util.h"

namespace gatescope::aws {
namespace {

using gatescope::testing::FakeClock;
using gatescope::testing::LoopbackServer;
using gatescope::testing::MotoServer;
using gatescope::testing::TempDir;
using std::chrono::minutes;
using std::chrono::system_clock;
using Vars = std::map<std::string, std::string>;

// Variables that keep every test away from the real ~/.aws files and from IMDS.
Vars Hermetic(const TempDir& dir, Vars extra = {}) {
  Vars vars = {{"AWS_CONFIG_FILE", dir.File("config")},
               {"AWS_SHARED_CREDENTIALS_FILE", dir.File("credentials")},
               {"AWS_EC2_METADATA_DISABLED", "true"},
               {"HOME", dir.path()}};
  for (auto& [k, v] : extra) vars[k] = v;
  return vars;
}

std::string Iso(system_clock::time_point t) {
  return FormatIso8601(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::string CredentialsJson(const std::string& key, system_clock::time_point expiration,
                            const std::string& code = "") {
  std::string json = "{";
  if (!code.empty()) json += "\"Code\":\"" + code + "\",\"Type\":\"AWS-HMAC\",";
  json += "\"AccessKeyId\":\"" + key + "\",\"SecretAccessKey\":\"secret-of-" + key +
          "\",\"Token\":\"token-of-" + key + "\",\"Expiration\":\"" + Iso(expiration) + "\"}";
  return json;
}

std::unique_ptr<env::HttpClient> Http() {
  return env::NewCurlHttpClient({.connect_timeout = std::chrono::milliseconds(2000)});
}

// An httplib::Server on 127.0.0.1 and a free port, serving from its own thread. Register
// handlers on server() before Start().
// A container credentials endpoint (ECS agent / EKS Pod Identity agent) at /creds.
class FakeContainerEndpoint {
 public:
  explicit FakeContainerEndpoint(system_clock::time_point expiration) : expiration_(expiration) {
    server_.server().Get("/creds", [this](const httplib::Request& req, httplib::Response& res) {
      std::chrono::milliseconds delay;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++requests_;
        authorizations_.push_back(req.get_header_value("Authorization"));
        delay = delay_;
      }
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      std::lock_guard<std::mutex> lock(mu_);
      res.status = status_;
      std::string body = body_.empty() ? CredentialsJson(key_, expiration_) : body_;
      res.set_content(body, "application/json");
    });
    server_.Start();
  }

  std::string url() const { return server_.url() + "/creds"; }
  void Serve(std::string key, system_clock::time_point expiration) {
    std::lock_guard<std::mutex> lock(mu_);
    key_ = std::move(key);
    expiration_ = expiration;
  }
  void SetStatus(int status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
  }
  void SetBody(std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    body_ = std::move(body);
  }
  void SetDelay(std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(mu_);
    delay_ = delay;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorizations_;
  }

 private:
  LoopbackServer server_;
  std::mutex mu_;
  std::string key_ = "ASIACONTAINER1";
  system_clock::time_point expiration_;
  int status_ = 200;
  std::string body_;
  std::chrono::milliseconds delay_{0};
  int requests_ = 0;
  std::vector<std::string> authorizations_;
};

Vars ContainerVars(const TempDir& dir, const FakeContainerEndpoint& endpoint, Vars extra = {}) {
  extra["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoint.url();
  return Hermetic(dir, std::move(extra));
}

TEST(StaticCredentialsTest, ReturnsTheKeys) {
  auto provider =
      NewStaticCredentialsProvider({.access_key_id = "AKIDSTATIC", .secret_access_key = "s3cret"});
  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDSTATIC");
  EXPECT_EQ(c->secret_access_key, "s3cret");
  EXPECT_FALSE(c->expiration.has_value());
  EXPECT_EQ(c->source, "static");
  provider->Invalidate();
  EXPECT_TRUE(provider->Get().ok());
}

TEST(StaticCredentialsTest, RejectsMissingSecret) {
  auto provider = NewStaticCredentialsProvider({.access_key_id = "AKIDSTATIC"});
  EXPECT_FALSE(provider->Get().ok());
}

TEST(EnvironmentCredentialsTest, ReadsKeysAndSessionToken) {
  auto env = AwsEnvironment::FromMap({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                      {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                      {"AWS_SESSION_TOKEN", "envtoken"}});
  Result<AwsCredentials> c = NewEnvironmentCredentialsProvider(env)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "envsecret");
  EXPECT_EQ(c->session_token, "envtoken");
  EXPECT_EQ(c->source, "environment");
}

TEST(EnvironmentCredentialsTest, UnsetIsNotFound) {
  Result<AwsCredentials> c = NewEnvironmentCredentialsProvider(AwsEnvironment::FromMap({}))->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(EnvironmentCredentialsTest, MissingSecretNamesTheVariableNotTheValue) {
  auto env = AwsEnvironment::FromMap({{"AWS_ACCESS_KEY_ID", "AKIDVISIBLE"}});
  Result<AwsCredentials> c = NewEnvironmentCredentialsProvider(env)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_EQ(c.status().message().find("AKIDVISIBLE"), std::string::npos);

  auto only_secret = AwsEnvironment::FromMap({{"AWS_SECRET_ACCESS_KEY", "hidden-secret"}});
  c = NewEnvironmentCredentialsProvider(only_secret)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(c.status().message().find("hidden-secret"), std::string::npos);
}

TEST(ProfileCredentialsTest, CredentialsFileOverridesConfigFile) {
  TempDir dir;
  dir.Write("config",
            "[default]\naws_access_key_id = AKIDCONFIGDEFAULT\naws_secret_access_key = a\n"
            "[profile dev]\naws_access_key_id = AKIDCONFIGDEV\naws_secret_access_key = b\n"
            "region = eu-west-1\n"
            "[profile onlyconfig]\naws_access_key_id = AKIDONLYCONFIG\n"
            "aws_secret_access_key = c\naws_session_token = tok\n");
  dir.Write("credentials", "[dev]\naws_access_key_id = AKIDCREDSDEV\naws_secret_access_key = d\n");
  auto env = AwsEnvironment::FromMap(Hermetic(dir));

  Result<AwsCredentials> dev = NewProfileCredentialsProvider(env, "dev")->Get();
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->access_key_id, "AKIDCREDSDEV");
  EXPECT_EQ(dev->secret_access_key, "d");
  EXPECT_EQ(dev->source, "profile dev");

  Result<AwsCredentials> def = NewProfileCredentialsProvider(env, "default")->Get();
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->access_key_id, "AKIDCONFIGDEFAULT");

  Result<AwsCredentials> config_only = NewProfileCredentialsProvider(env, "onlyconfig")->Get();
  ASSERT_TRUE(config_only.ok()) << config_only.status().ToString();
  EXPECT_EQ(config_only->access_key_id, "AKIDONLYCONFIG");
  EXPECT_EQ(config_only->session_token, "tok");
}

TEST(ProfileCredentialsTest, MissingProfileIsNotFound) {
  TempDir dir;
  dir.Write("credentials", "[dev]\naws_access_key_id = A\naws_secret_access_key = B\n");
  auto env = AwsEnvironment::FromMap(Hermetic(dir));
  Result<AwsCredentials> c = NewProfileCredentialsProvider(env, "nosuch")->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(ProfileCredentialsTest, MissingSecretIsAnErrorWithoutTheKey) {
  TempDir dir;
  dir.Write("credentials", "[dev]\naws_access_key_id = AKIDHALF\n");
  auto env = AwsEnvironment::FromMap(Hermetic(dir));
  Result<AwsCredentials> c = NewProfileCredentialsProvider(env, "dev")->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("aws_secret_access_key"), std::string::npos);
  EXPECT_EQ(c.status().message().find("AKIDHALF"), std::string::npos);
}

TEST(ContainerCredentialsTest, FetchesFromFullUriWithAuthorizationToken) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(6));
  auto env = AwsEnvironment::FromMap(
      ContainerVars(dir, endpoint, {{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}}));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER1");
  EXPECT_EQ(c->secret_access_key, "secret-of-ASIACONTAINER1");
  EXPECT_EQ(c->session_token, "token-of-ASIACONTAINER1");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(*c->expiration, clock.Now() + std::chrono::hours(6));
  EXPECT_EQ(c->source, "container");
  EXPECT_EQ(endpoint.authorizations(), std::vector<std::string>{"Basic abc"});
}

TEST(ContainerCredentialsTest, RereadsTokenFileOnEveryRefresh) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(6));
  std::string token_file = dir.Write("token", "first-token\n");
  // The file wins over the variable.
  auto env =
      AwsEnvironment::FromMap(ContainerVars(dir, endpoint,
                                            {{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file},
                                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored"}}));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  ASSERT_TRUE(provider->Get().ok());
  dir.Write("token", "second-token");
  provider->Invalidate();
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(endpoint.authorizations(), (std::vector<std::string>{"first-token", "second-token"}));
}

TEST(ContainerCredentialsTest, FullUriMustBeLoopbackContainerHostOrHttps) {
  TempDir dir;
  FakeClock clock;
  auto http = Http();
  for (const char* uri :
       {"http://example.com/creds", "http://10.0.0.1/creds", "http://169.254.169.254/creds",
        "http://127.0.0.1.example.com/creds", "http://[fd00:ec2::24]/creds"}) {
    auto env =
        AwsEnvironment::FromMap(Hermetic(dir, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", uri}}));
    Result<AwsCredentials> c = NewContainerCredentialsProvider(env, *http, clock)->Get();
    ASSERT_FALSE(c.ok()) << uri;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << uri;
    EXPECT_NE(c.status().message().find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos)
        << c.status().message();
  }
  // Another loopback address is allowed (nothing listens on port 1, so the request itself
  // fails, but not for the host rule).
  auto env = AwsEnvironment::FromMap(
      Hermetic(dir, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.2:1/creds"}}));
  Result<AwsCredentials> c = NewContainerCredentialsProvider(env, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
}

TEST(ContainerCredentialsTest, UnsetIsNotFound) {
  TempDir dir;
  FakeClock clock;
  auto http = Http();
  auto env = AwsEnvironment::FromMap(Hermetic(dir));
  Result<AwsCredentials> c = NewContainerCredentialsProvider(env, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(ContainerCredentialsTest, RetriesServerErrorsAndReportsRefusals) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  endpoint.SetStatus(500);
  Result<AwsCredentials> c = provider->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(endpoint.requests(), 3);

  endpoint.SetStatus(403);
  c = provider->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(endpoint.requests(), 4);
}

TEST(ContainerCredentialsTest, MalformedResponseDoesNotEchoTheBody) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  for (const char* body :
       {"not json SECRETSECRET", "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SECRETSECRET\"}",
        "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SECRETSECRET\",\"Expiration\":\"soon\"}",
        "[1,2]"}) {
    endpoint.SetBody(body);
    Result<AwsCredentials> c = provider->Get();
    ASSERT_FALSE(c.ok()) << body;
    EXPECT_EQ(c.status().code(), StatusCode::kParseError) << c.status().ToString();
    EXPECT_EQ(c.status().message().find("SECRETSECRET"), std::string::npos);
  }
}

// The caching layer, through the container provider.
TEST(RefreshingCredentialsTest, RefreshesWithinFiveMinutesOfExpiry) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + minutes(4));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(endpoint.requests(), 1);
  // Four minutes left is inside the margin: the next Get() refreshes.
  endpoint.Serve("ASIACONTAINER2", clock.Now() + minutes(10));
  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER2");
  EXPECT_EQ(endpoint.requests(), 2);

  // Ten minutes left: cached.
  c = provider->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER2");
  EXPECT_EQ(endpoint.requests(), 2);

  // Six minutes later only four are left: refreshed.
  clock.Advance(minutes(6));
  endpoint.Serve("ASIACONTAINER3", clock.Now() + std::chrono::hours(1));
  c = provider->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER3");
  EXPECT_EQ(endpoint.requests(), 3);
}

TEST(RefreshingCredentialsTest, InvalidateForcesRefetch) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  ASSERT_TRUE(provider->Get().ok());
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(endpoint.requests(), 1);
  endpoint.Serve("ASIACONTAINER2", clock.Now() + std::chrono::hours(1));
  provider->Invalidate();
  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER2");
  EXPECT_EQ(endpoint.requests(), 2);
}

TEST(RefreshingCredentialsTest, FailedRefreshReturnsCachedCredentialsUntilTheyExpire) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + minutes(4));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  ASSERT_TRUE(provider->Get().ok());
  endpoint.SetStatus(404);  // Not retried: keeps the test fast.
  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER1");
  EXPECT_EQ(endpoint.requests(), 2);  // It did try.

  // Still failing, and the cached ones have expired: the error comes through.
  clock.Advance(minutes(4));
  c = provider->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(endpoint.requests(), 3);

  endpoint.SetStatus(200);
  endpoint.Serve("ASIACONTAINER2", clock.Now() + std::chrono::hours(1));
  c = provider->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER2");
}

TEST(RefreshingCredentialsTest, ConcurrentCallersShareOneRefresh) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  endpoint.SetDelay(std::chrono::milliseconds(100));
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto http = Http();
  auto provider = NewContainerCredentialsProvider(env, *http, clock);

  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (provider->Get().ok()) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(endpoint.requests(), 1);
}

// IMDSv2: the fake refuses anything without the current session token, as IMDS does with
// HttpTokens=required.
class FakeImds {
 public:
  explicit FakeImds(system_clock::time_point expiration) : expiration_(expiration) {
    httplib::Server& s = server_.server();
    s.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ttl_headers_.push_back(req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds"));
      if (!req.has_header("X-aws-ec2-metadata-token-ttl-seconds")) {
        res.status = 400;
        return;
      }
      token_ = "imds-token-" + std::to_string(ttl_headers_.size());
      res.set_content(token_, "text/plain");
    });
    s.Get("/latest/meta-data/iam/security-credentials/",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (!Authorized(req, res)) return;
            res.set_content("reader\n", "text/plain");
          });
    s.Get("/latest/meta-data/iam/security-credentials/reader",
          [this](const httplib::Request& req, httplib::Response& res) {
            if (!Authorized(req, res)) return;
            std::lock_guard<std::mutex> lock(mu_);
            ++credential_requests_;
            res.set_content(CredentialsJson("ASIAIMDS", expiration_, code_), "text/plain");
          });
    server_.Start();
  }

  std::string url() const { return server_.url(); }
  std::vector<std::string> ttl_headers() {
    std::lock_guard<std::mutex> lock(mu_);
    return ttl_headers_;
  }
  int credential_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return credential_requests_;
  }
  int unauthorized() {
    std::lock_guard<std::mutex> lock(mu_);
    return unauthorized_;
  }
  // Forgets the issued token, as after an instance stop and start.
  void RevokeToken() {
    std::lock_guard<std::mutex> lock(mu_);
    token_ = "revoked";
  }
  void SetCode(std::string code) {
    std::lock_guard<std::mutex> lock(mu_);
    code_ = std::move(code);
  }

 private:
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && req.get_header_value("X-aws-ec2-metadata-token") == token_) return true;
    ++unauthorized_;
    res.status = 401;
    return false;
  }

  LoopbackServer server_;
  std::mutex mu_;
  system_clock::time_point expiration_;
  std::string token_;
  std::string code_ = "Success";
  std::vector<std::string> ttl_headers_;
  int credential_requests_ = 0;
  int unauthorized_ = 0;
};

Vars ImdsVars(const TempDir& dir, const FakeImds& imds) {
  Vars vars = Hermetic(dir, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url() + "/"}});
  vars.erase("AWS_EC2_METADATA_DISABLED");
  return vars;
}

TEST(ImdsCredentialsTest, UsesSessionTokenForRoleAndCredentials) {
  TempDir dir;
  FakeClock clock;
  FakeImds imds(clock.Now() + std::chrono::hours(6));
  auto env = AwsEnvironment::FromMap(ImdsVars(dir, imds));
  auto http = Http();
  auto provider = NewImdsCredentialsProvider(env, *http, clock);

  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->session_token, "token-of-ASIAIMDS");
  EXPECT_EQ(c->source, "imds");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(*c->expiration, clock.Now() + std::chrono::hours(6));
  EXPECT_EQ(imds.ttl_headers(), std::vector<std::string>{"21600"});
  EXPECT_EQ(imds.unauthorized(), 0);

  // The session token is reused for the next refresh while its TTL lasts...
  provider->Invalidate();
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(imds.ttl_headers().size(), 1u);
  EXPECT_EQ(imds.credential_requests(), 2);

  // ...and renewed after it.
  clock.Advance(std::chrono::hours(6));
  provider->Invalidate();
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(imds.ttl_headers().size(), 2u);
}

TEST(ImdsCredentialsTest, RejectedSessionTokenIsRenewedOnce) {
  TempDir dir;
  FakeClock clock;
  FakeImds imds(clock.Now() + std::chrono::hours(6));
  auto env = AwsEnvironment::FromMap(ImdsVars(dir, imds));
  auto http = Http();
  auto provider = NewImdsCredentialsProvider(env, *http, clock);

  ASSERT_TRUE(provider->Get().ok());
  imds.RevokeToken();
  provider->Invalidate();
  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(imds.unauthorized(), 1);
  EXPECT_EQ(imds.ttl_headers().size(), 2u);
}

TEST(ImdsCredentialsTest, FailureCodeIsAnError) {
  TempDir dir;
  FakeClock clock;
  FakeImds imds(clock.Now() + std::chrono::hours(6));
  imds.SetCode("Failure");
  auto env = AwsEnvironment::FromMap(ImdsVars(dir, imds));
  auto http = Http();
  Result<AwsCredentials> c = NewImdsCredentialsProvider(env, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Failure"), std::string::npos);
}

TEST(ImdsCredentialsTest, DisabledMakesNoRequest) {
  TempDir dir;
  FakeClock clock;
  FakeImds imds(clock.Now() + std::chrono::hours(6));
  Vars vars = ImdsVars(dir, imds);
  vars["AWS_EC2_METADATA_DISABLED"] = "TRUE";
  auto http = Http();
  Result<AwsCredentials> c =
      NewImdsCredentialsProvider(AwsEnvironment::FromMap(vars), *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(imds.ttl_headers().empty());
}

// A fake STS that records the AssumeRole form and answers with canned XML.
class FakeSts {
 public:
  explicit FakeSts(std::string expiration) : expiration_(std::move(expiration)) {
    server_.server().Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      forms_.push_back(req.body);
      authorizations_.push_back(req.get_header_value("Authorization"));
      res.set_content(
          "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
          "  <AssumeRoleResult>\n"
          "    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/reader/s</Arn>"
          "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
          "    <Credentials>\n"
          "      <AccessKeyId>ASIAASSUMED</AccessKeyId>\n"
          "      <SecretAccessKey>assumed/secret+key</SecretAccessKey>\n"
          "      <SessionToken>assumed&amp;token</SessionToken>\n"
          "      <Expiration>" +
              expiration_ +
              "</Expiration>\n"
              "    </Credentials>\n"
              "  </AssumeRoleResult>\n"
              "</AssumeRoleResponse>\n",
          "text/xml");
    });
    server_.Start();
  }
  std::string url() const { return server_.url(); }
  std::vector<std::string> forms() {
    std::lock_guard<std::mutex> lock(mu_);
    return forms_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorizations_;
  }

 private:
  LoopbackServer server_;
  std::mutex mu_;
  std::string expiration_;
  std::vector<std::string> forms_;
  std::vector<std::string> authorizations_;
};

TEST(AssumeRoleCredentialsTest, SendsOptionsAndParsesResponse) {
  TempDir dir;
  FakeClock clock;
  FakeSts sts("2023-11-14T23:13:20Z");
  auto env = AwsEnvironment::FromMap(Hermetic(dir, {{"AWS_ENDPOINT_URL_STS", sts.url()}}));
  auto http = Http();
  auto provider = NewAssumeRoleCredentialsProvider(
      NewStaticCredentialsProvider({.access_key_id = "AKIDSOURCE", .secret_access_key = "s"}),
      {.role_arn = "arn:aws:iam::123456789012:role/reader",
       .external_id = "ext-42",
       .session_name = "my-session",
       .duration = std::chrono::seconds(900),
       .region = "eu-west-1"},
      env, *http, clock);

  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAASSUMED");
  EXPECT_EQ(c->secret_access_key, "assumed/secret+key");
  EXPECT_EQ(c->session_token, "assumed&token");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(*c->expiration, system_clock::time_point(std::chrono::seconds(1700003600)));
  EXPECT_EQ(c->source, "assume_role arn:aws:iam::123456789012:role/reader");

  ASSERT_EQ(sts.forms().size(), 1u);
  const std::string form = sts.forms()[0];
  for (const char* part :
       {"Action=AssumeRole", "Version=2011-06-15",
        "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader", "RoleSessionName=my-session",
        "DurationSeconds=900", "ExternalId=ext-42"}) {
    EXPECT_NE(form.find(part), std::string::npos) << part << " in " << form;
  }
  ASSERT_EQ(sts.authorizations().size(), 1u);
  EXPECT_NE(sts.authorizations()[0].find("Credential=AKIDSOURCE/"), std::string::npos);
  EXPECT_NE(sts.authorizations()[0].find("/eu-west-1/sts/aws4_request"), std::string::npos);

  // Cached until five minutes before expiry (an hour ahead of the fake clock).
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(sts.forms().size(), 1u);
  clock.Advance(minutes(56));
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(sts.forms().size(), 2u);
}

TEST(AssumeRoleCredentialsTest, DefaultSessionNameAndNoExternalId) {
  TempDir dir;
  FakeClock clock;
  FakeSts sts("2030-01-01T00:00:00Z");
  auto env = AwsEnvironment::FromMap(Hermetic(dir, {{"AWS_ENDPOINT_URL", sts.url()}}));
  auto http = Http();
  auto provider = NewAssumeRoleCredentialsProvider(
      NewStaticCredentialsProvider({.access_key_id = "AKIDSOURCE", .secret_access_key = "s"}),
      {.role_arn = "arn:aws:iam::123456789012:role/reader"}, env, *http, clock);
  ASSERT_TRUE(provider->Get().ok());
  ASSERT_EQ(sts.forms().size(), 1u);
  EXPECT_NE(sts.forms()[0].find("RoleSessionName=gatescope-1700000000"), std::string::npos)
      << sts.forms()[0];
  EXPECT_EQ(sts.forms()[0].find("ExternalId"), std::string::npos);
  EXPECT_NE(sts.forms()[0].find("DurationSeconds=3600"), std::string::npos);
  EXPECT_NE(sts.authorizations()[0].find("/us-east-1/sts/aws4_request"), std::string::npos);
}

// Tests against a real moto_server, shared by the binary.
class MotoCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = *moto;
  }
  void SetUp() override {
    ASSERT_NE(moto_, nullptr);
    ASSERT_TRUE(moto_->Reset().ok());
  }

  // moto's variables, without its keys (so that the chain does not stop at them) and with the
  // shared files in `dir`.
  static Vars MotoVars(const TempDir& dir, Vars extra = {}) {
    Vars vars = moto_->Env();
    vars.erase("AWS_ACCESS_KEY_ID");
    vars.erase("AWS_SECRET_ACCESS_KEY");
    vars.erase("AWS_SESSION_TOKEN");
    for (auto& [k, v] : Hermetic(dir, std::move(extra))) vars[k] = v;
    return vars;
  }

  // The caller's ARN according to STS, for credentials `c`.
  static std::string CallerArn(const AwsEnvironment& env, env::HttpClient& http,
                               const AwsCredentials& c) {
    auto provider = NewStaticCredentialsProvider(c);
    AwsServiceClient sts(
        kSts, {.region = "us-east-1", .endpoint = ResolveEndpoint(env, kSts, "us-east-1")}, http,
        *provider, SystemClock::Get());
    Result<std::string> body = sts.CallQuery("GetCallerIdentity", "2011-06-15");
    if (!body.ok()) return body.status().ToString();
    return xml::FirstText(*body, "Arn").value_or("(no Arn)");
  }

  static MotoServer* moto_;
};

MotoServer* MotoCredentialsTest::moto_ = nullptr;

TEST_F(MotoCredentialsTest, AssumeRoleReturnsTemporaryCredentials) {
  TempDir dir;
  auto env = AwsEnvironment::FromMap(MotoVars(dir));
  auto http = Http();
  auto provider = NewAssumeRoleCredentialsProvider(
      NewStaticCredentialsProvider(
          {.access_key_id = "AKIAIOSFODNN7EXAMPLE", .secret_access_key = "source-secret"}),
      {.role_arn = "arn:aws:iam::123456789012:role/reader",
       .external_id = "ext-42",
       .session_name = "gatescope-test"},
      env, *http, SystemClock::Get());

  Result<AwsCredentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->access_key_id.empty());
  EXPECT_NE(c->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_FALSE(c->secret_access_key.empty());
  EXPECT_FALSE(c->session_token.empty());
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_GT(*c->expiration, system_clock::now() + minutes(30));
  // The session name reached STS: it is part of the assumed identity.
  EXPECT_EQ(CallerArn(env, *http, *c),
            "arn:aws:sts::123456789012:assumed-role/reader/gatescope-test");
}

TEST_F(MotoCredentialsTest, ChainUsesWebIdentityTokenAsOnEks) {
  TempDir dir;
  dir.Write("token", "eyJhbGciOiJSUzI1NiJ9.service-account-token.sig\n");
  auto env = AwsEnvironment::FromMap(
      MotoVars(dir, {{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("token")},
                     {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa-reader"},
                     {"AWS_ROLE_SESSION_NAME", "pod-1"}}));
  auto http = Http();
  auto chain = NewDefaultCredentialsChain(env, *http, SystemClock::Get());
  Result<AwsCredentials> c = chain->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source.rfind("web_identity", 0), 0u) << c->source;
  EXPECT_FALSE(c->session_token.empty());
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(CallerArn(env, *http, *c),
            "arn:aws:sts::123456789012:assumed-role/irsa-reader/pod-1");

  // A token file that cannot be read is an error that names the variable, and stops the chain.
  auto broken = AwsEnvironment::FromMap(
      MotoVars(dir, {{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("missing")},
                     {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa-reader"}}));
  Result<AwsCredentials> failed = NewDefaultCredentialsChain(broken, *http, SystemClock::Get())->Get();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos)
      << failed.status().message();
}

TEST(DefaultChainTest, PrefersEnvironmentOverProfile) {
  TempDir dir;
  dir.Write("credentials",
            "[default]\naws_access_key_id = AKIDPROFILE\n"
            "aws_secret_access_key = p\n");
  auto http = Http();
  FakeClock clock;
  auto env = AwsEnvironment::FromMap(
      Hermetic(dir, {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}}));
  Result<AwsCredentials> c = NewDefaultCredentialsChain(env, *http, clock)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDENV");

  auto no_env = AwsEnvironment::FromMap(Hermetic(dir));
  c = NewDefaultCredentialsChain(no_env, *http, clock)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDPROFILE");
  EXPECT_EQ(c->source, "profile default");
}

TEST_F(MotoCredentialsTest, ChainAssumesRoleOfProfileWithSourceProfile) {
  TempDir dir;
  dir.Write("config",
            "[profile reader]\nrole_arn = arn:aws:iam::123456789012:role/reader\n"
            "source_profile = base\nrole_session_name = chain-session\n"
            "external_id = ext-1\nduration_seconds = 1800\n");
  dir.Write("credentials",
            "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = base-secret\n");
  auto env = AwsEnvironment::FromMap(MotoVars(dir, {{"AWS_PROFILE", "reader"}}));
  auto http = Http();
  auto chain = NewDefaultCredentialsChain(env, *http, SystemClock::Get());

  Result<AwsCredentials> c = chain->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "assume_role arn:aws:iam::123456789012:role/reader");
  EXPECT_NE(c->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_FALSE(c->session_token.empty());
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(CallerArn(env, *http, *c),
            "arn:aws:sts::123456789012:assumed-role/reader/chain-session");

  // Cached: the same credentials again.
  Result<AwsCredentials> again = chain->Get();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->access_key_id, c->access_key_id);
}

TEST_F(MotoCredentialsTest, ChainAssumesRoleWithContainerCredentialSource) {
  TempDir dir;
  FakeContainerEndpoint endpoint(system_clock::now() + std::chrono::hours(6));
  dir.Write("config",
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/reader\n"
            "credential_source = EcsContainer\nrole_session_name = from-container\n");
  auto env = AwsEnvironment::FromMap(
      MotoVars(dir, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url()}}));
  auto http = Http();
  Result<AwsCredentials> c = NewDefaultCredentialsChain(env, *http, SystemClock::Get())->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "assume_role arn:aws:iam::123456789012:role/reader");
  EXPECT_EQ(endpoint.requests(), 1);
  EXPECT_EQ(CallerArn(env, *http, *c),
            "arn:aws:sts::123456789012:assumed-role/reader/from-container");
}

TEST(DefaultChainTest, ReportsEveryLinkWhenNoneWorks) {
  TempDir dir;
  FakeClock clock;
  auto http = Http();
  auto env = AwsEnvironment::FromMap(Hermetic(dir));
  Result<AwsCredentials> c = NewDefaultCredentialsChain(env, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  for (const char* link : {"environment", "profile default", "container", "imds"}) {
    EXPECT_NE(c.status().message().find(link), std::string::npos) << c.status().message();
  }
}

TEST(DefaultChainTest, StopsAtMisconfiguredLink) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  auto http = Http();
  // Half a key pair must not fall through to the container's identity.
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint, {{"AWS_ACCESS_KEY_ID", "A"}}));
  Result<AwsCredentials> c = NewDefaultCredentialsChain(env, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_EQ(endpoint.requests(), 0);
}

TEST(DefaultChainTest, ExplicitProfileMustExist) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  dir.Write("config", "[profile regional]\nregion = eu-west-1\n");
  auto http = Http();

  auto missing = AwsEnvironment::FromMap(ContainerVars(dir, endpoint, {{"AWS_PROFILE", "nosuch"}}));
  Result<AwsCredentials> c = NewDefaultCredentialsChain(missing, *http, clock)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AWS_PROFILE"), std::string::npos) << c.status().message();
  EXPECT_EQ(endpoint.requests(), 0);

  // A profile without keys (only settings) lets the chain go on.
  auto keyless =
      AwsEnvironment::FromMap(ContainerVars(dir, endpoint, {{"AWS_PROFILE", "regional"}}));
  c = NewDefaultCredentialsChain(keyless, *http, clock)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "container");
}

TEST(DefaultChainTest, RejectsBrokenRoleProfiles) {
  FakeClock clock;
  auto http = Http();
  for (const char* config :
       {"[default]\nrole_arn = arn:aws:iam::1:role/x\n",
        "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = missing\n",
        "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n"
        "[profile a]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = default\n",
        "[default]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Somewhere\n",
        "[default]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n"
        "duration_seconds = lots\n"}) {
    TempDir dir;
    dir.Write("config", config);
    auto env = AwsEnvironment::FromMap(Hermetic(dir));
    Result<AwsCredentials> c = NewDefaultCredentialsChain(env, *http, clock)->Get();
    ASSERT_FALSE(c.ok()) << config;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
    EXPECT_NE(c.status().message().find("profile default"), std::string::npos)
        << c.status().message();
  }
}

TEST(DefaultChainTest, RemembersTheLinkThatWorked) {
  TempDir dir;
  FakeClock clock;
  FakeContainerEndpoint endpoint(clock.Now() + std::chrono::hours(1));
  auto http = Http();
  auto env = AwsEnvironment::FromMap(ContainerVars(dir, endpoint));
  auto chain = NewDefaultCredentialsChain(env, *http, clock);
  Result<AwsCredentials> c = chain->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->source, "container");

  // Keys appearing in the profile later do not switch identities.
  dir.Write("credentials", "[default]\naws_access_key_id = AKIDLATE\naws_secret_access_key = l\n");
  c = chain->Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->source, "container");

  // Invalidate reaches the chosen provider.
  chain->Invalidate();
  ASSERT_TRUE(chain->Get().ok());
  EXPECT_EQ(endpoint.requests(), 2);
}

}  // namespace
}  // namespace gatescope::aws
