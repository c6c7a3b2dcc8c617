#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/inventory.h"

namespace gatescope::inventory {

// Facts about the run that produced an inventory, written alongside it.
struct RunInfo {
  int64_t generated_at_ms = 0;
  std::vector<std::pair<std::string, uint64_t>> counters;  // "events_read" -> 12, ...
  std::vector<std::pair<std::string, uint64_t>> drops;     // "invalid_json" -> 1, ...
};

// Serializes the inventory as JSON, in the shape documented in docs/specs/inventory.md
// (format "gatescope.inventory/v1"). Deterministic: sorted APIs, endpoints and status codes.
std::string InventoryToJson(const Inventory& inventory, const RunInfo& run);
// The same from a snapshot already rendered (rendering templates the whole history: do it once).
std::string InventoryToJson(const Inventory& inventory, const Inventory::Snapshot& snapshot,
                            const RunInfo& run);
// The same from the snapshot alone (it carries the API stages): what a server renders under a
// lock and serves without it.
std::string InventoryToJson(const Inventory::Snapshot& snapshot, const RunInfo& run);

// One endpoint as the inventory document's "endpoints" entries show it (method, path,
// template_source, route, parameters_inferred, requests, status_codes, ..., content, auth).
nlohmann::ordered_json EndpointToJson(const Inventory::Endpoint& endpoint);

// One API stage as the inventory document's "apis" entries show it, without "endpoints":
// api_id, stage, kind, region, account_id, domain_names, log_groups, requests, first_seen,
// last_seen, and "gated" when `gated` is not null.
nlohmann::ordered_json ApiStageToJson(const std::pair<std::string, std::string>& id,
                                      const ApiStageInfo& info, const GatedCounts* gated);

// Why a path parameter was inferred, as the inventory and OpenAPI `x-gatescope-evidence` show it.
nlohmann::ordered_json EvidenceToJson(const ParamEvidence& evidence);

// Sensitive-data tag bits as their names: ["email", "card_number"].
nlohmann::ordered_json TagNamesToJson(uint32_t tags);

// A body schema's sensitive fields: [{"pointer", "sensitive": [tags], "count",
// "example_redacted"}], in schema order; empty when none.
nlohmann::ordered_json SensitiveFieldsToJson(const SchemaSketch& schema);

// What requests showed of authentication; null when nothing was seen.
nlohmann::ordered_json AuthToJson(const AuthStats& auth);

}  // namespace gatescope::inventory
