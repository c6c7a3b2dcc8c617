// ApiGatewayClient, ApiGatewayV2Client and DiscoverApis against a real moto_server on a loopback
// port: data is created with the aws CLI and read with our clients, and what our clients write is
// read back with the CLI. Faults (throttling, access denied, scripted pages) come from a loopback
// FaultProxy in front of moto. Nothing leaves the machine.
#include "aws/apigateway_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aws/api_discovery.h"
#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "core/clock.h"
#include "env/http_client.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/moto_server.h"
#include "tests/support/moto_test.h"

namespace gatescope::aws {
namespace {

using ::gatescope::testing::Fault;
using ::gatescope::testing::FaultProxy;
using ::gatescope::testing::FaultSpec;
using ::gatescope::testing::MotoServer;
using Json = nlohmann::json;

constexpr char kAccount[] = "123456789012";

// ---------------------------------------------------------------------------------------------
// Pure functions: no server.

TEST(ApiGatewayParseTest, RestApisPageReadsItemAndPosition) {
  Result<RestApisPage> page = ParseRestApisPage(R"({
      "item": [{"id": "a1", "name": "pets", "description": null, "createdDate": 1700000000.5,
                "endpointConfiguration": {"types": ["REGIONAL"]}},
               {"id": "b2", "name": 7, "endpointConfiguration": null},
               "not an object"],
      "position": "next+page"})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, "a1");
  EXPECT_EQ(page->items[0].name, "pets");
  EXPECT_EQ(page->items[0].description, "");
  EXPECT_EQ(page->items[0].endpoint_types, std::vector<std::string>{"REGIONAL"});
  EXPECT_EQ(page->items[0].created.time_since_epoch(), std::chrono::milliseconds(1700000000500));
  EXPECT_EQ(page->items[1].id, "b2");
  EXPECT_EQ(page->items[1].name, "");  // Wrong type: treated as absent.
  EXPECT_EQ(page->position, "next+page");
}

TEST(ApiGatewayParseTest, MalformedBodiesAreParseErrors) {
  for (std::string_view body : {"", "[]", "{", "null", "\"item\"", "{\"item\": [}"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(ParseRestApisPage(body).status().code(), StatusCode::kParseError);
    EXPECT_EQ(ParseStages(body).status().code(), StatusCode::kParseError);
    EXPECT_EQ(ParseApisV2Page(body).status().code(), StatusCode::kParseError);
  }
  // An object without the list is an empty last page, not an error.
  Result<RestApisPage> empty = ParseRestApisPage("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  EXPECT_TRUE(empty->position.empty());
}

TEST(ApiGatewayParseTest, StageReadsMethodSettingsAndAccessLog) {
  Result<Stage> stage = ParseStage(R"({
      "stageName": "prod", "deploymentId": "d1", "tracingEnabled": true,
      "methodSettings": {
        "*/*": {"loggingLevel": "INFO", "dataTraceEnabled": true, "metricsEnabled": false},
        "~1pets~1{id}/GET": {"metricsEnabled": true}},
      "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:g",
                            "format": "$context.requestId"}})");
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(stage->name, "prod");
  EXPECT_EQ(stage->deployment_id, "d1");
  EXPECT_TRUE(stage->tracing_enabled);
  ASSERT_EQ(stage->method_settings.count("*/*"), 1u);
  EXPECT_EQ(stage->method_settings["*/*"].logging_level, "INFO");
  EXPECT_TRUE(stage->method_settings["*/*"].data_trace_enabled);
  EXPECT_TRUE(stage->method_settings["~1pets~1{id}/GET"].metrics_enabled);
  EXPECT_EQ(stage->method_settings["~1pets~1{id}/GET"].logging_level, "");
  ASSERT_TRUE(stage->access_log.has_value());
  EXPECT_EQ(stage->access_log->destination_arn, "arn:aws:logs:us-east-1:1:log-group:g");
  EXPECT_EQ(stage->access_log->format, "$context.requestId");

  Result<Stage> off = ParseStage(R"({"stageName": "dev", "accessLogSettings": null})");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->access_log.has_value());
}

TEST(ApiGatewayParseTest, V2PagesReadItemsAndNextToken) {
  Result<ApisV2Page> apis = ParseApisV2Page(R"({"items": [
      {"apiId": "h1", "name": "web", "protocolType": "HTTP",
       "apiEndpoint": "https://h1.execute-api.us-east-1.amazonaws.com",
       "createdDate": "2026-11-21T21:25:28Z"}], "nextToken": "t2"})");
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  ASSERT_EQ(apis->items.size(), 1u);
  EXPECT_EQ(apis->items[0].id, "h1");
  EXPECT_EQ(apis->items[0].protocol_type, "HTTP");
  EXPECT_NE(apis->items[0].created.time_since_epoch().count(), 0);
  EXPECT_EQ(apis->next_token, "t2");

  Result<StagesV2Page> stages = ParseStagesV2Page(R"({"items": [
      {"stageName": "$default", "autoDeploy": true,
       "defaultRouteSettings": {"loggingLevel": "ERROR", "dataTraceEnabled": true},
       "routeSettings": {"$connect": {"loggingLevel": "INFO"}}}]})");
  ASSERT_TRUE(stages.ok());
  ASSERT_EQ(stages->items.size(), 1u);
  EXPECT_EQ(stages->items[0].name, "$default");
  EXPECT_TRUE(stages->items[0].auto_deploy);
  EXPECT_EQ(stages->items[0].default_route_settings.logging_level, "ERROR");
  EXPECT_EQ(stages->items[0].route_settings["$connect"].logging_level, "INFO");
  EXPECT_TRUE(stages->next_token.empty());
}

