#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/loopback_server.h"

namespace gatescope::testing {

// A collector and an OAuth2 token endpoint on one loopback server, for the connector's end-to-end
// and fault tests. POST /ingest takes gzip NDJSON batches (docs/specs/wire.md) and records every
// transaction id; POST /token issues "token-<n>" (client credentials), and only the newest token
// is accepted by /ingest when `require_token` is set, so a rotation forces the 401 path.
//
// Faults: the next `fail_next` batches get `fail_status` (with Retry-After when set), every batch
// waits `delay` first, and `down` refuses batches with 503 until cleared.
//
// Thread-safety: the handlers run on the server's threads; accessors lock.
class FakeCollector {
 public:
  FakeCollector();
  void Start();
  std::string ingest_url() const { return server_.url("/ingest"); }
  std::string token_url() const { return server_.url("/token"); }

  // Faults (set before or during a run).
  std::atomic<int> fail_next{0};
  std::atomic<int> fail_status{503};
  std::atomic<int> retry_after_s{0};
  std::atomic<bool> down{false};
  std::atomic<int> delay_ms{0};
  std::atomic<bool> require_token{true};
  void RotateToken();  // The current token stops being accepted.

  // What arrived.
  std::vector<std::string> ids() const;              // Every delivered transaction id, in order.
  std::multiset<std::string> id_counts() const;
  std::vector<std::string> lines() const;            // Every delivered NDJSON line.
  std::vector<std::string> idempotency_keys() const;  // Per accepted batch.
  size_t batches() const;
  size_t max_batch_bytes() const;
  int token_requests() const { return token_requests_.load(); }
  int ingest_requests() const { return ingest_requests_.load(); }
  std::map<std::string, std::string> last_headers() const;

 private:
  LoopbackServer server_;
  mutable std::mutex mu_;
  std::vector<std::string> ids_;
  std::vector<std::string> lines_;
  std::vector<std::string> keys_;
  std::map<std::string, std::string> last_headers_;
  size_t max_batch_bytes_ = 0;
  int token_serial_ = 0;
  std::atomic<int> token_requests_{0};
  std::atomic<int> ingest_requests_{0};
};

// A CloudWatch Logs subscription Lambda event ({"awslogs":{"data": base64(gzip(payload))}}) with
// one log event per message, ids "<id_base><n>" and timestamps from `first_ms`.
std::string MakeSubscriptionEvent(const std::string& log_group, const std::string& log_stream,
                                  const std::vector<std::string>& messages, int64_t first_ms,
                                  const std::string& id_base = "3600000000000000000000000000000000000000000000000");

// An access-log line (JSON, the fields our parser reads) for request `n` of a REST API.
std::string AccessLogLine(int n, int64_t time_ms, const std::string& path = "/pets/7",
                          int status = 200);

}  // namespace gatescope::testing
