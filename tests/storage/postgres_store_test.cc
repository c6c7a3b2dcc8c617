// The Store contract against a real PostgreSQL (tests/support/postgres_server.h), plus what only
// PostgreSQL has: concurrent migration, reconnecting after the server drops a connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "storage/store.h"
#include "tests/storage/store_contract.h"
#include "tests/support/postgres_server.h"

namespace gatescope::storage::testing {
namespace {

using gatescope::testing::PostgresServer;
using gatescope::testing::SharedPostgresServer;
using ::testing::HasSubstr;
using ::testing::Not;

std::atomic<int> database_counter{0};

Result<std::string> FreshDatabase() {
  GS_ASSIGN_OR_RETURN(PostgresServer * server, SharedPostgresServer());
  return server->CreateDatabase("store_test_" + std::to_string(++database_counter));
}

class PostgresBackend final : public StoreBackend {
 public:
  Result<std::string> NewLocation() override { return FreshDatabase(); }
};

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
                         ::testing::Values(BackendParam{
                             "postgresql",
                             [] { return std::unique_ptr<StoreBackend>(new PostgresBackend); }}),
                         BackendName);

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> url = FreshDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
  }
  std::string url_;
};

TEST_F(PostgresStoreTest, ServersStartingTogetherMigrateOnce) {
  constexpr int kServers = 4;
  std::vector<std::string> errors(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<Store>> store = OpenStore(url_);
      if (!store.ok()) errors[i] = store.status().ToString();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  pqxx::connection conn(url_);
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT COUNT(*) FROM schema_migrations")[0].as<int>(), 1);
}

TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDropsConnections) {
  Result<std::unique_ptr<Store>> store = OpenStore(url_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Ping().ok());
  // Terminate every session of this database but ours, as a failover or restart would.
  {
    pqxx::connection admin(url_);
    pqxx::nontransaction tx(admin);
    const pqxx::result killed = tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    EXPECT_GE(killed.size(), 1u);
  }
  Status ping = (*store)->Ping();
  EXPECT_TRUE(ping.ok()) << ping.ToString();
  Result<CommitResult> r =
      (*store)->CommitBatch({.key = Key(1), .ids = {Id(1)}, .received_at_ms = 1},
                            [](const std::vector<bool>&) { return std::string("d"); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->seq, 0);
}

TEST_F(PostgresStoreTest, ErrorsNameTheUrlWithoutItsPassword) {
  Result<PostgresServer*> server = SharedPostgresServer();
  ASSERT_TRUE(server.ok());
  const std::string url =
      "postgresql://gatescope:hunter2@127.0.0.1:" + std::to_string((*server)->port()) +
      "/no_such_database";
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("gatescope:***@127.0.0.1"));
  EXPECT_THAT(store.status().message(), HasSubstr("no_such_database"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
}

TEST_F(PostgresStoreTest, KindIsPostgresql) {
  Result<std::unique_ptr<Store>> store = OpenStore(url_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->kind(), "postgresql");
}

}  // namespace
}  // namespace gatescope::storage::testing
