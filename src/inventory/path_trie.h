#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "classify/segment_classifier.h"
#include "core/status.h"
#include "core/string_hash.h"
#include "inventory/distinct_sketch.h"
#include "inventory/endpoint_stats.h"

namespace gatescope::inventory {

// The concrete paths of one API stage (under one greedy route) whose template the gateway
// did not log, as a tree of path segments: what template inference works on, and what lets
// it re-derive every template when thresholds or hints change.
//
// Memory is bounded by the API's shape, not by its traffic:
// - an identifier-like segment (integer, UUID, hash, date, email, mixed id, token) is not kept:
//   it is counted in a "folded" child per lexical class (and file suffix, "42.json"), with a
//   distinct-value sketch and up to three redacted examples;
// - word segments are kept as literal children, at most `max_literal_children` per position;
//   later ones go to an overflow child, which counts as high cardinality;
// - at most `max_nodes` nodes: past that, new paths end in the deepest existing node and are
//   counted as `overflowed`.
// Stats are kept per (node, method) for the requests that end at the node.
//
// Thread-safety: not thread-safe.
class PathTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kMaxExamples = 3;

  enum class NodeKind : uint8_t { kLiteral = 0, kFolded, kOverflow };

  struct Node {
    NodeKind kind = NodeKind::kLiteral;
    classify::SegmentClass cls = classify::SegmentClass::kEmpty;
    std::string label;   // Literal: the segment as received. Folded: "" (see suffix).
    std::string suffix;  // Folded: a file suffix shared by the values (".json"), else "".
    uint32_t parent = kNone;
    uint32_t depth = 0;  // The root is 0; its children are the first path segment.
    std::vector<uint32_t> children;
    DistinctSketch distinct;  // Folded and overflow nodes: the values they stand for.
    // Redacted, sorted, at most kMaxExamples: the first seen when observed, the smallest when
    // merged.
    std::vector<std::string> examples;
    std::vector<std::pair<std::string, EndpointStats>> ops;  // Requests ending here, by method.
  };

  PathTrie(size_t max_literal_children, size_t max_nodes);

  // The node for `path` ("/users/42/orders"), created as needed. Below a literal prefix
  // (a hint), identifier segments are kept literal too.
  uint32_t Observe(std::string_view path, const std::vector<std::string>& literal_prefixes);

  EndpointStats& StatsFor(uint32_t node, std::string_view method);

  // Adds everything `other` holds, as if its paths had been observed here, under this trie's
  // bounds: a word beyond max_literal_children joins its position's overflow child, and past
  // max_nodes what lies below ends in the deepest node reached (counted in overflowed()).
  // While no bound is reached, commutative and associative in everything templating reads
  // (node ids and children order differ; examples are the smallest kMaxExamples). Costs
  // O(nodes of `other`), not of this trie. REQUIRES: &other != this.
  void Merge(const PathTrie& other);

  // Replaces the nodes by decoded ones (inventory_codec.h): kind, cls, label, suffix, parent,
  // distinct, examples and ops are taken; children and depth are derived from the parents.
  // Checked: nodes[0] is the root, every parent precedes its child, kinds and classes are in
  // range, a literal has no suffix, a folded node no label, an overflow node neither and class
  // word, no two siblings share a key, at most kMaxExamples examples, one ops entry per
  // method. Returns kParseError naming what is wrong, leaving the trie unchanged. Bounds
  // (max_literal_children, max_nodes) are not applied: Merge() applies the target's.
  Status Restore(std::vector<Node> nodes, uint64_t overflowed);

  const Node& node(uint32_t id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }
  uint64_t overflowed() const { return overflowed_; }

  // Splits "alice.json" into ("alice", ".json") for the file suffixes APIs put on
  // parameterised segments; ("alice", "") otherwise.
  static std::pair<std::string_view, std::string_view> SplitSuffix(std::string_view segment);

  // True if `path` is one of `prefixes` or below one ("/static" covers "/static/a.css", not
  // "/statics").
  static bool UnderPrefix(std::string_view path, const std::vector<std::string>& prefixes);

 private:
  uint32_t Child(uint32_t parent, std::string_view segment, bool keep_literal);
  uint32_t Lookup(uint32_t parent, NodeKind kind, classify::SegmentClass cls,
                  std::string_view label);
  uint32_t Add(uint32_t parent, NodeKind kind, classify::SegmentClass cls, std::string_view label,
               std::string_view suffix);
  // Counts `value` (a segment, or its stem when folded) in a folded or overflow node: its
  // distinct sketch, and an example from `stem`.
  void NoteValue(uint32_t node, std::string_view value, std::string_view stem);
  // Where `other`'s node `src` goes below `parent` in this trie (created as needed); kNone
  // when the trie is full.
  uint32_t MergeChild(uint32_t parent, const Node& src);
  size_t LiteralChildren(uint32_t parent) const;

  size_t max_literal_children_;
  size_t max_nodes_;
  std::vector<Node> nodes_;
  // (parent, kind, class, label) -> node.
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
  std::string key_;  // Reused lookup key.
  uint64_t overflowed_ = 0;
};

}  // namespace gatescope::inventory
