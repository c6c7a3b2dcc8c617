#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/string_hash.h"
#include "inventory/latency_histogram.h"
#include "model/http_transaction.h"

namespace gatescope::inventory {

// Identifies an endpoint: one method on one path template of one API stage.
struct EndpointKey {
  std::string api_id;  // The API id; the log group name when no id is known; "unknown" last.
  std::string stage;   // Empty when unknown.
  std::string method;  // "GET"..., or "WS" for a WebSocket route.
  std::string path;    // Template ("/pets/{petId}", "$connect") or concrete path.

  auto operator<=>(const EndpointKey&) const = default;
};

// How often a parameter or header name was seen.
struct NameCount {
  std::string name;  // Header names lowercased; parameter names as sent.
  uint64_t count = 0;
};

// How often a body of one media type was seen, for one status code (responses) or for all
// (requests: status -1).
struct BodyCount {
  int32_t status = -1;
  std::string media_type;  // Empty when neither a header nor the content said.
  uint64_t count = 0;
  uint64_t truncated = 0;  // Of which the log cut the body.
};

// What the inventory knows of one endpoint.
struct EndpointStats {
  model::TemplateSource template_source = model::TemplateSource::kConcrete;
  std::string route;  // The gateway's route/resource when it differs from `path` ("/{proxy+}").
  uint64_t requests = 0;
  std::vector<std::pair<int32_t, uint64_t>> status_counts;  // Unsorted; -1 is "not logged".
  int64_t first_seen_ms = -1;
  int64_t last_seen_ms = -1;
  LatencyHistogram response_latency;
  LatencyHistogram integration_latency;

  // Content, from execution logs. Each list holds at most Inventory::kMaxFieldNames names;
  // `*_observed` count the requests whose map was logged whole, the base for a name's share.
  uint64_t content_logged = 0;  // Requests with execution-log content (alone or joined).
  uint64_t query_observed = 0;
  uint64_t request_headers_observed = 0;
  std::vector<NameCount> query_params;
  std::vector<NameCount> request_headers;
  std::vector<NameCount> response_headers;
  std::vector<BodyCount> request_bodies;
  std::vector<BodyCount> response_bodies;
  std::vector<std::pair<model::ErrorKind, uint64_t>> errors;
  std::array<uint64_t, 3> by_log_source{};  // Indexed by model::LogSource.
  uint64_t partial = 0;        // Requests built from an incomplete execution log.
  uint64_t coverage_full = 0;  // Requests whose headers and bodies were logged whole.
};

// What the inventory knows of one API stage.
struct ApiStageInfo {
  model::ApiKind kind = model::ApiKind::kUnknown;
  std::string region;
  std::string account_id;
  std::vector<std::string> domain_names;  // At most kMaxNames each, first seen first.
  std::vector<std::string> log_groups;
  uint64_t requests = 0;
  int64_t first_seen_ms = -1;
  int64_t last_seen_ms = -1;
};

// The API inventory: every endpoint seen, with counts, status codes, first and last seen and
// latency. The path template comes from $context.resourcePath (REST) or $context.routeKey
// (HTTP, WebSocket) when logged; otherwise, and under a greedy "{proxy+}" route whose
// concrete path is logged, the concrete path is kept (template inference comes later).
//
// Thread-safety: not thread-safe; one per worker, Merge() to combine.
class Inventory {
 public:
  static constexpr size_t kMaxNames = 16;
  static constexpr size_t kMaxFieldNames = 100;

  // Adds one transaction. A `supplement` adds its content but is not counted again. Returns
  // false, and counts it unattributed, when it names no endpoint: no method, or no path,
  // resource path or route key (an execution log missing its first lines).
  bool Add(const model::HttpTransaction& tx);

  struct Endpoint {
    const EndpointKey* key;
    const EndpointStats* stats;
  };
  // All endpoints, sorted by key. Pointers stay valid until the next Add() or Merge().
  std::vector<Endpoint> SortedEndpoints() const;

  // API stages, sorted by (api id, stage).
  const std::map<std::pair<std::string, std::string>, ApiStageInfo>& api_stages() const {
    return api_stages_;
  }
  size_t endpoint_count() const { return endpoints_.size(); }
  uint64_t unattributed() const { return unattributed_; }

 private:
  ApiStageInfo& StageFor(const model::HttpTransaction& tx, const std::string& api_id);

  std::vector<std::pair<EndpointKey, EndpointStats>> endpoints_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_;
  std::map<std::pair<std::string, std::string>, ApiStageInfo> api_stages_;
  uint64_t unattributed_ = 0;
  std::string key_buffer_;  // Reused to build lookup keys without allocating.
  std::string api_buffer_;
  ApiStageInfo* last_stage_ = nullptr;  // Consecutive lines are usually from one stage.
  std::string last_stage_api_;
  std::string last_stage_name_;
};

// The endpoint `tx` belongs to, as (method, path, source, route). Exposed for tests.
struct EndpointTemplate {
  std::string_view path;
  model::TemplateSource source;
  std::string_view route;
};
EndpointTemplate TemplateFor(const model::HttpTransaction& tx);

}  // namespace gatescope::inventory
