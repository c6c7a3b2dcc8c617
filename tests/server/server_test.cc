// The inventory server end to end: the real `gatescope serve` binary on loopback with its
// embedded SQLite store, driven over HTTP.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "commands/ship_command.h"
#include "core/clock.h"
#include "env/http_client.h"
#include "model/transaction_har.h"
#include "server/server_test_util.h"

namespace gatescope::testing {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { clients_file_ = WriteClientsFile(dir_, StandardClients()); }

  std::unique_ptr<ServeProcess> Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--store", "sqlite:" + dir_.File("inventory.db"),
                                     "--clients", clients_file_, "--render-interval-ms", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<std::unique_ptr<ServeProcess>> p = ServeProcess::Start(args);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  // 60 transactions over 3 endpoints of one API.
  static std::vector<model::HttpTransaction> PetTraffic(int first) {
    std::vector<model::HttpTransaction> txs;
    for (int i = first; i < first + 60; ++i) {
      switch (i % 3) {
        case 0: txs.push_back(MakeTransaction(i, "a1b2c3d4e5", "GET", "/pets", "/pets", 200)); break;
        case 1:
          txs.push_back(MakeTransaction(i, "a1b2c3d4e5", "GET", "/pets/{petId}",
                                        "/pets/" + std::to_string(i), i % 7 == 0 ? 404 : 200));
          break;
        default: txs.push_back(MakeTransaction(i, "a1b2c3d4e5", "POST", "/pets", "/pets", 201)); break;
      }
    }
    return txs;
  }

  TempDir dir_;
  std::string clients_file_;
  const TestClient reader_ = StandardClients()[0];
  const TestClient writer_ = StandardClients()[1];
};

TEST_F(ServerTest, ReadAndIngestNeedTokensWithTheirOwnScopes) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());

  int status = 0;
  json body = client.GetJson("/v1/apis", "", &status);
  EXPECT_EQ(status, 401);
  EXPECT_FALSE(body.value("error", "").empty());
  auto res = client.Get("/v1/apis", "");
  EXPECT_THAT(res->get_header_value("WWW-Authenticate"), ::testing::StartsWith("Bearer"));
  EXPECT_EQ(client.GetJson("/v1/apis", "forged.token.value", &status).value("error", ""), "invalid_token");
  EXPECT_EQ(status, 401);

  std::string read = client.Token(reader_);
  std::string ingest = client.Token(writer_);
  ASSERT_FALSE(read.empty());
  ASSERT_FALSE(ingest.empty());
  EXPECT_EQ(client.Token({"writer", "wrong-secret-0000000000", ""}), "");
  EXPECT_EQ(client.Token(writer_, "inventory:read"), "") << "a client gets only its own scopes";

  client.GetJson("/v1/apis", read, &status);
  EXPECT_EQ(status, 200);
  client.GetJson("/v1/apis", ingest, &status);
  EXPECT_EQ(status, 403);
  res = client.PostBatch(read, PetTraffic(0));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = client.PostBatch("", PetTraffic(0));
  EXPECT_EQ(res->status, 401);
  res = client.PostBatch(ingest, PetTraffic(0));
  EXPECT_EQ(res->status, 200) << res->body;
  // Health is open (load balancers probe it); metrics are not.
  EXPECT_EQ(client.Get("/healthz", "")->status, 200);
  EXPECT_EQ(client.Get("/readyz", "")->status, 200);
  EXPECT_EQ(client.Get("/metrics", "")->status, 401);
  EXPECT_EQ(client.Get("/metrics", read)->status, 200);
}

TEST_F(ServerTest, RunningWithoutAuthMustBeAskedFor) {
  Result<std::unique_ptr<ServeProcess>> refused =
      ServeProcess::Start({"--store", "sqlite:" + dir_.File("x.db")});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("--clients"));

  Result<std::unique_ptr<ServeProcess>> open =
      ServeProcess::Start({"--store", "sqlite:" + dir_.File("x.db"), "--no-auth"});
  ASSERT_TRUE(open.ok()) << open.status().message();
  ServerClient client((*open)->port());
  int status = 0;
  json ready = client.GetJson("/readyz", "", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(ready["auth"], false);
  EXPECT_EQ(client.PostBatch("", PetTraffic(0))->status, 200);
  EXPECT_EQ(TotalRequests(client.GetJson("/v1/apis", "")), 60u);
  EXPECT_THAT((*open)->Stderr(), ::testing::HasSubstr("AUTHENTICATION IS OFF"));
}