TEST(ApiGatewayPatchTest, BuildsStandardOperations) {
  EXPECT_EQ(EscapeJsonPointer("/a~b/c"), "~1a~0b~1c");
  EXPECT_EQ(MethodSettingsKey("*", "*"), "*/*");
  EXPECT_EQ(MethodSettingsKey("/pets/{id}", "GET"), "~1pets~1{id}/GET");

  EXPECT_EQ(PatchOperationsJson(ExecutionLoggingPatch(LoggingLevel::kInfo, true)),
            R"({"patchOperations":[{"op":"replace","path":"/*/*/logging/loglevel","value":"INFO"},)"
            R"({"op":"replace","path":"/*/*/logging/dataTrace","value":"true"}]})");
  EXPECT_EQ(PatchOperationsJson(MetricsPatch(false, MethodSettingsKey("/pets", "POST"))),
            R"({"patchOperations":[{"op":"replace","path":"/~1pets/POST/metrics/enabled",)"
            R"("value":"false"}]})");
  EXPECT_EQ(PatchOperationsJson(AccessLogPatch("arn:aws:logs:r:1:log-group:g", "$context.x")),
            R"({"patchOperations":[{"op":"replace","path":"/accessLogSettings/destinationArn",)"
            R"("value":"arn:aws:logs:r:1:log-group:g"},{"op":"replace",)"
            R"("path":"/accessLogSettings/format","value":"$context.x"}]})");
  EXPECT_EQ(PatchOperationsJson(RemoveAccessLogPatch()),
            R"({"patchOperations":[{"op":"remove","path":"/accessLogSettings"}]})");
  // Quotes and control characters in a format are JSON-escaped.
  EXPECT_EQ(Json::parse(PatchOperationsJson(
                AccessLogPatch("a", "{\"id\":\"$x\"}\n")))["patchOperations"][1]["value"],
            "{\"id\":\"$x\"}\n");

  EXPECT_EQ(StageV2UpdateJson({.access_log = AccessLogSettings{"arn:x", "$context.requestId"},
                               .logging_level = LoggingLevel::kError,
                               .data_trace_enabled = false}),
            R"({"accessLogSettings":{"destinationArn":"arn:x","format":"$context.requestId"},)"
            R"("defaultRouteSettings":{"dataTraceEnabled":false,"loggingLevel":"ERROR"}})");
  EXPECT_EQ(StageV2UpdateJson({}), "{}");
}

TEST(ApiDiscoveryTest, LogGroupNames) {
  EXPECT_EQ(ExecutionLogGroupName("abc123", "prod"), "API-Gateway-Execution-Logs_abc123/prod");
  EXPECT_EQ(LogGroupNameFromArn("arn:aws:logs:us-east-1:123456789012:log-group:my/group"),
            "my/group");
  EXPECT_EQ(LogGroupNameFromArn("arn:aws:logs:us-east-1:123456789012:log-group:api-logs:*"),
            "api-logs");
  EXPECT_EQ(LogGroupNameFromArn("arn:aws-cn:logs:cn-north-1:1:log-group:x"), "x");
  EXPECT_EQ(LogGroupNameFromArn("arn:aws:firehose:us-east-1:1:deliverystream/amazon-apigateway-s"),
            std::nullopt);
  EXPECT_EQ(LogGroupNameFromArn("arn:aws:logs:us-east-1:1:log-group:"), std::nullopt);
  EXPECT_EQ(LogGroupNameFromArn("arn:aws:logs:us-east-1"), std::nullopt);
  EXPECT_EQ(LogGroupNameFromArn(""), std::nullopt);
}

TEST(ApiDiscoveryTest, ClassifiesStagesAgainstRequirements) {
  Stage rest{
      .name = "prod",
      .method_settings = {{"*/*", {.logging_level = "INFO", .data_trace_enabled = false}}},
      .access_log = AccessLogSettings{"arn:aws:logs:r:1:log-group:g:*", "$context.requestId"}};
  DiscoveredStage described = DescribeRestStage("id1", rest, {});
  EXPECT_EQ(described.execution_logging_level, "INFO");
  EXPECT_EQ(described.access_log_group, "g");
  EXPECT_EQ(described.execution_log_group, "API-Gateway-Execution-Logs_id1/prod");
  EXPECT_EQ(described.missing, std::vector<std::string>{"data_trace"});
  EXPECT_TRUE(described.needs_enabling());
  EXPECT_FALSE(DescribeRestStage("id1", rest, {.data_trace = false}).needs_enabling());

  StageV2 http{.name = "$default",
               .default_route_settings = {.logging_level = "INFO", .data_trace_enabled = true}};
  DiscoveredStage http_described = DescribeStageV2(ApiProtocol::kHttp, http, {});
  EXPECT_EQ(http_described.execution_logging_level, "");  // WebSocket only.
  EXPECT_EQ(http_described.execution_log_group, "");
  EXPECT_EQ(http_described.missing, std::vector<std::string>{"access_logging"});
  EXPECT_EQ(DescribeStageV2(ApiProtocol::kWebSocket, http, {}).execution_logging_level, "INFO");
}

