#include <gtest/gtest.h>

#include <cstdlib>

#include "core/logging.h"
#include "core/result.h"
#include "core/status.h"
#include "core/time_format.h"
#include "tests/support/test_util.h"

namespace gatescope {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgumentError("odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  GS_ASSIGN_OR_RETURN(int half, Half(v));
  return Half(half);
}

TEST(StatusTest, CarriesCodeAndMessageWithContext) {
  Status s = ParseError("bad byte").WithContext("input.log");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_EQ(s.ToString(), "parse_error: input.log: bad byte");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, RetryableCodesAreTransientOnly) {
  EXPECT_TRUE(IsRetryable(UnavailableError("")));
  EXPECT_TRUE(IsRetryable(ResourceExhaustedError("")));
  EXPECT_FALSE(IsRetryable(InvalidArgumentError("")));
  EXPECT_FALSE(IsRetryable(Status::Ok()));
}

TEST(ResultTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(3).status().message(), "odd");
}

TEST(TimeFormatTest, ParsesIsoVariants) {
  size_t n = 0;
  EXPECT_EQ(ParseIso8601Prefix("2017-06-05T13:57:47.369Z rest", &n), 1496671067369);
  EXPECT_EQ(n, 24u);
  EXPECT_EQ(ParseIso8601Prefix("2023-10-27T14:40:57.744+01:00", &n), 1698414057744);
  EXPECT_EQ(ParseIso8601Prefix("2023-10-27T13:40:57", &n), 1698414057000);
  EXPECT_FALSE(ParseIso8601Prefix("2023-13-27T13:40:57Z", &n).has_value());
  EXPECT_FALSE(ParseIso8601Prefix("198.51.100.7 - -", &n).has_value());
}

TEST(TimeFormatTest, ParsesClfTimeWithOffset) {
  EXPECT_EQ(ParseClfTime("27/Oct/2023:13:40:57 +0000"), 1698414057000);
  EXPECT_EQ(ParseClfTime("27/Oct/2023:14:40:57 +0100"), 1698414057000);
  EXPECT_FALSE(ParseClfTime("27/Foo/2023:14:40:57 +0100").has_value());
  EXPECT_FALSE(ParseClfTime("27/Oct/2023").has_value());
}

TEST(TimeFormatTest, FormatsRoundTrip) {
  EXPECT_EQ(FormatIso8601(1698414057744), "2023-10-27T13:40:57.744Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
}

TEST(LoggingTest, LevelFromFlagThenEnvironment) {
  EXPECT_EQ(*ParseLogLevel("TRACE"), LogLevel::kTrace);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
  setenv("GATESCOPE_LOG_LEVEL", "debug", 1);
  ASSERT_TRUE(ConfigureLogLevel("").ok());
  EXPECT_EQ(Logger::Get().level(), LogLevel::kDebug);
  ASSERT_TRUE(ConfigureLogLevel("trace").ok());
  EXPECT_EQ(Logger::Get().level(), LogLevel::kTrace);
  setenv("GATESCOPE_LOG_LEVEL", "nonsense", 1);
  Status bad = ConfigureLogLevel("");
  EXPECT_NE(bad.message().find("GATESCOPE_LOG_LEVEL"), std::string::npos);
  unsetenv("GATESCOPE_LOG_LEVEL");
  Logger::Get().SetLevel(LogLevel::kInfo);
}

TEST(LoggingTest, WritesStructuredLinesAboveLevelOnly) {
  testing::FakeClock clock;
  std::vector<std::string> lines;
  Logger::Get().SetClock(&clock);
  Logger::Get().SetSink([&](std::string_view l) { lines.emplace_back(l); });
  GS_LOG(kInfo, "Read input.", {{"path", "a b.log"}, {"events", 12}});
  GS_LOG(kDebug, "Not shown.");
  Logger::Get().SetSink(nullptr);
  Logger::Get().SetClock(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "2023-11-14T22:13:20.000Z info Read input. path=\"a b.log\" events=12");
}

TEST(LogRateLimiterTest, AllowsOnePerIntervalAndCountsTheRest) {
  testing::FakeClock clock;
  LogRateLimiter limiter(clock, std::chrono::seconds(5));
  uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.Allow(&suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_FALSE(limiter.Allow(&suppressed));
  EXPECT_FALSE(limiter.Allow(&suppressed));
  clock.Advance(std::chrono::seconds(5));
  EXPECT_TRUE(limiter.Allow(&suppressed));
  EXPECT_EQ(suppressed, 2u);
}

}  // namespace
}  // namespace gatescope
