// MergeEncodedInventory on arbitrary bytes (src/inventory/inventory_codec.h): never crashes,
// a rejected blob leaves the target unchanged, and what it accepts encodes to a blob that
// decodes again to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "inventory/inventory.h"
#include "inventory/inventory_codec.h"
#include "model/http_transaction.h"

namespace {

using gatescope::inventory::EncodeInventory;
using gatescope::inventory::Inventory;
using gatescope::inventory::MergeEncodedInventory;

// An inventory that already holds a logged template, a path tree and a stage, so that merging
// meets existing nodes and endpoints.
void Fill(Inventory* inv) {
  gatescope::model::HttpTransaction tx;
  tx.api_id = "a1";
  tx.stage = "prod";
  tx.method = "GET";
  tx.status = 200;
  tx.request_time_ms = 1000;
  tx.response_latency_ms = 12;
  tx.path = "/users/42";
  tx.resource_path = "/users/{id}";
  inv->Add(tx);
  tx.resource_path.clear();
  for (const char* p : {"/files/a.json", "/files/7", "/x/y/z"}) {
    tx.path = p;
    inv->Add(tx);
  }
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);

  Inventory fresh;
  bool accepted = MergeEncodedInventory(blob, &fresh).ok();
  Check(accepted || fresh.empty());

  Inventory holding;
  Fill(&holding);
  std::string before = EncodeInventory(holding);
  bool accepted_too = MergeEncodedInventory(blob, &holding).ok();
  Check(accepted == accepted_too);
  if (!accepted_too) Check(EncodeInventory(holding) == before);

  if (accepted) {
    // What was accepted (re-bounded by Merge) encodes and decodes again, to the same bytes.
    std::string again = EncodeInventory(fresh);
    Inventory round;
    Check(MergeEncodedInventory(again, &round).ok());
    Check(EncodeInventory(round) == again);
    (void)fresh.Render();
    Check(MergeEncodedInventory(EncodeInventory(holding), &round).ok());
  }
  return 0;
}
