// The refresh against moto_server: API Gateway stages and log groups are made with the real aws
// CLI, the refresh runs through our clients, and the CLI checks what it changed. moto 5.2.1
// answers apigatewayv2 UpdateStage with 501, so that one call is scripted here (ScriptedV2Stages)
// and later GetStages show its effect, as AWS would. Also: the secret-backed token source and
// the API list read from S3.
#include "connector/refresh.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "aws/aws_environment.h"
#include "connector/aws_access.h"
#include "connector/connector_config.h"
#include "connector/lambda_handler.h"
#include "connector/secret_token_source.h"
#include "core/clock.h"
#include "env/http_client.h"
#include "tests/support/moto_server.h"
#include "tests/support/test_util.h"

namespace gatescope::connector {
namespace {

using Json = nlohmann::json;
using Env = std::map<std::string, std::string>;

constexpr char kFunctionArn[] = "arn:aws:lambda:us-east-1:123456789012:function:gatescope-connector";
constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/apigw-logs";

// Forwards to the real client, except apigatewayv2 UpdateStage, answered from its body and
// remembered so that GetStages report the access-log settings afterwards.
class ScriptedV2Stages final : public env::HttpClient {
 public:
  explicit ScriptedV2Stages(env::HttpClient& inner) : inner_(inner) {}

  Result<env::HttpResponse> Send(const env::HttpRequest& request) override {
    static const std::regex kStage(R"(/v2/apis/([^/?]+)/stages/([^/?]+)$)");
    static const std::regex kStages(R"(/v2/apis/([^/?]+)/stages(\?.*)?$)");
    std::smatch m;
    if (request.method == "PATCH" && std::regex_search(request.url, m, kStage)) {
      std::string api = m[1], stage = m[2] == "%24default" ? "$default" : std::string(m[2]);
      Json body = Json::parse(request.body);
      std::lock_guard lock(mu_);
      updates_.push_back(api + "/" + stage);
      settings_[api][stage] = body["accessLogSettings"];
      return env::HttpResponse{.status = 200,
                               .body = Json{{"stageName", stage},
                                            {"accessLogSettings", body["accessLogSettings"]}}
                                           .dump()};
    }
    Result<env::HttpResponse> response = inner_.Send(request);
    if (response.ok() && request.method == "GET" && std::regex_search(request.url, m, kStages)) {
      std::lock_guard lock(mu_);
      auto api = settings_.find(m[1]);
      if (api != settings_.end()) {
        Json page = Json::parse(response->body);
        for (const char* key : {"items", "Items"}) {
          if (!page.contains(key)) continue;
          for (Json& item : page[key]) {
            std::string name = item.value("stageName", item.value("StageName", ""));
            if (api->second.contains(name)) item["accessLogSettings"] = api->second[name];
          }
        }
        response->body = page.dump();
      }
    }
    return response;
  }

  std::vector<std::string> updates() const {
    std::lock_guard lock(mu_);
    return updates_;
  }

 private:
  env::HttpClient& inner_;
  mutable std::mutex mu_;
  std::vector<std::string> updates_;
  std::map<std::string, std::map<std::string, Json>> settings_;
};

class RefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<testing::MotoServer*> moto = testing::SharedMotoServer();
    ASSERT_TRUE(moto.ok()) << moto.status().message();
    moto_ = *moto;
    ASSERT_TRUE(moto_->Reset().ok());
    curl_ = env::NewCurlHttpClient();
    http_ = std::make_unique<ScriptedV2Stages>(*curl_);
    aws_ = std::make_unique<AwsAccess>(aws::AwsEnvironment::FromMap(moto_->Env()), *http_,
                                       SystemClock::Get());
    config_.apigateway_cloudwatch_role_arn = kRoleArn;
    // The subscriptions' destination must exist in moto.
    std::string zip = tmp_.File("fn.zip");
    ASSERT_EQ(std::system(("python3 -c \"import zipfile; z=zipfile.ZipFile('" + zip +
                           "','w'); z.writestr('bootstrap','x'); z.close()\"")
                              .c_str()),
              0);
    Cli({"iam", "create-role", "--role-name", "fn-role", "--assume-role-policy-document",
         R"({"Version":"2012-10-17","Statement":[]})"});
    Cli({"lambda", "create-function", "--function-name", "gatescope-connector", "--runtime",
         "provided.al2023", "--handler", "x", "--role", "arn:aws:iam::123456789012:role/fn-role",
         "--zip-file", "fileb://" + zip});
  }

