#include "tests/connector/fake_collector.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/test_util.h"

namespace gatescope::testing {

FakeCollector::FakeCollector() {
  server_.server().Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
    ++token_requests_;
    if (req.body.find("grant_type=client_credentials") == std::string::npos) {
      res.status = 400;
      res.set_content(R"({"error":"unsupported_grant_type"})", "application/json");
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++token_serial_;
    res.set_content("{\"access_token\":\"token-" + std::to_string(token_serial_) +
                        "\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
                    "application/json");
  });
  server_.server().Post("/ingest", [this](const httplib::Request& req, httplib::Response& res) {
    ++ingest_requests_;
    if (int d = delay_ms.load(); d > 0) std::this_thread::sleep_for(std::chrono::milliseconds(d));
    if (down.load()) {
      res.status = 503;
      return;
    }
    if (require_token.load()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (req.get_header_value("Authorization") !=
          "Bearer token-" + std::to_string(token_serial_)) {
        res.status = 401;
        return;
      }
    }
    if (fail_next.load() > 0) {
      --fail_next;
      res.status = fail_status.load();
      if (retry_after_s.load() > 0) {
        res.set_header("Retry-After", std::to_string(retry_after_s.load()));
      }
      res.set_content(R"({"error":"injected fault"})", "application/json");
      return;
    }
    // cpp-httplib built with zlib (Debian's) inflates gzip request bodies itself; the size on
    // the wire is then the Content-Length.
    bool gz = req.body.size() >= 2 && static_cast<unsigned char>(req.body[0]) == 0x1f &&
              static_cast<unsigned char>(req.body[1]) == 0x8b;
    std::string body = gz ? Gunzip(req.body) : req.body;
    size_t wire_bytes = req.body.size();
    if (req.has_header("Content-Length")) {
      wire_bytes = std::stoul(req.get_header_value("Content-Length"));
    }
    std::lock_guard<std::mutex> lock(mu_);
    max_batch_bytes_ = std::max(max_batch_bytes_, wire_bytes);
    for (const auto& [k, v] : req.headers) last_headers_[k] = v;
    keys_.push_back(req.get_header_value("Idempotency-Key"));
    size_t start = 0;
    while (start < body.size()) {
      size_t nl = body.find('\n', start);
      if (nl == std::string::npos) nl = body.size();
      std::string line = body.substr(start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      ids_.push_back(j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "?");
      lines_.push_back(std::move(line));
    }
    res.status = 202;
  });
}

void FakeCollector::Start() { server_.Start(); }

void FakeCollector::RotateToken() {
  std::lock_guard<std::mutex> lock(mu_);
  ++token_serial_;
}

std::vector<std::string> FakeCollector::ids() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ids_;
}
std::multiset<std::string> FakeCollector::id_counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {ids_.begin(), ids_.end()};
}
std::vector<std::string> FakeCollector::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}
std::vector<std::string> FakeCollector::idempotency_keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}
size_t FakeCollector::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}
size_t FakeCollector::max_batch_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_batch_bytes_;
}
std::map<std::string, std::string> FakeCollector::last_headers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_headers_;
}


std::string MakeSubscriptionEvent(const std::string& log_group, const std::string& log_stream,
                                  const std::vector<std::string>& messages, int64_t first_ms,
                                  const std::string& id_base) {
  nlohmann::json events = nlohmann::json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    std::string n = std::to_string(i);
    events.push_back({{"id", id_base.substr(0, id_base.size() - std::min(n.size(), id_base.size())) + n},
                      {"timestamp", first_ms + static_cast<int64_t>(i)},
                      {"message", messages[i]}});
  }
  nlohmann::json payload = {{"messageType", "DATA_MESSAGE"},
                            {"owner", "123456789012"},
                            {"logGroup", log_group},
                            {"logStream", log_stream},
                            {"subscriptionFilters", {"gatescope"}},
                            {"logEvents", events}};
  std::string gz = Gzip(payload.dump());
  std::string b64(4 * ((gz.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(gz.data()),
                          static_cast<int>(gz.size()));
  b64.resize(static_cast<size_t>(n));
  return nlohmann::json({{"awslogs", {{"data", b64}}}}).dump();
}

std::string AccessLogLine(int n, int64_t time_ms, const std::string& path, int status) {
  char id[64];
  std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", n);
  return nlohmann::json({{"requestId", id},
                         {"apiId", "a1b2c3d4e5"},
                         {"stage", "prod"},
                         {"httpMethod", "GET"},
                         {"resourcePath", "/pets/{petId}"},
                         {"path", "/prod" + path},
                         {"status", status},
                         {"responseLatency", 12},
                         {"requestTimeEpoch", time_ms},
                         {"ip", "198.51.100.7"},
                         {"userAgent", "okhttp/4.9"}})
      .dump();
}

}  // namespace gatescope::testing
