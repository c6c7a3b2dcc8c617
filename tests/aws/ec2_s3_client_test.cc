// Ec2Client::DescribeRegions and S3Client against a real moto_server on a loopback port, with the
// aws CLI on the other side of every S3 round trip; EC2 throttling comes from a loopback
// FaultProxy. Nothing leaves the machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "aws/s3_client.h"
#include "core/clock.h"
#include "env/http_client.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/moto_server.h"
#include "tests/support/moto_test.h"
#include "tests/support/test_util.h"

namespace gatescope::aws {
namespace {

using ::gatescope::testing::Fault;
using ::gatescope::testing::FaultProxy;
using ::gatescope::testing::MotoServer;
using ::gatescope::testing::TempDir;

const RetryPolicy kFastRetry{.max_attempts = 4,
                             .base_delay = std::chrono::milliseconds(1),
                             .max_delay = std::chrono::milliseconds(5),
                             .throttle_base_delay = std::chrono::milliseconds(2)};

// ---------------------------------------------------------------------------------------------
// Pure functions: no server.

TEST(Ec2ParseTest, ReadsRegionsInDocumentOrder) {
  Result<std::vector<Ec2Region>> regions = ParseDescribeRegionsResponse(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <regionInfo>
    <item>
      <regionName>us-east-1</regionName>
      <regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>
      <optInStatus>opt-in-not-required</optInStatus>
    </item>
    <item>
      <regionName>af-south-1</regionName>
      <regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint>
      <optInStatus>not-opted-in</optInStatus>
    </item>
    <item><regionName>ap-east-1</regionName><optInStatus>opted-in</optInStatus></item>
    <item><regionEndpoint>nameless</regionEndpoint></item>
  </regionInfo>
</DescribeRegionsResponse>)");
  ASSERT_TRUE(regions.ok()) << regions.status().ToString();
  ASSERT_EQ(regions->size(), 3u);
  EXPECT_EQ((*regions)[0].name, "us-east-1");
  EXPECT_EQ((*regions)[0].endpoint, "ec2.us-east-1.amazonaws.com");
  EXPECT_TRUE((*regions)[0].enabled());
  EXPECT_EQ((*regions)[1].opt_in_status, "not-opted-in");
  EXPECT_FALSE((*regions)[1].enabled());
  EXPECT_TRUE((*regions)[2].enabled());
  EXPECT_TRUE(Ec2Region{.name = "old"}.enabled());  // No status: enabled.

  Result<std::vector<Ec2Region>> empty = ParseDescribeRegionsResponse(
      "<DescribeRegionsResponse><regionInfo/></DescribeRegionsResponse>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  for (std::string_view bad : {"", "{}", "<Response><Errors/></Response>", "<DescribeRegions"}) {
    EXPECT_EQ(ParseDescribeRegionsResponse(bad).status().code(), StatusCode::kParseError) << bad;
  }
}

TEST(S3LocationTest, VirtualHostedOnRealS3PathStyleOtherwise) {
  S3Location virtual_hosted = ResolveS3Location("eu-west-1", "", "my-bucket", "a/b.json", false);
  EXPECT_EQ(virtual_hosted.endpoint, "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(virtual_hosted.path, "/a/b.json");
  // The default endpoint spelled out (ResolveEndpoint's answer) is not an override.
  EXPECT_EQ(
      ResolveS3Location("eu-west-1", "https://s3.eu-west-1.amazonaws.com/", "my-bucket", "k", false)
          .endpoint,
      "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveS3Location("cn-north-1", "", "b-1", "k", false).endpoint,
            "https://b-1.s3.cn-north-1.amazonaws.com.cn");

  S3Location dotted = ResolveS3Location("eu-west-1", "", "my.bucket", "k", false);
  EXPECT_EQ(dotted.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(dotted.path, "/my.bucket/k");
  S3Location moto = ResolveS3Location("us-east-1", "http://127.0.0.1:5000", "b-1", "k", false);
  EXPECT_EQ(moto.endpoint, "http://127.0.0.1:5000");
  EXPECT_EQ(moto.path, "/b-1/k");
  EXPECT_EQ(ResolveS3Location("us-east-1", "", "bucket", "k", true).path, "/bucket/k");
  EXPECT_EQ(ResolveS3Location("us-east-1", "", "bucket", "", true).path, "/bucket");

  // Keys: UriEncode with '/' kept; '+', spaces and UTF-8 are percent-encoded.
  EXPECT_EQ(ResolveS3Location("us-east-1", "http://h", "b", "dir/a b+c/\xC3\xBC~.json", false).path,
            "/b/dir/a%20b%2Bc/%C3%BC~.json");
}

TEST(S3LocationTest, VirtualHostableBuckets) {
  EXPECT_TRUE(IsVirtualHostableBucket("abc"));
  EXPECT_TRUE(IsVirtualHostableBucket("my-bucket-01"));
  EXPECT_FALSE(IsVirtualHostableBucket("ab"));
  EXPECT_FALSE(IsVirtualHostableBucket("my.bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("My-Bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("-bucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("bucket-"));
  EXPECT_FALSE(IsVirtualHostableBucket(std::string(64, 'a')));
}

// ---------------------------------------------------------------------------------------------
// Against moto_server.

class Ec2S3ClientTest : public testing::MotoTest {
 protected:
  void SetUp() override {
    MotoTest::SetUp();
    if (HasFatalFailure()) return;
    s3_ = NewS3(moto_->endpoint());
  }

  AwsClientOptions Options(std::string endpoint) {
    return AwsClientOptions{
        .region = "us-east-1", .endpoint = std::move(endpoint), .retry = kFastRetry};
  }

  std::unique_ptr<S3Client> NewS3(std::string endpoint) {
    return std::make_unique<S3Client>(S3ClientOptions{.aws = Options(std::move(endpoint))}, *http_,
                                      *credentials_, SystemClock::Get());
  }

  std::unique_ptr<AwsServiceClient> NewEc2Service(std::string endpoint,
                                                  env::HttpClient* http = nullptr) {
    return std::make_unique<AwsServiceClient>(kEc2, Options(std::move(endpoint)),
                                              http != nullptr ? *http : *http_, *credentials_,
                                              SystemClock::Get());
  }

  Result<std::string> Cli(const std::vector<std::string>& args) { return moto_->RunAwsCli(args); }

  std::unique_ptr<S3Client> s3_;
};


bool HasRegion(const std::vector<Ec2Region>& regions, std::string_view name) {
  return std::any_of(regions.begin(), regions.end(),
                     [&](const Ec2Region& region) { return region.name == name; });
}

TEST_F(Ec2S3ClientTest, DescribeRegionsEnabledByDefaultAllOnRequest) {
  std::unique_ptr<AwsServiceClient> service = NewEc2Service(moto_->endpoint());
  Ec2Client ec2(*service);

  Result<std::vector<Ec2Region>> enabled = ec2.DescribeRegions();
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_TRUE(HasRegion(*enabled, "us-east-1"));
  EXPECT_TRUE(HasRegion(*enabled, "eu-west-1"));
  EXPECT_GT(enabled->size(), 10u);
  for (const Ec2Region& region : *enabled) {
    EXPECT_TRUE(region.enabled()) << region.name << " " << region.opt_in_status;
    EXPECT_FALSE(region.endpoint.empty()) << region.name;
  }

  // moto lists opt-in regions (not-opted-in) whether or not AllRegions is sent; real EC2 lists
  // them only with AllRegions=true.
  Result<std::vector<Ec2Region>> all = ec2.DescribeRegions(/*all_regions=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_GT(all->size(), enabled->size());
  EXPECT_TRUE(std::any_of(all->begin(), all->end(),
                          [](const Ec2Region& region) { return !region.enabled(); }));
}

TEST_F(Ec2S3ClientTest, DescribeRegionsRetriesRequestLimitExceeded) {
  Result<std::unique_ptr<FaultProxy>> proxy = FaultProxy::Start(moto_->endpoint());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  // Its own HTTP client, destroyed before the proxy: the proxy's stop otherwise waits for the
  // kept-alive connection to time out.
  std::unique_ptr<env::HttpClient> http = env::NewCurlHttpClient();
  std::unique_ptr<AwsServiceClient> service = NewEc2Service((*proxy)->endpoint(), http.get());
  Ec2Client ec2(*service);
  (*proxy)->Enqueue({{.fault = Fault::kThrottleXml}, {.fault = Fault::kThrottleXml}});

  Result<std::vector<Ec2Region>> regions = ec2.DescribeRegions();
  ASSERT_TRUE(regions.ok()) << regions.status().ToString();
  EXPECT_TRUE(HasRegion(*regions, "us-east-1"));
  EXPECT_EQ((*proxy)->requests().size(), 3u);
  EXPECT_EQ(service->stats().throttled, 2u);

  // Retries run out: kResourceExhausted naming the action.
  (*proxy)->Enqueue(std::vector<testing::FaultSpec>(4, {.fault = Fault::kThrottleXml}));
  Result<std::vector<Ec2Region>> exhausted = ec2.DescribeRegions();
  EXPECT_EQ(exhausted.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(exhausted.status().message().find("ec2:DescribeRegions"), std::string::npos)
      << exhausted.status().message();
}

TEST_F(Ec2S3ClientTest, PutWithOurClientGetWithCli) {
  ASSERT_TRUE(s3_->CreateBucket("gs-state").ok());
  const std::string key = "dir/a b+c \xC3\xBC\xE2\x82\xAC.json";  // Space, '+', ü, €.
  const std::string body = "{\"cursor\":42}\n";
  Status put = s3_->PutObject("gs-state", key, body, "application/json");
  ASSERT_TRUE(put.ok()) << put.ToString();

  TempDir dir;
  Result<std::string> head =
      Cli({"s3api", "get-object", "--bucket", "gs-state", "--key", key, dir.File("out")});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(testing::ReadFile(dir.File("out")), body);
  EXPECT_NE(head->find("application/json"), std::string::npos) << *head;

  // Listed under exactly that key: no double encoding, '+' not turned into a space.
  Result<std::string> listing = Cli({"s3api", "list-objects-v2", "--bucket", "gs-state"});
  ASSERT_TRUE(listing.ok());
  nlohmann::json objects = nlohmann::json::parse(*listing, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(objects.contains("Contents")) << *listing;
  ASSERT_EQ(objects["Contents"].size(), 1u) << *listing;
  EXPECT_EQ(objects["Contents"][0]["Key"], key);
}

TEST_F(Ec2S3ClientTest, PutWithCliGetWithOurClient) {
  ASSERT_TRUE(Cli({"s3api", "create-bucket", "--bucket", "gs.dotted.bucket"}).ok());
  TempDir dir;
  const std::string binary("\x00\x01\xff\r\n payload", 13);
  const std::string file = dir.Write("in", binary);
  for (const std::string key : {"plain.txt", "nested/dir/with space+plus \xC3\xA9.bin"}) {
    ASSERT_TRUE(
        Cli({"s3api", "put-object", "--bucket", "gs.dotted.bucket", "--key", key, "--body", file})
            .ok());
    Result<std::string> got = s3_->GetObject("gs.dotted.bucket", key);
    ASSERT_TRUE(got.ok()) << key << ": " << got.status().ToString();
    EXPECT_EQ(*got, binary) << key;
  }
}

TEST_F(Ec2S3ClientTest, MissingKeysAndBucketsAreNotFound) {
  ASSERT_TRUE(s3_->CreateBucket("gs-state").ok());
  Result<std::string> missing = s3_->GetObject("gs-state", "no/such key");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("s3:GetObject"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("NoSuchKey"), std::string::npos)
      << missing.status().message();

  EXPECT_EQ(s3_->GetObject("gs-no-such-bucket", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s3_->GetObject("gs-state", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s3_->PutObject("", "k", "x").code(), StatusCode::kInvalidArgument);
}

TEST_F(Ec2S3ClientTest, PutObjectOverwritesAndRoundTripsLargeBodies) {
  ASSERT_TRUE(s3_->CreateBucket("gs-state").ok());
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(s3_->PutObject("gs-state", "big.bin", "first").ok());
  ASSERT_TRUE(s3_->PutObject("gs-state", "big.bin", big).ok());
  Result<std::string> got = s3_->GetObject("gs-state", "big.bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == big) << "sizes " << got->size() << " vs " << big.size();
}

}  // namespace
}  // namespace gatescope::aws
