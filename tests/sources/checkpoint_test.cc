// Checkpoint serialisation and the file checkpoint store: round trips, pruning, rejection of
// malformed input, atomic replacement and the escaping of log group names.
#include "sources/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "sources/checkpoint_store.h"
#include "tests/support/test_util.h"

namespace gatescope::sources {
namespace {

using ::gatescope::testing::TempDir;

// A CloudWatch-looking 56-digit event id.
std::string EventId(uint64_t i) {
  std::string digits = std::to_string(i);
  return "49" + std::string(54 - digits.size(), '0') + digits;
}

TEST(CheckpointTest, SeenAfterAddAndForgottenAfterPrune) {
  Checkpoint cp{.log_group = "g"};
  EXPECT_FALSE(cp.Seen("a"));
  cp.Add(100, "a");
  cp.Add(200, "b");
  cp.Add(200, "b");  // Again: remembered once.
  EXPECT_TRUE(cp.Seen("a"));
  EXPECT_TRUE(cp.Seen("b"));
  EXPECT_FALSE(cp.Seen("c"));
  EXPECT_EQ(cp.seen_size(), 2u);

  cp.Prune(100);  // Keeps timestamp >= 100.
  EXPECT_TRUE(cp.Seen("a"));
  cp.Prune(101);
  EXPECT_FALSE(cp.Seen("a"));
  EXPECT_TRUE(cp.Seen("b"));
  EXPECT_EQ(cp.seen_size(), 1u);
  EXPECT_EQ(cp.entries().size(), 1u);
  cp.Prune(1000);
  EXPECT_EQ(cp.seen_size(), 0u);
}

TEST(CheckpointTest, HashIsStable) {
  // A checkpoint written by one build is read by the next: the hash must never change.
  // FNV-1a 64 then splitmix64's finaliser, computed independently.
  EXPECT_EQ(Checkpoint::HashEventId(""), 0xf52a15e9a9b5e89bULL);
  EXPECT_EQ(Checkpoint::HashEventId("49123"), 0x44dff6c06df63960ULL);
  EXPECT_NE(Checkpoint::HashEventId("a"), Checkpoint::HashEventId("b"));
}

TEST(CheckpointTest, SerializeParseRoundTrip) {
  Checkpoint cp{.log_group = "API-Gateway-Execution-Logs_abc123/prod", .end_ms = 1700000123456};
  for (uint64_t i = 0; i < 1000; ++i)
    cp.Add(1700000000000 + static_cast<int64_t>(i % 97), EventId(i));
  cp.Add(0, "at-zero");
  std::string text = SerializeCheckpoint(cp);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("\"version\":1"), std::string::npos) << text.substr(0, 200);

  Result<Checkpoint> parsed = ParseCheckpoint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->log_group, cp.log_group);
  EXPECT_EQ(parsed->end_ms, cp.end_ms);
  EXPECT_EQ(parsed->seen_size(), 1001u);
  for (uint64_t i = 0; i < 1000; ++i) EXPECT_TRUE(parsed->Seen(EventId(i))) << i;
  EXPECT_TRUE(parsed->Seen("at-zero"));
  EXPECT_FALSE(parsed->Seen(EventId(1000)));
  // Timestamps survive: pruning the parsed copy forgets the same ids.
  parsed->Prune(1700000000050);
  EXPECT_FALSE(parsed->Seen(EventId(0)));
  EXPECT_TRUE(parsed->Seen(EventId(50)));
  EXPECT_FALSE(parsed->Seen("at-zero"));
  // Serialising again gives the same text (sorted packing).
  Result<Checkpoint> again = ParseCheckpoint(text);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SerializeCheckpoint(*again), text);

  Checkpoint never{.log_group = "/aws/x"};
  Result<Checkpoint> empty = ParseCheckpoint(SerializeCheckpoint(never));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->end_ms, -1);
  EXPECT_EQ(empty->seen_size(), 0u);
}

TEST(CheckpointTest, ParseRejectsGarbageAndTruncation) {
  Checkpoint cp{.log_group = "g", .end_ms = 5};
  cp.Add(1, "x");
  cp.Add(2, "y");
  const std::string good = SerializeCheckpoint(cp);
  ASSERT_TRUE(ParseCheckpoint(good).ok());
  std::vector<std::string> bad = {
      "",
      "null",
      "[]",
      "{}",
      "not json",
      R"({"version":2,"log_group":"g","end_ms":5,"id_count":0,"ids":""})",
      R"({"version":"1","log_group":"g","end_ms":5,"id_count":0,"ids":""})",
      R"({"version":1,"log_group":"","end_ms":5,"id_count":0,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":-2,"id_count":0,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":18446744073709551615,"id_count":0,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":1.5,"id_count":0,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":-1,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":1,"ids":""})",
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":0,"ids":"AAAA"})",  // Trailing.
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":0,"ids":"A"})",
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":0,"ids":"!!!!"})",
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":0})",
      // Varint delta 2^63 + hash: the timestamp overflows int64.
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":1,"ids":"gICAgICAgICAAQAAAAAAAAAA"})",
      // Huge id_count with few bytes: rejected before reserving anything.
      R"({"version":1,"log_group":"g","end_ms":5,"id_count":99999999999,"ids":"AAAA"})",
  };
  for (size_t cut = 0; cut < good.size(); cut += 3) bad.push_back(good.substr(0, cut));
  for (const std::string& text : bad) {
    Result<Checkpoint> parsed = ParseCheckpoint(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kParseError) << text;
    }
  }
}

