#include "inventory/path_templater.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/ascii.h"
#include "classify/value_classifier.h"

namespace gatescope::inventory {
namespace {

using classify::SegmentClass;
using NodeKind = PathTrie::NodeKind;

constexpr size_t kMaxSiblingsShown = 10;

// A literal segment in a template: braces would read as a parameter, so they are encoded.
void AppendLiteral(std::string& out, std::string_view label) {
  for (char c : label) {
    if (c == '{') {
      out += "%7B";
    } else if (c == '}') {
      out += "%7D";
    } else {
      out += c;
    }
  }
}

size_t WordTokens(std::string_view s) {
  size_t tokens = s.empty() ? 0 : 1;
  for (char c : s) tokens += (c == '-' || c == '_' || c == '.' || c == '~' || c == '+');
  return tokens;
}

// Vocabulary: what an API designer writes in a path ("users", "check-otp", "v2", "me"), as
// opposed to values (names, codes, long slugs).
bool IsVocabulary(std::string_view label) {
  std::string_view stem = PathTrie::SplitSuffix(label).first;
  if (stem.size() <= 2) return true;
  classify::SegmentInfo info = classify::ClassifySegment(stem);
  if (info.cls == SegmentClass::kVersion) return true;
  if (info.cls != SegmentClass::kWord) return false;
  return info.dictionary_share >= 0.7f && info.gibberish < 0.7f && WordTokens(stem) <= 3;
}

// "users" -> "user", "categories" -> "category", "convert_video" -> "convertVideo".
std::string ParamBase(std::string_view word) {
  std::string s(word);
  LowerAsciiInPlace(s);
  if (s.size() > 3 && s.ends_with("ies")) {
    s.replace(s.size() - 3, 3, "y");
  } else if (s.size() > 3 && (s.ends_with("ses") || s.ends_with("xes") || s.ends_with("ches"))) {
    s.resize(s.size() - 2);
  } else if (s.size() > 3 && s.back() == 's' && s[s.size() - 2] != 's') {
    s.pop_back();
  }
  std::string out;
  bool upper = false;
  for (char c : s) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = !out.empty();
      continue;
    }
    if (out.empty() && c >= '0' && c <= '9') continue;
    out += upper ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

struct Group {
  NodeKind kind = NodeKind::kLiteral;
  SegmentClass cls = SegmentClass::kEmpty;
  std::string label;
  std::string suffix;
  std::vector<uint32_t> nodes;
  uint64_t requests = 0;
  uint64_t answered = 0;
};

class Templater {
 public:
  Templater(const PathTrie& trie, const DiscoveryOptions& options,
            const std::vector<std::string>& literal_prefixes)
      : trie_(trie), options_(options), literal_prefixes_(literal_prefixes) {}

  std::vector<TemplatedEndpoint> Run() {
    ComputeTotals();
    Walk({0}, "", {}, {});
    return std::move(out_);
  }

 private:
  // Requests ending at or below each node. Children are created after their parent, so one
  // pass from the last node to the first sees every child before its parent.
  void ComputeTotals() {
    requests_.assign(trie_.size(), 0);
    answered_.assign(trie_.size(), 0);
    for (size_t i = trie_.size(); i-- > 0;) {
      const PathTrie::Node& n = trie_.node(static_cast<uint32_t>(i));
      for (const auto& [method, stats] : n.ops) {
        requests_[i] += stats.requests;
        answered_[i] += stats.answered();
      }
      if (n.parent != PathTrie::kNone) {
        requests_[n.parent] += requests_[i];
        answered_[n.parent] += answered_[i];
      }
    }
  }

  void Emit(const std::vector<uint32_t>& nodes, const std::string& prefix,
            const std::vector<ParamEvidence>& evidence) {
    std::map<std::string, size_t> by_method;
    for (uint32_t id : nodes) {
      for (const auto& [method, stats] : trie_.node(id).ops) {
        auto [it, inserted] = by_method.emplace(method, out_.size());
        if (inserted) {
          TemplatedEndpoint& e = out_.emplace_back();
          e.path = prefix.empty() ? "/" : prefix;
          e.method = method;
          e.evidence = evidence;
          e.stats.template_source =
              evidence.empty() ? model::TemplateSource::kConcrete : model::TemplateSource::kInferred;
        }
        EndpointStats& into = out_[it->second].stats;
        model::TemplateSource source = into.template_source;
        into.Merge(stats);
        into.template_source = source;
      }
    }
  }

