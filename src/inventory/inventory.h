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
#include "inventory/discovery_options.h"
#include "inventory/endpoint_stats.h"
#include "inventory/path_templater.h"
#include "inventory/path_trie.h"
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

// What the inventory knows of one API stage.
struct ApiStageInfo {
  model::ApiKind kind = model::ApiKind::kUnknown;
  std::string region;
  std::string account_id;
  // Sorted, at most kMaxNames each: the first seen when added, the smallest when merged.
  std::vector<std::string> domain_names;
  std::vector<std::string> log_groups;
  uint64_t requests = 0;
  int64_t first_seen_ms = -1;
  int64_t last_seen_ms = -1;
};

// What a rendering left out of the endpoint list, per API stage: endpoints whose template the
// gateway did not log and that are below the request threshold, or that only ever answered
// 404 (scanners probing paths that match nothing).
struct GatedCounts {
  uint64_t noise_requests = 0;
  uint64_t noise_paths = 0;
  uint64_t below_threshold_requests = 0;
  uint64_t below_threshold_endpoints = 0;
};

// The API inventory: every endpoint seen, with counts, status codes, first and last seen,
// latency and content. The path template comes from $context.resourcePath (REST) or
// $context.routeKey (HTTP, WebSocket) when logged: then it is the truth. Otherwise, and under
// a greedy route ("{proxy+}", "$default"), the concrete paths go into a path tree per API
// stage and route, and templates are inferred when the inventory is rendered: so new
// thresholds or hints apply to the whole history.
//
// Thread-safety: not thread-safe.
class Inventory {
 public:
  static constexpr size_t kMaxNames = 16;

  explicit Inventory(DiscoveryOptions options = {});

  // Adds one transaction. A `supplement` adds its content but is not counted again. Returns
  // false, and counts it unattributed, when it names no endpoint: no method, or no path,
  // resource path or route key (an execution log missing its first lines).
  bool Add(const model::HttpTransaction& tx);

  // Adds everything `other` holds, as if its transactions had been added here. Merging is
  // commutative and associative: the same set of per-batch inventories, merged in any order
  // and grouping, renders the same inventory (what lets several servers share one store), as
  // long as no bound is reached (names per list, literal children and nodes per path tree).
  // Where adding keeps the first value seen, merging keeps the smallest (examples, kinds,
  // regions, names of a full list) and first and last seen are the min and max. The options
  // stay this inventory's: literal-prefix hints only change how Add() folds identifiers.
  // Costs O(size of `other`), not of this inventory. REQUIRES: &other != this.
  void Merge(const Inventory& other);
  // True when nothing was added nor merged.
  bool empty() const;

  struct Endpoint {
    EndpointKey key;
    EndpointStats stats;
    std::vector<ParamEvidence> evidence;  // Inferred path parameters only.
  };
  // Self-contained: what readers need, so a server can render under a lock and serve the
  // snapshot without it.
  struct Snapshot {
    std::vector<Endpoint> endpoints;  // Sorted by (api id, stage, path, method).
    std::map<std::pair<std::string, std::string>, GatedCounts> gated;
    std::map<std::pair<std::string, std::string>, ApiStageInfo> api_stages;  // A copy.
    uint64_t unattributed = 0;
  };
  // Templates, gates and sorts everything seen so far, with the options given at construction
  // or with others: thresholds and template hints apply retroactively to the whole history
  // (literal-prefix hints also keep identifiers literal, which only works from when they
  // were set, since identifiers are folded as they arrive).
  Snapshot Render() const { return Render(options_); }
  Snapshot Render(const DiscoveryOptions& options) const;

  // API stages, sorted by (api id, stage).
  const std::map<std::pair<std::string, std::string>, ApiStageInfo>& api_stages() const {
    return api_stages_;
  }
  uint64_t unattributed() const { return unattributed_; }
  const DiscoveryOptions& options() const { return options_; }

 private:
  friend struct InventoryCodec;  // inventory_codec.cc: encodes and rebuilds the state below.

  ApiStageInfo& StageFor(const model::HttpTransaction& tx, const std::string& api_id);

  DiscoveryOptions options_;
  // Endpoints whose template the gateway logged.
  std::vector<std::pair<EndpointKey, EndpointStats>> endpoints_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_;
  // Concrete paths, per (api id, stage, greedy route or "").
  struct Tree {
    std::string api_id;
    std::string stage;
    std::string route;
    std::vector<std::string> literal_prefixes;
    PathTrie trie;
  };
  std::vector<std::unique_ptr<Tree>> trees_;
  // The path tree of (api id, stage, route), created as needed.
  Tree& TreeFor(const std::string& api_id, const std::string& stage, std::string_view route);
  // The stats of a templated endpoint, created as needed with `source`.
  EndpointStats& EndpointFor(const std::string& api_id, const std::string& stage,
                             std::string_view method, std::string_view path,
                             model::TemplateSource source);
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> tree_index_;

  std::map<std::pair<std::string, std::string>, ApiStageInfo> api_stages_;
  uint64_t unattributed_ = 0;
  std::string key_buffer_;  // Reused to build lookup keys without allocating.
  std::string api_buffer_;
  ApiStageInfo* last_stage_ = nullptr;  // Consecutive lines are usually from one stage.
  std::string last_stage_api_;
  std::string last_stage_name_;
};

// The literal-prefix hints of `options` that apply to `api_id`.
std::vector<std::string> LiteralPrefixes(const DiscoveryOptions& options, const std::string& api_id);

// The endpoint `tx` belongs to, as (method, path, source, route). Exposed for tests.
struct EndpointTemplate {
  std::string_view path;
  model::TemplateSource source;
  std::string_view route;
};
EndpointTemplate TemplateFor(const model::HttpTransaction& tx);

}  // namespace gatescope::inventory
