#include <gtest/gtest.h>

#include <random>

#include "decoders/base64.h"
#include "decoders/cloudwatch_json_decoder.h"
#include "decoders/gzip_source.h"
#include "decoders/input_format.h"
#include "decoders/line_decoder.h"
#include "tests/support/decode_records.h"
#include "tests/support/test_util.h"

namespace gatescope::decoders {
namespace {

using pipeline::DropReason;
using pipeline::EventCounters;
using testing::OwnedRecord;

using testing::Decoded;
using testing::DecodeBytes;

Decoded DecodeFixture(std::string_view name, InputFormat forced = InputFormat::kAuto) {
  return DecodeBytes(testing::ReadFixture(std::string("containers/") + std::string(name)), forced);
}

TEST(DetectFormatTest, TellsContainersFromJsonAccessLogLines) {
  EXPECT_EQ(DetectFormat("{\"requestId\":\"x\"}\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat("  {\n  \"events\": ["), InputFormat::kCloudWatchJson);
  EXPECT_EQ(DetectFormat("{\"messageType\":\"DATA_MESSAGE\""), InputFormat::kCloudWatchJson);
  EXPECT_EQ(DetectFormat("{\"awslogs\":{"), InputFormat::kCloudWatchJson);
  EXPECT_EQ(DetectFormat("[{\"message\":\"x\"}]"), InputFormat::kCloudWatchJson);
  EXPECT_EQ(DetectFormat("198.51.100.7 - - [27/Oct/2023"), InputFormat::kText);
  EXPECT_EQ(DetectFormat(""), InputFormat::kText);
}

TEST(LineDecoderTest, ReadsTextExportTimestampsAndSkipsBlankAndCommentLines) {
  Decoded d = DecodeFixture("text-export.log");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.format, InputFormat::kText);
  ASSERT_EQ(d.records.size(), 3u);
  EXPECT_EQ(d.records[0].timestamp_ms, 1698414057744);
  EXPECT_EQ(d.records[0].message.substr(0, 14), "{\"requestId\":\"");
  EXPECT_EQ(d.records[2].message.back(), '=');  // "\r" removed.
  EXPECT_EQ(d.counters.received(), 3u);
}

TEST(LineDecoderTest, KeepsRawLinesWithoutTimestampAndLastLineWithoutNewline) {
  Decoded d = DecodeBytes("198.51.100.7 - - [x]\n\n  \nlast line", InputFormat::kAuto,
                          {.default_log_group = "/aws/apigateway/g"});
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_EQ(d.records[0].timestamp_ms, -1);
  EXPECT_EQ(d.records[0].log_group, "/aws/apigateway/g");
  EXPECT_EQ(d.records[1].message, "last line");
}

TEST(LineDecoderTest, DropsHugeLineAndGoesOn) {
  std::string input = "first\n" + std::string(5000, 'x') + "\nlast\n";
  Decoded d = DecodeBytes(input, InputFormat::kText, {.max_line_bytes = 1000});
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_EQ(d.records[1].message, "last");
  EXPECT_EQ(d.counters.drops(DropReason::kLineTooLong), 1u);
  EXPECT_EQ(d.counters.received(), 3u);
}

TEST(LineDecoderTest, HandlesLinesSpanningManyReads) {
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "line-" + std::to_string(i) + std::string(i % 97, 'a') + "\n";
  Decoded d = DecodeBytes(input, InputFormat::kText);
  ASSERT_EQ(d.records.size(), 20000u);
  EXPECT_EQ(d.records[19999].message.substr(0, 10), "line-19999");
}

TEST(LineDecoderTest, EmptyInputHasNoEvents) {
  Decoded d = DecodeBytes("");
  EXPECT_TRUE(d.status.ok());
  EXPECT_EQ(d.counters.received(), 0u);
}

TEST(CloudWatchJsonDecoderTest, ReadsConcatenatedFilterLogEventsPages) {
  Decoded d = DecodeFixture("filter-log-events-2pages.json");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.format, InputFormat::kCloudWatchJson);
  ASSERT_EQ(d.records.size(), 3u);
  EXPECT_EQ(d.records[0].log_stream, "e369853df766fa44e1ed0ff613f563bd");
  EXPECT_EQ(d.records[2].log_stream, "072b030ba126b2f4b2374f342be9ed44");
  EXPECT_EQ(d.records[0].event_id, "34594411449411532791988959220823609535420837773733789696");
  EXPECT_EQ(d.records[1].timestamp_ms, 1698414058744);
  EXPECT_EQ(d.records[2].message.substr(0, 12), "198.51.100.9");
}

TEST(CloudWatchJsonDecoderTest, ReadsGetLogEventsWithDefaultGroup) {
  std::string bytes = testing::ReadFixture("containers/get-log-events.json");
  Decoded d = DecodeBytes(bytes, InputFormat::kAuto, {.default_log_group = "/my/group"});
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_EQ(d.records[0].log_group, "/my/group");
  EXPECT_EQ(d.records[0].event_id, "");
}

TEST(CloudWatchJsonDecoderTest, ReadsSubscriptionPayload) {
  Decoded d = DecodeFixture("subscription.json");
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 3u);
  for (const OwnedRecord& r : d.records) {
    EXPECT_EQ(r.log_group, "/aws/apigateway/a1b2c3d4e5/prod");
    EXPECT_EQ(r.log_stream, "e369853df766fa44e1ed0ff613f563bd");
  }
}

