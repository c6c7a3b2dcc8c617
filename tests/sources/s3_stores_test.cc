// The S3 checkpoint and spill stores, and S3Client::ListObjectsV2 / DeleteObject, against a real
// moto_server on a loopback port.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/s3_client.h"
#include "delivery/spill_store.h"
#include "env/http_client.h"
#include "sources/checkpoint_store.h"
#include "tests/support/moto_server.h"
#include "tests/support/moto_test.h"
#include "tests/support/test_util.h"

namespace gatescope {
namespace {

using ::gatescope::testing::FakeClock;

class S3StoresTest : public testing::MotoTest {
 protected:
  void SetUp() override {
    MotoTest::SetUp();
    if (HasFatalFailure()) return;
    s3_ = std::make_unique<aws::S3Client>(
        aws::S3ClientOptions{
            .aws = {.region = "us-east-1",
                    .endpoint = moto_->endpoint(),
                    .retry =
                        aws::RetryPolicy{.max_attempts = 3,
                                         .base_delay = std::chrono::milliseconds(1),
                                         .max_delay = std::chrono::milliseconds(5),
                                         .throttle_base_delay = std::chrono::milliseconds(2)}}},
        *http_, *credentials_, SystemClock::Get());
    ASSERT_TRUE(s3_->CreateBucket("gs-state").ok());
  }