TEST_F(ServerTest, BatchesAreDeduplicatedByKeyAndByTransactionId) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());
  std::string ingest = client.Token(writer_);
  std::string read = client.Token(reader_);

  std::vector<model::HttpTransaction> first = PetTraffic(0);
  auto res = client.PostBatch(ingest, first);
  ASSERT_EQ(res->status, 200) << res->body;
  json outcome = json::parse(res->body);
  EXPECT_EQ(outcome["accepted"], 60);
  EXPECT_EQ(outcome["duplicate_batch"], false);

  // The same batch again (a retry after a lost answer): acknowledged, nothing added.
  outcome = json::parse(client.PostBatch(ingest, first)->body);
  EXPECT_EQ(outcome["duplicate_batch"], true);
  EXPECT_EQ(outcome["accepted"], 0);
  // The same transactions re-batched with new ones (a replayed log range).
  std::vector<model::HttpTransaction> mixed(first.begin(), first.begin() + 30);
  std::vector<model::HttpTransaction> fresh = PetTraffic(60);
  mixed.insert(mixed.end(), fresh.begin(), fresh.end());
  outcome = json::parse(client.PostBatch(ingest, mixed)->body);
  EXPECT_EQ(outcome["accepted"], 60);
  EXPECT_EQ(outcome["duplicates"], 30);

  json apis = client.GetJson("/v1/apis", read);
  EXPECT_EQ(TotalRequests(apis), 120u);
  ASSERT_EQ(apis["apis"].size(), 1u);
  EXPECT_EQ(apis["apis"][0]["api_id"], "a1b2c3d4e5");

  json endpoints = client.GetJson("/v1/endpoints?api=a1b2c3d4e5", read);
  ASSERT_EQ(endpoints["endpoints"].size(), 3u) << endpoints.dump();
  uint64_t sum = 0;
  std::string pet_id;
  for (const json& e : endpoints["endpoints"]) {
    sum += e["requests"].get<uint64_t>();
    if (e["path"] == "/pets/{petId}") pet_id = e["id"];
  }
  EXPECT_EQ(sum, 120u);
  ASSERT_FALSE(pet_id.empty());
  int status = 0;
  json detail = client.GetJson("/v1/endpoints/" + pet_id, read, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(detail["method"], "GET");
  EXPECT_EQ(detail["requests"], 40);
  client.GetJson("/v1/endpoints/0123456789abcdef", read, &status);
  EXPECT_EQ(status, 404);
  json filtered = client.GetJson("/v1/endpoints?method=post", read);
  EXPECT_EQ(filtered["endpoints"].size(), 1u);
  client.GetJson("/v1/endpoints?limit=0", read, &status);
  EXPECT_EQ(status, 400);

  auto spec = client.Get("/v1/apis/a1b2c3d4e5/openapi.json", read);
  ASSERT_EQ(spec->status, 200);
  json doc = json::parse(spec->body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 3), "3.1");
  EXPECT_TRUE(doc["paths"].contains("/pets/{petId}"));
  auto yaml = client.Get("/v1/apis/a1b2c3d4e5/openapi.yaml", read);
  ASSERT_EQ(yaml->status, 200);
  EXPECT_THAT(yaml->body, ::testing::HasSubstr("/pets/{petId}:"));
  EXPECT_EQ(client.Get("/v1/apis/nope/openapi.json", read)->status, 404);

  std::string metrics = client.Get("/metrics", read)->body;
  EXPECT_THAT(metrics, ::testing::HasSubstr("gatescope_ingest_transactions_total{result=\"accepted\"} 120"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("gatescope_ingest_transactions_total{result=\"duplicate\"} 90"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("gatescope_store_seconds_bucket"));
}

TEST_F(ServerTest, BadInputGetsAJsonErrorAndLosesNothingElse) {
  auto server = Start({"--max-request-bytes", "200000", "--max-decoded-bytes", "1000000"});
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());
  std::string ingest = client.Token(writer_);
  std::string read = client.Token(reader_);
  httplib::Headers gzip = {{"Content-Encoding", "gzip"}};

  auto res = client.Post("/v1/batches", ingest, "not gzip at all", gzip, "application/x-ndjson");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body).value("error", ""), "malformed_body");

  res = client.Post("/v1/batches", ingest, std::string(300000, 'x'), {}, "application/x-ndjson");
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_object());

  // A small gzip that expands past the decoded limit (a gzip bomb).
  res = client.Post("/v1/batches", ingest, Gzip(std::string(5000000, '\n')), gzip, "application/x-ndjson");
  EXPECT_EQ(res->status, 413);

  res = client.Post("/v1/batches", ingest, Gzip("{\"format\":\"nope\"}\n"), gzip, "application/x-ndjson");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"], "malformed_batch");

  // One bad line among good ones: counted and reported, the rest stored.
  std::vector<model::HttpTransaction> txs = PetTraffic(0);
  std::string body = Ndjson(std::vector(txs.begin(), txs.begin() + 10)) + "{broken json\n" +
                     Ndjson(std::vector(txs.begin() + 10, txs.end()));
  res = client.Post("/v1/batches", ingest, Gzip(body), gzip, "application/x-ndjson");
  ASSERT_EQ(res->status, 200) << res->body;
  json outcome = json::parse(res->body);
  EXPECT_EQ(outcome["accepted"], 60);
  EXPECT_EQ(outcome["rejected"], 1);
  EXPECT_EQ(outcome["errors"][0]["line"], 11);
  EXPECT_EQ(TotalRequests(client.GetJson("/v1/apis", read)), 60u);

  res = client.Post("/v1/batches", ingest, Gzip(Ndjson(txs)),
                    {{"Content-Encoding", "gzip"}, {"X-Gatescope-Records", "7"}}, "application/x-ndjson");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"], "record_count_mismatch");
  res = client.Post("/v1/batches", ingest, "x", {{"Content-Encoding", "zstd"}}, "application/x-ndjson");
  EXPECT_EQ(res->status, 415);
  EXPECT_EQ(client.Get("/v1/nothing", read)->status, 404);
  EXPECT_TRUE(json::parse(client.Get("/v1/nothing", read)->body, nullptr, false).is_object());
  EXPECT_THAT(client.Get("/metrics", read)->body,
              ::testing::HasSubstr("gatescope_ingest_dropped_total{reason=\"invalid_transaction\"} 1"));
}