TEST(CloudWatchJsonDecoderTest, SkipsControlMessageAsFiltered) {
  Decoded d = DecodeFixture("subscription-control.json");
  ASSERT_TRUE(d.status.ok());
  EXPECT_TRUE(d.records.empty());
  EXPECT_EQ(d.counters.received(), 1u);
  EXPECT_EQ(d.counters.filtered(), 1u);
  EXPECT_EQ(d.counters.dropped(), 0u);
}

TEST(CloudWatchJsonDecoderTest, HoldsBackEventsListedBeforeTheirLogGroup) {
  Decoded d = DecodeBytes(
      R"({"logEvents":[{"id":"1","timestamp":5,"message":"m"}],"messageType":"DATA_MESSAGE",)"
      R"("logGroup":"g","logStream":"s"})");
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 1u);
  EXPECT_EQ(d.records[0].log_group, "g");
  EXPECT_EQ(d.records[0].log_stream, "s");
  Decoded control = DecodeBytes(
      R"({"logEvents":[{"id":"1","timestamp":5,"message":"m"}],"messageType":"CONTROL_MESSAGE"})");
  EXPECT_TRUE(control.records.empty());
  EXPECT_EQ(control.counters.filtered(), 1u);
}

// Found by decoders_fuzz: events held back for a document that then breaks were neither
// emitted nor counted as drops.
TEST(CloudWatchJsonDecoderTest, CountsHeldBackEventsOfABrokenDocument) {
  Decoded d = DecodeBytes(R"({"logEvents":[{"message":"a"},{"message":"b"}],"messageType")");
  EXPECT_FALSE(d.status.ok());
  EXPECT_TRUE(d.records.empty());
  EXPECT_EQ(d.counters.received(), 2u);
  EXPECT_EQ(d.counters.drops(DropReason::kInvalidEvent), 2u);
}

TEST(CloudWatchJsonDecoderTest, ReadsLambdaEvent) {
  Decoded d = DecodeFixture("lambda-event.json");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.records.size(), 3u);
  EXPECT_EQ(d.records[0].log_group, "/aws/apigateway/a1b2c3d4e5/prod");
  EXPECT_EQ(d.counters.received(), 3u);
}

TEST(CloudWatchJsonDecoderTest, DropsUndecodableLambdaPayloadAndGoesOn) {
  std::string bytes = R"({"awslogs":{"data":"not base64!"}})"
                      "\n" + testing::ReadFixture("containers/lambda-event.json");
  Decoded d = DecodeBytes(bytes);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.records.size(), 3u);
  EXPECT_EQ(d.counters.drops(DropReason::kInvalidPayload), 1u);
  EXPECT_EQ(d.counters.received(), 4u);
}

TEST(CloudWatchJsonDecoderTest, DropsEventWithoutMessage) {
  Decoded d = DecodeBytes(R"({"events":[{"timestamp":1},{"message":"ok"},7]})");
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.records.size(), 1u);
  EXPECT_EQ(d.counters.drops(DropReason::kInvalidEvent), 2u);
}

