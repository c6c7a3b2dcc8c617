#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "model/http_transaction.h"
#include "server/serve_process.h"
#include "support/test_util.h"

namespace gatescope::testing {

// An OAuth2 client of the server under test.
struct TestClient {
  std::string id;
  std::string secret;
  std::string scopes;  // "inventory:read inventory:ingest"
};

// Writes a clients file (fast hashes: tests do not need slow ones) and returns its path.
std::string WriteClientsFile(const TempDir& dir, const std::vector<TestClient>& clients);

// The standard clients: "reader" (read), "writer" (ingest), "admin" (both).
std::vector<TestClient> StandardClients();

// A REST access-log-like transaction with a unique id derived from `n`.
model::HttpTransaction MakeTransaction(int n, std::string api, std::string method,
                                       std::string resource_path, std::string path, int status);

// NDJSON of the transactions, one line each.
std::string Ndjson(const std::vector<model::HttpTransaction>& txs);

// A thin client for one server: tokens, batches, reads.
class ServerClient {
 public:
  explicit ServerClient(uint16_t port);
  // Fetches a token by client credentials (HTTP Basic); empty on failure.
  std::string Token(const TestClient& client, std::string_view scope = "");
  httplib::Result PostBatch(const std::string& token, const std::vector<model::HttpTransaction>& txs,
                            std::string key = "");
  httplib::Result Post(const std::string& path, const std::string& token, const std::string& body,
                       const httplib::Headers& headers, const std::string& content_type);
  httplib::Result Get(const std::string& path, const std::string& token);
  // GET returning parsed JSON (null on any failure; the status in *status).
  nlohmann::json GetJson(const std::string& path, const std::string& token, int* status = nullptr);

 private:
  httplib::Client http_;
};

// The batch key the connector would send: SHA-256 of the ids, each followed by '\n'.
std::string BatchKey(const std::vector<model::HttpTransaction>& txs);

// Sum of "requests" over /v1/apis.
uint64_t TotalRequests(const nlohmann::json& apis);

}  // namespace gatescope::testing