  // What a position's merged values look like: the methods and sub-paths they have.
  struct Shape {
    std::set<std::string> methods;
    std::set<std::string> children;
    std::set<std::string> response_keys;  // Top-level keys of 2xx JSON responses.
  };
  void AddShape(const Group& g, Shape& shape) const {
    for (uint32_t id : g.nodes) {
      const PathTrie::Node& n = trie_.node(id);
      for (const auto& [method, stats] : n.ops) shape.methods.insert(method);
      for (uint32_t c : n.children) shape.children.insert(ChildKey(trie_.node(c)));
      const std::set<std::string>& keys = ResponseKeys(id);
      shape.response_keys.insert(keys.begin(), keys.end());
    }
  }
  // Memoised: rendering a schema is the costly part of a shape.
  const std::set<std::string>& ResponseKeys(uint32_t id) const {
    auto [it, inserted] = response_keys_.try_emplace(id);
    if (!inserted) return it->second;
    for (const auto& [method, stats] : trie_.node(id).ops) {
      for (const BodyCount& b : stats.response_bodies) {
        if (b.status < 200 || b.status > 299 || b.schema.bodies() == 0) continue;
        nlohmann::ordered_json schema = b.schema.ToJsonSchema(DefaultSchemaOptions());
        if (!schema.contains("properties")) continue;
        for (const auto& [key, value] : schema["properties"].items()) it->second.insert(key);
      }
    }
    return it->second;
  }
  // The share of `own` keys the cluster has too: a value's responses show a subset of the
  // optional keys, so containment, not Jaccard.
  static double Similarity(const std::set<std::string>& own, const std::set<std::string>& cluster) {
    size_t common = 0;
    for (const std::string& k : own) common += cluster.count(k);
    return static_cast<double>(common) / static_cast<double>(own.size());
  }
  static std::string ChildKey(const PathTrie::Node& n) {
    if (n.kind == NodeKind::kLiteral) return "L" + n.label;
    return std::string(1, n.kind == NodeKind::kFolded ? 'F' : 'O') + n.suffix;
  }
  std::string ShapeKey(const Group& g) const {
    Shape own;
    AddShape(g, own);
    std::string key;
    for (const std::string& m : own.methods) key += m + ' ';
    key += '|';
    for (const std::string& c : own.children) key += c + ' ';
    return key + '|' + g.suffix;
  }
  bool FitsShape(const Group& g, const Shape& cluster) const {
    Shape own;
    AddShape(g, own);
    // Responses of another shape: a constant sibling ("/articles/feed" beside articles).
    if (!own.response_keys.empty() && !cluster.response_keys.empty() &&
        Similarity(own.response_keys, cluster.response_keys) < options_.shape_similarity) {
      return false;
    }
    return std::includes(cluster.methods.begin(), cluster.methods.end(), own.methods.begin(),
                         own.methods.end()) &&
           std::includes(cluster.children.begin(), cluster.children.end(), own.children.begin(),
                         own.children.end());
  }

  // Distinct values a folded group stands for (at least 1).
  uint64_t Distinct(const Group& g) const {
    DistinctSketch merged;
    for (uint32_t id : g.nodes) merged.Merge(trie_.node(id).distinct);
    return std::max<uint64_t>(1, merged.Estimate());
  }

  std::string NameFor(const std::vector<const Group*>& members, const std::string& parent,
                      std::set<std::string>& used) const {
    bool ids = true;
    SegmentClass only = members.front()->cls;
    for (const Group* g : members) {
      ids &= g->kind == NodeKind::kFolded && g->cls != SegmentClass::kDate &&
             g->cls != SegmentClass::kEmail;
      if (g->cls != only) only = SegmentClass::kEmpty;
    }
    std::string base;
    if (parent.size() >= 3 && IsVocabulary(parent)) base = ParamBase(parent);
    if (base.empty()) {
      base = only == SegmentClass::kDate ? "date" : only == SegmentClass::kEmail ? "email"
             : ids                       ? "id"
                                         : "name";
    } else if (ids) {
      base += "Id";
    }
    std::string name = base;
    for (int n = 2; !used.insert(name).second; ++n) name = base + std::to_string(n);
    return name;
  }