TEST(CloudWatchJsonDecoderTest, KeepsEventsBeforeBrokenJsonAndReportsOffset) {
  std::string page = testing::ReadFixture("containers/filter-log-events-2pages.json");
  std::string cut = page.substr(0, page.find("072b030b"));  // Cut inside page 2's event.
  Decoded d = DecodeBytes(cut);
  EXPECT_EQ(d.status.code(), StatusCode::kParseError);
  EXPECT_NE(d.status.message().find("at byte"), std::string::npos);
  EXPECT_EQ(d.records.size(), 2u);
  Decoded garbage = DecodeBytes("{\"events\": [ } ]", InputFormat::kCloudWatchJson);
  EXPECT_FALSE(garbage.status.ok());
}

TEST(CloudWatchJsonDecoderTest, StreamsLargeArraysInBoundedWindows) {
  std::string big = "{\"events\":[";
  for (int i = 0; i < 50000; ++i) {
    if (i > 0) big += ',';
    big += R"({"logStreamName":"s","timestamp":)" + std::to_string(i) +
           R"(,"message":"event \"quoted\" \\ )" + std::to_string(i) + "\"}";
  }
  big += "]}";
  Decoded d = DecodeBytes(big);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.records.size(), 50000u);
  EXPECT_EQ(d.records[49999].message, "event \"quoted\" \\ 49999");
}

TEST(GzipTest, DecodesGzippedContainerAndConcatenatedMembers) {
  Decoded d = DecodeFixture("subscription.json.gz");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.gzipped);
  EXPECT_EQ(d.records.size(), 3u);
  std::string two = testing::Gzip("a\nb\n") + testing::Gzip("c\n") + std::string(8, '\0');
  Decoded t = DecodeBytes(two);
  ASSERT_TRUE(t.status.ok()) << t.status.ToString();
  EXPECT_EQ(t.records.size(), 3u);
}

TEST(GzipTest, TruncatedGzipKeepsCompleteLinesAndFails) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string gz = testing::Gzip(text);
  Decoded d = DecodeBytes(gz.substr(0, gz.size() / 2));
  EXPECT_EQ(d.status.code(), StatusCode::kParseError);
  EXPECT_NE(d.status.message().find("truncated"), std::string::npos);
  EXPECT_GT(d.records.size(), 0u);
  EXPECT_LT(d.records.size(), 5000u);
  EXPECT_EQ(d.records[0].message, "line 0");
}

TEST(GzipTest, CorruptGzipFails) {
  std::string gz = testing::Gzip(std::string(10000, 'a'));
  for (size_t i = 20; i < 40; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  Decoded d = DecodeBytes(gz);
  EXPECT_EQ(d.status.code(), StatusCode::kParseError);
}

TEST(DecodersTest, BinaryGarbageNeverCrashes) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(rng() % 4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (round % 3 == 0 && bytes.size() > 2) bytes[0] = '{';
    if (round % 5 == 0 && bytes.size() > 2) {
      bytes[0] = '\x1f';
      bytes[1] = '\x8b';
    }
    Decoded d = DecodeBytes(bytes);
    EXPECT_EQ(d.counters.received(),
              d.records.size() + d.counters.dropped() + d.counters.filtered());
  }
}

TEST(Base64Test, DecodesStandardAlphabetAndRejectsJunk) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*DecodeBase64("aGVs\nbG8"), "hello");
  EXPECT_FALSE(DecodeBase64("aGV*bG8=").has_value());
  EXPECT_FALSE(DecodeBase64("a").has_value());
  EXPECT_FALSE(DecodeBase64("aGVsbG8=x").has_value());
}

TEST(InputFormatTest, ParsesNamesAndRejectsUnknown) {
  EXPECT_EQ(*ParseInputFormat("lambda-event"), InputFormat::kCloudWatchJson);
  EXPECT_EQ(*ParseInputFormat("text"), InputFormat::kText);
  Result<InputFormat> bad = ParseInputFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--input-format"), std::string::npos);
}

TEST(InputFormatTest, ForcedTextReadsContainerAsLines) {
  Decoded d = DecodeFixture("subscription.json", InputFormat::kText);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.records.size(), 1u);  // The whole one-line document is one "message".
}

}  // namespace
}  // namespace gatescope::decoders
