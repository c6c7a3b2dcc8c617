#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/inventory.h"
#include "inventory/traffic_series.h"
#include "server/endpoint_query.h"

namespace gatescope::server {

// GET /v1/overview: the dashboard's first page in one answer (docs/specs/dashboard.md).
// What depends only on the inventory (each endpoint's tags and auth coverage, the traffic of
// all endpoints summed) is computed once per rendered snapshot, which is the costly part
// (tags walk every body schema); Render() for a given "now" is then one light pass.
//
// Thread-safety: immutable once built; Render() from any thread.
class OverviewIndex {
 public:
  explicit OverviewIndex(std::shared_ptr<const inventory::Inventory::Snapshot> snapshot);

  const inventory::Inventory::Snapshot& snapshot() const { return *snapshot_; }

  // The overview as of `as_of_ms`: windows end with the hour and day that hold it; "new" and
  // "unseen" are measured back from it.
  nlohmann::ordered_json Render(int64_t as_of_ms) const;

 private:
  struct Facts {
    uint32_t tags = 0;
    AuthCoverage coverage = AuthCoverage::kUnknown;
    uint64_t client_errors = 0;
    uint64_t server_errors = 0;
  };
  std::shared_ptr<const inventory::Inventory::Snapshot> snapshot_;
  std::vector<Facts> facts_;  // One per snapshot endpoint, in its order.
  std::vector<inventory::TrafficSeries::Bucket> hours_;  // Every endpoint's, summed; sorted.
  std::vector<inventory::TrafficSeries::Bucket> days_;
  int64_t latest_ms_ = -1;  // The newest request seen, -1 if none.
};

}  // namespace gatescope::server