// ---------------------------------------------------------------------------------------------
// Against moto_server.

class ApiGatewayClientTest : public testing::MotoTest {
 protected:
  void SetUp() override {
    MotoTest::SetUp();
    if (HasFatalFailure()) return;
    v1_service_ = NewService(kApiGateway, moto_->endpoint());
    v2_service_ = NewService(kApiGatewayV2, moto_->endpoint());
    v1_ = std::make_unique<ApiGatewayClient>(*v1_service_);
    v2_ = std::make_unique<ApiGatewayV2Client>(*v2_service_);
  }

  std::unique_ptr<AwsServiceClient> NewService(const ServiceInfo& service, std::string endpoint,
                                               env::HttpClient* http = nullptr) {
    return std::make_unique<AwsServiceClient>(
        service,
        AwsClientOptions{.region = "us-east-1",
                         .endpoint = std::move(endpoint),
                         .retry = {.max_attempts = 4,
                                   .base_delay = std::chrono::milliseconds(1),
                                   .max_delay = std::chrono::milliseconds(5),
                                   .throttle_base_delay = std::chrono::milliseconds(2)}},
        http != nullptr ? *http : *http_, *credentials_, SystemClock::Get());
  }

  // A FaultProxy in front of moto and clients that talk through it. Members are destroyed in
  // reverse order: the HTTP client closes its kept-alive connections before the proxy stops,
  // which otherwise waits for them to time out.
  struct Proxied {
    std::unique_ptr<FaultProxy> proxy;
    std::unique_ptr<env::HttpClient> http;
    std::unique_ptr<AwsServiceClient> v1_service, v2_service;
    std::unique_ptr<ApiGatewayClient> v1;
    std::unique_ptr<ApiGatewayV2Client> v2;
  };

  // Null (and a test failure) when the proxy does not start.
  std::unique_ptr<Proxied> StartProxy() {
    Result<std::unique_ptr<FaultProxy>> proxy = FaultProxy::Start(moto_->endpoint());
    if (!proxy.ok()) {
      ADD_FAILURE() << proxy.status().ToString();
      return nullptr;
    }
    auto out = std::make_unique<Proxied>();
    out->proxy = std::move(proxy).value();
    out->http = env::NewCurlHttpClient();
    out->v1_service = NewService(kApiGateway, out->proxy->endpoint(), out->http.get());
    out->v2_service = NewService(kApiGatewayV2, out->proxy->endpoint(), out->http.get());
    out->v1 = std::make_unique<ApiGatewayClient>(*out->v1_service);
    out->v2 = std::make_unique<ApiGatewayV2Client>(*out->v2_service);
    return out;
  }

  // Runs the aws CLI against moto and parses its JSON output; a failure fails the test and
  // yields null.
  Json Cli(const std::vector<std::string>& args) {
    Result<std::string> out = moto_->RunAwsCli(args);
    if (!out.ok()) {
      ADD_FAILURE() << out.status().ToString();
      return nullptr;
    }
    if (out->empty()) return Json::object();
    Json doc = Json::parse(*out, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) ADD_FAILURE() << "aws CLI printed non-JSON: " << *out;
    return doc;
  }

  std::string CreateRestApi(const std::string& name) {
    return Cli({"apigateway", "create-rest-api", "--name", name}).value("id", "");
  }

  // A REST API whose root resource has a GET with a MOCK integration (API Gateway deploys
  // nothing less), deployed to `stage`: four CLI calls. Returns the API id.
  std::string CreateStagedRestApi(const std::string& name, const std::string& stage) {
    Json api = Cli({"apigateway", "create-rest-api", "--name", name});
    std::string id = api.value("id", "");
    std::string root = api.value("rootResourceId", "");
    Cli({"apigateway", "put-method", "--rest-api-id", id, "--resource-id", root, "--http-method",
         "GET", "--authorization-type", "NONE"});
    Cli({"apigateway", "put-integration", "--rest-api-id", id, "--resource-id", root,
         "--http-method", "GET", "--type", "MOCK"});
    Cli({"apigateway", "create-deployment", "--rest-api-id", id, "--stage-name", stage});
    return id;
  }

