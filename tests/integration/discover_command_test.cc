#include "commands/discover_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/test_util.h"

namespace gatescope::commands {
namespace {

using Json = nlohmann::json;

struct RunOutput {
  int exit_code;
  std::string out, err;
};

RunOutput Discover(DiscoverOptions options) {
  testing::FakeClock clock;
  std::ostringstream out, err;
  options.progress = false;
  int code = RunDiscover(options, clock, out, err);
  return {code, out.str(), err.str()};
}

TEST(DiscoverCommandTest, PrintsTableAndSummaryForEveryContainer) {
  for (const char* name : {"filter-log-events-2pages.json", "get-log-events.json",
                           "subscription.json", "subscription.json.gz", "lambda-event.json",
                           "text-export.log"}) {
    SCOPED_TRACE(name);
    RunOutput r = Discover({.inputs = {testing::FixturePath(std::string("containers/") + name)}});
    EXPECT_EQ(r.exit_code, kExitOk) << r.err;
    EXPECT_NE(r.out.find("/pets/{petId}"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("parsed"), std::string::npos);
  }
}

TEST(DiscoverCommandTest, WritesInventoryWhoseCountersAddUp) {
  testing::TempDir dir;
  RunOutput r = Discover({.inputs = {testing::FixturePath("access/rich-rest-json.log"),
                               testing::FixturePath("containers/subscription-control.json")},
                    .inventory_file = dir.File("inv.json")});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_TRUE(r.out.empty());
  Json inv = Json::parse(testing::ReadFile(dir.File("inv.json")));
  EXPECT_EQ(inv["format"], "gatescope.inventory/v1");
  const Json& s = inv["summary"];
  EXPECT_EQ(s["events_read"], 9);
  EXPECT_EQ(s["events_read"].get<int>(),
            s["events_parsed"].get<int>() + s["events_dropped"].get<int>() +
                s["events_filtered"].get<int>());
  EXPECT_EQ(s["dropped_by_reason"]["invalid_json"], 1);
  EXPECT_EQ(s["events_filtered"], 1);
  EXPECT_EQ(inv["apis"][0]["api_id"], "a1b2c3d4e5");
  EXPECT_NE(r.err.find("dropped invalid_json (parse): 1"), std::string::npos) << r.err;
}

TEST(DiscoverCommandTest, UnreadableInputExitsOneAndOthersStillCount) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += R"({"requestId":"r)" + std::to_string(i) + R"(","httpMethod":"GET","resourcePath":"/a"})" "\n";
  }
  std::string gz = testing::Gzip(text);
  std::string truncated = dir.Write("cut.log.gz", gz.substr(0, gz.size() * 2 / 3));
  RunOutput r = Discover({.inputs = {dir.File("missing.log"), truncated,
                               testing::FixturePath("access/rest-clf.log")},
                    .inventory_file = dir.File("inv.json")});
  EXPECT_EQ(r.exit_code, kExitInputError);
  EXPECT_NE(r.err.find("missing.log"), std::string::npos);
  EXPECT_NE(r.err.find("truncated gzip"), std::string::npos) << r.err;
  Json inv = Json::parse(testing::ReadFile(dir.File("inv.json")));
  EXPECT_GT(inv["summary"]["events_parsed"].get<int>(), 3);  // rest-clf plus the gzip's start.
  EXPECT_NE(r.err.find("(2 failed)"), std::string::npos) << r.err;
}

TEST(DiscoverCommandTest, BadUsageExitsTwoWithOneLine) {
  RunOutput bad_format = Discover({.inputs = {"x"}, .input_format = "xml"});
  EXPECT_EQ(bad_format.exit_code, kExitUsage);
  EXPECT_NE(bad_format.err.find("--input-format"), std::string::npos);
  RunOutput both = Discover({.inputs = {"x"}, .openapi_file = "a", .openapi_dir = "b"});
  EXPECT_EQ(both.exit_code, kExitUsage);
  testing::TempDir dir;
  RunOutput bad_mapping =
      Discover({.inputs = {"x"}, .access_log_formats = {dir.Write("f.txt", "no variables")}});
  EXPECT_EQ(bad_mapping.exit_code, kExitUsage);
  EXPECT_NE(bad_mapping.err.find("--access-log-format"), std::string::npos);
  EXPECT_EQ(std::count(bad_mapping.err.begin(), bad_mapping.err.end(), '\n'), 1);
}

TEST(DiscoverCommandTest, BadDiscoveryConfigStopsWithOneLineNamingTheSetting) {
  testing::TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"min_request": 2})", "\"min_request\" is not a known option"},
      {R"({"high_cardinality": 1})", "\"high_cardinality\" must be a number of at least 2"},
      {R"({"templates": [{"api": "*", "path": "/files"}]})", "\"templates.path\" must contain"},
      {R"({"literal_prefixes": [{"api": "*", "prefix": "/x"}]})", "literal_prefixes.prefix"},
      {"not json", "not a JSON object"}};
  for (const auto& [text, message] : cases) {
    DiscoverOptions o;
    o.inputs = {testing::FixturePath("access/rest-clf.log")};
    o.discovery_config = dir.Write("discovery.json", text);
    RunOutput r = Discover(o);
    EXPECT_EQ(r.exit_code, kExitUsage) << text;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  DiscoverOptions missing;
  missing.inputs = {testing::FixturePath("access/rest-clf.log")};
  missing.discovery_config = dir.File("absent.json");
  RunOutput r = Discover(missing);
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--discovery-config: cannot read"), std::string::npos) << r.err;
}

