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

TEST(DiscoverCommandTest, OpenApiFileAndDirectory) {
  testing::TempDir dir;
  RunOutput r = Discover({.inputs = {testing::FixturePath("access/wallarm-json.log"),
                               testing::FixturePath("access/rest-json-elastic-fixture.log")},
                    .openapi_file = dir.File("all.json")});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  Json doc = Json::parse(testing::ReadFile(dir.File("all.json")));
  EXPECT_TRUE(doc["paths"].contains("/users/42"));
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
