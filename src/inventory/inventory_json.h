#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

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

}  // namespace gatescope::inventory