  // A REST API with /pets (GET, no integration) and /pets/{id} (DELETE, MOCK integration), not
  // deployed. Returns the API id.
  std::string CreatePetsRestApi(const std::string& name) {
    Json api = Cli({"apigateway", "create-rest-api", "--name", name});
    std::string id = api.value("id", "");
    std::string root = api.value("rootResourceId", "");
    std::string pets = Cli({"apigateway", "create-resource", "--rest-api-id", id, "--parent-id",
                            root, "--path-part", "pets"})
                           .value("id", "");
    std::string pet = Cli({"apigateway", "create-resource", "--rest-api-id", id, "--parent-id",
                           pets, "--path-part", "{id}"})
                          .value("id", "");
    Cli({"apigateway", "put-method", "--rest-api-id", id, "--resource-id", pets, "--http-method",
         "GET", "--authorization-type", "NONE"});
    Cli({"apigateway", "put-method", "--rest-api-id", id, "--resource-id", pet, "--http-method",
         "DELETE", "--authorization-type", "AWS_IAM"});
    Cli({"apigateway", "put-integration", "--rest-api-id", id, "--resource-id", pet,
         "--http-method", "DELETE", "--type", "MOCK"});
    return id;
  }

  std::string CreateApiV2(const std::string& name, const std::string& protocol) {
    std::vector<std::string> args = {"apigatewayv2", "create-api",      "--name",
                                     name,           "--protocol-type", protocol};
    if (protocol == "WEBSOCKET") {
      args.insert(args.end(), {"--route-selection-expression", "$request.body.action"});
    }
    return Cli(args).value("ApiId", "");
  }

  std::unique_ptr<AwsServiceClient> v1_service_, v2_service_;
  std::unique_ptr<ApiGatewayClient> v1_;
  std::unique_ptr<ApiGatewayV2Client> v2_;
};


TEST_F(ApiGatewayClientTest, GetRestApisReadsWhatTheCliCreated) {
  std::string edge = CreateRestApi("edge-api");
  std::string regional = Cli({"apigateway", "create-rest-api", "--name", "regional-api",
                              "--endpoint-configuration", "types=REGIONAL"})
                             .value("id", "");

  Result<std::vector<RestApi>> apis = v1_->GetRestApis();
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  ASSERT_EQ(apis->size(), 2u);
  for (const RestApi& api : *apis) {
    EXPECT_GT(api.created.time_since_epoch().count(), 0) << api.id;
    if (api.id == edge) {
      EXPECT_EQ(api.name, "edge-api");
      EXPECT_EQ(api.endpoint_types, std::vector<std::string>{"EDGE"});
    } else {
      EXPECT_EQ(api.id, regional);
      EXPECT_EQ(api.name, "regional-api");
      EXPECT_EQ(api.endpoint_types, std::vector<std::string>{"REGIONAL"});
    }
  }
}

TEST_F(ApiGatewayClientTest, GetRestApisReturnsThirtyApisOnce) {
  // A few through the CLI; the rest through the executor's raw CreateRestApi call (the CLI costs
  // a second per call in interpreter start-up alone).
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) created.insert(CreateRestApi("cli-" + std::to_string(i)));
  for (int i = 0; i < 27; ++i) {
    Result<std::string> body = v1_service_->CallRestJson(
        "CreateRestApi", "POST", "/restapis", {}, R"({"name":"raw-)" + std::to_string(i) + "\"}");
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    created.insert(Json::parse(*body).value("id", ""));
  }
  ASSERT_EQ(created.size(), 30u);

  // moto 5.2 ignores `limit` and `position` and answers one page; the loop over `position` is
  // exercised with scripted pages in FollowsPositionAcrossPages.
  Result<std::vector<RestApi>> apis = v1_->GetRestApis(/*page_size=*/7);
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  std::set<std::string> listed;
  for (const RestApi& api : *apis) listed.insert(api.id);
  EXPECT_EQ(listed, created);
  EXPECT_EQ(apis->size(), 30u);
}

TEST_F(ApiGatewayClientTest, FollowsPositionAcrossPages) {
  std::string real = CreateRestApi("from-moto");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayClient& client = *proxied->v1;

  // Two scripted pages, then moto's real (last) page. The first token needs encoding.
  proxy.Enqueue({{.fault = Fault::kRespond,
                  .body = R"({"item":[{"id":"p1a","name":"one"},{"id":"p1b"}],)"
                          R"("position":"tok 2/+="})"},
                 {.fault = Fault::kRespond,
                  .body = R"({"item":[],"position":"tok3"})"}});  // Empty, not last.
  Result<std::vector<RestApi>> apis = client.GetRestApis(/*page_size=*/2);
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  std::vector<std::string> ids;
  for (const RestApi& api : *apis) ids.push_back(api.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"p1a", "p1b", real}));

  std::vector<FaultProxy::SeenRequest> seen = proxy.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, "/restapis?limit=2");
  EXPECT_EQ(seen[1].path, "/restapis?limit=2&position=tok%202%2F%2B%3D");
  EXPECT_EQ(seen[2].path, "/restapis?limit=2&position=tok3");
}

TEST_F(ApiGatewayClientTest, StopsWhenAPositionRepeats) {
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayClient& client = *proxied->v1;
  FaultSpec page{.fault = Fault::kRespond, .body = R"({"item":[{"id":"x"}],"position":"same"})"};
  proxy.Enqueue({page, page});
  Result<std::vector<RestApi>> apis = client.GetRestApis();
  EXPECT_EQ(apis.status().code(), StatusCode::kInternal);
  EXPECT_NE(apis.status().message().find("GetRestApis"), std::string::npos);
  EXPECT_EQ(proxy.requests().size(), 2u);
}

