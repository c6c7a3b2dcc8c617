// The directory spill store and the spill record format: round trips, ordering, corrupt
// records, key validation. The S3 spill store is tested against moto in
// tests/sources/s3_stores_test.cc.
#include "delivery/spill_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_util.h"

namespace gatescope::delivery {
namespace {

using ::gatescope::testing::FakeClock;
using ::gatescope::testing::TempDir;

Batch MakeBatch(std::string body, char key_digit) {
  return Batch{.body = std::move(body),
               .gzip = true,
               .records = 3,
               .events = 7,
               .raw_bytes = 1234,
               .shrunk = 1,
               .idempotency_key = std::string(64, key_digit)};
}

TEST(SpillKeyTest, MakeAndValidate) {
  Batch batch = MakeBatch("x", 'A');
  // 1700000000123 ms = 2023-11-14T22:13:20.123Z.
  EXPECT_EQ(MakeSpillKey(1700000000123, batch), "20231114T221320.123Z-aaaaaaaaaaaaaaaa");
  EXPECT_TRUE(ValidateSpillKey("20231114T221320.123Z-aaaaaaaaaaaaaaaa").ok());
  // No usable idempotency key: the body's SHA-256 ("x").
  batch.idempotency_key = "short";
  EXPECT_EQ(MakeSpillKey(0, batch), "19700101T000000.000Z-2d711642b726b044");
  for (std::string_view bad :
       {"", "20231114T221320.123Z-aaaaaaaaaaaaaaa", "20231114T221320.123Z-aaaaaaaaaaaaaaaaa",
        "20231114T221320.123Z-AAAAAAAAAAAAAAAA", "20231314T221320.123Z-aaaaaaaaaaaaaaaa",
        "20231114T251320.123Z-aaaaaaaaaaaaaaaa", "20231114X221320.123Z-aaaaaaaaaaaaaaaa",
        "2023111aT221320.123Z-aaaaaaaaaaaaaaaa", "../../../etc/passwd-aaaaaaaaaaaaaaaa",
        "20231114T221320.123Z/aaaaaaaaaaaaaaaa"}) {
    EXPECT_EQ(ValidateSpillKey(bad).code(), StatusCode::kParseError) << bad;
  }
}

TEST(SpillRecordTest, RoundTripAndRejectsCorruption) {
  SpilledBatch spilled{.key = "20231114T221320.123Z-0123456789abcdef",
                       .reason = "http_400",
                       .spilled_at_ms = 1700000000123,
                       .batch = MakeBatch(std::string("\x1f\x8b\x00\n\r binary\xff", 14), '0'),
                       .detail = "collector said: bad \"request\"\nline two \xff"};
  std::string bytes = SerializeSpillRecord(spilled);
  Result<SpilledBatch> parsed = ParseSpillRecord(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->key, spilled.key);
  EXPECT_EQ(parsed->reason, "http_400");
  EXPECT_EQ(parsed->spilled_at_ms, 1700000000123);
  EXPECT_EQ(parsed->detail.substr(0, 34), spilled.detail.substr(0, 34));
  EXPECT_EQ(parsed->batch.body, spilled.batch.body);
  EXPECT_TRUE(parsed->batch.gzip);
  EXPECT_EQ(parsed->batch.records, 3u);
  EXPECT_EQ(parsed->batch.events, 7u);
  EXPECT_EQ(parsed->batch.raw_bytes, 1234u);
  EXPECT_EQ(parsed->batch.shrunk, 1u);
  EXPECT_EQ(parsed->batch.idempotency_key, std::string(64, '0'));

  std::vector<std::string> bad = {"", "gatescope-spill 2 {}\n", "gatescope-spill 1 {}\n",
                                  "gatescope-spill 1 [1]\n", bytes + "extra"};
  for (size_t cut = 0; cut < bytes.size(); ++cut) bad.push_back(bytes.substr(0, cut));
  std::string flipped = bytes;
  flipped.back() ^= 1;  // Same length, different body.
  bad.push_back(flipped);
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string copy = bytes;
    size_t at = copy.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) copy.replace(at, from.size(), to);
    return copy;
  };
  bad.push_back(replace("\"http_400\"", "\"HTTP 400\""));
  bad.push_back(replace("\"records\":3", "\"records\":4294967296"));
  bad.push_back(replace("\"records\":3", "\"records\":-3"));
  bad.push_back(replace("\"gzip\":true", "\"gzip\":1"));
  bad.push_back(replace("\"key\":\"20231114", "\"key\":\"20231314"));
  for (const std::string& record : bad) {
    Result<SpilledBatch> got = ParseSpillRecord(record);
    EXPECT_EQ(got.status().code(), StatusCode::kParseError) << record.substr(0, 120);
  }
}