TEST_F(ServerTest, HarUploadsAndRawLogPayloadsJoinTheInventory) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());
  std::string ingest = client.Token(writer_);
  std::string read = client.Token(reader_);

  std::string har = model::TransactionsToHar(PetTraffic(0), "test");
  auto res = client.Post("/v1/har", ingest, har, {}, "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["accepted"], 60);
  res = client.Post("/v1/har", ingest, har, {}, "application/json");
  EXPECT_EQ(json::parse(res->body)["accepted"], 0) << "the same HAR twice adds nothing";
  EXPECT_EQ(client.Post("/v1/har", ingest, "{\"log\":", {}, "application/json")->status, 400);

  std::string logs = ReadFixture("containers/subscription.json");
  res = client.Post("/v1/logs", ingest, logs, {}, "application/json");
  ASSERT_EQ(res->status, 200) << res->body;
  json outcome = json::parse(res->body);
  EXPECT_GT(outcome["accepted"].get<int>(), 0);
  EXPECT_EQ(outcome["events"]["received"].get<uint64_t>(),
            outcome["events"]["accepted"].get<uint64_t>() + outcome["events"]["filtered"].get<uint64_t>() +
                outcome["events"]["dropped"].get<uint64_t>());
  EXPECT_EQ(TotalRequests(client.GetJson("/v1/apis", read)),
            60u + outcome["accepted"].get<uint64_t>());
}

TEST_F(ServerTest, StateSurvivesRestartAndNewThresholdsApplyToHistory) {
  std::string before;
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    ServerClient client(server->port());
    std::string ingest = client.Token(writer_);
    // Concrete paths under a greedy route: templates are inferred from the stored history.
    std::vector<model::HttpTransaction> txs;
    for (int i = 0; i < 40; ++i) {
      txs.push_back(MakeTransaction(1000 + i, "proxyapi01", "GET", "/{proxy+}",
                                    "/users/" + std::to_string(100 + i % 20), 200));
    }
    ASSERT_EQ(client.PostBatch(ingest, txs)->status, 200);
    ASSERT_EQ(client.PostBatch(ingest, PetTraffic(0))->status, 200);
    before = client.Get("/v1/inventory", client.Token(reader_))->body;
    server->Signal(SIGTERM);
    Result<int> code = server->Wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, 0) << server->Stderr();
  }
  auto strip = [](std::string doc) {
    json j = json::parse(doc);
    j.erase("generated_at");
    return j;
  };
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    ServerClient client(server->port());
    std::string after = client.Get("/v1/inventory", client.Token(reader_))->body;
    EXPECT_EQ(strip(before), strip(after));
    json users = client.GetJson("/v1/endpoints?api=proxyapi01", client.Token(reader_));
    ASSERT_EQ(users["endpoints"].size(), 1u) << users.dump();
    EXPECT_EQ(users["endpoints"][0]["path"], "/users/{userId}");
    server->Signal(SIGTERM);
    ASSERT_TRUE(server->Wait(std::chrono::seconds(30)).ok());
  }
  // Restarted with a higher noise threshold: the inferred endpoint (40 requests) is gated
  // out of the stored history; gateway-given templates are never gated.
  auto server = Start({"--min-requests", "1000"});
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());
  std::string read = client.Token(reader_);
  EXPECT_EQ(client.GetJson("/v1/endpoints?api=proxyapi01", read)["endpoints"].size(), 0u);
  EXPECT_EQ(client.GetJson("/v1/endpoints?api=a1b2c3d4e5", read)["endpoints"].size(), 3u);
}

