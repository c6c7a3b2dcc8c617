#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "aws/aws_client.h"
#include "aws/aws_environment.h"
#include "aws/aws_error.h"
#include "aws/internal/xml_scan.h"
#include "aws/retry.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/moto_server.h"

namespace gatescope::aws {
namespace {

env::HttpResponse Response(int status, std::string body,
                           std::vector<env::HttpHeader> headers = {}) {
  return env::HttpResponse{.status = status, .headers = std::move(headers), .body = std::move(body)};
}

TEST(AwsErrorTest, ReadsEveryProtocol) {
  // awsJson (CloudWatch Logs), with the namespace prefix the SDKs strip.
  AwsError json = ParseAwsError(Response(
      400, R"({"__type":"com.amazonaws.logs#ResourceNotFoundException","message":"The specified log group does not exist."})",
      {{"x-amzn-requestid", "req-1"}}));
  EXPECT_EQ(json.code, "ResourceNotFoundException");
  EXPECT_EQ(json.message, "The specified log group does not exist.");
  EXPECT_EQ(json.request_id, "req-1");
  EXPECT_EQ(ClassifyAwsError(json), AwsErrorKind::kNotFound);

  // rest-json (API Gateway): the code is in a header, with a trailing URL.
  AwsError rest = ParseAwsError(Response(
      429, R"({"message":"Too Many Requests"})",
      {{"x-amzn-errortype", "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon/"}}));
  EXPECT_EQ(rest.code, "TooManyRequestsException");
  EXPECT_EQ(rest.message, "Too Many Requests");
  EXPECT_EQ(ClassifyAwsError(rest), AwsErrorKind::kThrottling);

  // EC2 query protocol.
  AwsError ec2 = ParseAwsError(Response(
      403,
      "<?xml version=\"1.0\"?><Response><Errors><Error><Code>UnauthorizedOperation</Code>"
      "<Message>You are not authorized &amp; that&apos;s that.</Message></Error></Errors>"
      "<RequestID>ec2-req</RequestID></Response>"));
  EXPECT_EQ(ec2.code, "UnauthorizedOperation");
  EXPECT_EQ(ec2.message, "You are not authorized & that's that.");
  EXPECT_EQ(ec2.request_id, "ec2-req");
  EXPECT_EQ(ClassifyAwsError(ec2), AwsErrorKind::kAccessDenied);

  // STS / S3 rest-xml.
  AwsError sts = ParseAwsError(Response(
      400, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
           "<Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included "
           "in the request is expired</Message></Error><RequestId>sts-1</RequestId></ErrorResponse>"));
  EXPECT_EQ(sts.code, "ExpiredToken");
  EXPECT_EQ(sts.request_id, "sts-1");
  EXPECT_EQ(ClassifyAwsError(sts), AwsErrorKind::kExpiredCredentials);

  // Garbage bodies: the status decides.
  EXPECT_EQ(ClassifyAwsError(ParseAwsError(Response(502, "<html>Bad Gateway"))),
            AwsErrorKind::kTransient);
  EXPECT_EQ(ClassifyAwsError(ParseAwsError(Response(400, "{not json"))), AwsErrorKind::kOther);
}

TEST(AwsErrorTest, StatusNamesTheRefusedAction) {
  AwsError denied{.http_status = 400,
                  .code = "AccessDeniedException",
                  .message = "User: arn:aws:iam::1:user/u is not authorized to perform: "
                             "logs:FilterLogEvents",
                  .request_id = "r-9"};
  Status s = AwsErrorToStatus(denied, "logs", "FilterLogEvents");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("logs:FilterLogEvents refused (access denied)"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("AccessDeniedException"), std::string::npos);
  EXPECT_NE(s.message().find("r-9"), std::string::npos);

  EXPECT_EQ(AwsErrorToStatus({.http_status = 400, .code = "ThrottlingException"}, "logs", "X").code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(AwsErrorToStatus({.http_status = 503}, "logs", "X").code(), StatusCode::kUnavailable);
  EXPECT_EQ(AwsErrorToStatus({.http_status = 400, .code = "InvalidParameterException"}, "logs", "X")
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(XmlScanTest, FindsElementsByLocalName) {
  const std::string doc =
      "<?xml version=\"1.0\"?><!-- <Code>not this</Code> -->"
      "<a:Resp xmlns:a=\"x\"><regionInfo><item><regionName>us-east-1</regionName>"
      "<optInStatus>opt-in-not-required</optInStatus></item><item><regionName>af-south-1"
      "</regionName><optInStatus attr=\"a>b\">not-opted-in</optInStatus></item><item/>"
      "</regionInfo><note><![CDATA[<raw> & ]]>tail &#65;&#x42;&#x1F600;</note></a:Resp>";
  auto items = xml::Elements(doc, "item");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(xml::FirstText(items[0], "regionName"), "us-east-1");
  EXPECT_EQ(xml::FirstText(items[1], "optInStatus"), "not-opted-in");
  EXPECT_EQ(items[2], "");
  EXPECT_EQ(xml::FirstText(doc, "Code"), std::nullopt);  // Only inside a comment.
  EXPECT_EQ(xml::FirstText(doc, "note"), "<raw> & tail AB\xF0\x9F\x98\x80");
  // Nested elements of one name belong to the outer one.
  auto nested = xml::Elements("<x>1<x>2</x>3</x><x>4</x>", "x");
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0], "1<x>2</x>3");
  // Malformed input never reads past the end.
  for (const char* bad : {"<a", "<a>", "<a><!--", "<![CDATA[x", "</a>", "<a b='>", "&#xFFFFFFFF;"}) {
    (void)xml::Elements(bad, "a");
    (void)xml::FirstText(bad, "a");
    (void)xml::DecodeEntities(bad);
  }
  EXPECT_EQ(xml::DecodeEntities("&bogus; &#xD800; &amp"), "&bogus; &#xD800; &amp");
}

TEST(RetryTest, BackoffIsCappedFullJitter) {
  RetryPolicy policy{.base_delay = std::chrono::milliseconds(100),
                     .max_delay = std::chrono::milliseconds(5000),
                     .throttle_base_delay = std::chrono::milliseconds(1000)};
  EXPECT_EQ(BackoffDelay(policy, 1, false, 0.0).count(), 0);
  EXPECT_EQ(BackoffDelay(policy, 1, false, 0.999).count(), 99);
  EXPECT_EQ(BackoffDelay(policy, 3, false, 0.5).count(), 200);       // 0.5 * 100 * 2^2
  EXPECT_EQ(BackoffDelay(policy, 3, true, 0.5).count(), 2000);       // 0.5 * 1000 * 2^2
  EXPECT_EQ(BackoffDelay(policy, 40, false, 0.999).count(), 4995);   // Capped, no overflow.
}

// A clock that only moves when the sleeper sleeps.
class FakeTime final : public Clock, public Sleeper {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(now_.time_since_epoch());
  }
  std::chrono::steady_clock::time_point MonotonicNow() const override { return now_; }
  void SleepFor(std::chrono::nanoseconds d) override {
    now_ += d;
    slept_ += d;
  }
  std::chrono::nanoseconds slept() const { return slept_; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  std::chrono::nanoseconds slept_{0};
};

TEST(RetryTest, TokenBucketHoldsTheRate) {
  FakeTime time;
  TokenBucket bucket(4.0, 4.0, time, time);
  for (int i = 0; i < 4; ++i) bucket.Acquire();  // The burst is free.
  EXPECT_EQ(time.slept().count(), 0);
  for (int i = 0; i < 20; ++i) bucket.Acquire();  // 20 more at 4/s take 5 s.
  EXPECT_NEAR(std::chrono::duration<double>(time.slept()).count(), 5.0, 0.01);

  bucket.Drain();  // Throttled by the service: the next caller waits a full interval.
  const auto before = time.slept();
  bucket.Acquire();
  EXPECT_NEAR(std::chrono::duration<double>(time.slept() - before).count(), 0.25, 0.01);

  TokenBucketRegistry registry(4.0, 1.0, time, time);
  EXPECT_EQ(&registry.For("1/us-east-1/logs"), &registry.For("1/us-east-1/logs"));
  EXPECT_NE(&registry.For("1/us-east-1/logs"), &registry.For("1/eu-west-1/logs"));
}

// A temporary directory with AWS config files.
class ConfigFiles {
 public:
  ConfigFiles() {
    dir_ = std::filesystem::temp_directory_path() /
           ("gs_aws_cfg_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
  }
  ~ConfigFiles() { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

TEST(AwsEnvironmentTest, ProfilesMergeConfigAndCredentials) {
  ConfigFiles files;
  const std::string config = files.Write("config",
                                         "[default]\nregion = eu-west-1\n"
                                         "# comment\n[profile dev]\nregion=us-west-2 ; inline\n"
                                         "endpoint_url = http://127.0.0.1:1\n"
                                         "s3 =\n  addressing_style = path\n"
                                         "aws_access_key_id = from-config\n[broken\nx = y\n");
  const std::string credentials = files.Write("credentials",
                                              "[dev]\naws_access_key_id = from-credentials\n"
                                              "aws_secret_access_key = s#not-a-comment\n");
  auto env = AwsEnvironment::FromMap(
      {{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials}});
  auto dev = LoadProfile(env, "dev");
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->at("region"), "us-west-2");
  EXPECT_EQ(dev->at("aws_access_key_id"), "from-credentials");  // The credentials file wins.
  EXPECT_EQ(dev->at("aws_secret_access_key"), "s#not-a-comment");
  EXPECT_EQ(dev->at("s3.addressing_style"), "path");
  EXPECT_EQ(LoadProfile(env, "nope").status().code(), StatusCode::kNotFound);

  EXPECT_EQ(ResolveRegion(env).value(), "eu-west-1");
  auto with_profile = AwsEnvironment::FromMap(
      {{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", credentials},
       {"AWS_PROFILE", "dev"}});
  EXPECT_EQ(ResolveRegion(with_profile).value(), "us-west-2");
  EXPECT_EQ(ResolveEndpoint(with_profile, kCloudWatchLogs, "us-west-2"), "http://127.0.0.1:1");
  auto env_region = AwsEnvironment::FromMap({{"AWS_DEFAULT_REGION", "ap-south-1"},
                                             {"AWS_REGION", "sa-east-1"}, {"HOME", "/nonexistent"}});
  EXPECT_EQ(ResolveRegion(env_region).value(), "sa-east-1");
  auto none = ResolveRegion(AwsEnvironment::FromMap({{"HOME", "/nonexistent"}}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("AWS_REGION"), std::string::npos);
}

TEST(AwsEnvironmentTest, EndpointOverridesFollowTheSdkOrder) {
  auto plain = AwsEnvironment::FromMap({{"HOME", "/nonexistent"}});
  EXPECT_EQ(ResolveEndpoint(plain, kCloudWatchLogs, "eu-west-1"),
            "https://logs.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(plain, kApiGatewayV2, "cn-north-1"),
            "https://apigateway.cn-north-1.amazonaws.com.cn");
  auto both = AwsEnvironment::FromMap({{"HOME", "/nonexistent"},
                                       {"AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"},
                                       {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:6000"}});
  EXPECT_EQ(ResolveEndpoint(both, kCloudWatchLogs, "us-east-1"), "http://127.0.0.1:6000");
  EXPECT_EQ(ResolveEndpoint(both, kEc2, "us-east-1"), "http://127.0.0.1:5000");
  auto ignored = AwsEnvironment::FromMap({{"HOME", "/nonexistent"},
                                          {"AWS_ENDPOINT_URL", "http://127.0.0.1:5000"},
                                          {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(ResolveEndpoint(ignored, kS3, "us-east-1"), "https://s3.us-east-1.amazonaws.com");
}

// Counts Invalidate() calls and hands out a new key after each.
class CountingCredentials final : public CredentialsProvider {
 public:
  Result<AwsCredentials> Get() override {
    return AwsCredentials{.access_key_id = "AKID" + std::to_string(generation_),
                          .secret_access_key = "secret",
                          .session_token = "token" + std::to_string(generation_),
                          .source = "test"};
  }
  void Invalidate() override { ++generation_; }
  int generation() const { return generation_; }

 private:
  std::atomic<int> generation_{0};
};

// moto_server behind a FaultProxy, and a CloudWatch Logs executor pointed at the proxy.
class ExecutorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = *moto;
  }

  void SetUp() override {
    ASSERT_TRUE(moto_->Reset().ok());
    auto proxy = testing::FaultProxy::Start(moto_->endpoint());
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(proxy).value();
    http_ = env::NewCurlHttpClient();
  }

  AwsServiceClient Client(int max_attempts = 5) {
    return AwsServiceClient(kCloudWatchLogs,
                            {.region = "us-east-1",
                             .endpoint = proxy_->endpoint(),
                             .retry = {.max_attempts = max_attempts,
                                       .base_delay = std::chrono::milliseconds(1),
                                       .max_delay = std::chrono::milliseconds(5),
                                       .throttle_base_delay = std::chrono::milliseconds(2)},
                             .attempt_timeout = std::chrono::milliseconds(500)},
                            *http_, credentials_, SystemClock::Get());
  }

  static inline testing::MotoServer* moto_ = nullptr;
  std::unique_ptr<testing::FaultProxy> proxy_;
  std::unique_ptr<env::HttpClient> http_;
  CountingCredentials credentials_;
};

TEST_F(ExecutorTest, RetriesThrottlingAndServerErrorsThenSucceeds) {
  ASSERT_TRUE(moto_->RunAwsCli({"logs", "create-log-group", "--log-group-name", "g1"}).ok());
  proxy_->Enqueue({{testing::Fault::kThrottleJson},
                   {testing::Fault::kServerError},
                   {testing::Fault::kServiceUnavailable},
                   {testing::Fault::kDelay, std::chrono::milliseconds(1500)}});
  AwsServiceClient client = Client();
  auto body = client.CallJson("Logs_20140328", "DescribeLogGroups", "{}");
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_NE(body->find("\"g1\""), std::string::npos);
  const auto seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 5u);  // 3 faults, 1 timed out, 1 that worked.
  for (const auto& r : seen) {
    EXPECT_EQ(r.target, "Logs_20140328.DescribeLogGroups");
    EXPECT_EQ(r.authorization.rfind("AWS4-HMAC-SHA256 Credential=AKID0/", 0), 0u) << r.authorization;
    EXPECT_NE(r.authorization.find("/us-east-1/logs/aws4_request"), std::string::npos);
    EXPECT_EQ(r.security_token, "token0");
  }
  const AwsClientStats stats = client.stats();
  EXPECT_EQ(stats.calls, 1u);
  EXPECT_EQ(stats.attempts, 5u);
  EXPECT_EQ(stats.throttled, 1u);
  EXPECT_EQ(stats.transient, 3u);  // 500, 503 and the timeout.
  EXPECT_EQ(stats.failures, 0u);
}

TEST_F(ExecutorTest, ExpiredCredentialsAreRefreshedOnce) {
  proxy_->Enqueue({{testing::Fault::kExpiredToken}});
  AwsServiceClient client = Client();
  auto ok = client.CallJson("Logs_20140328", "DescribeLogGroups", "{}");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(credentials_.generation(), 1);
  const auto seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].security_token, "token1");  // Re-signed with the fresh credentials.

  // Expired again right after a refresh: the credentials source is broken; stop.
  proxy_->Enqueue({{testing::Fault::kExpiredToken}, {testing::Fault::kExpiredToken}});
  auto failed = client.CallJson("Logs_20140328", "DescribeLogGroups", "{}");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(failed.status().message().find("expired"), std::string::npos);
}

TEST_F(ExecutorTest, ClientErrorsAreNotRetried) {
  proxy_->Enqueue({{testing::Fault::kAccessDenied}});
  AwsServiceClient client = Client();
  auto denied = client.CallJson("Logs_20140328", "FilterLogEvents", R"({"logGroupName":"g"})");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.status().message().find("logs:FilterLogEvents refused"), std::string::npos)
      << denied.status().message();
  EXPECT_EQ(proxy_->requests().size(), 1u);

  // A real error from moto: an unknown log group.
  auto missing = client.CallJson("Logs_20140328", "FilterLogEvents", R"({"logGroupName":"nope"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("ResourceNotFoundException"), std::string::npos);
}

TEST_F(ExecutorTest, GivesUpAfterMaxAttempts) {
  proxy_->Enqueue({{testing::Fault::kThrottleJson}, {testing::Fault::kThrottleJson},
                   {testing::Fault::kThrottleJson}});
  AwsServiceClient client = Client(/*max_attempts=*/3);
  auto result = client.CallJson("Logs_20140328", "DescribeLogGroups", "{}");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(result.status().message().find("after 3 attempts"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(IsRetryable(result.status())) << "the caller may retry later";
  EXPECT_EQ(client.stats().failures, 1u);
}

TEST_F(ExecutorTest, SharedLimiterPacesEveryClient) {
  FakeTime time;
  TokenBucket bucket(4.0, 1.0, time, time);
  AwsServiceClient a(kCloudWatchLogs,
                     {.region = "us-east-1", .endpoint = proxy_->endpoint(), .limiter = &bucket},
                     *http_, credentials_, SystemClock::Get());
  AwsServiceClient b(kCloudWatchLogs,
                     {.region = "us-east-1", .endpoint = proxy_->endpoint(), .limiter = &bucket},
                     *http_, credentials_, SystemClock::Get());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(a.CallJson("Logs_20140328", "DescribeLogGroups", "{}").ok());
    ASSERT_TRUE(b.CallJson("Logs_20140328", "DescribeLogGroups", "{}").ok());
  }
  // 8 calls at 4/s with a burst of 1: 7 waits of 0.25 s.
  EXPECT_NEAR(std::chrono::duration<double>(time.slept()).count(), 1.75, 0.01);
}

}  // namespace
}  // namespace gatescope::aws