TEST(DiscoverCommandTest, DiscoveryConfigHintsApply) {
  testing::TempDir dir;
  DiscoverOptions o;
  o.inputs = {testing::FixturePath("access/wallarm-json.log")};
  o.openapi_file = dir.File("api.json");
  o.discovery_config =
      dir.Write("discovery.json", R"({"templates": [{"api": "*", "path": "/users/{user}"}]})");
  RunOutput r = Discover(o);
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  Json doc = Json::parse(testing::ReadFile(dir.File("api.json")));
  EXPECT_TRUE(doc["paths"].contains("/users/{user}")) << doc["paths"].dump();
}

TEST(DiscoverCommandTest, OpenApiFileAndDirectory) {
  testing::TempDir dir;
  RunOutput r = Discover({.inputs = {testing::FixturePath("access/wallarm-json.log"),
                               testing::FixturePath("access/rest-json-elastic-fixture.log")},
                    .openapi_file = dir.File("all.json")});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  Json doc = Json::parse(testing::ReadFile(dir.File("all.json")));
  // "/users/42" (no template logged) is inferred; the gateway's template is kept as logged.
  EXPECT_TRUE(doc["paths"].contains("/users/{userId}")) << doc["paths"].dump();
  EXPECT_TRUE(doc["paths"].contains("/pets/{petId}"));
  RunOutput per_api = Discover({.inputs = {testing::FixturePath("access/wallarm-json.log"),
                                     testing::FixturePath("access/rest-json-elastic-fixture.log")},
                          .openapi_dir = dir.File("apis")});
  ASSERT_EQ(per_api.exit_code, kExitOk) << per_api.err;
  EXPECT_TRUE(std::filesystem::exists(dir.File("apis/k3l4m5n6o7.openapi.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("apis/asad15n3p0.openapi.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("apis/unknown.openapi.json")));
}

TEST(DiscoverCommandTest, LogGroupOptionNamesApiForPlainText) {
  testing::TempDir dir;
  RunOutput r = Discover({.inputs = {testing::FixturePath("access/rest-clf.log")},
                    .log_group = "/aws/apigateway/q1w2e3r4t5/staging",
                    .inventory_file = dir.File("inv.json")});
  ASSERT_EQ(r.exit_code, kExitOk);
  Json inv = Json::parse(testing::ReadFile(dir.File("inv.json")));
  EXPECT_EQ(inv["apis"][0]["api_id"], "q1w2e3r4t5");
  EXPECT_EQ(inv["apis"][0]["stage"], "staging");
}

}  // namespace
}  // namespace gatescope::commands

