#include "server/server_test_util.h"

#include <openssl/sha.h>

#include "auth/client_registry.h"
#include "core/sha256.h"
#include "model/transaction_json.h"

namespace gatescope::testing {
namespace {

}  // namespace

std::string WriteClientsFile(const TempDir& dir, const std::vector<TestClient>& clients) {
  nlohmann::json doc;
  doc["clients"] = nlohmann::json::array();
  for (const TestClient& c : clients) {
    nlohmann::json scopes = nlohmann::json::array();
    std::string_view rest = c.scopes;
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      scopes.push_back(std::string(rest.substr(0, sp)));
      rest = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
    }
    doc["clients"].push_back(
        {{"id", c.id}, {"secret_hash", auth::HashSecret(c.secret, 1000)}, {"scopes", scopes}});
  }
  return dir.Write("clients.json", doc.dump(2));
}

std::vector<TestClient> StandardClients() {
  return {{"reader", "reader-secret-0123456789", "inventory:read"},
          {"writer", "writer-secret-0123456789", "inventory:ingest"},
          {"admin", "admin-secret-0123456789", "inventory:read inventory:ingest"}};
}

model::HttpTransaction MakeTransaction(int n, std::string api, std::string method,
                                       std::string resource_path, std::string path, int status) {
  model::HttpTransaction tx;
  tx.api_id = std::move(api);
  tx.stage = "prod";
  tx.api_kind = model::ApiKind::kRest;
  tx.region = "us-east-1";
  tx.account_id = "123456789012";
  tx.method = std::move(method);
  tx.resource_path = std::move(resource_path);
  tx.path = std::move(path);
  tx.status = status;
  tx.request_id = "req-" + std::to_string(n);
  tx.request_time_ms = 1700000000000 + n;
  tx.response_latency_ms = 5 + n % 40;
  tx.integration_latency_ms = 3 + n % 30;
  tx.protocol = "HTTP/1.1";
  tx.source_ip = "203.0.113.7";
  tx.log_group = "API-Gateway-Access-Logs_" + tx.api_id + "/prod";
  tx.log_stream = "stream";
  tx.event_id = std::to_string(1000000 + n);
  tx.event_count = 1;
  tx.id = Sha256Hex("tx-" + std::to_string(n));
  return tx;
}

std::string Ndjson(const std::vector<model::HttpTransaction>& txs) {
  std::string out;
  for (const model::HttpTransaction& tx : txs) {
    model::AppendTransactionJson(tx, &out);
    out.push_back('\n');
  }
  return out;
}

std::string BatchKey(const std::vector<model::HttpTransaction>& txs) {
  std::string ids;
  for (const model::HttpTransaction& tx : txs) ids += tx.id + "\n";
  return Sha256Hex(ids);
}

ServerClient::ServerClient(uint16_t port) : http_("127.0.0.1", port) {
  http_.set_connection_timeout(std::chrono::seconds(5));
  http_.set_read_timeout(std::chrono::seconds(60));
  http_.set_decompress(false);
}

std::string ServerClient::Token(const TestClient& client, std::string_view scope) {
  httplib::Headers headers;
  std::string body = "grant_type=client_credentials";
  if (!scope.empty()) {
    body += "&scope=";
    for (char c : scope) body += c == ' ' ? std::string("+") : c == ':' ? std::string("%3A") : std::string(1, c);
  }
  http_.set_basic_auth(client.id, client.secret);
  auto res = http_.Post("/oauth2/token", headers, body, "application/x-www-form-urlencoded");
  http_.set_basic_auth("", "");
  if (!res || res->status != 200) return "";
  return nlohmann::json::parse(res->body).value("access_token", "");
}

httplib::Result ServerClient::PostBatch(const std::string& token,
                                        const std::vector<model::HttpTransaction>& txs,
                                        std::string key) {
  httplib::Headers headers = {{"Content-Encoding", "gzip"},
                              {"Idempotency-Key", key.empty() ? BatchKey(txs) : key},
                              {"X-Gatescope-Format", "gatescope.batch/v1"},
                              {"X-Gatescope-Records", std::to_string(txs.size())},
                              {"X-Gatescope-Events", std::to_string(txs.size())}};
  return Post("/v1/batches", token, Gzip(Ndjson(txs)), headers, "application/x-ndjson");
}

httplib::Result ServerClient::Post(const std::string& path, const std::string& token,
                                   const std::string& body, const httplib::Headers& headers,
                                   const std::string& content_type) {
  httplib::Headers h = headers;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return http_.Post(path.c_str(), h, body, content_type.c_str());
}

httplib::Result ServerClient::Get(const std::string& path, const std::string& token) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return http_.Get(path.c_str(), h);
}

nlohmann::json ServerClient::GetJson(const std::string& path, const std::string& token, int* status) {
  auto res = Get(path, token);
  if (status != nullptr) *status = res ? res->status : -1;
  if (!res) return nullptr;
  return nlohmann::json::parse(res->body, nullptr, false);
}

uint64_t TotalRequests(const nlohmann::json& apis) {
  uint64_t total = 0;
  if (!apis.is_object() || !apis.contains("apis")) return 0;
  for (const auto& a : apis["apis"]) total += a.value("requests", uint64_t{0});
  return total;
}

}  // namespace gatescope::testing
