#include "inventory/path_trie.h"

#include <algorithm>
#include <cstring>

#include "classify/value_classifier.h"
#include "core/check.h"

namespace gatescope::inventory {
namespace {

using classify::SegmentClass;

// Format suffixes APIs append to a parameterised segment ("/t/{id}.json"). File-type
// extensions (".pdf", ".tar.gz") are not among them: there the segment is a file name, and the
// whole of it is the parameter ("/backups/{filename}").
constexpr std::string_view kSuffixes[] = {".json", ".xml", ".csv", ".html", ".htm", ".ics",
                                          ".txt",  ".yaml", ".yml", ".rss", ".atom", ".jsonld"};


}  // namespace

std::pair<std::string_view, std::string_view> PathTrie::SplitSuffix(std::string_view segment) {
  for (std::string_view suffix : kSuffixes) {
    if (segment.size() > suffix.size() &&
        segment.compare(segment.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return {segment.substr(0, segment.size() - suffix.size()),
              segment.substr(segment.size() - suffix.size())};
    }
  }
  return {segment, {}};
}

bool PathTrie::UnderPrefix(std::string_view path, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (p.empty() || path.substr(0, p.size()) != p) continue;
    if (path.size() == p.size() || p.back() == '/' || path[p.size()] == '/') return true;
  }
  return false;
}

PathTrie::PathTrie(size_t max_literal_children, size_t max_nodes)
    : max_literal_children_(max_literal_children), max_nodes_(std::max<size_t>(max_nodes, 1)) {
  nodes_.emplace_back();  // The root: "/".
}

uint32_t PathTrie::Lookup(uint32_t parent, NodeKind kind, SegmentClass cls,
                          std::string_view label) {
  key_.assign(reinterpret_cast<const char*>(&parent), sizeof(parent));
  key_ += static_cast<char>(kind);
  key_ += static_cast<char>(cls);
  key_ += label;
  auto it = index_.find(key_);
  return it == index_.end() ? kNone : it->second;
}

uint32_t PathTrie::Add(uint32_t parent, NodeKind kind, SegmentClass cls, std::string_view label,
                       std::string_view suffix) {
  // key_ holds the key Lookup() just failed to find.
  uint32_t id = static_cast<uint32_t>(nodes_.size());
  Node& n = nodes_.emplace_back();
  n.kind = kind;
  n.cls = cls;
  n.label.assign(kind == NodeKind::kLiteral ? label : std::string_view());
  n.suffix.assign(suffix);
  n.parent = parent;
  n.depth = nodes_[parent].depth + 1;
  nodes_[parent].children.push_back(id);
  index_.emplace(key_, id);
  return id;
}

uint32_t PathTrie::Child(uint32_t parent, std::string_view segment, bool keep_literal) {
  auto [stem, suffix] = SplitSuffix(segment);
  classify::SegmentInfo info = classify::ClassifySegment(stem);
  bool fold = !keep_literal && classify::IsIdentifierClass(info.cls);
  bool full = nodes_.size() >= max_nodes_;
  if (!fold) {
    uint32_t id = Lookup(parent, NodeKind::kLiteral, SegmentClass::kEmpty, segment);
    if (id != kNone) return id;
    if (!full && LiteralChildren(parent) < max_literal_children_) {
      return Add(parent, NodeKind::kLiteral, info.cls, segment, {});
    }
  }
  // A folded class, or the overflow of a position with too many words.
  NodeKind kind = fold ? NodeKind::kFolded : NodeKind::kOverflow;
  SegmentClass cls = fold ? info.cls : SegmentClass::kWord;
  std::string_view key_suffix = fold ? suffix : std::string_view();
  // Folded children are keyed by class and suffix: "42" and "42.json" are different slots.
  std::string label(key_suffix);
  uint32_t id = Lookup(parent, kind, cls, label);
  if (id == kNone) {
    if (full) return kNone;
    id = Add(parent, kind, cls, label, key_suffix);
  }
  NoteValue(id, fold ? stem : segment, stem);
  return id;
}

void PathTrie::NoteValue(uint32_t node, std::string_view value, std::string_view stem) {
  Node& n = nodes_[node];
  n.distinct.Add(value);
  if (n.examples.size() < kMaxExamples) {
    classify::ValueClass vc = classify::ClassifyValue(stem);
    std::string example = classify::RedactValue(stem, vc.tags);
    auto it = std::lower_bound(n.examples.begin(), n.examples.end(), example);
    if (it == n.examples.end() || *it != example) n.examples.insert(it, std::move(example));
  }
}

size_t PathTrie::LiteralChildren(uint32_t parent) const {
  size_t literals = 0;
  for (uint32_t c : nodes_[parent].children) literals += nodes_[c].kind == NodeKind::kLiteral;
  return literals;
}

uint32_t PathTrie::Observe(std::string_view path, const std::vector<std::string>& literal_prefixes) {
  bool keep_literal = UnderPrefix(path, literal_prefixes);
  uint32_t at = 0;
  size_t pos = path.empty() || path[0] != '/' ? 0 : 1;
  if (path.size() <= 1) return 0;
  while (true) {
    size_t end = path.find('/', pos);
    std::string_view segment =
        path.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    uint32_t next = Child(at, segment, keep_literal);
    if (next == kNone) {
      ++overflowed_;
      return at;
    }
    at = next;
    if (end == std::string_view::npos) return at;
    pos = end + 1;
  }
}

EndpointStats& PathTrie::StatsFor(uint32_t node, std::string_view method) {
  auto& ops = nodes_[node].ops;
  for (auto& [m, stats] : ops) {
    if (m == method) return stats;
  }
  ops.emplace_back(std::string(method), EndpointStats());
  return ops.back().second;
}

uint32_t PathTrie::MergeChild(uint32_t parent, const Node& src) {
  bool full = nodes_.size() >= max_nodes_;
  if (src.kind == NodeKind::kFolded) {
    uint32_t id = Lookup(parent, NodeKind::kFolded, src.cls, src.suffix);
    if (id == kNone && !full) id = Add(parent, NodeKind::kFolded, src.cls, {}, src.suffix);
    return id;
  }
  if (src.kind == NodeKind::kLiteral) {
    uint32_t id = Lookup(parent, NodeKind::kLiteral, SegmentClass::kEmpty, src.label);
    if (id != kNone) return id;
    if (!full && LiteralChildren(parent) < max_literal_children_) {
      return Add(parent, NodeKind::kLiteral, src.cls, src.label, {});
    }
  }
  // An overflow node, or a word this position has no room for: the overflow child.
  uint32_t id = Lookup(parent, NodeKind::kOverflow, SegmentClass::kWord, {});
  if (id == kNone) {
    if (full) return kNone;
    id = Add(parent, NodeKind::kOverflow, SegmentClass::kWord, {}, {});
  }
  if (src.kind == NodeKind::kLiteral) NoteValue(id, src.label, SplitSuffix(src.label).first);
  return id;
}

void PathTrie::Merge(const PathTrie& other) {
  GS_DCHECK(&other != this);
  overflowed_ += other.overflowed_;
  // Where each of other's nodes went here. Parents come before their children (ids grow as
  // nodes are added), so one pass in id order maps every node after its parent.
  std::vector<uint32_t> to(other.nodes_.size(), kNone);
  // Nodes that found no room (and their descendants): their requests end in `to`, their
  // own sketches are not kept.
  std::vector<bool> cut(other.nodes_.size(), false);
  to[0] = 0;
  for (uint32_t i = 0; i < other.nodes_.size(); ++i) {
    const Node& src = other.nodes_[i];
    if (i > 0) {
      uint32_t parent = to[src.parent];
      uint32_t id = cut[src.parent] ? kNone : MergeChild(parent, src);
      cut[i] = id == kNone;
      to[i] = cut[i] ? parent : id;
    }
    uint32_t at = to[i];
    if (!cut[i]) {
      Node& dst = nodes_[at];
      dst.distinct.Merge(src.distinct);
      if (!src.examples.empty()) {
        // The smallest kMaxExamples of both: the same whatever the order of merges.
        std::vector<std::string> all = dst.examples;
        all.insert(all.end(), src.examples.begin(), src.examples.end());
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        if (all.size() > kMaxExamples) all.resize(kMaxExamples);
        dst.examples = std::move(all);
      }
    }
    for (const auto& [method, stats] : src.ops) {
      if (cut[i]) overflowed_ += stats.requests;
      StatsFor(at, method).Merge(stats);
    }
  }
}

Status PathTrie::Restore(std::vector<Node> nodes, uint64_t overflowed) {
  if (nodes.empty()) return ParseError("path tree: no root");
  const Node& root = nodes[0];
  if (root.kind != NodeKind::kLiteral || !root.label.empty() || !root.suffix.empty()) {
    return ParseError("path tree: bad root");
  }
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index;
  index.reserve(nodes.size());
  std::string key;
  for (size_t i = 0; i < nodes.size(); ++i) {
    Node& n = nodes[i];
    n.children.clear();
    if (n.examples.size() > kMaxExamples) return ParseError("path tree: too many examples");
    for (size_t a = 0; a < n.ops.size(); ++a) {
      for (size_t b = 0; b < a; ++b) {
        if (n.ops[a].first == n.ops[b].first) return ParseError("path tree: repeated method");
      }
    }
    if (static_cast<size_t>(n.cls) >= classify::kSegmentClassCount ||
        static_cast<uint8_t>(n.kind) > static_cast<uint8_t>(NodeKind::kOverflow)) {
      return ParseError("path tree: bad node kind or class");
    }
    if (i == 0) {
      n.parent = kNone;
      n.depth = 0;
      continue;
    }
    if (n.parent >= i) return ParseError("path tree: bad parent");
    bool shaped = n.kind == NodeKind::kLiteral  ? n.suffix.empty()
                  : n.kind == NodeKind::kFolded ? n.label.empty()
                                                : n.label.empty() && n.suffix.empty() &&
                                                      n.cls == SegmentClass::kWord;
    if (!shaped) return ParseError("path tree: bad node");
    key.assign(reinterpret_cast<const char*>(&n.parent), sizeof(n.parent));
    key += static_cast<char>(n.kind);
    key += static_cast<char>(n.kind == NodeKind::kLiteral ? SegmentClass::kEmpty : n.cls);
    key += n.kind == NodeKind::kLiteral ? n.label : n.suffix;
    if (!index.emplace(key, static_cast<uint32_t>(i)).second) {
      return ParseError("path tree: repeated node");
    }
    n.depth = nodes[n.parent].depth + 1;
    nodes[n.parent].children.push_back(static_cast<uint32_t>(i));
  }
  nodes_ = std::move(nodes);
  index_ = std::move(index);
  overflowed_ = overflowed;
  return Status::Ok();
}

}  // namespace gatescope::inventory
