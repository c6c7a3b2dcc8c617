#include "parsers/apigw_access/access_log_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "inventory/inventory.h"
#include "inventory/inventory_json.h"
#include "parsers/apigw_access/builtin_formats.h"
#include "tests/support/test_util.h"

namespace gatescope::parsers::apigw_access {
namespace {

using model::ApiKind;
using model::HttpTransaction;
using pipeline::DropReason;

std::optional<DropReason> ParseLine(AccessLogParser& parser, std::string_view line,
                                    HttpTransaction* tx, std::string_view group = {}) {
  model::RawRecord record{.message = line, .timestamp_ms = 1000, .log_group = group};
  return parser.Parse(record, tx);
}

TEST(AccessLogParserTest, ReadsRestConsoleJson) {
  AccessLogParser parser;
  HttpTransaction tx;
  auto lines = testing::FixtureLines("access/rest-json-elastic-fixture.log");
  ASSERT_EQ(ParseLine(parser, lines[3], &tx), std::nullopt);
  EXPECT_EQ(tx.request_id, "c12d1542-b79e-4e79-a158-fdf36452a81b");
  EXPECT_EQ(tx.method, "GET");
  EXPECT_EQ(tx.resource_path, "/pets/{petId}");
  EXPECT_EQ(tx.status, 200);
  EXPECT_EQ(tx.response_length, 48);
  EXPECT_EQ(tx.api_id, "asad15n3p0");
  EXPECT_EQ(tx.region, "us-east-1");
  EXPECT_EQ(tx.stage, "prod");
  EXPECT_EQ(tx.api_kind, ApiKind::kRest);
  EXPECT_EQ(tx.caller, "");  // "-" is API Gateway's "no value".
  EXPECT_EQ(tx.request_time_ms, 1690373223000);
}

TEST(AccessLogParserTest, ReadsHttpApiJsonAndWebSocketJson) {
  AccessLogParser parser;
  HttpTransaction tx;
  ASSERT_EQ(ParseLine(parser, testing::FixtureLines("access/http-api-json-elastic-fixture.log")[3], &tx),
            std::nullopt);
  EXPECT_EQ(tx.route_key, "GET /");
  EXPECT_EQ(tx.stage, "$default");
  EXPECT_EQ(tx.api_kind, ApiKind::kHttp);
  auto ws = testing::FixtureLines("access/websocket-json-elastic-fixture.log");
  ASSERT_EQ(ParseLine(parser, ws[2], &tx), std::nullopt);
  EXPECT_EQ(tx.api_kind, ApiKind::kWebSocket);
  EXPECT_EQ(tx.method, "WS");
  EXPECT_EQ(tx.route_key, "$connect");
  EXPECT_EQ(tx.connection_id, "Iq8gj1UmIAMCKpA=");
  // A request rejected before routing names no route: nothing to attribute it to.
  EXPECT_EQ(ParseLine(parser, ws[1], &tx), DropReason::kMissingEndpoint);
}

TEST(AccessLogParserTest, ReadsEveryBuiltinTextFormat) {
  AccessLogParser parser;
  HttpTransaction tx;
  struct Case {
    const char* fixture;
    const char* method;
    const char* template_field;
  };
  for (const Case& c : {Case{"rest-clf", "GET", "/pets/{petId}"},
                        Case{"http-clf", "GET", "GET /orders/{id}"},
                        Case{"websocket-clf", "WS", "$connect"},
                        Case{"rest-csv", "GET", "/pets/{petId}"},
                        Case{"http-csv", "GET", "GET /orders/{id}"},
                        Case{"websocket-csv", "WS", "$connect"},
                        Case{"rest-xml", "PUT", "/pets/{petId}"},
                        Case{"http-xml", "GET", "GET /orders/{id}"},
                        Case{"websocket-xml", "WS", "$disconnect"}}) {
    SCOPED_TRACE(c.fixture);
    auto lines = testing::FixtureLines(std::string("access/") + c.fixture + ".log");
    ASSERT_EQ(ParseLine(parser, lines[0], &tx), std::nullopt);
    EXPECT_EQ(tx.method, c.method);
    EXPECT_EQ(tx.resource_path.empty() ? tx.route_key : tx.resource_path, c.template_field);
    EXPECT_EQ(tx.source_ip, "198.51.100.7");
    EXPECT_EQ(tx.status, 200);
    EXPECT_GT(tx.request_time_ms, 1600000000000);
  }
}

TEST(AccessLogParserTest, ClfAcceptsBothSpacingsAndLegacyForm) {
  AccessLogParser parser;
  HttpTransaction tx;
  auto lines = testing::FixtureLines("access/rest-clf.log");
  ASSERT_EQ(ParseLine(parser, lines[1], &tx), std::nullopt);  // `] "` with a space.
  EXPECT_EQ(tx.method, "POST");
  EXPECT_EQ(tx.extended_request_id, "Nf1bCGzZIAMFbBB=");
  ASSERT_EQ(ParseLine(parser, lines[2], &tx), std::nullopt);  // No extendedRequestId.
  EXPECT_EQ(tx.caller, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(tx.request_id, "c5a56ba0-fd42-4425-b7d2-5e8836563270");
  EXPECT_EQ(tx.extended_request_id, "");
}

TEST(AccessLogParserTest, StripsStagePrefixFromPathOnExecuteApiDomains) {
  AccessLogParser parser;
  HttpTransaction tx;
  auto lines = testing::FixtureLines("access/wallarm-json.log");
  ASSERT_EQ(ParseLine(parser, lines[0], &tx), std::nullopt);
  EXPECT_EQ(tx.path, "/users/42");
  EXPECT_EQ(tx.response_latency_ms, 45);
  EXPECT_EQ(tx.integration_latency_ms, 40);
  EXPECT_EQ(tx.request_time_ms, 1698414057744);  // requestTimeEpoch beats requestTime.
  ASSERT_EQ(ParseLine(parser, lines[3], &tx), std::nullopt);
  EXPECT_EQ(tx.path, "/");
  ASSERT_EQ(ParseLine(parser,
                      R"({"httpMethod":"GET","path":"/prod/x","stage":"prod",)"
                      R"("domainName":"api.example.com","requestId":"r"})",
                      &tx),
            std::nullopt);
  EXPECT_EQ(tx.path, "/prod/x");  // A custom domain's path is the client's path.
}

TEST(AccessLogParserTest, ReadsSeedHttpFieldNamesWithUriAndEpochSeconds) {
  AccessLogParser parser;
  HttpTransaction tx;
  ASSERT_EQ(ParseLine(parser, testing::FixtureLines("access/seed-http-fields.log")[0], &tx),
            std::nullopt);
  EXPECT_EQ(tx.method, "GET");
  EXPECT_EQ(tx.path, "/v1/items/981");
  EXPECT_EQ(tx.query, "expand=owner");
  EXPECT_EQ(tx.status, 200);
  EXPECT_EQ(tx.protocol, "HTTP/1.1");
  EXPECT_EQ(tx.account_id, "123456789012");
  EXPECT_EQ(tx.api_id, "p9q8r7s6t5");
  EXPECT_EQ(tx.request_time_ms, 1698414057000);
}

TEST(AccessLogParserTest, TakesApiAndStageFromLogGroup) {
  AccessLogParser parser;
  HttpTransaction tx;
  std::string_view line = R"({"requestId":"r","httpMethod":"GET","resourcePath":"/a"})";
  ASSERT_EQ(ParseLine(parser, line, &tx, "/aws/apigateway/a1b2c3d4e5/prod"), std::nullopt);
  EXPECT_EQ(tx.api_id, "a1b2c3d4e5");
  EXPECT_EQ(tx.stage, "prod");
  ASSERT_EQ(ParseLine(parser, line, &tx, "API-Gateway-Execution-Logs_abcdefghij/dev"), std::nullopt);
  EXPECT_EQ(tx.api_id, "abcdefghij");
  EXPECT_EQ(tx.stage, "dev");
  ASSERT_EQ(ParseLine(parser, line, &tx, "/aws/apigateway/production/logs"), std::nullopt);
  EXPECT_EQ(tx.api_id, "");  // "production" is a word, not an id.
}

TEST(AccessLogParserTest, ClassifiesJunkWithBoundedReasons) {
  AccessLogParser parser;
  HttpTransaction tx;
  auto lines = testing::FixtureLines("access/rich-rest-json.log");
  EXPECT_EQ(ParseLine(parser, lines[4], &tx), DropReason::kNotAccessLog);
  EXPECT_EQ(ParseLine(parser, lines[5], &tx), DropReason::kUnrecognizedFormat);
  EXPECT_EQ(ParseLine(parser, lines[6], &tx), DropReason::kInvalidJson);
  EXPECT_EQ(ParseLine(parser, lines[7], &tx), DropReason::kMissingEndpoint);
  EXPECT_EQ(ParseLine(parser, "", &tx), DropReason::kUnrecognizedFormat);
  EXPECT_EQ(ParseLine(parser, "[1,2]", &tx), DropReason::kUnrecognizedFormat);
  EXPECT_EQ(ParseLine(parser, "{}", &tx), DropReason::kNotAccessLog);
}

TEST(AccessLogParserTest, NestedObjectsAndUnquotedNumbers) {
  AccessLogParser parser;
  HttpTransaction tx;
  ASSERT_EQ(ParseLine(parser, testing::FixtureLines("access/rich-rest-json.log")[0], &tx),
            std::nullopt);
  EXPECT_EQ(tx.source_ip, "198.51.100.7");
  EXPECT_EQ(tx.user_agent, "okhttp/4.9");
  EXPECT_EQ(tx.status, 200);
  EXPECT_EQ(tx.response_latency_ms, 12);
  EXPECT_EQ(tx.path, "/pets/7");
}

TEST(AccessLogFormatsTest, UserJsonFormatMapsKeysAndRecoversBrokenLines) {
  AccessLogFormats formats;
  ASSERT_TRUE(formats.Add(testing::ReadFixture("access/custom-format.txt"), "custom-format.txt").ok());
  AccessLogParser parser(&formats);
  HttpTransaction tx;
  auto lines = testing::FixtureLines("access/custom-format.log");
  ASSERT_EQ(ParseLine(parser, lines[0], &tx), std::nullopt);
  EXPECT_EQ(tx.request_id, "22222222-2222-4333-8444-555555555555");
  EXPECT_EQ(tx.resource_path, "/accounts/{accountId}");
  EXPECT_EQ(tx.response_latency_ms, 33);
  // The user agent holds unescaped quotes: invalid JSON, read through the format as text.
  ASSERT_EQ(ParseLine(parser, lines[2], &tx), std::nullopt);
  EXPECT_EQ(tx.status, 500);
  EXPECT_EQ(tx.user_agent, "evil \"quoted\" agent");
  // Without the format only "verb" means something (a method): no path to attribute it to.
  AccessLogParser plain;
  EXPECT_EQ(ParseLine(plain, lines[0], &tx), DropReason::kMissingEndpoint);
}

TEST(AccessLogFormatsTest, UserTextFormatWinsOverBuiltins) {
  AccessLogFormats formats;
  ASSERT_TRUE(formats
                  .Add("$context.requestId | $context.httpMethod $context.path -> $context.status "
                       "in $context.responseLatency ms",
                       "f")
                  .ok());
  AccessLogParser parser(&formats);
  HttpTransaction tx;
  ASSERT_EQ(ParseLine(parser, "abc-1 | GET /v2/things/9 -> 200 in 17 ms", &tx), std::nullopt);
  EXPECT_EQ(tx.path, "/v2/things/9");
  EXPECT_EQ(tx.response_latency_ms, 17);
}

TEST(AccessLogFormatsTest, RejectsFormatsThatMapNothing) {
  AccessLogFormats formats;
  EXPECT_FALSE(formats.Add("   ", "empty.txt").ok());
  EXPECT_FALSE(formats.Add("{\"a\":\"b\"}", "j").ok());
  Status s = formats.Add("$context.requestId$context.status", "adjacent.txt");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("adjacent.txt"), std::string::npos);
}

TEST(TextTemplateTest, EveryBuiltinFormatCompilesAndValuesAreChecked) {
  EXPECT_EQ(BuiltinTextTemplates().size(), BuiltinFormats().size());
  EXPECT_TRUE(PlausibleValue(ContextVar::kRouteKey, "GET /pets/{id}"));
  EXPECT_TRUE(PlausibleValue(ContextVar::kRouteKey, "sendmessage"));
  EXPECT_FALSE(PlausibleValue(ContextVar::kRouteKey, "/pets"));
  EXPECT_FALSE(PlausibleValue(ContextVar::kStatus, "2x0"));
  EXPECT_TRUE(PlausibleValue(ContextVar::kStatus, "-"));
  EXPECT_FALSE(PlausibleValue(ContextVar::kHttpMethod, ""));
}

// Golden tests: every access fixture through parser and inventory, compared with
// <fixture>.golden.json. GS_UPDATE_GOLDEN=1 rewrites the golden files.
class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, InventoryMatchesGolden) {
  std::string name = GetParam();
  AccessLogFormats formats;
  if (name == "custom-format") {
    ASSERT_TRUE(formats.Add(testing::ReadFixture("access/custom-format.txt"), "f").ok());
  }
  AccessLogParser parser(&formats);
  inventory::Inventory inv(inventory::DiscoveryOptions{.min_requests = 1});  // Every parsed line shows.
  HttpTransaction tx;
  pipeline::EventCounters counters;
  for (const std::string& line : testing::FixtureLines("access/" + name + ".log")) {
    counters.AddReceived();
    std::optional<DropReason> drop = ParseLine(parser, line, &tx);
    if (drop) {
      counters.AddDrop(*drop);
    } else {
      counters.AddAccepted();
      inv.Add(tx);
    }
  }
  EXPECT_EQ(counters.received(), counters.accepted() + counters.dropped() + counters.filtered());
  inventory::RunInfo run{.generated_at_ms = 0,
                         .counters = {{"events_read", counters.received()},
                                      {"events_parsed", counters.accepted()}}};
  for (size_t i = 0; i < pipeline::kDropReasonCount; ++i) {
    auto r = static_cast<DropReason>(i);
    if (counters.drops(r)) run.drops.emplace_back(pipeline::DropReasonName(r), counters.drops(r));
  }
  std::string actual = inventory::InventoryToJson(inv, run);
  std::string golden_path = testing::FixturePath("access/" + name + ".golden.json");
  if (std::getenv("GS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << actual;
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  EXPECT_EQ(actual, testing::ReadFile(golden_path)) << "GS_UPDATE_GOLDEN=1 rewrites it";
}

INSTANTIATE_TEST_SUITE_P(
    AccessFixtures, GoldenTest,
    ::testing::Values("rest-json-elastic-fixture", "http-api-json-elastic-fixture",
                      "websocket-json-elastic-fixture", "rest-clf", "http-clf", "websocket-clf",
                      "rest-csv", "http-csv", "websocket-csv", "rest-xml", "http-xml",
                      "websocket-xml", "wallarm-json", "seed-http-fields", "rich-rest-json",
                      "custom-format"),
    [](const auto& param_info) {
      std::string n = param_info.param;
      for (char& c : n) c = c == '-' ? '_' : c;
      return n;
    });

}  // namespace
}  // namespace gatescope::parsers::apigw_access