TEST(CheckpointTest, ThreeHundredThousandIdsStayAFewMegabytes) {
  Checkpoint cp{.log_group = "API-Gateway-Execution-Logs_abc/prod", .end_ms = 1700000300000};
  // 300,000 events over 5 minutes: 1,000 per second.
  for (uint64_t i = 0; i < 300000; ++i) {
    cp.Add(1700000000000 + static_cast<int64_t>(i), EventId(49000000000000ULL + i * 7919));
  }
  ASSERT_EQ(cp.seen_size(), 300000u);
  std::string text = SerializeCheckpoint(cp);
  std::cout << "300k ids serialise to " << text.size() << " bytes ("
            << static_cast<double>(text.size()) / 300000 << " per id)\n";
  EXPECT_LT(text.size(), 5u * 1000 * 1000);
  Result<Checkpoint> parsed = ParseCheckpoint(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->seen_size(), 300000u);
  EXPECT_TRUE(parsed->Seen(EventId(49000000000000ULL + 299999ULL * 7919)));
}

TEST(CheckpointFileNameTest, EscapesEverythingButSafeCharacters) {
  EXPECT_EQ(CheckpointFileName("API-Gateway-Execution-Logs_abc123/prod"),
            "API-Gateway-Execution-Logs_abc123%2Fprod.checkpoint.json");
  EXPECT_EQ(CheckpointFileName("/aws/api#1.x"), "%2Faws%2Fapi%231%2Ex.checkpoint.json");
  EXPECT_EQ(CheckpointFileName(".."), "%2E%2E.checkpoint.json");
  // Distinct names stay distinct; '%' itself is escaped.
  EXPECT_NE(CheckpointFileName("a/b"), CheckpointFileName("a%2Fb"));
  // Long names are cut with a hash, under NAME_MAX, and still distinct.
  std::string long_a(512, '/');
  std::string long_b = long_a;
  long_b.back() = '.';
  std::string name_a = CheckpointFileName(long_a);
  EXPECT_LE(name_a.size(), 200u);
  EXPECT_NE(name_a, CheckpointFileName(long_b));
  EXPECT_EQ(name_a.find('/'), std::string::npos);
}

TEST(FileCheckpointStoreTest, SaveLoadReplaceAndCreateDirectory) {
  TempDir temp;
  const std::string dir = temp.File("state/checkpoints");  // Does not exist yet.
  std::unique_ptr<CheckpointStore> store = NewFileCheckpointStore(dir);
  EXPECT_EQ(store->Describe(), dir);

  Result<std::optional<Checkpoint>> none = store->Load("/aws/api/prod");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  Checkpoint cp{.log_group = "/aws/api/prod", .end_ms = 1000};
  cp.Add(900, "e1");
  ASSERT_TRUE(store->Save(cp).ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/%2Faws%2Fapi%2Fprod.checkpoint.json"));

  Checkpoint other{.log_group = "/aws/api/prod.v2", .end_ms = 7};
  ASSERT_TRUE(store->Save(other).ok());

  cp.end_ms = 2000;
  cp.Add(1900, "e2");
  ASSERT_TRUE(store->Save(cp).ok());
  Result<std::optional<Checkpoint>> loaded = store->Load("/aws/api/prod");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->end_ms, 2000);
  EXPECT_TRUE((*loaded)->Seen("e1"));
  EXPECT_TRUE((*loaded)->Seen("e2"));
  Result<std::optional<Checkpoint>> loaded_other = store->Load("/aws/api/prod.v2");
  ASSERT_TRUE(loaded_other.ok() && loaded_other->has_value());
  EXPECT_EQ((*loaded_other)->end_ms, 7);

  // No temp files left behind.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_TRUE(entry.path().string().ends_with(".checkpoint.json")) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 2u);

  EXPECT_EQ(store->Save(Checkpoint{}).code(), StatusCode::kInvalidArgument);
}

TEST(FileCheckpointStoreTest, ConcurrentSavesLeaveOneWholeVersion) {
  TempDir temp;
  std::unique_ptr<CheckpointStore> store = NewFileCheckpointStore(temp.path());
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 20; ++i) {
        Checkpoint cp{.log_group = "g", .end_ms = w * 1000 + i};
        for (int k = 0; k < 200 * (w + 1); ++k)
          cp.Add(k, std::to_string(w) + "-" + std::to_string(k));
        EXPECT_TRUE(store->Save(cp).ok());
      }
    });
  }
  // A reader meanwhile always sees a whole checkpoint.
  for (int i = 0; i < 50; ++i) {
    Result<std::optional<Checkpoint>> loaded = store->Load("g");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (loaded->has_value()) {
      int w = static_cast<int>((*loaded)->end_ms / 1000);
      EXPECT_EQ((*loaded)->seen_size(), static_cast<size_t>(200 * (w + 1)));
    }
  }
  for (std::thread& t : writers) t.join();
  Result<std::optional<Checkpoint>> last = store->Load("g");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->end_ms % 1000, 19);
}

TEST(FileCheckpointStoreTest, CorruptOrForeignFileIsParseError) {
  TempDir temp;
  std::unique_ptr<CheckpointStore> store = NewFileCheckpointStore(temp.path());
  temp.Write(CheckpointFileName("g"), "{\"version\":1,\"log_group\":\"g\",\"end");
  EXPECT_EQ(store->Load("g").status().code(), StatusCode::kParseError);
  // A file holding another group's checkpoint (copied by hand) is not used.
  temp.Write(CheckpointFileName("h"),
             SerializeCheckpoint(Checkpoint{.log_group = "g", .end_ms = 1}));
  EXPECT_EQ(store->Load("h").status().code(), StatusCode::kParseError);
}

}  // namespace
}  // namespace gatescope::sources