  ParamEvidence EvidenceFor(const std::vector<const Group*>& members,
                            const std::vector<const Group*>& constants, std::string rule) const {
    ParamEvidence e;
    e.rule = std::move(rule);
    std::map<SegmentClass, uint64_t> classes;
    for (const Group* g : members) {
      e.requests += g->requests;
      const PathTrie::Node& first = trie_.node(g->nodes.front());
      if (g->kind == NodeKind::kLiteral) {
        SegmentClass cls = classify::ClassifySegment(PathTrie::SplitSuffix(g->label).first).cls;
        ++classes[cls];
        if (e.examples.size() < PathTrie::kMaxExamples) {
          std::string_view stem = PathTrie::SplitSuffix(g->label).first;
          e.examples.push_back(
              classify::RedactValue(stem, classify::ClassifyValue(stem).tags | classify::kTagCredential));
        }
        continue;
      }
      classes[g->cls] += Distinct(*g);
      for (const std::string& x : first.examples) {
        if (e.examples.size() < PathTrie::kMaxExamples) e.examples.push_back(x);
      }
    }
    for (const auto& [cls, n] : classes) {
      e.classes.emplace_back(cls, n);
      e.distinct_values += n;
    }
    for (const Group* g : constants) {
      if (e.constant_siblings.size() < kMaxSiblingsShown) e.constant_siblings.push_back(g->label);
    }
    return e;
  }