TEST_F(ServerTest, KillDashNineLosesNoAcknowledgedBatch) {
  constexpr int kThreads = 3;
  constexpr int kBatches = 400;  // Per thread, more than can finish before the kill.
  std::vector<std::vector<model::HttpTransaction>> batches;
  for (int t = 0; t < kThreads * kBatches; ++t) {
    std::vector<model::HttpTransaction> txs;
    for (int i = 0; i < 50; ++i) {
      int n = t * 50 + i;
      txs.push_back(MakeTransaction(n, "killapi001", "GET", "/items/{id}", "/items/" + std::to_string(n), 200));
    }
    batches.push_back(std::move(txs));
  }
  uint64_t acknowledged = 0;
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    std::string ingest = ServerClient(server->port()).Token(writer_);
    std::atomic<uint64_t> acked{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < kThreads; ++t) {
      senders.emplace_back([&, t] {
        ServerClient client(server->port());
        for (int b = t; b < kThreads * kBatches; b += kThreads) {
          auto res = client.PostBatch(ingest, batches[b]);
          if (!res || res->status != 200) return;  // Killed.
          acked += batches[b].size();
        }
      });
    }
    while (acked.load() < 3000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server->Signal(SIGKILL);
    for (auto& s : senders) s.join();
    acknowledged = acked.load();
    ASSERT_LT(acknowledged, static_cast<uint64_t>(kThreads * kBatches * 50)) << "killed too late";
  }
  auto server = Start();
  ASSERT_NE(server, nullptr);
  ServerClient client(server->port());
  std::string read = client.Token(reader_);
  uint64_t stored = TotalRequests(client.GetJson("/v1/apis", read));
  // Every acknowledged transaction is there; at most the batches in flight at the kill more.
  EXPECT_GE(stored, acknowledged);
  EXPECT_LE(stored, acknowledged + kThreads * 50);
  // The connector sends everything again: exactly once in the end.
  std::string ingest = client.Token(writer_);
  for (const auto& b : batches) ASSERT_EQ(client.PostBatch(ingest, b)->status, 200);
  EXPECT_EQ(TotalRequests(client.GetJson("/v1/apis", read)), static_cast<uint64_t>(kThreads * kBatches * 50));
}

TEST_F(ServerTest, TheConnectorDeliversToTheServerWithOAuth2) {
  auto server = Start();
  ASSERT_NE(server, nullptr);
  std::map<std::string, std::string> env = {
      {"GATESCOPE_COLLECTOR_URL", server->url() + "/v1/batches"},
      {"GATESCOPE_OAUTH_TOKEN_URL", server->url() + "/oauth2/token"},
      {"GATESCOPE_OAUTH_CLIENT_ID", writer_.id},
      {"GATESCOPE_OAUTH_CLIENT_SECRET", writer_.secret},
      {"GATESCOPE_OAUTH_SCOPE", "inventory:ingest"},
      {"GATESCOPE_SPILL", dir_.File("spill")},
  };
  commands::ShipOptions options;
  options.inputs = {FixturePath("containers/subscription.json")};
  std::ostringstream out, err;
  int code = commands::RunShip(options, env, SystemClock::Get(), out, err);
  ASSERT_EQ(code, 0) << err.str() << out.str();
  json summary = json::parse(out.str());
  uint64_t delivered = summary.value("events_delivered", uint64_t{0});
  EXPECT_GT(delivered, 0u) << out.str();
  ServerClient client(server->port());
  std::string read = client.Token(reader_);
  EXPECT_GT(TotalRequests(client.GetJson("/v1/apis", read)), 0u);
  // Shipping the same input again delivers the same ids: the inventory does not grow.
  uint64_t before = TotalRequests(client.GetJson("/v1/apis", read));
  std::ostringstream out2, err2;
  ASSERT_EQ(commands::RunShip(options, env, SystemClock::Get(), out2, err2), 0) << err2.str();
  EXPECT_EQ(TotalRequests(client.GetJson("/v1/apis", read)), before);
}

