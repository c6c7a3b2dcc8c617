// Several servers on one PostgreSQL database build one inventory: the real `gatescope serve`
// binaries on loopback against a real, throwaway PostgreSQL (tests/support/postgres_server.h).
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "server/server_test_util.h"
#include "support/postgres_server.h"

namespace gatescope::testing {
namespace {

using nlohmann::json;

// Batches of varied traffic: gateway templates, inferred templates under a greedy route, two
// APIs, errors. Batch b holds 40 transactions.
std::vector<std::vector<model::HttpTransaction>> Traffic(int batches) {
  std::vector<std::vector<model::HttpTransaction>> out;
  for (int b = 0; b < batches; ++b) {
    std::vector<model::HttpTransaction> txs;
    for (int i = 0; i < 40; ++i) {
      int n = b * 40 + i;
      switch (n % 4) {
        case 0: txs.push_back(MakeTransaction(n, "restapi001", "GET", "/pets/{petId}", "/pets/" + std::to_string(n % 50), 200)); break;
        case 1: txs.push_back(MakeTransaction(n, "restapi001", "POST", "/pets", "/pets", n % 9 == 0 ? 500 : 201)); break;
        case 2: txs.push_back(MakeTransaction(n, "proxyapi01", "GET", "/{proxy+}", "/orders/" + std::to_string(1000 + n % 30) + "/items", 200)); break;
        default: txs.push_back(MakeTransaction(n, "proxyapi01", "DELETE", "/{proxy+}", "/carts/" + std::to_string(n % 25), 204)); break;
      }
    }
    out.push_back(std::move(txs));
  }
  return out;
}

json Inventory(ServerClient& client, const std::string& token) {
  auto res = client.Get("/v1/inventory", token);
  if (!res || res->status != 200) return nullptr;
  json doc = json::parse(res->body);
  doc.erase("generated_at");
  return doc;
}

TEST(ServerPostgresTest, TwoServersOnOneDatabaseBuildTheSameInventoryAsOne) {
  Result<PostgresServer*> pg = SharedPostgresServer();
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  Result<std::string> url = (*pg)->CreateDatabase("two_servers");
  ASSERT_TRUE(url.ok()) << url.status().message();
  TempDir dir;
  std::string clients = WriteClientsFile(dir, StandardClients());
  const TestClient admin = StandardClients()[2];
  // Frequent polls and snapshots, so both servers also meet each other's compactions.
  std::vector<std::string> shared = {"--store", *url, "--clients", clients, "--poll-interval-ms", "50",
                                     "--compact-every", "3", "--render-interval-ms", "0"};
  auto a = ServeProcess::Start(shared);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto b = ServeProcess::Start(shared);
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto single = ServeProcess::Start({"--store", "sqlite:" + dir.File("one.db"), "--clients", clients,
                                     "--render-interval-ms", "0"});
  ASSERT_TRUE(single.ok()) << single.status().message();

  ServerClient ca((*a)->port()), cb((*b)->port()), cs((*single)->port());
  // One signing key per database: a token from one server is good at the other.
  std::string token = ca.Token(admin);
  ASSERT_FALSE(token.empty());
  int status = 0;
  cb.GetJson("/v1/apis", token, &status);
  EXPECT_EQ(status, 200);
  std::string single_token = cs.Token(admin);

  std::vector<std::vector<model::HttpTransaction>> batches = Traffic(24);
  // Interleaved and concurrent: even batches to A, odd to B, from two threads at once; the
  // first few also sent to the other server (a retry that landed elsewhere).
  std::thread ta([&] {
    for (size_t i = 0; i < batches.size(); i += 2) EXPECT_EQ(ca.PostBatch(token, batches[i])->status, 200);
  });
  std::thread tb([&] {
    ServerClient own((*b)->port());
    for (size_t i = 1; i < batches.size(); i += 2) EXPECT_EQ(own.PostBatch(token, batches[i])->status, 200);
  });
  ta.join();
  tb.join();
  for (size_t i = 0; i < 4; ++i) {
    json outcome = json::parse(((i % 2 == 0) ? cb : ca).PostBatch(token, batches[i])->body);
    EXPECT_EQ(outcome["duplicate_batch"], true);
  }
  // The same transactions under a new key at the other server: every id is a duplicate.
  json outcome = json::parse(cb.PostBatch(token, batches[0], "another-key")->body);
  EXPECT_EQ(outcome["accepted"], 0);
  EXPECT_EQ(outcome["duplicates"], 40);
  for (const auto& batch : batches) ASSERT_EQ(cs.PostBatch(single_token, batch)->status, 200);

  json expected = Inventory(cs, single_token);
  ASSERT_TRUE(expected.is_object());
  json from_a, from_b;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    from_a = Inventory(ca, token);
    from_b = Inventory(cb, token);
    if (from_a == expected && from_b == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(from_a, expected);
  EXPECT_EQ(from_b, expected);
  EXPECT_EQ(TotalRequests(ca.GetJson("/v1/apis", token)), 24u * 40u);

  // A third server started now loads the same inventory from the snapshot and the deltas.
  auto c = ServeProcess::Start(shared);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ServerClient cc((*c)->port());
  EXPECT_EQ(Inventory(cc, token), expected);

  for (auto* p : {&*a, &*b, &*c}) {
    (*p)->Signal(SIGTERM);
    Result<int> code = (*p)->Wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 0) << (*p)->Stderr();
  }
}

}  // namespace
}  // namespace gatescope::testing