  void Walk(const std::vector<uint32_t>& nodes, const std::string& prefix,
            const std::vector<ParamEvidence>& evidence, std::set<std::string> used) {
    Emit(nodes, prefix, evidence);

    // The children of every node in the group, by what they are.
    std::map<std::string, Group> groups;
    for (uint32_t id : nodes) {
      for (uint32_t c : trie_.node(id).children) {
        const PathTrie::Node& n = trie_.node(c);
        Group& g = groups[ChildKey(n) + static_cast<char>(n.cls)];
        g.kind = n.kind;
        g.cls = n.cls;
        g.label = n.label;
        g.suffix = n.kind == NodeKind::kLiteral ? std::string(PathTrie::SplitSuffix(n.label).second)
                                                : n.suffix;
        g.nodes.push_back(c);
        g.requests += requests_[c];
        g.answered += answered_[c];
      }
    }
    if (groups.empty()) return;

    bool keep_literal = PathTrie::UnderPrefix(prefix.empty() ? "/" : prefix, literal_prefixes_);
    std::string parent;
    if (size_t slash = prefix.rfind('/'); slash != std::string::npos &&
                                          prefix.find('{', slash) == std::string::npos) {
      parent = std::string(PathTrie::SplitSuffix(std::string_view(prefix).substr(slash + 1)).first);
    }

    std::set<std::string> suffixes;
    for (const auto& [key, g] : groups) suffixes.insert(g.suffix);
    std::set<const Group*> merged;
    for (const std::string& suffix : suffixes) {
      std::vector<const Group*> folds, words, noise, valueish;
      for (const auto& [key, g] : groups) {
        if (g.suffix != suffix) continue;
        if (g.answered == 0) {
          noise.push_back(&g);  // Answered nothing: no evidence, but merges into a parameter.
        } else if (g.kind != NodeKind::kLiteral) {
          folds.push_back(&g);
        } else {
          words.push_back(&g);
          if (!IsVocabulary(g.label)) valueish.push_back(&g);
        }
      }
      // Many words of one shape (same methods, same sub-paths) are values too: tags, slugs.
      std::map<std::string, size_t> shapes;
      size_t same_shape = 0;
      for (const Group* g : words) same_shape = std::max(same_shape, ++shapes[ShapeKey(*g)]);
      bool word_evidence =
          !keep_literal && (valueish.size() >= options_.min_distinct_values ||
                            same_shape >= options_.high_cardinality);
      if (folds.empty() && !word_evidence) continue;

      std::vector<const Group*> members = folds;
      std::vector<const Group*> constants;
      if (keep_literal) {
        constants = words;
      } else {
        members.insert(members.end(), noise.begin(), noise.end());
        Shape cluster;
        // The most any one value got: a constant sibling is heavy beyond a multiple of it.
        // (Not the median: value popularity is Zipf-like, so the top values are far above it.)
        uint64_t busiest = 1;
        const std::vector<const Group*>& values = valueish.empty() ? words : valueish;
        for (const Group* g : values) {
          AddShape(*g, cluster);
          if (&values != &words) busiest = std::max(busiest, g->requests);
        }
        for (const Group* g : folds) {
          AddShape(*g, cluster);
          busiest = std::max(busiest, g->requests / Distinct(*g));
        }
        double typical = static_cast<double>(busiest);
        for (const Group* g : words) {
          bool value = std::find(valueish.begin(), valueish.end(), g) != valueish.end();
          bool heavy = static_cast<double>(g->requests) >= options_.heavy_sibling_factor * typical &&
                       g->requests > 2;
          // A vocabulary word joins a parameter its shape fits unless it is heavy: beside
          // identifiers only, "heavy" is against their mean per value ("/users/me").
          bool joins = value ? (word_evidence || FitsShape(*g, cluster))
                             : (!heavy && FitsShape(*g, cluster));
          (joins ? members : constants).push_back(g);
        }
      }
      std::string rule = !folds.empty() && !word_evidence ? "identifier_class"
                         : valueish.size() >= options_.min_distinct_values ? "value_words"
                                                                            : "high_cardinality";
      if (folds.empty() && members.size() == noise.size()) continue;  // Noise only.
      std::vector<uint32_t> member_nodes;
      for (const Group* g : members) {
        merged.insert(g);
        member_nodes.insert(member_nodes.end(), g->nodes.begin(), g->nodes.end());
      }
      ParamEvidence e = EvidenceFor(members, constants, rule);
      std::set<std::string> names = used;  // Each slot is its own template.
      e.name = NameFor(members, parent, names);
      std::vector<ParamEvidence> next = evidence;
      next.push_back(e);
      Walk(member_nodes, prefix + "/{" + e.name + "}" + suffix, next, names);
    }
    for (const auto& [key, g] : groups) {
      if (merged.count(&g) > 0) continue;
      std::string path = prefix + "/";
      // A folded class that answered nothing (scanner noise) is still rendered, to be counted.
      if (g.kind == NodeKind::kLiteral) {
        AppendLiteral(path, g.label);
      } else {
        path += "{id}" + g.suffix;
      }
      Walk(g.nodes, path, evidence, used);
    }
  }

  const PathTrie& trie_;
  const DiscoveryOptions& options_;
  const std::vector<std::string>& literal_prefixes_;
  std::vector<uint64_t> requests_;
  std::vector<uint64_t> answered_;
  std::vector<TemplatedEndpoint> out_;
  mutable std::map<uint32_t, std::set<std::string>> response_keys_;
};

}  // namespace

std::vector<TemplatedEndpoint> TemplatePaths(const PathTrie& trie, const DiscoveryOptions& options,
                                             const std::vector<std::string>& literal_prefixes) {
  return Templater(trie, options, literal_prefixes).Run();
}

bool TemplateMatches(std::string_view tmpl, std::string_view path) {
  auto next = [](std::string_view& s) {
    if (!s.empty() && s[0] == '/') s.remove_prefix(1);
    size_t slash = s.find('/');
    std::string_view seg = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
    return seg;
  };
  while (!tmpl.empty() || !path.empty()) {
    if (tmpl.empty() != path.empty()) return false;
    std::string_view t = next(tmpl);
    std::string_view p = next(path);
    size_t open = t.find('{');
    if (open == std::string_view::npos) {
      if (t != p) return false;
      continue;
    }
    // "{name}.json": the literal text around the parameter must match.
    size_t close = t.find('}', open);
    if (close == std::string_view::npos) return t == p;
    std::string_view before = t.substr(0, open), after = t.substr(close + 1);
    if (p.size() < before.size() + after.size() + 1 || !p.starts_with(before) ||
        !p.ends_with(after)) {
      return false;
    }
  }
  return true;
}

}  // namespace gatescope::inventory
