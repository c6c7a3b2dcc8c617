#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/time_format.h"

namespace gatescope::aws {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

// 2015-08-30T12:36:00Z, the time of every case in the AWS signing test suite.
system_clock::time_point SuiteTime() {
  return system_clock::time_point(std::chrono::seconds(1440938160));
}

AwsCredentials SuiteCredentials() {
  return {.access_key_id = "AKIDEXAMPLE",
          .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          .source = "test"};
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The value of a header, ignoring case; nullopt when absent.
std::optional<std::string> HeaderValue(const env::HttpRequest& request, std::string_view name) {
  for (const env::HttpHeader& header : request.headers) {
    if (EqualsIgnoreCase(header.name, name)) return header.value;
  }
  return std::nullopt;
}

int HeaderCount(const env::HttpRequest& request, std::string_view name) {
  int count = 0;
  for (const env::HttpHeader& header : request.headers) {
    if (EqualsIgnoreCase(header.name, name)) ++count;
  }
  return count;
}

void RemoveHeader(env::HttpRequest& request, std::string_view name) {
  std::erase_if(request.headers,
                [&](const env::HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

// Parses a suite request file ("METHOD <path?query> HTTP/1.1", "Name:value" lines, a blank
// line, the body) into the request our clients would build: URL "https://<Host><path?query>"
// with the path kept exactly as sent. A line starting with whitespace continues the previous
// header (obs-fold); it becomes one more value of that header, which is how the suite reads
// get-header-value-multiline ("value1,value2,value3").
env::HttpRequest ParseSuiteRequest(std::string_view text) {
  env::HttpRequest request;
  std::vector<std::string_view> lines;
  size_t pos = 0;
  bool in_body = false;
  while (pos < text.size() && !in_body) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty() && !lines.empty()) {
      in_body = true;
    } else {
      lines.push_back(line);
    }
  }
  if (in_body && pos <= text.size()) request.body = std::string(text.substr(pos));
  if (lines.empty()) return request;

  // The target may hold spaces (get-space-normalized), so split at the first and last space.
  const std::string_view request_line = lines[0];
  const size_t first_space = request_line.find(' ');
  const size_t last_space = request_line.rfind(' ');
  request.method = std::string(request_line.substr(0, first_space));
  const std::string target(request_line.substr(first_space + 1, last_space - first_space - 1));

  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (IsAsciiSpace(line.front()) && !request.headers.empty()) {
      request.headers.push_back({request.headers.back().name, std::string(line)});
      continue;
    }
    const size_t colon = line.find(':');
    request.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  request.url = "https://" + HeaderValue(request, "host").value_or("") + target;
  return request;
}

// The string value of "key" in a flat JSON object such as context.json, or nullopt. Good
// enough for the vendored files, which hold no escapes in the fields read here.
std::optional<std::string> JsonString(std::string_view json, std::string_view key) {
  const size_t at = json.find("\"" + std::string(key) + "\"");
  if (at == std::string_view::npos) return std::nullopt;
  const size_t open = json.find('"', json.find(':', at) + 1);
  const size_t close = json.find('"', open + 1);
  return std::string(json.substr(open + 1, close - open - 1));
}

std::optional<bool> JsonBool(std::string_view json, std::string_view key) {
  const size_t at = json.find("\"" + std::string(key) + "\"");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = TrimAsciiSpace(json.substr(json.find(':', at) + 1));
  return rest.starts_with("true");
}

struct SuiteCase {
  std::string name;
  env::HttpRequest request;  // As signed, Authorization removed.
  std::string authorization;
  AwsCredentials credentials;
  std::string region = "us-east-1";
  std::string service = "service";
  bool normalize = true;
  std::optional<std::string> canonical_request;
  std::optional<std::string> string_to_sign;
  std::optional<std::string> signature;
};

// Reads one case directory. Only header-signed-request.txt is required; see
// tests/aws/sigv4_vectors/README.md for the defaults when context.json is absent.
std::optional<SuiteCase> LoadCase(const fs::path& dir) {
  std::optional<std::string> signed_text = ReadFile(dir / "header-signed-request.txt");
  if (!signed_text) return std::nullopt;
  SuiteCase c;
  c.name = dir.filename().string();
  c.request = ParseSuiteRequest(*signed_text);
  c.authorization = HeaderValue(c.request, "authorization").value_or("");
  RemoveHeader(c.request, "authorization");
  c.credentials = SuiteCredentials();
  c.normalize = !c.name.ends_with("-unnormalized");
  if (std::optional<std::string> context = ReadFile(dir / "context.json")) {
    c.credentials.access_key_id =
        JsonString(*context, "access_key_id").value_or(c.credentials.access_key_id);
    c.credentials.secret_access_key =
        JsonString(*context, "secret_access_key").value_or(c.credentials.secret_access_key);
    c.credentials.session_token = JsonString(*context, "token").value_or("");
    c.region = JsonString(*context, "region").value_or(c.region);
    c.service = JsonString(*context, "service").value_or(c.service);
    c.normalize = JsonBool(*context, "normalize").value_or(c.normalize);
  }
  // post-sts-header-before carries the token in the request and has no context.json.
  if (c.credentials.session_token.empty()) {
    c.credentials.session_token = HeaderValue(c.request, "x-amz-security-token").value_or("");
  }
  c.canonical_request = ReadFile(dir / "header-canonical-request.txt");
  c.string_to_sign = ReadFile(dir / "header-string-to-sign.txt");
  c.signature = ReadFile(dir / "header-signature.txt");
  return c;
}

std::vector<SuiteCase> LoadSuite() {
  const char* root = std::getenv("GS_SIGV4_VECTORS");
  if (root == nullptr || *root == '\0') {
    ADD_FAILURE() << "GS_SIGV4_VECTORS is not set; run through ctest or set it to "
                     "tests/aws/sigv4_vectors";
    return {};
  }
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  EXPECT_FALSE(ec) << "Cannot list " << root << ": " << ec.message();
  std::sort(dirs.begin(), dirs.end());
  std::vector<SuiteCase> cases;
  for (const fs::path& dir : dirs) {
    if (std::optional<SuiteCase> c = LoadCase(dir)) cases.push_back(std::move(*c));
  }
  // Fails every test that uses the suite, rather than passing on zero cases.
  EXPECT_GE(cases.size(), 20u) << "Too few cases under " << root;
  return cases;
}

SigV4Params ParamsFor(const SuiteCase& c) {
  return {
      .region = c.region, .service = c.service, .time = SuiteTime(), .normalize_path = c.normalize};
}

TEST(SigV4SuiteTest, HasTheVendoredCases) {
  const std::vector<SuiteCase> cases = LoadSuite();
  for (const SuiteCase& c : cases) {
    EXPECT_TRUE(c.authorization.starts_with("AWS4-HMAC-SHA256 ")) << c.name;
  }
}

// ComputeSigV4 on the request as it was signed (X-Amz-Date and any token included).
TEST(SigV4SuiteTest, ComputeMatchesEveryIntermediate) {
  for (const SuiteCase& c : LoadSuite()) {
    SCOPED_TRACE(c.name);
    Result<SigV4Parts> parts = ComputeSigV4(c.request, c.credentials, ParamsFor(c));
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    if (c.canonical_request) {
      EXPECT_EQ(parts->canonical_request, *c.canonical_request);
    }
    if (c.string_to_sign) {
      EXPECT_EQ(parts->string_to_sign, *c.string_to_sign);
    }
    if (c.signature) {
      EXPECT_EQ(parts->signature, *c.signature);
    }
    EXPECT_EQ(parts->authorization, c.authorization);
  }
}

// SignRequest on the request before signing: what it adds must give the suite's signature.
TEST(SigV4SuiteTest, SignRequestReproducesTheSignedRequest) {
  for (const SuiteCase& c : LoadSuite()) {
    SCOPED_TRACE(c.name);
    env::HttpRequest request = c.request;
    RemoveHeader(request, "x-amz-date");
    RemoveHeader(request, "x-amz-security-token");
    ASSERT_TRUE(SignRequest(request, c.credentials, ParamsFor(c)).ok());
    EXPECT_EQ(HeaderValue(request, "authorization"), c.authorization);
    EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20150830T123600Z");
    EXPECT_EQ(HeaderCount(request, "host"), 1);
  }
}

// boto/botocore's copy of the 2011 suite (tests/aws/sigv4_vectors/botocore-2011): paths sent
// already percent-encoded are encoded once more, and a Date header stands in for X-Amz-Date.
// The .req files are not vendored (see the README); the request is the one the suite sends.
TEST(SigV4SuiteTest, Botocore2011PathsAreEncodedTwice) {
  const char* root = std::getenv("GS_SIGV4_VECTORS");
  ASSERT_NE(root, nullptr);
  const fs::path dir = fs::path(root) / "botocore-2011";
  struct Case {
    const char* name;
    const char* path;
  };
  for (const Case& c : {Case{"get-space", "/%20/foo"}, Case{"get-utf8", "/%E1%88%B4"}}) {
    SCOPED_TRACE(c.name);
    env::HttpRequest request{
        .method = "GET",
        .url = std::string("https://host.foo.com") + c.path,
        .headers = {{"Date", "Mon, 09 Sep 2011 23:36:00 GMT"}, {"Host", "host.foo.com"}}};
    const SigV4Params params{.region = "us-east-1",
                             .service = "host",
                             .time = system_clock::time_point(std::chrono::seconds(1315611360))};
    Result<SigV4Parts> parts = ComputeSigV4(request, SuiteCredentials(), params);
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    EXPECT_EQ(parts->canonical_request, ReadFile(dir / (std::string(c.name) + ".creq")));
    EXPECT_EQ(parts->string_to_sign, ReadFile(dir / (std::string(c.name) + ".sts")));
    EXPECT_EQ(parts->authorization, ReadFile(dir / (std::string(c.name) + ".authz")));
  }
}

TEST(Sha256HexTest, MatchesKnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SignRequestTest, AddsHostAndDateFromParams) {
  env::HttpRequest request{.url = "https://logs.eu-west-1.amazonaws.com/"};
  // 2024-02-29T23:59:59Z: a leap day, one second before midnight.
  const system_clock::time_point t(
      std::chrono::seconds(DaysFromCivil(2024, 2, 29) * 86400 + 86399));
  ASSERT_TRUE(SignRequest(request, SuiteCredentials(),
                          {.region = "eu-west-1", .service = "logs", .time = t})
                  .ok());
  EXPECT_EQ(HeaderValue(request, "x-amz-date"), "20240229T235959Z");
  EXPECT_EQ(HeaderValue(request, "host"), "logs.eu-west-1.amazonaws.com");
  const std::string authorization = HeaderValue(request, "authorization").value_or("");
  EXPECT_TRUE(authorization.starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/logs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature="))
      << authorization;
  EXPECT_EQ(HeaderValue(request, "x-amz-security-token"), std::nullopt);
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"), std::nullopt);
}

TEST(SignRequestTest, HostKeepsANonDefaultPort) {
  env::HttpRequest request{.url = "http://127.0.0.1:4566/?Action=X"};
  ASSERT_TRUE(SignRequest(request, SuiteCredentials(),
                          {.region = "us-east-1", .service = "sts", .time = SuiteTime()})
                  .ok());
  EXPECT_EQ(HeaderValue(request, "host"), "127.0.0.1:4566");
}

TEST(SignRequestTest, SignsTheSessionToken) {
  env::HttpRequest request{.url = "https://example.amazonaws.com/"};
  AwsCredentials credentials = SuiteCredentials();
  credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  ASSERT_TRUE(SignRequest(request, credentials,
                          {.region = "us-east-1", .service = "service", .time = SuiteTime()})
                  .ok());
  EXPECT_EQ(HeaderValue(request, "x-amz-security-token"), credentials.session_token);
  // The signature of get-vanilla-with-session-token.
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST(SignRequestTest, ResigningReplacesEarlierSigningHeaders) {
  env::HttpRequest request{.url = "https://example.amazonaws.com/"};
  AwsCredentials temporary = SuiteCredentials();
  temporary.session_token = "old-token";
  const SigV4Params earlier{
      .region = "us-east-1", .service = "service", .time = SuiteTime() - std::chrono::hours(1)};
  ASSERT_TRUE(SignRequest(request, temporary, earlier).ok());
  ASSERT_EQ(HeaderValue(request, "x-amz-security-token"), "old-token");

  // A retry an hour later with long-term keys: one fresh copy of each header, no stale token.
  const SigV4Params now{.region = "us-east-1", .service = "service", .time = SuiteTime()};
  ASSERT_TRUE(SignRequest(request, SuiteCredentials(), now).ok());
  EXPECT_EQ(HeaderCount(request, "authorization"), 1);
  EXPECT_EQ(HeaderCount(request, "x-amz-date"), 1);
  EXPECT_EQ(HeaderCount(request, "host"), 1);
  EXPECT_EQ(HeaderCount(request, "x-amz-security-token"), 0);
  // The signature of get-vanilla.
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SignRequestTest, FailureLeavesTheRequestUnchanged) {
  env::HttpRequest request{.url = "not a url", .headers = {{"Authorization", "stale"}}};
  Status status = SignRequest(request, SuiteCredentials(),
                              {.region = "us-east-1", .service = "service", .time = SuiteTime()});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(request.headers.size(), 1u);
  EXPECT_EQ(request.headers[0].value, "stale");

  request.url = "https://example.amazonaws.com/";
  AwsCredentials no_secret = SuiteCredentials();
  no_secret.secret_access_key.clear();
  status = SignRequest(request, no_secret,
                       {.region = "us-east-1", .service = "service", .time = SuiteTime()});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(request.headers.size(), 1u);
}

TEST(ComputeSigV4Test, RejectsAnXAmzDateThatIsNotTheSigningTime) {
  env::HttpRequest request{.url = "https://example.amazonaws.com/",
                           .headers = {{"X-Amz-Date", "20150830T123601Z"}}};
  Result<SigV4Parts> parts =
      ComputeSigV4(request, SuiteCredentials(),
                   {.region = "us-east-1", .service = "service", .time = SuiteTime()});
  EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
}

// The examples of the Amazon S3 API Reference, "Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk" (sig-v4-header-based-auth.html): S3 signs the
// path as given, encoded once, and requires x-amz-content-sha256.
AwsCredentials S3DocCredentials() {
  return {.access_key_id = "AKIAIOSFODNN7EXAMPLE",
          .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          .source = "test"};
}

SigV4Params S3DocParams() {
  // 2013-05-24T00:00:00Z.
  return {.region = "us-east-1",
          .service = "s3",
          .time = system_clock::time_point(std::chrono::seconds(1369353600)),
          .normalize_path = false,
          .add_content_sha256 = true};
}

std::string SignatureOf(const env::HttpRequest& request) {
  const std::string authorization = HeaderValue(request, "authorization").value_or("");
  const size_t at = authorization.find("Signature=");
  return at == std::string::npos ? "" : authorization.substr(at + 10);
}

TEST(SignRequestS3Test, GetObjectWithRange) {
  env::HttpRequest request{.url = "https://examplebucket.s3.amazonaws.com/test.txt",
                           .headers = {{"Range", "bytes=0-9"}}};
  ASSERT_TRUE(SignRequest(request, S3DocCredentials(), S3DocParams()).ok());
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HeaderValue(request, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SignRequestS3Test, PutObjectHashesTheBodyAndEncodesThePathOnce) {
  env::HttpRequest request{.method = "PUT",
                           .url = "https://examplebucket.s3.amazonaws.com/test$file.text",
                           .headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                       {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                                       // Stale: SignRequest must replace it.
                                       {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}},
                           .body = "Welcome to Amazon S3."};
  ASSERT_TRUE(SignRequest(request, S3DocCredentials(), S3DocParams()).ok());
  EXPECT_EQ(HeaderCount(request, "x-amz-content-sha256"), 1);
  EXPECT_EQ(HeaderValue(request, "x-amz-content-sha256"),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(SignatureOf(request),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");

  // The same key already percent-encoded in the URL signs the same way.
  env::HttpRequest encoded = request;
  encoded.url = "https://examplebucket.s3.amazonaws.com/test%24file.text";
  ASSERT_TRUE(SignRequest(encoded, S3DocCredentials(), S3DocParams()).ok());
  EXPECT_EQ(SignatureOf(encoded), SignatureOf(request));
}

TEST(SignRequestS3Test, BucketQueriesInAnyOrder) {
  env::HttpRequest lifecycle{.url = "https://examplebucket.s3.amazonaws.com/?lifecycle"};
  ASSERT_TRUE(SignRequest(lifecycle, S3DocCredentials(), S3DocParams()).ok());
  EXPECT_EQ(SignatureOf(lifecycle),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");

  env::HttpRequest list{.url = "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2"};
  ASSERT_TRUE(SignRequest(list, S3DocCredentials(), S3DocParams()).ok());
  EXPECT_EQ(SignatureOf(list), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(ComputeSigV4Test, S3PathKeepsDotSegmentsAndEncodedSlashes) {
  env::HttpRequest request{.url = "https://b.s3.amazonaws.com/a/./b%2Fc/ü d",
                           .headers = {{"X-Amz-Date", "20150830T123600Z"}}};
  SigV4Params params{
      .region = "us-east-1", .service = "s3", .time = SuiteTime(), .normalize_path = false};
  Result<SigV4Parts> parts = ComputeSigV4(request, SuiteCredentials(), params);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->canonical_request.starts_with("GET\n/a/./b%2Fc/%C3%BC%20d\n"))
      << parts->canonical_request;

  params.normalize_path = true;
  parts = ComputeSigV4(request, SuiteCredentials(), params);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->canonical_request.starts_with("GET\n/a/b%252Fc/%C3%BC%20d\n"))
      << parts->canonical_request;
}

TEST(ComputeSigV4Test, QueryIsDecodedThenEncodedAndSorted) {
  env::HttpRequest request{.url = "https://example.amazonaws.com/?b=2&a=x%20y&a=%41&c&a+b=~",
                           .headers = {{"X-Amz-Date", "20150830T123600Z"}}};
  Result<SigV4Parts> parts =
      ComputeSigV4(request, SuiteCredentials(),
                   {.region = "us-east-1", .service = "service", .time = SuiteTime()});
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->canonical_request.starts_with("GET\n/\na=A&a=x%20y&a%2Bb=~&b=2&c=\n"))
      << parts->canonical_request;
}

}  // namespace
}  // namespace gatescope::aws
