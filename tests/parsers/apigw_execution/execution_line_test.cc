#include "parsers/apigw_execution/execution_line.h"

#include <gtest/gtest.h>

#include <string>

#include "parsers/apigw_execution/java_map.h"
#include "core/json_prefix.h"

namespace gatescope::parsers::apigw_execution {
namespace {

constexpr std::string_view kId = "515f1e99-39db-11e9-9e96-01e5c04505b9";

std::string Line(std::string_view text) { return "(" + std::string(kId) + ") " + std::string(text); }

TEST(ExecutionLineTest, SplitsPrefixLabelAndValue) {
  std::string m = Line("HTTP Method: POST, Resource Path: /verifyReceipt");
  ExecutionLine l = ParseExecutionLine(m);
  EXPECT_EQ(l.request_id, kId);
  EXPECT_EQ(l.kind, LineKind::kHttpMethod);
  EXPECT_EQ(l.value, "POST, Resource Path: /verifyReceipt");
  EXPECT_FALSE(l.truncated);
  std::string_view method, path;
  ASSERT_TRUE(ParseHttpMethodValue(l.value, &method, &path));
  EXPECT_EQ(method, "POST");
  EXPECT_EQ(path, "/verifyReceipt");
}

TEST(ExecutionLineTest, MatchesEveryCatalogueLabelByLabelNotPosition) {
  struct Case {
    std::string_view text;
    LineKind kind;
  } cases[] = {
      {"Extended Request Id: Vts2pH6ArPEFcuQ=", LineKind::kExtendedRequestId},
      {"Starting authorizer: elkw5b for request: x", LineKind::kStartingAuthorizer},
      {"Incoming identity: ****I1BUdE", LineKind::kIncomingIdentity},
      {"Authorizer result body before parsing: {}", LineKind::kAuthorizerResultBody},
      {"Using valid authorizer policy for principal: ", LineKind::kAuthorizerPrincipal},
      {"Successfully completed authorizer execution", LineKind::kAuthorizerCompleted},
      {"Unauthorized request: x", LineKind::kUnauthorized},
      {"Verifying Usage Plan for request: x. API Key: API Stage: a/b", LineKind::kVerifyingUsagePlan},
      {"API Key authorized because method 'GET /' does not require API Key.", LineKind::kApiKeyAuthorization},
      {"API Key  authorized because method 'GET /' does not require API Key.", LineKind::kApiKeyAuthorization},
      {"API Key ****abc authorized because method 'GET /' does not require", LineKind::kApiKeyAuthorization},
      {"API Key ****abc not authorized because method 'GET /' requires API Key", LineKind::kApiKeyInvalid},
      {"Usage Plan check succeeded for API Key  and API Stage a/b", LineKind::kUsagePlanCheck},
      {"Key throttle limit exceeded for RestApi a, Stage b, Resource c, HttpMethod GET.", LineKind::kThrottled},
      {"Starting execution for request: x", LineKind::kStartingExecution},
      {"API Key: ****bMZHBg", LineKind::kApiKey},
      {"API Key ID: v7y79n2re7", LineKind::kApiKeyId},
      {"Method request path: {}", LineKind::kMethodRequestPath},
      {"Method request query string: {}", LineKind::kMethodRequestQuery},
      {"Method request headers: {}", LineKind::kMethodRequestHeaders},
      {"Method request body before transformations: ", LineKind::kMethodRequestBody},
      {"Endpoint request URI: https://x", LineKind::kEndpointRequestUri},
      {"Endpoint request headers: {}", LineKind::kEndpointRequestHeaders},
      {"Endpoint request body after transformations: {}", LineKind::kEndpointRequestBody},
      {"Sending request to https://x", LineKind::kSendingRequest},
      {"Received response. Integration latency: 40 ms", LineKind::kReceivedResponse},
      {"Endpoint response body before transformations: null", LineKind::kEndpointResponseBody},
      {"Endpoint response headers: {}", LineKind::kEndpointResponseHeaders},
      {"Method response body after transformations: {}", LineKind::kMethodResponseBody},
      {"Method response headers: {}", LineKind::kMethodResponseHeaders},
      {"Successfully completed execution", LineKind::kExecutionSucceeded},
      {"Method completed with status: 200", LineKind::kMethodCompleted},
      {"AWS Integration Endpoint RequestId : 57593f79", LineKind::kIntegrationRequestId},
      {"X-ray Tracing ID : 1-5c755b5d", LineKind::kXrayTraceId},
      {"Execution failed due to configuration error: Malformed Lambda proxy response", LineKind::kExecutionFailed},
      {"AuthorizerConfigurationException", LineKind::kExecutionFailed},
      {"Lambda execution failed with status 200 due to customer function error: x", LineKind::kLambdaFailed},
      {"Gateway response type: UNAUTHORIZED with status code: 401", LineKind::kGatewayResponseType},
      {"Request body does not match model schema for content type application/json: [x]", LineKind::kValidationFailed},
      {"Something new AWS added in 2027: 5", LineKind::kUnknown},
  };
  for (const Case& c : cases) {
    std::string m = Line(c.text);
    EXPECT_EQ(ParseExecutionLine(m).kind, c.kind) << c.text;
  }
}

TEST(ExecutionLineTest, AllowsNewlinesAfterLabelAndKeepsEmbeddedNewlines) {
  std::string m = Line("Method request path:\n{}");
  EXPECT_EQ(ParseExecutionLine(m).value, "{}");
  m = Line("Endpoint request body after transformations: \n\n   \nAction=Send&Body=\n{\"a\":1}");
  ExecutionLine l = ParseExecutionLine(m);
  EXPECT_EQ(l.kind, LineKind::kEndpointRequestBody);
  EXPECT_EQ(l.value, "Action=Send&Body=\n{\"a\":1}");
}

TEST(ExecutionLineTest, FlagsAndRemovesTruncationMarker) {
  std::string m = Line("Method request headers: {Accept=*/*, Host=a [TRUNCATED]");
  ExecutionLine l = ParseExecutionLine(m);
  EXPECT_TRUE(l.truncated);
  EXPECT_EQ(l.value, "{Accept=*/*, Host=a");
}

TEST(ExecutionLineTest, Legacy2016LinesHaveNoIdButNameTheirRequest) {
  ExecutionLine l = ParseExecutionLine(
      "Verifying Usage Plan for request: 9ac0eacd-87c5-11e6-b30c-19c3d9849330. API Key: "
      "***bMZHBg API Stage: ulhoxnm2x2/dev");
  EXPECT_TRUE(l.request_id.empty());
  EXPECT_EQ(RequestIdNamedIn(l), "9ac0eacd-87c5-11e6-b30c-19c3d9849330");
  std::string_view key, api, stage;
  ASSERT_TRUE(ParseUsagePlanValue(l.value, &key, &api, &stage));
  EXPECT_EQ(key, "***bMZHBg");
  EXPECT_EQ(api, "ulhoxnm2x2");
  EXPECT_EQ(stage, "dev");
  EXPECT_EQ(RequestIdNamedIn(ParseExecutionLine("Starting authorizer: abc for request: r-1")), "r-1");
  EXPECT_EQ(RequestIdNamedIn(ParseExecutionLine("HTTP Method: GET, Resource Path: /")), "");
}

TEST(ExecutionLineTest, ParsesSmallValues) {
  std::string_view method, resource, api, stage, key, type;
  int required = 0, status = 0;
  int64_t latency = 0;
  ASSERT_TRUE(ParseApiKeyMethod("method 'ANY /{resource+}' does not require API Key. Request",
                                &method, &resource, &required));
  EXPECT_EQ(method, "ANY");
  EXPECT_EQ(resource, "/{resource+}");
  EXPECT_EQ(required, 0);
  ASSERT_TRUE(ParseUsagePlanValue("succeeded for API Key  and API Stage oo8kadh853/Test", &key,
                                  &api, &stage));
  EXPECT_EQ(key, "");
  EXPECT_EQ(stage, "Test");
  ASSERT_TRUE(ParseReceivedResponse("Status: 403, Integration latency: 2 ms", &status, &latency));
  EXPECT_EQ(status, 403);
  EXPECT_EQ(latency, 2);
  ASSERT_TRUE(ParseReceivedResponse("Integration latency: 40 ms", &status, &latency));
  EXPECT_EQ(status, -1);
  EXPECT_EQ(latency, 40);
  std::string_view m;
  ASSERT_TRUE(ParseThrottleValue("for RestApi uwe3g5jm54, Stage Prod, Resource k0w8mc, HttpMethod "
                                 "POST. Limit: 1.00 Burst: 1",
                                 &api, &stage, &m));
  EXPECT_EQ(api, "uwe3g5jm54");
  EXPECT_EQ(stage, "Prod");
  EXPECT_EQ(m, "POST");
  ASSERT_TRUE(ParseGatewayResponseType("UNAUTHORIZED with status code: 401", &type, &status));
  EXPECT_EQ(type, "UNAUTHORIZED");
  EXPECT_EQ(status, 401);
}

std::string Dump(const model::FieldList& f) {
  std::string out;
  for (const model::Field& e : f) {
    out += "[" + e.name + "=" + e.value + (e.value_truncated ? "~" : "") + "]";
  }
  return out + (f.truncated ? " cut" : "");
}

TEST(JavaMapTest, SplitsOnlyWhereTheNextKeyStarts) {
  model::FieldList f;
  ParseJavaMap(
      "{Accept=application/json, text/plain, */*, Debug-Log-Enabled=false, X-Amzn-Trace-Id=Self=1-5c;"
      "Root=1-5c;Sampled=1, Content-Type=application/json;charset=utf-8, x-correlation-id=f8}",
      false, MapKind::kHeaders, &f);
  EXPECT_EQ(Dump(f),
            "[Accept=application/json, text/plain, */*][Debug-Log-Enabled=false]"
            "[X-Amzn-Trace-Id=Self=1-5c;Root=1-5c;Sampled=1]"
            "[Content-Type=application/json;charset=utf-8][x-correlation-id=f8]");
}

TEST(JavaMapTest, KeepsHeaderValueParametersInTheirValue) {
  model::FieldList f;
  ParseJavaMap("{Cache-Control=no-cache, max-age=0, Date=Tue, 26 Feb 2019 15:29:33 GMT, "
               "Set-Cookie=a=1; Path=/, b=2; Path=/, Host=x}",
               false, MapKind::kHeaders, &f);
  EXPECT_EQ(Dump(f),
            "[Cache-Control=no-cache, max-age=0][Date=Tue, 26 Feb 2019 15:29:33 GMT]"
            "[Set-Cookie=a=1; Path=/, b=2; Path=/][Host=x]");
}

TEST(JavaMapTest, DuplicateNameContinuesTheValue) {
  model::FieldList f;
  ParseJavaMap("{q=a, q=b, page=2}", false, MapKind::kParameters, &f);
  EXPECT_EQ(Dump(f), "[q=a, q=b][page=2]");
}

TEST(JavaMapTest, TruncatedMapKeepsCompleteEntriesAndFlagsTheCutOne) {
  model::FieldList f;
  ParseJavaMap("{Accept=*/*, Host=example.com, X-Amz-Security-Token=FQoGZX", true,
               MapKind::kHeaders, &f);
  EXPECT_EQ(Dump(f), "[Accept=*/*][Host=example.com][X-Amz-Security-Token=FQoGZX~] cut");
  ParseJavaMap("{Accept=*/*, Host=example.com, X-Amz-Secu", true, MapKind::kHeaders, &f);
  EXPECT_EQ(Dump(f), "[Accept=*/*][Host=example.com] cut");
  ParseJavaMap("{Accept=*/*, Host=", true, MapKind::kHeaders, &f);
  EXPECT_EQ(Dump(f), "[Accept=*/*][Host=~] cut");
}

TEST(JavaMapTest, EmptyForms) {
  model::FieldList f;
  for (std::string_view text : {"{}", "null", "", "  {}  "}) {
    ParseJavaMap(text, false, MapKind::kParameters, &f);
    EXPECT_TRUE(f.empty()) << text;
    EXPECT_TRUE(f.logged) << text;
    EXPECT_FALSE(f.truncated) << text;
  }
}

TEST(JavaMapTest, FindsOneValueWithoutParsingTheMap) {
  std::string_view text =
      "{x-amzn-lambda-integration-tag=1, Authorization=****7c8ada, X-Amz-Source-Arn=arn:aws:"
      "execute-api:eu-west-2:958845080241:h733q2j6gb/Prod/POST/verifyReceipt, Accept=a, b}";
  EXPECT_EQ(FindJavaMapValue(text, "X-Amz-Source-Arn"),
            "arn:aws:execute-api:eu-west-2:958845080241:h733q2j6gb/Prod/POST/verifyReceipt");
  EXPECT_EQ(FindJavaMapValue(text, "Accept"), "a, b");
  EXPECT_EQ(FindJavaMapValue(text, "Missing"), "");
}

class Recorder final : public JsonPrefixVisitor {
 public:
  std::string log;
  static std::string Path(std::span<const std::string_view> p) {
    std::string out;
    for (std::string_view k : p) out.append(k).append(".");
    return out;
  }
  void OnString(std::span<const std::string_view> p, std::string_view v, bool complete) override {
    log += Path(p) + "=" + std::string(v) + (complete ? "" : "~") + ";";
  }
  void OnScalar(std::span<const std::string_view> p, std::string_view raw) override {
    log += Path(p) + "=" + std::string(raw) + ";";
  }
  void OnContainerEnd(std::span<const std::string_view> p, bool complete) override {
    log += Path(p) + (complete ? "}" : "}~") + ";";
  }
  bool WantKey(std::span<const std::string_view>, std::string_view key) override {
    return key != "skip";
  }
};

TEST(JsonPrefixTest, VisitsWholeDocument) {
  Recorder r;
  EXPECT_TRUE(ScanJsonPrefix(R"({"a":"x\"y","n":12,"skip":{"z":1},"h":{"k":["v1","v2"]}})", r));
  EXPECT_EQ(r.log, "a.=x\"y;n.=12;h.k.[].=v1;h.k.[].=v2;h.k.};h.};};");
}

TEST(JsonPrefixTest, CutDocumentKeepsWhatWasComplete) {
  Recorder r;
  EXPECT_FALSE(ScanJsonPrefix(R"({"path":"/a","headers":{"Accept":"*/*"},"body":"{\"x\":1,\"y)", r));
  EXPECT_EQ(r.log, "path.=/a;headers.Accept.=*/*;headers.};body.={\"x\":1,\"y~;}~;");
}

TEST(JsonPrefixTest, InvalidJsonStopsWithoutCrashing) {
  Recorder r;
  // The 2017 sample's Lambda response has unescaped quotes inside a string.
  EXPECT_FALSE(ScanJsonPrefix(R"({"body": "{"ip_address": "89.64.28.236"}", "statusCode": 200})", r));
  std::string deep(100000, '[');
  EXPECT_FALSE(ScanJsonPrefix(deep, r));
}

// Found by execution_line_fuzz: a raw tab inside a string made the scanner loop forever.
TEST(JsonPrefixTest, RegressionRawTabInStringEnds) {
  Recorder r;
  EXPECT_FALSE(ScanJsonPrefix("{\"a\":\"x\ty\"}", r));
}

}  // namespace
}  // namespace gatescope::parsers::apigw_execution