TEST(DirSpillStoreTest, PutListGetDeleteRoundTripOldestFirst) {
  TempDir temp;
  FakeClock clock;
  const std::string dir = temp.File("spool/nested");  // Created on first Put.
  std::unique_ptr<SpillStore> store = NewDirSpillStore(dir, clock);
  EXPECT_EQ(store->Describe(), dir);
  Result<std::vector<std::string>> empty = store->List();
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());

  // Keys sort by time even when the idempotency keys sort the other way.
  ASSERT_TRUE(store->Put(MakeBatch("first", 'f'), "http_400", "Bad Request").ok());
  clock.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(store->Put(MakeBatch("second", 'a'), "deadline", "").ok());
  clock.Advance(std::chrono::hours(30));
  ASSERT_TRUE(store->Put(MakeBatch("third", '0'), "retries_exhausted", "503 x3").ok());
  // The same batch again in the same millisecond: stored once.
  ASSERT_TRUE(store->Put(MakeBatch("third", '0'), "retries_exhausted", "503 x3").ok());

  Result<std::vector<std::string>> keys = store->List();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 3u);
  const std::vector<std::string> bodies = {"first", "second", "third"};
  const std::vector<std::string> reasons = {"http_400", "deadline", "retries_exhausted"};
  for (size_t i = 0; i < 3; ++i) {
    Result<SpilledBatch> got = store->Get((*keys)[i]);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->key, (*keys)[i]);
    EXPECT_EQ(got->batch.body, bodies[i]);
    EXPECT_EQ(got->reason, reasons[i]);
    EXPECT_EQ(got->batch.events, 7u);
  }
  EXPECT_EQ((*keys)[0], "20231114T221320.000Z-ffffffffffffffff");
  Result<SpilledBatch> first = store->Get((*keys)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->detail, "Bad Request");
  EXPECT_EQ(first->spilled_at_ms, 1700000000000);

  ASSERT_TRUE(store->Delete((*keys)[1]).ok());
  ASSERT_TRUE(store->Delete((*keys)[1]).ok());  // Already gone: fine.
  EXPECT_EQ(store->Get((*keys)[1]).status().code(), StatusCode::kNotFound);
  Result<std::vector<std::string>> after = store->List();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, (std::vector<std::string>{(*keys)[0], (*keys)[2]}));

  EXPECT_EQ(store->Get("../x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Delete("../x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Put(MakeBatch("b", '1'), "Not Snake", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Put(MakeBatch("b", '1'), "", "").code(), StatusCode::kInvalidArgument);
}

TEST(DirSpillStoreTest, CorruptFileIsParseErrorAndListStillWorks) {
  TempDir temp;
  FakeClock clock;
  std::unique_ptr<SpillStore> store = NewDirSpillStore(temp.path(), clock);
  ASSERT_TRUE(store->Put(MakeBatch("good", 'b'), "deadline", "").ok());
  clock.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(store->Put(MakeBatch("will be cut", 'c'), "deadline", "").ok());
  Result<std::vector<std::string>> keys = store->List();
  ASSERT_TRUE(keys.ok() && keys->size() == 2u);

  // Truncate the second record; add files that are not spill records.
  const std::string path = temp.File((*keys)[1] + ".spill");
  std::string bytes = testing::ReadFile(path);
  temp.Write((*keys)[1] + ".spill", bytes.substr(0, bytes.size() - 3));
  temp.Write("README", "not a batch");
  temp.Write("20231114T221320.000Z-zzzzzzzzzzzzzzzz.spill", "bad key");
  temp.Write((*keys)[0] + ".spill.tmp.1.2", "a temp file from a crash");
  // A record renamed under another key is not trusted either.
  temp.Write("20991231T000000.000Z-0000000000000000.spill",
             testing::ReadFile(temp.File((*keys)[0] + ".spill")));

  Result<std::vector<std::string>> listed = store->List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_TRUE(store->Get((*listed)[0]).ok());
  EXPECT_EQ(store->Get((*listed)[1]).status().code(), StatusCode::kParseError);
  EXPECT_EQ(store->Get((*listed)[2]).status().code(), StatusCode::kParseError);
  // The corrupt one can still be deleted.
  EXPECT_TRUE(store->Delete((*listed)[1]).ok());
}

TEST(DirSpillStoreTest, ConcurrentPutsAllStored) {
  TempDir temp;
  FakeClock clock;
  std::unique_ptr<SpillStore> store = NewDirSpillStore(temp.path(), clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Batch batch = MakeBatch("body " + std::to_string(t) + "/" + std::to_string(i), '0');
        batch.idempotency_key = "";  // Keyed by the body's hash.
        EXPECT_TRUE(store->Put(batch, "deadline", "").ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Result<std::vector<std::string>> keys = store->List();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 100u);
}

TEST(DirSpillStoreTest, UnwritableDirectoryIsAnError) {
  FakeClock clock;
  TempDir temp;
  temp.Write("file", "x");
  std::unique_ptr<SpillStore> store = NewDirSpillStore(temp.File("file/sub"), clock);
  Status put = store->Put(MakeBatch("b", '1'), "deadline", "");
  EXPECT_FALSE(put.ok());
}

}  // namespace
}  // namespace gatescope::delivery
