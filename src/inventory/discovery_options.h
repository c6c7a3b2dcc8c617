#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace gatescope::inventory {

// A user's correction to template inference, applied to the whole history (the path tree
// keeps what is needed to re-derive templates).
struct TemplateHint {
  std::string api_id;  // "" or "*": every API.
  std::string path;    // "/files/{name}": force this template; "/static": keep literal below.
};

// Thresholds of template inference and noise gating. The defaults are what the accuracy
// benchmark (bench/accuracy) was tuned on; docs/specs/discovery.md explains each.
struct DiscoveryOptions {
  // Noise gating, for endpoints whose template the gateway did not log: an endpoint joins the
  // inventory after this many requests; one that only ever answered 404 is scanner noise.
  uint64_t min_requests = 2;

  // Path inference. A position becomes a parameter when identifier-like segments (integers,
  // UUIDs, hashes, dates, emails, mixed ids) are seen there, or when at least
  // `min_distinct_values` value-like words (not vocabulary: names, codes) share it, or when
  // `high_cardinality` distinct words of one shape (same methods and sub-paths) do.
  size_t min_distinct_values = 4;
  size_t high_cardinality = 16;
  // A vocabulary word beside a parameter stays a literal ("/users/me") when it has this many
  // times the median requests of the parameter's values, or a different response shape.
  double heavy_sibling_factor = 4.0;
  // Response shapes (the top-level keys of 2xx JSON bodies) are alike when this share of a
  // word's keys are also keys of the parameter's other values.
  double shape_similarity = 0.6;
  // Bounds of the path tree: literal children per position, and nodes per API stage.
  size_t max_literal_children = 256;
  size_t max_nodes = 100000;

  std::vector<TemplateHint> force_templates;
  std::vector<TemplateHint> literal_prefixes;
};

// Reads options from a JSON document:
//   {"min_requests": 2, "min_distinct_values": 4, "high_cardinality": 50,
//    "heavy_sibling_factor": 4, "shape_similarity": 0.6,
//    "templates": [{"api": "a1b2c3", "path": "/files/{name}"}],
//    "literal_prefixes": [{"api": "*", "path": "/static"}]}
// Unknown keys and bad values are errors naming the key.
Result<DiscoveryOptions> ParseDiscoveryOptions(std::string_view json);

}  // namespace gatescope::inventory