  Json Cli(const std::vector<std::string>& args) {
    Result<std::string> out = moto_->RunAwsCli(args);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok() || out->find_first_not_of(" \r\n") == std::string::npos) return nullptr;
    return Json::parse(*out);
  }

  // A REST API with one MOCK method deployed to `stage`; returns its id.
  std::string RestApi(const std::string& name, const std::string& stage) {
    std::string id = Cli({"apigateway", "create-rest-api", "--name", name})["id"];
    std::string root = Cli({"apigateway", "get-resources", "--rest-api-id", id})["items"][0]["id"];
    Cli({"apigateway", "put-method", "--rest-api-id", id, "--resource-id", root, "--http-method",
         "GET", "--authorization-type", "NONE"});
    Cli({"apigateway", "put-integration", "--rest-api-id", id, "--resource-id", root,
         "--http-method", "GET", "--type", "MOCK"});
    Cli({"apigateway", "create-deployment", "--rest-api-id", id, "--stage-name", stage});
    return id;
  }

  std::string HttpApi(const std::string& name, const std::vector<std::string>& stages) {
    std::string id = Cli({"apigatewayv2", "create-api", "--name", name, "--protocol-type",
                          "HTTP"})["ApiId"];
    for (const std::string& s : stages) {
      Cli({"apigatewayv2", "create-stage", "--api-id", id, "--stage-name", s});
    }
    return id;
  }

  Json RestStage(const std::string& api, const std::string& stage) {
    return Cli({"apigateway", "get-stage", "--rest-api-id", api, "--stage-name", stage});
  }

  // name -> destination of each subscription filter of `group` (empty when none or no group).
  std::map<std::string, std::string> Filters(const std::string& group) {
    Result<std::string> out = moto_->RunAwsCli(
        {"logs", "describe-subscription-filters", "--log-group-name", group});
    std::map<std::string, std::string> filters;
    if (!out.ok()) return filters;
    Json page = Json::parse(*out);  // Kept: a loop over a temporary's member would dangle.
    for (const Json& f : page["subscriptionFilters"]) {
      filters[f["filterName"]] = f["destinationArn"];
    }
    return filters;
  }

  std::map<std::string, Json> Groups() {
    std::map<std::string, Json> groups;
    Json page = Cli({"logs", "describe-log-groups"});
    for (const Json& g : page["logGroups"]) {
      groups[g["logGroupName"]] = g;
    }
    return groups;
  }

  RefreshSummary Refresh(std::vector<ApiStageRef> apis = {}) {
    RefreshSummary s = RunRefresh(config_, apis, *aws_,
                                  {.function_arn = kFunctionArn, .account_id = "123456789012"});
    std::string line = RefreshSummaryToEmf(s, "test", 0);
    EXPECT_TRUE(Json::accept(line)) << line;
    return s;
  }

  static std::string Errors(const RefreshSummary& s) {
    std::string out;
    for (const std::string& e : s.error_samples) out += e + "\n";
    return out;
  }

  testing::TempDir tmp_;
  testing::MotoServer* moto_ = nullptr;
  std::unique_ptr<env::HttpClient> curl_;
  std::unique_ptr<ScriptedV2Stages> http_;
  std::unique_ptr<AwsAccess> aws_;
  ConnectorConfig config_;
};

