// The Store contract against SQLite, and OpenStore/RedactStoreUrl.
#include "storage/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/storage/store_contract.h"
#include "tests/support/test_util.h"

namespace gatescope::storage::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SqliteBackend final : public StoreBackend {
 public:
  Result<std::string> NewLocation() override { return dir_.File("store.db"); }

 private:
  gatescope::testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(BackendParam{
                             "sqlite",
                             [] { return std::unique_ptr<StoreBackend>(new SqliteBackend); }}),
                         BackendName);

TEST(RedactStoreUrlTest, HidesPasswords) {
  EXPECT_EQ(RedactStoreUrl("postgresql://app:s3cret@db.example:5432/gs"),
            "postgresql://app:***@db.example:5432/gs");
  EXPECT_EQ(RedactStoreUrl("postgres://app:p@ss@db/gs"), "postgres://app:***@db/gs");
  EXPECT_EQ(RedactStoreUrl("postgresql://db/gs?user=app&password=s3cret&sslmode=require"),
            "postgresql://db/gs?user=app&password=***&sslmode=require");
  EXPECT_EQ(RedactStoreUrl("postgresql://app@db/gs"), "postgresql://app@db/gs");
  EXPECT_EQ(RedactStoreUrl("postgresql://db:5432/gs"), "postgresql://db:5432/gs");
  EXPECT_EQ(RedactStoreUrl("/var/lib/gatescope/store.db"), "/var/lib/gatescope/store.db");
}

TEST(OpenStoreTest, UnknownSchemeIsAnErrorNamingTheRedactedUrl) {
  Result<std::unique_ptr<Store>> store = OpenStore("mysql://app:hunter2@db/gs");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("mysql://app:***@db/gs"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_FALSE(OpenStore("").ok());
  EXPECT_FALSE(OpenStore("sqlite:").ok());
}

TEST(OpenStoreTest, SqliteUrlFormsOpenTheSameFile) {
  gatescope::testing::TempDir dir;
  const std::string path = dir.File("a.db");
  {
    Result<std::unique_ptr<Store>> plain = OpenStore(path);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ((*plain)->kind(), "sqlite");
    ASSERT_TRUE((*plain)
                    ->CommitBatch({.key = Key(1), .ids = {}, .received_at_ms = 1},
                                  [](const std::vector<bool>&) { return std::string("d"); })
                    .ok());
  }
  for (const std::string& url : {"sqlite:" + path, "sqlite://" + path}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_TRUE(store.ok()) << url << ": " << store.status().ToString();
    EXPECT_EQ(*(*store)->LastSeq(), 1) << url;
  }
}

TEST(OpenStoreTest, UnwritableSqlitePathIsAnError) {
  Result<std::unique_ptr<Store>> store = OpenStore("/nonexistent-dir/x/store.db");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("/nonexistent-dir/x/store.db"));
}

TEST(OpenStoreTest, UnreachablePostgresIsUnavailableWithoutPassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  Result<std::unique_ptr<Store>> store =
      OpenStore("postgresql://app:hunter2@127.0.0.1:1/gs?connect_timeout=2");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("postgresql://app:***@127.0.0.1:1/gs"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
}

TEST(SqliteStoreTest, UsesWalAndKeepsSeqsAfterCompactingEverything) {
  gatescope::testing::TempDir dir;
  const std::string path = dir.File("s.db");
  int64_t seq = 0;
  {
    Result<std::unique_ptr<Store>> store = OpenStore(path, {.sqlite_full_sync = false});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    seq = (*store)
              ->CommitBatch({.key = Key(1), .ids = {Id(1)}, .received_at_ms = 1},
                            [](const std::vector<bool>&) { return std::string("d"); })
              ->seq;
    ASSERT_TRUE((*store)->WriteSnapshot(seq, "snap").ok());
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  }
  // AUTOINCREMENT: after reopening a store whose deltas were all compacted, seqs continue.
  Result<std::unique_ptr<Store>> reopened = OpenStore(path);
  ASSERT_TRUE(reopened.ok());
  EXPECT_GT((*reopened)
                ->CommitBatch({.key = Key(2), .ids = {}, .received_at_ms = 1},
                              [](const std::vector<bool>&) { return std::string("d"); })
                ->seq,
            seq);
}

}  // namespace
}  // namespace gatescope::storage::testing