TEST_F(ApiGatewayClientTest, GetStagesAndGetStage) {
  std::string id = CreateStagedRestApi("pets", "prod");
  std::string deployment =
      Cli({"apigateway", "get-stage", "--rest-api-id", id, "--stage-name", "prod"})
          .value("deploymentId", "");
  Cli({"apigateway", "create-stage", "--rest-api-id", id, "--stage-name", "beta", "--deployment-id",
       deployment});

  Result<std::vector<Stage>> stages = v1_->GetStages(id);
  ASSERT_TRUE(stages.ok()) << stages.status().ToString();
  std::set<std::string> names;
  for (const Stage& stage : *stages) {
    names.insert(stage.name);
    EXPECT_EQ(stage.deployment_id, deployment);
    EXPECT_FALSE(stage.access_log.has_value());
  }
  EXPECT_EQ(names, (std::set<std::string>{"prod", "beta"}));

  Result<Stage> stage = v1_->GetStage(id, "beta");
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(stage->name, "beta");
  EXPECT_EQ(stage->deployment_id, deployment);
}

TEST_F(ApiGatewayClientTest, GetResourcesEmbedsMethods) {
  std::string id = CreatePetsRestApi("pets");
  Result<std::vector<Resource>> resources = v1_->GetResources(id);
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  std::map<std::string, Resource> by_path;
  for (Resource& resource : *resources) by_path[resource.path] = resource;
  ASSERT_EQ(by_path.size(), 3u);
  EXPECT_TRUE(by_path["/"].methods.empty());
  EXPECT_TRUE(by_path["/"].parent_id.empty());
  EXPECT_EQ(by_path["/pets"].parent_id, by_path["/"].id);
  EXPECT_EQ(by_path["/pets/{id}"].path_part, "{id}");
  EXPECT_EQ(by_path["/pets/{id}"].parent_id, by_path["/pets"].id);
  ASSERT_EQ(by_path["/pets/{id}"].methods.size(), 1u);
  const ResourceMethod& del = by_path["/pets/{id}"].methods["DELETE"];
  EXPECT_EQ(del.http_method, "DELETE");
  EXPECT_EQ(del.authorization_type, "AWS_IAM");
  EXPECT_EQ(del.integration_type, "MOCK");
  ASSERT_EQ(by_path["/pets"].methods.count("GET"), 1u);
  EXPECT_EQ(by_path["/pets"].methods["GET"].integration_type, "");

  // Without embed=methods the verbs are still listed.
  Result<std::vector<Resource>> bare = v1_->GetResources(id, /*embed_methods=*/false);
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  for (const Resource& resource : *bare) {
    if (resource.path == "/pets/{id}") {
      EXPECT_EQ(resource.methods.count("DELETE"), 1u);
    }
  }
}

TEST_F(ApiGatewayClientTest, UpdateStageIsWhatTheCliReadsBack) {
  std::string id = CreateStagedRestApi("pets", "prod");
  const std::string arn =
      std::string("arn:aws:logs:us-east-1:") + kAccount + ":log-group:pets-access";
  const std::string format = R"({"requestId":"$context.requestId","status":"$context.status"})";
  std::vector<PatchOperation> ops = ExecutionLoggingPatch(LoggingLevel::kInfo, true);
  for (PatchOperation& op : MetricsPatch(true, MethodSettingsKey("/", "GET"))) {
    ops.push_back(std::move(op));
  }
  for (PatchOperation& op : AccessLogPatch(arn, format)) ops.push_back(std::move(op));

  Result<Stage> updated = v1_->UpdateStage(id, "prod", ops);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->method_settings["*/*"].logging_level, "INFO");
  ASSERT_TRUE(updated->access_log.has_value());
  EXPECT_EQ(updated->access_log->format, format);

  Json cli = Cli({"apigateway", "get-stage", "--rest-api-id", id, "--stage-name", "prod"});
  EXPECT_EQ(cli["methodSettings"]["*/*"]["loggingLevel"], "INFO");
  EXPECT_EQ(cli["methodSettings"]["*/*"]["dataTraceEnabled"], true);
  EXPECT_EQ(cli["methodSettings"]["~1/GET"]["metricsEnabled"], true);
  EXPECT_EQ(cli["accessLogSettings"]["destinationArn"], arn);
  EXPECT_EQ(cli["accessLogSettings"]["format"], format);

  // Turn it down again, and access logging off.
  ops = ExecutionLoggingPatch(LoggingLevel::kError, false);
  for (PatchOperation& op : RemoveAccessLogPatch()) ops.push_back(std::move(op));
  updated = v1_->UpdateStage(id, "prod", ops);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_FALSE(updated->access_log.has_value());
  cli = Cli({"apigateway", "get-stage", "--rest-api-id", id, "--stage-name", "prod"});
  EXPECT_EQ(cli["methodSettings"]["*/*"]["loggingLevel"], "ERROR");
  EXPECT_EQ(cli["methodSettings"]["*/*"]["dataTraceEnabled"], false);
  EXPECT_FALSE(cli.contains("accessLogSettings") && !cli["accessLogSettings"].is_null());

  Result<Stage> read = v1_->GetStage(id, "prod");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->method_settings["*/*"].logging_level, "ERROR");
  EXPECT_TRUE(read->method_settings["~1/GET"].metrics_enabled);
}