TEST_F(RefreshTest, EnablesLoggingSubscribesAndASecondRefreshChangesNothing) {
  std::string rest = RestApi("rest", "prod");
  std::string http = HttpApi("http", {"live", "$default"});

  RefreshSummary first = Refresh();
  EXPECT_EQ(first.errors, 0u) << Errors(first);
  EXPECT_EQ(first.stages_seen, 3u);
  EXPECT_EQ(first.stages_in_scope, 3u);
  EXPECT_EQ(first.account_roles_set, 1u);
  EXPECT_EQ(first.execution_logging_enabled, 1u);
  EXPECT_EQ(first.access_logging_enabled, 2u);
  EXPECT_EQ(first.log_groups_created, 2u);  // The execution-log group and the access-log group.
  EXPECT_EQ(first.subscriptions_added, 2u);

  Json stage = RestStage(rest, "prod");
  EXPECT_EQ(stage["methodSettings"]["*/*"]["loggingLevel"], "INFO") << stage.dump();
  EXPECT_EQ(stage["methodSettings"]["*/*"]["dataTraceEnabled"], true);
  EXPECT_EQ(Cli({"apigateway", "get-account"})["cloudwatchRoleArn"], kRoleArn);
  EXPECT_EQ(http_->updates(), (std::vector<std::string>{http + "/live", http + "/$default"}));

  std::string exec_group = "API-Gateway-Execution-Logs_" + rest + "/prod";
  std::map<std::string, Json> groups = Groups();
  ASSERT_TRUE(groups.contains(exec_group));
  EXPECT_EQ(groups[exec_group]["retentionInDays"], 30);
  ASSERT_TRUE(groups.contains("/aws/apigateway/gatescope-access"));
  EXPECT_EQ(groups["/aws/apigateway/gatescope-access"]["retentionInDays"], 30);
  for (const std::string& g : {exec_group, std::string("/aws/apigateway/gatescope-access")}) {
    EXPECT_EQ(Filters(g), (std::map<std::string, std::string>{{"gatescope-connector",
                                                                kFunctionArn}}))
        << g;
  }

  RefreshSummary second = Refresh();
  EXPECT_EQ(second.errors, 0u) << Errors(second);
  EXPECT_EQ(second.execution_logging_enabled, 0u);
  EXPECT_EQ(second.access_logging_enabled, 0u);
  EXPECT_EQ(second.account_roles_set, 0u);
  EXPECT_EQ(second.log_groups_created, 0u);
  EXPECT_EQ(second.subscriptions_added, 0u);
  EXPECT_EQ(second.subscriptions_already, 2u);
  EXPECT_EQ(http_->updates().size(), 2u);
}

TEST_F(RefreshTest, OnlyListedStagesOfThisAccountAreTouched) {
  std::string listed = RestApi("listed", "prod");
  std::string other = RestApi("other", "dev");
  std::string foreign = RestApi("foreign", "prod");
  HttpApi("http", {"live"});
  config_.discover = false;
  std::vector<ApiStageRef> apis = {
      {.api_id = listed, .stage = "prod"},
      {.api_id = foreign, .stage = "prod", .account_id = "999999999999"}};
  std::vector<std::string> warnings;
  RefreshSummary s = Refresh(FilterApisForAccount(apis, "123456789012", &warnings));
  EXPECT_EQ(s.errors, 0u) << Errors(s);
  EXPECT_EQ(s.stages_seen, 4u);
  EXPECT_EQ(s.stages_in_scope, 1u);
  EXPECT_EQ(s.execution_logging_enabled, 1u);
  EXPECT_EQ(RestStage(listed, "prod")["methodSettings"]["*/*"]["loggingLevel"], "INFO");
  for (const std::string& api : {other, foreign}) {
    Json stage = RestStage(api, api == other ? "dev" : "prod");
    EXPECT_FALSE(stage.contains("methodSettings") && stage["methodSettings"].contains("*/*"))
        << stage.dump();
  }
  EXPECT_TRUE(http_->updates().empty());
  std::map<std::string, Json> groups = Groups();
  EXPECT_TRUE(groups.contains("API-Gateway-Execution-Logs_" + listed + "/prod"));
  EXPECT_FALSE(groups.contains("API-Gateway-Execution-Logs_" + other + "/dev"));
  EXPECT_FALSE(groups.contains("API-Gateway-Execution-Logs_" + foreign + "/prod"));
  EXPECT_FALSE(groups.contains("/aws/apigateway/gatescope-access"));
}

TEST_F(RefreshTest, DisablingATypeRemovesOnlyOurFilters) {
  std::string rest = RestApi("rest", "prod");
  HttpApi("http", {"live"});
  RefreshSummary first = Refresh();
  ASSERT_EQ(first.errors, 0u) << Errors(first);
  const std::string access = "/aws/apigateway/gatescope-access";
  const std::string exec_group = "API-Gateway-Execution-Logs_" + rest + "/prod";
  // Somebody else's filter on the same group stays.
  Cli({"logs", "put-subscription-filter", "--log-group-name", access, "--filter-name", "theirs",
       "--filter-pattern", "", "--destination-arn", kFunctionArn});

  config_.http_enabled = false;
  RefreshSummary s = Refresh();
  EXPECT_EQ(s.errors, 0u) << Errors(s);
  EXPECT_EQ(s.subscriptions_removed, 1u);
  EXPECT_EQ(s.subscriptions_already, 1u);
  EXPECT_EQ(Filters(access), (std::map<std::string, std::string>{{"theirs", kFunctionArn}}));
  EXPECT_EQ(Filters(exec_group),
            (std::map<std::string, std::string>{{"gatescope-connector", kFunctionArn}}));

  // Pull mode takes ours off every group in scope.
  config_.http_enabled = true;
  config_.collection = Collection::kPull;
  s = Refresh();
  EXPECT_EQ(s.errors, 0u) << Errors(s);
  EXPECT_EQ(s.subscriptions_removed, 1u);
  EXPECT_TRUE(Filters(exec_group).empty());
  EXPECT_EQ(Filters(access), (std::map<std::string, std::string>{{"theirs", kFunctionArn}}));
}