namespace gatescope::commands {
namespace {

// The access-log line of the execution sample's request (same request id), in the
// console's JSON format.
constexpr std::string_view kSampleAccessLine =
    R"({"requestId":"515f1e99-39db-11e9-9e96-01e5c04505b9","ip":"203.0.113.9",)"
    R"("requestTime":"26/Feb/2019:15:29:33 +0000","httpMethod":"POST",)"
    R"("resourcePath":"/verifyReceipt","status":"200","protocol":"HTTP/1.1",)"
    R"("responseLength":"1136","responseLatency":"45"})";

TEST(DiscoverCommandTest, JoinsExecutionAndAccessLogsOfOneRequestInEitherOrder) {
  testing::TempDir dir;
  std::string access = dir.Write("access.log", std::string(kSampleAccessLine) + "\n");
  std::string exec = testing::FixturePath("execution/samples/exec-rest-lambda-proxy-success-200.payload.json");
  // Both in one input, interleaved as a pull of both groups would deliver them.
  std::string mixed = dir.Write(
      "mixed.log",
      testing::ReadFixture("execution/samples/exec-rest-lambda-proxy-success-200.log") +
          std::string(kSampleAccessLine) + "\n");
  for (const std::vector<std::string>& inputs :
       {std::vector<std::string>{exec, access}, std::vector<std::string>{access, exec},
        std::vector<std::string>{mixed}}) {
    SCOPED_TRACE(inputs.back());
    std::string inv_path = dir.File("inv.json");
    std::string tx_path = dir.File("tx.ndjson");
    RunOutput r = Discover({.inputs = inputs,
                            .log_group = "API-Gateway-Execution-Logs_h733q2j6gb/Prod",
                            .inventory_file = inv_path,
                            .transactions_file = tx_path});
    ASSERT_EQ(r.exit_code, kExitOk) << r.err;
    Json inv = Json::parse(testing::ReadFile(inv_path));
    ASSERT_EQ(inv["apis"].size(), 1u) << inv.dump();
    const Json& e = inv["apis"][0]["endpoints"];
    ASSERT_EQ(e.size(), 1u) << inv.dump();
    EXPECT_EQ(e[0]["requests"], 1) << "one request, counted once";
    EXPECT_EQ(e[0]["content"]["requests_logged"], 1);
    EXPECT_EQ(e[0]["content"]["request_headers"]["x-correlation-id"]["count"], 1);
    EXPECT_EQ(e[0]["content"]["request_headers"]["x-correlation-id"]["format"], "uuid");
    const Json& s = inv["summary"];
    EXPECT_EQ(s["events_read"], 24);
    EXPECT_EQ(s["events_parsed"], 24);
    EXPECT_EQ(s["requests_joined"].get<int>() + s["requests_joined_after_emission"].get<int>(), 1);
    // In one input the halves meet in time and merge into one transaction.
    if (inputs.size() == 1) {
      Json tx = Json::parse(testing::ReadFile(tx_path));
      EXPECT_EQ(tx["source"], "joined");
      EXPECT_EQ(tx["source_ip"], "203.0.113.9");
      EXPECT_EQ(tx["response_latency_ms"], 45);
      EXPECT_EQ(tx["integration_latency_ms"], 40);
    }
  }
}

TEST(DiscoverCommandTest, ExecutionLogSamplesGiveEndpointsWithContent) {
  testing::TempDir dir;
  RunOutput r = Discover(
      {.inputs = {testing::FixturePath(
           "execution/samples/exec-rest-2016-legacy-no-requestid-prefix-lambda-custom-200.log")},
       .log_group = "API-Gateway-Execution-Logs_ulhoxnm2x2/dev",
       .openapi_file = dir.File("openapi.json")});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  Json doc = Json::parse(testing::ReadFile(dir.File("openapi.json")));
  const Json& post = doc["paths"]["/repos/{id}"]["post"];
  EXPECT_EQ(post["responses"]["200"]["content"]["application/json"]["x-gatescope-truncated"], 1);
  bool has_query = false;
  for (const Json& p : post["parameters"]) has_query |= p["in"] == "query" && p["name"] == "q";
  EXPECT_TRUE(has_query) << post.dump();
  EXPECT_NE(r.err.find("Execution logs: 1 requests rebuilt, 1 complete"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gatescope::commands
