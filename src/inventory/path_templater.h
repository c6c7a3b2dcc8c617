#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "classify/segment_classifier.h"
#include "inventory/discovery_options.h"
#include "inventory/endpoint_stats.h"
#include "inventory/path_trie.h"

namespace gatescope::inventory {

// Why a path position became a parameter: what a user reviewing it needs to agree or to
// write a hint. Rendered as `x-gatescope-evidence`.
struct ParamEvidence {
  std::string name;  // The parameter's name in the template.
  // "identifier_class": identifier-like segments (integers, UUIDs...) were seen there;
  // "value_words": several words that are not vocabulary (names, codes) share the position;
  // "high_cardinality": many distinct words share it; "hint": a user's template.
  std::string rule;
  uint64_t distinct_values = 0;  // Estimated distinct segments merged.
  uint64_t requests = 0;
  std::vector<std::pair<classify::SegmentClass, uint64_t>> classes;  // Distinct values by class.
  std::vector<std::string> constant_siblings;  // Words kept literal beside it (at most 10).
  std::vector<std::string> examples;           // Redacted (at most 3).
};

// One endpoint derived from a path tree.
struct TemplatedEndpoint {
  std::string path;    // "/users/{userId}/orders"
  std::string method;
  EndpointStats stats;
  std::vector<ParamEvidence> evidence;  // One per inferred parameter, in path order.
};

// Derives templates from a path tree: the pure "rendering" step, so new thresholds or hints
// re-template the whole history. At each position, identifier-like segments make a parameter;
// words join it when they are not vocabulary, or when there are many of them, unless they
// are heavy (far more requests than a typical value) or shaped differently (other methods or
// sub-paths): constant siblings like "/users/me" stay literal. Under a literal-prefix hint no
// word is merged. Forced templates are applied afterwards by ApplyTemplateHints.
std::vector<TemplatedEndpoint> TemplatePaths(const PathTrie& trie, const DiscoveryOptions& options,
                                             const std::vector<std::string>& literal_prefixes);

// True if `tmpl` ("/files/{name}") matches `path`, a template or a concrete path: literal
// segments equal, a parameter matching any one segment.
bool TemplateMatches(std::string_view tmpl, std::string_view path);

}  // namespace gatescope::inventory