TEST_F(ApiGatewayClientTest, UpdateStageWithoutOperationsIsInvalid) {
  EXPECT_EQ(v1_->UpdateStage("x", "prod", {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ApiGatewayClientTest, AccountCloudWatchRole) {
  Result<ApiGatewayAccount> before = v1_->GetAccount();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(before->cloudwatch_role_arn.empty());
  EXPECT_GT(before->throttle_burst_limit, 0);

  const std::string role = std::string("arn:aws:iam::") + kAccount + ":role/apigw-logs";
  Result<ApiGatewayAccount> after = v1_->UpdateAccountCloudWatchRole(role);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->cloudwatch_role_arn, role);
  EXPECT_EQ(Cli({"apigateway", "get-account"})["cloudwatchRoleArn"], role);
  EXPECT_EQ(v1_->GetAccount()->cloudwatch_role_arn, role);
}

TEST_F(ApiGatewayClientTest, UnknownIdsAreNotFoundNamingTheAction) {
  Result<std::vector<Stage>> stages = v1_->GetStages("nosuchapi");
  EXPECT_EQ(stages.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stages.status().message().find("apigateway:GetStages"), std::string::npos)
      << stages.status().message();

  std::string id = CreateStagedRestApi("pets", "prod");
  Result<Stage> stage = v1_->GetStage(id, "nosuchstage");
  EXPECT_EQ(stage.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stage.status().message().find("apigateway:GetStage"), std::string::npos);

  Result<std::vector<StageV2>> v2_stages = v2_->GetStages("nosuchapi");
  EXPECT_EQ(v2_stages.status().code(), StatusCode::kNotFound);
  EXPECT_NE(v2_stages.status().message().find("apigateway:GetStages"), std::string::npos);
}

TEST_F(ApiGatewayClientTest, ThrottlingIsRetried) {
  std::string id = CreateRestApi("throttled");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayClient& client = *proxied->v1;
  AwsServiceClient& service = *proxied->v1_service;
  proxy.Enqueue({{.fault = Fault::kThrottleRestJson}, {.fault = Fault::kThrottleRestJson}});

  Result<std::vector<RestApi>> apis = client.GetRestApis();
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  ASSERT_EQ(apis->size(), 1u);
  EXPECT_EQ((*apis)[0].id, id);
  EXPECT_EQ(proxy.requests().size(), 3u);
  EXPECT_EQ(service.stats().throttled, 2u);
  EXPECT_EQ(service.stats().failures, 0u);
}

TEST_F(ApiGatewayClientTest, V2ListsApisStagesAndRoutes) {
  std::string http = CreateApiV2("web", "HTTP");
  std::string ws = CreateApiV2("chat", "WEBSOCKET");
  Cli({"apigatewayv2", "create-stage", "--api-id", http, "--stage-name", "$default"});
  Cli({"apigatewayv2", "create-route", "--api-id", http, "--route-key", "GET /pets/{id}"});
  Cli({"apigatewayv2", "create-route", "--api-id", http, "--route-key", "$default"});
  Cli({"apigatewayv2", "create-route", "--api-id", ws, "--route-key", "$connect"});
  // Written by the CLI, read by us: moto has no UpdateStage for v2 (see UpdateStageV2 below).
  Cli({"apigatewayv2", "create-stage", "--api-id", ws, "--stage-name", "prod",
       "--access-log-settings",
       "DestinationArn=arn:aws:logs:us-east-1:123456789012:log-group:chat-access,"
       "Format=$context.requestId",
       "--default-route-settings", "LoggingLevel=INFO,DataTraceEnabled=true"});

  Result<std::vector<ApiV2>> apis = v2_->GetApis();
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  std::map<std::string, ApiV2> by_id;
  for (ApiV2& api : *apis) by_id[api.id] = api;
  ASSERT_EQ(by_id.size(), 2u);
  EXPECT_EQ(by_id[http].name, "web");
  EXPECT_EQ(by_id[http].protocol_type, "HTTP");
  EXPECT_EQ(by_id[ws].protocol_type, "WEBSOCKET");
  EXPECT_NE(by_id[ws].api_endpoint.find(ws), std::string::npos);

  Result<std::vector<StageV2>> http_stages = v2_->GetStages(http);
  ASSERT_TRUE(http_stages.ok()) << http_stages.status().ToString();
  ASSERT_EQ(http_stages->size(), 1u);
  EXPECT_EQ((*http_stages)[0].name, "$default");
  EXPECT_FALSE((*http_stages)[0].access_log.has_value());

  Result<std::vector<StageV2>> ws_stages = v2_->GetStages(ws);
  ASSERT_TRUE(ws_stages.ok());
  ASSERT_EQ(ws_stages->size(), 1u);
  const StageV2& prod = (*ws_stages)[0];
  ASSERT_TRUE(prod.access_log.has_value());
  EXPECT_EQ(prod.access_log->destination_arn,
            "arn:aws:logs:us-east-1:123456789012:log-group:chat-access");
  EXPECT_EQ(prod.access_log->format, "$context.requestId");
  EXPECT_EQ(prod.default_route_settings.logging_level, "INFO");
  EXPECT_TRUE(prod.default_route_settings.data_trace_enabled);

  Result<std::vector<RouteV2>> routes = v2_->GetRoutes(http);
  ASSERT_TRUE(routes.ok()) << routes.status().ToString();
  std::set<std::string> keys;
  for (const RouteV2& route : *routes) {
    keys.insert(route.route_key);
    EXPECT_FALSE(route.id.empty());
  }
  EXPECT_EQ(keys, (std::set<std::string>{"GET /pets/{id}", "$default"}));
}

TEST_F(ApiGatewayClientTest, V2FollowsNextToken) {
  std::string http = CreateApiV2("web", "HTTP");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayV2Client& client = *proxied->v2;
  proxy.Enqueue({{.fault = Fault::kRespond,
                  .body = R"({"items":[{"apiId":"s1","protocolType":"WEBSOCKET"}],)"
                          R"("nextToken":"n/2"})"}});
  Result<std::vector<ApiV2>> apis = client.GetApis(/*page_size=*/1);
  ASSERT_TRUE(apis.ok()) << apis.status().ToString();
  ASSERT_EQ(apis->size(), 2u);
  EXPECT_EQ((*apis)[0].id, "s1");
  EXPECT_EQ((*apis)[1].id, http);
  std::vector<FaultProxy::SeenRequest> seen = proxy.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/v2/apis?maxResults=1");
  EXPECT_EQ(seen[1].path, "/v2/apis?maxResults=1&nextToken=n%2F2");
}

TEST_F(ApiGatewayClientTest, UpdateStageV2EncodesDefaultStage) {
  // moto 5.2 answers UpdateStage (v2) with 500 NotImplementedError, so the service's answer is
  // scripted; what is checked is the request our client makes and how it reads the reply.
  std::string http = CreateApiV2("web", "HTTP");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayV2Client& client = *proxied->v2;
  proxy.Enqueue({{.fault = Fault::kRespond,
                  .body = R"({"stageName":"$default","accessLogSettings":{"destinationArn":)"
                          R"("arn:aws:logs:us-east-1:123456789012:log-group:web",)"
                          R"("format":"$context.requestId"}})"}});

  Result<StageV2> stage = client.UpdateStage(
      http, "$default",
      {.access_log = AccessLogSettings{"arn:aws:logs:us-east-1:123456789012:log-group:web",
                                       "$context.requestId"}});
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(stage->name, "$default");
  ASSERT_TRUE(stage->access_log.has_value());
  EXPECT_EQ(stage->access_log->destination_arn,
            "arn:aws:logs:us-east-1:123456789012:log-group:web");
  std::vector<FaultProxy::SeenRequest> seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "PATCH");
  EXPECT_EQ(seen[0].path, "/v2/apis/" + http + "/stages/%24default");
}

TEST_F(ApiGatewayClientTest, DiscoversRestHttpAndWebSocketStages) {
  // REST "pets": prod fully logged (set by our client), dev not logged at all.
  std::string pets = CreateStagedRestApi("pets", "prod");
  std::string deployment =
      Cli({"apigateway", "get-stage", "--rest-api-id", pets, "--stage-name", "prod"})
          .value("deploymentId", "");
  Cli({"apigateway", "create-stage", "--rest-api-id", pets, "--stage-name", "dev",
       "--deployment-id", deployment});
  std::vector<PatchOperation> ops = ExecutionLoggingPatch(LoggingLevel::kInfo, true);
  for (PatchOperation& op : AccessLogPatch(
           "arn:aws:logs:us-east-1:123456789012:log-group:pets-access", "$context.requestId")) {
    ops.push_back(std::move(op));
  }
  ASSERT_TRUE(v1_->UpdateStage(pets, "prod", ops).ok());
  // HTTP "web": $default without logs, "live" with access logs to an ARN ending in ":*".
  std::string web = CreateApiV2("web", "HTTP");
  Cli({"apigatewayv2", "create-stage", "--api-id", web, "--stage-name", "$default"});
  Cli({"apigatewayv2", "create-stage", "--api-id", web, "--stage-name", "live",
       "--access-log-settings",
       "DestinationArn=arn:aws:logs:us-east-1:123456789012:log-group:/web/access:*,"
       "Format=$context.requestId"});
  // WebSocket "chat": prod with execution logging only.
  std::string chat = CreateApiV2("chat", "WEBSOCKET");
  Cli({"apigatewayv2", "create-stage", "--api-id", chat, "--stage-name", "prod",
       "--default-route-settings", "LoggingLevel=ERROR,DataTraceEnabled=false"});

  Result<RegionApis> found = DiscoverApis(*v1_, *v2_, "us-east-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->region, "us-east-1");
  EXPECT_TRUE(found->rest_error.ok());
  EXPECT_TRUE(found->v2_error.ok());
  ASSERT_EQ(found->apis.size(), 3u);

  std::map<std::string, const DiscoveredApi*> by_id;
  for (const DiscoveredApi& api : found->apis) {
    EXPECT_TRUE(api.error.ok()) << api.error.ToString();
    by_id[api.id] = &api;
  }
  EXPECT_EQ(found->apis[0].protocol, ApiProtocol::kRest);  // REST first.

  const DiscoveredApi& rest = *by_id.at(pets);
  EXPECT_EQ(rest.name, "pets");
  ASSERT_EQ(rest.stages.size(), 2u);
  for (const DiscoveredStage& stage : rest.stages) {
    EXPECT_EQ(stage.execution_log_group, "API-Gateway-Execution-Logs_" + pets + "/" + stage.name);
    if (stage.name == "prod") {
      EXPECT_EQ(stage.execution_logging_level, "INFO");
      EXPECT_TRUE(stage.data_trace_enabled);
      EXPECT_EQ(stage.access_log_destination_arn,
                "arn:aws:logs:us-east-1:123456789012:log-group:pets-access");
      EXPECT_EQ(stage.access_log_group, "pets-access");
      EXPECT_EQ(stage.access_log_format, "$context.requestId");
      EXPECT_FALSE(stage.needs_enabling());
    } else {
      EXPECT_EQ(stage.name, "dev");
      EXPECT_EQ(stage.execution_logging_level, "");
      EXPECT_EQ(stage.missing,
                (std::vector<std::string>{"access_logging", "execution_logging", "data_trace"}));
    }
  }

  const DiscoveredApi& http = *by_id.at(web);
  EXPECT_EQ(http.protocol, ApiProtocol::kHttp);
  ASSERT_EQ(http.stages.size(), 2u);
  for (const DiscoveredStage& stage : http.stages) {
    EXPECT_EQ(stage.execution_log_group, "");
    if (stage.name == "live") {
      EXPECT_EQ(stage.access_log_group, "/web/access");
      EXPECT_FALSE(stage.needs_enabling());
    } else {
      EXPECT_EQ(stage.name, "$default");
      EXPECT_EQ(stage.missing, std::vector<std::string>{"access_logging"});
    }
  }

  const DiscoveredApi& ws = *by_id.at(chat);
  EXPECT_EQ(ws.protocol, ApiProtocol::kWebSocket);
  EXPECT_EQ(ApiProtocolName(ws.protocol), "websocket");
  ASSERT_EQ(ws.stages.size(), 1u);
  EXPECT_EQ(ws.stages[0].execution_logging_level, "ERROR");
  EXPECT_EQ(ws.stages[0].missing, std::vector<std::string>{"access_logging"});
}

TEST_F(ApiGatewayClientTest, DiscoveryRecordsAnApisErrorAndGoesOn) {
  std::string first = CreateStagedRestApi("first", "prod");
  std::string second = CreateStagedRestApi("second", "prod");
  std::string web = CreateApiV2("web", "HTTP");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayClient& v1 = *proxied->v1;
  ApiGatewayV2Client& v2 = *proxied->v2;
  // GetRestApis passes (a zero delay forwards), the first GetStages is refused.
  proxy.Enqueue({{.fault = Fault::kDelay}, {.fault = Fault::kAccessDenied}});

  Result<RegionApis> found = DiscoverApis(v1, v2, "us-east-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->apis.size(), 3u);
  const DiscoveredApi& denied = found->apis[0];
  EXPECT_EQ(denied.error.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.error.message().find("apigateway:GetStages"), std::string::npos);
  EXPECT_TRUE(denied.stages.empty());
  for (size_t i = 1; i < found->apis.size(); ++i) {
    EXPECT_TRUE(found->apis[i].error.ok()) << found->apis[i].error.ToString();
    EXPECT_EQ(found->apis[i].stages.size(), found->apis[i].id == web ? 0u : 1u);
  }
  std::set<std::string> ids;
  for (const DiscoveredApi& api : found->apis) ids.insert(api.id);
  EXPECT_EQ(ids, (std::set<std::string>{first, second, web}));
}

TEST_F(ApiGatewayClientTest, DiscoveryFailsOnlyWhenBothListingsFail) {
  CreateRestApi("api");
  std::unique_ptr<Proxied> proxied = StartProxy();
  ASSERT_NE(proxied, nullptr);
  FaultProxy& proxy = *proxied->proxy;
  ApiGatewayClient& v1 = *proxied->v1;
  ApiGatewayV2Client& v2 = *proxied->v2;

  // Only GetApis (v2) refused: REST is still reported.
  proxy.Enqueue(
      {{.fault = Fault::kDelay}, {.fault = Fault::kDelay}, {.fault = Fault::kAccessDenied}});
  Result<RegionApis> partial = DiscoverApis(v1, v2, "us-east-1");
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_EQ(partial->apis.size(), 1u);
  EXPECT_EQ(partial->v2_error.code(), StatusCode::kPermissionDenied);

  proxy.Enqueue({{.fault = Fault::kAccessDenied}, {.fault = Fault::kAccessDenied}});
  Result<RegionApis> none = DiscoverApis(v1, v2, "us-east-1");
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(none.status().message().find("apigateway:GetRestApis"), std::string::npos);
  EXPECT_NE(none.status().message().find("GetApis"), std::string::npos);
}

}  // namespace
}  // namespace gatescope::aws
