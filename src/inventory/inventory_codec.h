#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "inventory/inventory.h"

namespace gatescope::inventory {

// The inventory's state ("observations": endpoints the gateway templated, the path trees of
// concrete paths with their sketches, API stages, counters) as a compact, versioned binary
// blob: what the server stores per ingested batch (a delta) and as its snapshot.
//
// Rendering options are not part of the state: a blob merged into an inventory built with
// other thresholds or hints is rendered with those (re-templating applies to stored history).
std::string EncodeInventory(const Inventory& inventory);

// Merges a blob into `*inventory`, as Inventory::Merge of the inventory it encodes.
// A corrupt, truncated or unknown-version blob is kParseError and leaves `*inventory`
// unchanged. Never crashes on any input (fuzzed: inventory_codec_fuzz).
Status MergeEncodedInventory(std::string_view blob, Inventory* inventory);

}  // namespace gatescope::inventory