TEST_F(RefreshTest, AGroupWithTwoOtherFiltersIsReportedNotChanged) {
  std::string rest = RestApi("rest", "prod");
  const std::string exec_group = "API-Gateway-Execution-Logs_" + rest + "/prod";
  Cli({"logs", "create-log-group", "--log-group-name", exec_group});
  for (const char* name : {"a", "b"}) {
    Cli({"logs", "put-subscription-filter", "--log-group-name", exec_group, "--filter-name", name,
         "--filter-pattern", "", "--destination-arn", kFunctionArn});
  }
  RefreshSummary s = Refresh();
  EXPECT_EQ(s.errors, 1u) << Errors(s);
  EXPECT_EQ(s.errors_by_reason["subscription_limit"], 1u);
  EXPECT_EQ(s.log_groups_created, 0u);  // It existed.
  EXPECT_EQ(Filters(exec_group).size(), 2u);
  EXPECT_FALSE(Filters(exec_group).contains("gatescope-connector"));
}

TEST_F(RefreshTest, WithoutACloudWatchRoleRestStagesAreReported) {
  std::string rest = RestApi("rest", "prod");
  HttpApi("http", {"live"});
  config_.apigateway_cloudwatch_role_arn.clear();
  config_.enable_default_stage_logging = false;
  RefreshSummary s = Refresh();
  EXPECT_EQ(s.errors_by_reason["cloudwatch_role_missing"], 1u) << Errors(s);
  EXPECT_EQ(s.errors, 1u) << Errors(s);
  EXPECT_EQ(s.execution_logging_enabled, 0u);
  EXPECT_EQ(s.access_logging_enabled, 1u);  // HTTP stages go on.
  Json stage = RestStage(rest, "prod");
  EXPECT_FALSE(stage.contains("methodSettings") && stage["methodSettings"].contains("*/*"));
  // Logs that already exist: nothing is changed, the existing groups are still subscribed.
  config_.rest_execution_logs_exist = true;
  s = Refresh();
  EXPECT_EQ(s.errors, 0u) << Errors(s);
}

TEST_F(RefreshTest, HostReadsTheApiListFromS3AndRoutesTheRefreshEvent) {
  std::string rest = RestApi("rest", "prod");
  RestApi("other", "prod");
  Cli({"s3api", "create-bucket", "--bucket", "gs-artifacts"});
  std::string list = tmp_.File("apis.json");
  std::ofstream(list) << R"([{"api_id":")" << rest
                      << R"(","stage":"prod"},{"api_id":"x","stage":"y","account_id":"111111111111"}])";
  ASSERT_TRUE(moto_->RunAwsCli({"s3", "cp", list, "s3://gs-artifacts/apis/apis.json"}).ok());
  Env env = moto_->Env();
  env["GATESCOPE_COLLECTOR_URL"] = "http://127.0.0.1:9/v1/logs";
  env["GATESCOPE_AUTH"] = "none";
  env["GATESCOPE_DISCOVER"] = "false";
  env["GATESCOPE_APIS"] = "s3://gs-artifacts/apis/apis.json";
  env["GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN"] = kRoleArn;
  Result<std::unique_ptr<ConnectorHost>> host = ConnectorHost::Create(env, SystemClock::Get());
  ASSERT_TRUE(host.ok()) << host.status().message();
  Result<std::vector<ApiStageRef>> apis = (*host)->Apis(false);
  ASSERT_TRUE(apis.ok()) << apis.status().message();
  EXPECT_EQ(apis->size(), 1u);  // The other account's item is skipped (STS: 123456789012).

  EXPECT_EQ(ClassifyEvent(R"({"gatescope":"refresh"})"), EventKind::kRefresh);
  lambda::Invocation invocation{.request_id = "r1",
                                .deadline_ms = UnixMillis(SystemClock::Get()) + 60000,
                                .function_arn = std::string(kFunctionArn) + ":live",
                                .body = R"({"gatescope":"refresh"})"};
  std::ostringstream log;
  lambda::HandlerResult result = HandleInvocation(**host, invocation, SystemClock::Get(), log);
  ASSERT_TRUE(result.ok);
  Json line = Json::parse(result.body);
  EXPECT_EQ(line["mode"], "refresh");
  EXPECT_EQ(line["errors"], 0) << result.body;
  EXPECT_EQ(line["execution_logging_enabled"], 1);
  EXPECT_EQ(line["subscriptions_added"], 1);
  EXPECT_EQ((*host)->function_arn(), kFunctionArn);  // The alias is dropped.
  EXPECT_EQ(Filters("API-Gateway-Execution-Logs_" + rest + "/prod"),
            (std::map<std::string, std::string>{{"gatescope-connector", kFunctionArn}}));

  // A malformed list is that refresh's error, named.
  std::ofstream(list) << R"([{"api_id":1}])";
  ASSERT_TRUE(moto_->RunAwsCli({"s3", "cp", list, "s3://gs-artifacts/apis/apis.json"}).ok());
  RefreshSummary broken = (*host)->RunRefresh();
  EXPECT_EQ(broken.errors_by_reason["apis_list_failed"], 1u);
  ASSERT_EQ(broken.error_samples.size(), 1u);
  EXPECT_NE(broken.error_samples[0].find("GATESCOPE_APIS s3://gs-artifacts/apis/apis.json: item 0"),
            std::string::npos)
      << broken.error_samples[0];
}

