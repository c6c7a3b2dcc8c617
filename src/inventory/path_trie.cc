#include "inventory/path_trie.h"

#include <algorithm>
#include <cstring>

#include "classify/value_classifier.h"

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
    size_t literals = 0;
    for (uint32_t c : nodes_[parent].children) literals += nodes_[c].kind == NodeKind::kLiteral;
    if (!full && literals < max_literal_children_) {
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
  Node& n = nodes_[id];
  n.distinct.Add(fold ? stem : segment);
  if (n.examples.size() < kMaxExamples) {
    classify::ValueClass vc = classify::ClassifyValue(stem);
    std::string example = classify::RedactValue(stem, vc.tags);
    if (std::find(n.examples.begin(), n.examples.end(), example) == n.examples.end()) {
      n.examples.push_back(std::move(example));
    }
  }
  return id;
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

}  // namespace gatescope::inventory