// The dashboard's files (here a dist/ from --dashboard-dir): public, with the security
// headers, deep links answered with index.html, hashed assets cached for good and sent
// precompressed, 304s by ETag; the API behind it still needs a token.
TEST_F(ServerTest, ServesTheDashboardWithItsSecurityHeaders) {
  const std::string dist = dir_.File("dist");
  std::filesystem::create_directories(dist + "/assets");
  const std::string index = "<!doctype html><script type=module src=/assets/app-1a2b.js></script>";
  const std::string script = "console.log('gatescope');" + std::string(2000, ' ');
  dir_.Write("dist/index.html", index);
  dir_.Write("dist/assets/app-1a2b.js", script);
  dir_.Write("dist/assets/app-1a2b.js.gz", Gzip(script));
  auto server = Start({"--dashboard-dir", dist});
  ASSERT_NE(server, nullptr);
  httplib::Client http("127.0.0.1", server->port());
  http.set_decompress(false);

  auto page = http.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, index);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
              ::testing::AllOf(::testing::HasSubstr("script-src 'self';"),
                               ::testing::HasSubstr("frame-ancestors 'none'")));
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  auto deep = http.Get("/endpoints/0123abcd");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200);
  EXPECT_EQ(deep->body, index);

  auto gz = http.Get("/assets/app-1a2b.js", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(Gunzip(gz->body), script);
  EXPECT_THAT(gz->get_header_value("Cache-Control"), ::testing::HasSubstr("immutable"));
  // libcurl, since the HTTP library's client always adds "Accept-Encoding: gzip".
  Result<env::HttpResponse> plain = env::NewCurlHttpClient()->Send(
      {.method = "GET", .url = server->url() + "/assets/app-1a2b.js", .headers = {{"Accept-Encoding", "identity"}}, .body = {},
       .timeout = {}});
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(plain->body, script);
  EXPECT_EQ(plain->Header("content-encoding"), "");
  auto again = http.Get("/assets/app-1a2b.js", {{"If-None-Match", std::string(plain->Header("etag"))}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  for (const char* missing : {"/assets/nope.js", "/favicon.ico", "/v1/nope", "/oauth2/nope"}) {
    auto res = http.Get(missing);
    ASSERT_TRUE(res) << missing;
    EXPECT_EQ(res->status, 404) << missing;
    EXPECT_EQ(json::parse(res->body)["error"], "not_found") << missing;
  }

  ServerClient client(server->port());
  int status = 0;
  client.GetJson("/v1/overview", "", &status);
  EXPECT_EQ(status, 401);
  std::string writer = client.Token(writer_);
  ASSERT_EQ(client.PostBatch(writer, PetTraffic(0))->status, 200);
  std::string reader = client.Token(reader_);
  json overview = client.GetJson("/v1/overview?as_of=2023-11-15T00:00:00Z", reader, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(overview["totals"]["endpoints"], client.GetJson("/v1/endpoints", reader)["total"]);
  EXPECT_EQ(overview["totals"]["requests"], 60);
  EXPECT_EQ(overview["new_endpoints"]["last_day"], 3);
  client.GetJson("/v1/overview?as_of=yesterday", reader, &status);
  EXPECT_EQ(status, 400);
}

TEST_F(ServerTest, ADashboardDirWithoutIndexStopsTheStart) {
  Result<std::unique_ptr<ServeProcess>> refused = ServeProcess::Start(
      {"--store", "sqlite:" + dir_.File("x.db"), "--no-auth", "--dashboard-dir", dir_.path()});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("--dashboard-dir"));
}

TEST_F(ServerTest, AddClientPrintsAnEntryTheServerAccepts) {
  Result<std::string> printed = RunGatescope({"auth", "add-client", "--id", "ci-connector",
                                              "--scope", "inventory:ingest"});
  ASSERT_TRUE(printed.ok()) << printed.status().message();
  json doc = json::parse(*printed);
  std::string secret = doc["client_secret"];
  EXPECT_EQ(doc["client"]["id"], "ci-connector");
  EXPECT_EQ(doc["client"].dump().find(secret), std::string::npos) << "the secret is not stored";
  json file = {{"clients", json::array({doc["client"]})}};
  std::string path = dir_.Write("own-clients.json", file.dump());
  Result<std::unique_ptr<ServeProcess>> server =
      ServeProcess::Start({"--store", "sqlite:" + dir_.File("c.db"), "--clients", path});
  ASSERT_TRUE(server.ok()) << server.status().message();
  ServerClient client((*server)->port());
  EXPECT_FALSE(client.Token({"ci-connector", secret, ""}).empty());
  EXPECT_TRUE(client.Token({"ci-connector", secret + "x", ""}).empty());
}

}  // namespace
}  // namespace gatescope::testing