  std::unique_ptr<aws::S3Client> s3_;
};


std::vector<std::string> Keys(const std::vector<aws::S3Object>& objects) {
  std::vector<std::string> keys;
  for (const aws::S3Object& object : objects) keys.push_back(object.key);
  return keys;
}

TEST_F(S3StoresTest, ListObjectsV2PaginatesWithPrefixAndDeleteObjectRemoves) {
  for (const std::string key : {"a/1", "a/2", "a/3 space+plus", "a/4", "a/5", "b/1", "ab"}) {
    ASSERT_TRUE(s3_->PutObject("gs-state", key, "x" + key).ok()) << key;
  }
  // Pages of two keys under "a/": three pages, the last without a token.
  aws::ListObjectsV2Request request{.prefix = "a/", .max_keys = 2};
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    Result<aws::ListObjectsV2Page> page = s3_->ListObjectsV2("gs-state", request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    EXPECT_LE(page->objects.size(), 2u);
    for (const aws::S3Object& object : page->objects) {
      seen.push_back(object.key);
      EXPECT_EQ(object.size_bytes, static_cast<int64_t>(object.key.size() + 1));
      EXPECT_FALSE(object.last_modified.empty());
    }
    if (page->next_continuation_token.empty()) break;
    request.continuation_token = page->next_continuation_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a/1", "a/2", "a/3 space+plus", "a/4", "a/5"}));

  Result<std::vector<aws::S3Object>> all = s3_->ListAllObjects("gs-state", "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 7u);

  ASSERT_TRUE(s3_->DeleteObject("gs-state", "a/3 space+plus").ok());
  ASSERT_TRUE(s3_->DeleteObject("gs-state", "a/3 space+plus").ok());  // Missing: still fine.
  EXPECT_EQ(s3_->GetObject("gs-state", "a/3 space+plus").status().code(), StatusCode::kNotFound);
  Result<std::vector<aws::S3Object>> after = s3_->ListAllObjects("gs-state", "a/");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(Keys(*after), (std::vector<std::string>{"a/1", "a/2", "a/4", "a/5"}));

  EXPECT_EQ(s3_->ListObjectsV2("gs-no-such-bucket", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s3_->ListObjectsV2("gs-state", {.max_keys = 1001}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(s3_->DeleteObject("gs-state", "").code(), StatusCode::kInvalidArgument);
}

TEST(ListObjectsV2ParseTest, ReadsPagesAndRejectsBadOnes) {
  Result<aws::ListObjectsV2Page> page = aws::ParseListObjectsV2Response(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>p/a&amp;b</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>
    <Size>12</Size></Contents>
  <Contents><Key>p/c</Key><Size>bad</Size></Contents>
  <NextContinuationToken>tok/en=</NextContinuationToken>
</ListBucketResult>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a&b");
  EXPECT_EQ(page->objects[0].size_bytes, 12);
  EXPECT_EQ(page->objects[0].last_modified, "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(page->objects[1].size_bytes, 0);
  EXPECT_EQ(page->next_continuation_token, "tok/en=");

  Result<aws::ListObjectsV2Page> last = aws::ParseListObjectsV2Response(
      "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->objects.empty());
  EXPECT_TRUE(last->next_continuation_token.empty());

  EXPECT_EQ(aws::ParseListObjectsV2Response("<Error/>").status().code(), StatusCode::kParseError);
  EXPECT_EQ(aws::ParseListObjectsV2Response(
                "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .status()
                .code(),
            StatusCode::kParseError);
}

TEST_F(S3StoresTest, CheckpointStoreRoundTrip) {
  std::unique_ptr<sources::CheckpointStore> store =
      sources::NewS3CheckpointStore(*s3_, "gs-state", "connector/checkpoints");
  EXPECT_EQ(store->Describe(), "s3://gs-state/connector/checkpoints/");
  Result<std::optional<sources::Checkpoint>> none = store->Load("/aws/api#1/prod");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  sources::Checkpoint cp{.log_group = "/aws/api#1/prod", .end_ms = 1700000000000};
  cp.Add(1699999999000, "4912345");
  ASSERT_TRUE(store->Save(cp).ok());
  cp.end_ms += 60000;
  cp.Add(1700000059000, "4912346");
  ASSERT_TRUE(store->Save(cp).ok());  // Replaces.

  Result<std::optional<sources::Checkpoint>> loaded = store->Load("/aws/api#1/prod");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->end_ms, 1700000060000);
  EXPECT_TRUE((*loaded)->Seen("4912345"));
  EXPECT_TRUE((*loaded)->Seen("4912346"));

  Result<std::vector<aws::S3Object>> objects = s3_->ListAllObjects("gs-state", "");
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(
      Keys(*objects),
      (std::vector<std::string>{"connector/checkpoints/%2Faws%2Fapi%231%2Fprod.checkpoint.json"}));

  // A corrupt object is a parse error, not "no checkpoint".
  ASSERT_TRUE(s3_->PutObject("gs-state",
                             "connector/checkpoints/%2Faws%2Fapi%231%2Fprod.checkpoint.json",
                             "{\"version\":1")
                  .ok());
  EXPECT_EQ(store->Load("/aws/api#1/prod").status().code(), StatusCode::kParseError);
}

TEST_F(S3StoresTest, SpillStoreRoundTripOldestFirst) {
  FakeClock clock;
  std::unique_ptr<delivery::SpillStore> store =
      delivery::NewS3SpillStore(*s3_, "gs-state", "spill", clock);
  EXPECT_EQ(store->Describe(), "s3://gs-state/spill/");
  Result<std::vector<std::string>> empty = store->List();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());

  const std::string binary("\x1f\x8b\x08\x00 gzip-ish \xff\x00 body", 22);
  for (int i = 0; i < 5; ++i) {
    delivery::Batch batch{.body = binary + std::to_string(i),
                          .records = static_cast<uint32_t>(i),
                          .events = static_cast<uint64_t>(10 * i),
                          .idempotency_key = std::string(64, static_cast<char>('f' - i))};
    ASSERT_TRUE(store->Put(batch, i % 2 ? "http_400" : "retries_exhausted", "detail").ok());
    clock.Advance(std::chrono::seconds(1));
  }
  // Objects that are not spill records are ignored by List.
  ASSERT_TRUE(s3_->PutObject("gs-state", "spill/notes.txt", "x").ok());
  ASSERT_TRUE(
      s3_->PutObject("gs-state", "spill/sub/20231114T221320.000Z-0000000000000000.spill", "x")
          .ok());

  Result<std::vector<std::string>> keys = store->List();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    Result<delivery::SpilledBatch> got = store->Get((*keys)[i]);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->batch.body, binary + std::to_string(i));
    EXPECT_EQ(got->batch.records, static_cast<uint32_t>(i));
    EXPECT_EQ(got->reason, i % 2 ? "http_400" : "retries_exhausted");
    EXPECT_EQ(got->spilled_at_ms, 1700000000000 + i * 1000);
  }
  ASSERT_TRUE(store->Delete((*keys)[0]).ok());
  EXPECT_EQ(store->Get((*keys)[0]).status().code(), StatusCode::kNotFound);
  Result<std::vector<std::string>> after = store->List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 4u);

  // A corrupt object: kParseError on Get, List unaffected.
  ASSERT_TRUE(s3_->PutObject("gs-state", "spill/" + (*keys)[1] + ".spill", "garbage").ok());
  EXPECT_EQ(store->Get((*keys)[1]).status().code(), StatusCode::kParseError);
  EXPECT_EQ(store->List()->size(), 4u);

  // No bucket: Put fails (the caller must not drop the batch silently).
  std::unique_ptr<delivery::SpillStore> missing =
      delivery::NewS3SpillStore(*s3_, "gs-missing-bucket", "", clock);
  EXPECT_FALSE(missing->Put(delivery::Batch{.body = "b"}, "deadline", "").ok());
}

}  // namespace
}  // namespace gatescope