// ---------------------------------------------------------------------------------------------
// The secret-backed token source, against a scripted token endpoint.

class TokenEndpoint final : public env::HttpClient {
 public:
  Result<env::HttpResponse> Send(const env::HttpRequest& request) override {
    ++requests;
    for (const env::HttpHeader& h : request.headers) {
      if (h.name == "Authorization" && h.value == "Basic " + expected_basic) {
        return env::HttpResponse{
            .status = 200, .body = R"({"access_token":"tok","token_type":"Bearer","expires_in":60})"};
      }
    }
    return env::HttpResponse{.status = 401, .body = R"({"error":"invalid_client"})"};
  }
  std::string expected_basic;  // base64("id:secret").
  int requests = 0;
};

TEST(SecretTokenSourceTest, ReadsOnFirstUseAndAgainAfterARefusal) {
  testing::FakeClock clock;
  TokenEndpoint endpoint;
  endpoint.expected_basic = "aWQ6b25l";  // id:one
  std::string stored = "one";
  int reads = 0;
  auto tokens = NewSecretBackedOAuth2(
      {.token_url = "https://auth.example.com/token", .client_id = "id"},
      [&]() -> Result<std::string> {
        ++reads;
        return stored;
      },
      endpoint, clock);
  EXPECT_EQ(reads, 0);  // Nothing at construction.
  auto deadline = clock.MonotonicNow() + std::chrono::seconds(30);
  ASSERT_TRUE(tokens->Token(deadline).ok());
  ASSERT_TRUE(tokens->Token(deadline).ok());
  EXPECT_EQ(reads, 1);  // Cached.

  // Rotated: the endpoint wants "two" now; the cached token expires; the refusal re-reads.
  stored = "two";
  endpoint.expected_basic = "aWQ6dHdv";  // id:two
  clock.Advance(std::chrono::minutes(2));
  deadline = clock.MonotonicNow() + std::chrono::seconds(30);
  Result<std::string> token = tokens->Token(deadline);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(reads, 2);

  // A wrong secret that stays wrong: one re-read, then the refusal stands (and names no secret).
  stored = "three";
  endpoint.expected_basic = "nothing";
  clock.Advance(std::chrono::minutes(2));
  deadline = clock.MonotonicNow() + std::chrono::seconds(30);
  token = tokens->Token(deadline);
  EXPECT_EQ(token.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(token.status().message().find("three"), std::string_view::npos);
  EXPECT_EQ(reads, 3);
  token = tokens->Token(deadline);  // Within a minute: no further read.
  EXPECT_EQ(reads, 3);
}

TEST(SecretTokenSourceTest, SecretStringForms) {
  EXPECT_EQ(ClientSecretFromSecretString("plain\n"), "plain");
  EXPECT_EQ(ClientSecretFromSecretString(R"({"client_secret":"in-json","x":1})"), "in-json");
  EXPECT_EQ(ClientSecretFromSecretString(R"({"other":"v"})"), R"({"other":"v"})");
}

}  // namespace
}  // namespace gatescope::connector
