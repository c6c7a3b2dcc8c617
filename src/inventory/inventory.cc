#include "inventory/inventory.h"

#include <algorithm>

#include "core/check.h"

namespace gatescope::inventory {
namespace {

bool IsGreedy(std::string_view t) { return t.find("+}") != std::string_view::npos; }

// Names are kept sorted, so that merged inventories list them in one order. Adding keeps the
// first names seen; merging (`smallest`) keeps the smallest, whatever the order of merges.
void AddName(std::vector<std::string>& names, std::string_view name, bool smallest = false) {
  if (name.empty()) return;
  auto it = std::lower_bound(names.begin(), names.end(), name);
  if (it != names.end() && *it == name) return;
  if (names.size() < Inventory::kMaxNames) {
    names.emplace(it, name);
  } else if (smallest && it != names.end()) {
    auto at = it - names.begin();
    names.pop_back();
    names.emplace(names.begin() + at, name);
  }
}

// The smaller of two non-empty values (empty stands for unknown).
void KeepSmallest(std::string& into, const std::string& other) {
  if (!other.empty() && (into.empty() || other < into)) into = other;
}

void MergeStage(ApiStageInfo& into, const ApiStageInfo& other) {
  if (other.kind != model::ApiKind::kUnknown &&
      (into.kind == model::ApiKind::kUnknown || other.kind < into.kind)) {
    into.kind = other.kind;
  }
  KeepSmallest(into.region, other.region);
  KeepSmallest(into.account_id, other.account_id);
  for (const std::string& name : other.domain_names) AddName(into.domain_names, name, true);
  for (const std::string& name : other.log_groups) AddName(into.log_groups, name, true);
  into.requests += other.requests;
  if (other.first_seen_ms >= 0 &&
      (into.first_seen_ms < 0 || other.first_seen_ms < into.first_seen_ms)) {
    into.first_seen_ms = other.first_seen_ms;
  }
  into.last_seen_ms = std::max(into.last_seen_ms, other.last_seen_ms);
}

void AppendKeyPart(std::string& key, std::string_view part) {
  key += part;
  key += '\x1f';
}

}  // namespace

EndpointTemplate TemplateFor(const model::HttpTransaction& tx) {
  using model::TemplateSource;
  if (tx.api_kind == model::ApiKind::kWebSocket) {
    return {tx.route_key, TemplateSource::kRouteKey, {}};
  }
  std::string_view route;
  TemplateSource source = TemplateSource::kConcrete;
  if (!tx.resource_path.empty()) {
    route = tx.resource_path;
    source = tx.resource_path_rebuilt ? TemplateSource::kPathParameters
                                      : TemplateSource::kResourcePath;
  } else if (!tx.route_key.empty() && tx.route_key != "$default") {
    // "GET /pets/{id}" or "ANY /{proxy+}": the template is what follows the verb.
    size_t space = tx.route_key.find(' ');
    route = space == std::string::npos ? std::string_view(tx.route_key)
                                       : std::string_view(tx.route_key).substr(space + 1);
    source = TemplateSource::kRouteKey;
  }
  if (!route.empty() && !(IsGreedy(route) && !tx.path.empty())) return {route, source, {}};
  // No template, or a greedy one that says nothing about what lies beneath: keep the
  // concrete path, and remember which route served it.
  if (!tx.path.empty()) return {tx.path, TemplateSource::kConcrete, route};
  return {route, source, {}};
}

ApiStageInfo& Inventory::StageFor(const model::HttpTransaction& tx, const std::string& api_id) {
  if (last_stage_ != nullptr && last_stage_api_ == api_id && last_stage_name_ == tx.stage) {
    return *last_stage_;
  }
  last_stage_ = &api_stages_[{api_id, tx.stage}];
  last_stage_api_ = api_id;
  last_stage_name_ = tx.stage;
  return *last_stage_;
}

Inventory::Inventory(DiscoveryOptions options) : options_(std::move(options)) {}

std::vector<std::string> LiteralPrefixes(const DiscoveryOptions& options, const std::string& api_id) {
  std::vector<std::string> out;
  for (const TemplateHint& h : options.literal_prefixes) {
    if (h.api_id.empty() || h.api_id == "*" || h.api_id == api_id) out.push_back(h.path);
  }
  return out;
}

bool Inventory::Add(const model::HttpTransaction& tx) {
  bool has_template = !tx.path.empty() || !tx.resource_path.empty() ||
                      (!tx.route_key.empty() && tx.route_key != "$default");
  if ((tx.method.empty() && tx.api_kind != model::ApiKind::kWebSocket) ||
      (tx.api_kind == model::ApiKind::kWebSocket ? tx.route_key.empty() : !has_template)) {
    ++unattributed_;
    return false;
  }
  const std::string& api_id = !tx.api_id.empty()      ? tx.api_id
                              : !tx.log_group.empty() ? tx.log_group
                                                      : (api_buffer_ = "unknown");
  EndpointTemplate t = TemplateFor(tx);

  EndpointStats* stats = nullptr;
  if (t.source == model::TemplateSource::kConcrete) {
    // No template: the path tree of this API stage and route.
    Tree& tree = TreeFor(api_id, tx.stage, t.route);
    stats = &tree.trie.StatsFor(tree.trie.Observe(t.path, tree.literal_prefixes), tx.method);
    if (stats->requests == 0 && stats->content_logged == 0) stats->route.assign(t.route);
  } else {
    stats = &EndpointFor(api_id, tx.stage, tx.method, t.path, t.source);
    // As Merge() does: the smallest source (a logged resource path before a rebuilt one).
    if (t.source < stats->template_source) stats->template_source = t.source;
  }
  stats->Add(tx);
  if (tx.supplement) return true;

  ApiStageInfo& stage = StageFor(tx, api_id);
  ++stage.requests;
  if (tx.request_time_ms >= 0) {
    if (stage.first_seen_ms < 0 || tx.request_time_ms < stage.first_seen_ms) {
      stage.first_seen_ms = tx.request_time_ms;
    }
    stage.last_seen_ms = std::max(stage.last_seen_ms, tx.request_time_ms);
  }
  if (stage.kind == model::ApiKind::kUnknown) stage.kind = tx.api_kind;
  if (stage.region.empty()) stage.region = tx.region;
  if (stage.account_id.empty()) stage.account_id = tx.account_id;
  AddName(stage.domain_names, tx.domain_name);
  AddName(stage.log_groups, tx.log_group);
  return true;
}

Inventory::Tree& Inventory::TreeFor(const std::string& api_id, const std::string& stage,
                                    std::string_view route) {
  key_buffer_.clear();
  for (std::string_view part : {std::string_view(api_id), std::string_view(stage), route}) {
    AppendKeyPart(key_buffer_, part);
  }
  auto it = tree_index_.find(key_buffer_);
  if (it != tree_index_.end()) return *trees_[it->second];
  trees_.push_back(std::make_unique<Tree>(
      Tree{api_id, stage, std::string(route), LiteralPrefixes(options_, api_id),
           PathTrie(options_.max_literal_children, options_.max_nodes)}));
  tree_index_.emplace(key_buffer_, trees_.size() - 1);
  return *trees_.back();
}

EndpointStats& Inventory::EndpointFor(const std::string& api_id, const std::string& stage,
                                      std::string_view method, std::string_view path,
                                      model::TemplateSource source) {
  // The same key shape as a tree's with an empty route, then method and path.
  key_buffer_.clear();
  for (std::string_view part :
       {std::string_view(api_id), std::string_view(stage), std::string_view(), method, path}) {
    AppendKeyPart(key_buffer_, part);
  }
  auto it = index_.find(key_buffer_);
  if (it != index_.end()) return endpoints_[it->second].second;
  EndpointStats fresh;
  fresh.template_source = source;
  endpoints_.emplace_back(EndpointKey{api_id, stage, std::string(method), std::string(path)},
                          std::move(fresh));
  index_.emplace(key_buffer_, endpoints_.size() - 1);
  return endpoints_.back().second;
}

void Inventory::Merge(const Inventory& other) {
  GS_DCHECK(&other != this);
  unattributed_ += other.unattributed_;
  for (const auto& [id, info] : other.api_stages_) MergeStage(api_stages_[id], info);
  for (const auto& [key, stats] : other.endpoints_) {
    EndpointFor(key.api_id, key.stage, key.method, key.path, stats.template_source).Merge(stats);
  }
  for (const auto& tree : other.trees_) {
    TreeFor(tree->api_id, tree->stage, tree->route).trie.Merge(tree->trie);
  }
}

bool Inventory::empty() const {
  return endpoints_.empty() && trees_.empty() && api_stages_.empty() && unattributed_ == 0;
}

Inventory::Snapshot Inventory::Render(const DiscoveryOptions& options) const {
  Snapshot snap;
  snap.api_stages = api_stages_;
  snap.unattributed = unattributed_;
  for (const auto& [key, stats] : endpoints_) snap.endpoints.push_back({key, stats, {}});
  for (const auto& tree : trees_) {
    GatedCounts& gated = snap.gated[{tree->api_id, tree->stage}];
    std::vector<TemplatedEndpoint> templated =
        TemplatePaths(tree->trie, options, LiteralPrefixes(options, tree->api_id));
    // Forced templates (hints) override what inference found, merging what they cover.
    std::map<std::pair<std::string, std::string>, size_t> by_key;
    std::vector<Endpoint> found;
    for (TemplatedEndpoint& t : templated) {
      std::string path = std::move(t.path);
      bool hinted = false;
      for (const TemplateHint& h : options.force_templates) {
        if ((h.api_id.empty() || h.api_id == "*" || h.api_id == tree->api_id) &&
            TemplateMatches(h.path, path)) {
          path = h.path;
          hinted = true;
          break;
        }
      }
      auto [it, inserted] = by_key.emplace(std::make_pair(path, t.method), found.size());
      if (inserted) {
        Endpoint& e = found.emplace_back();
        e.key = EndpointKey{tree->api_id, tree->stage, t.method, path};
        e.stats.template_source = hinted ? model::TemplateSource::kInferred : t.stats.template_source;
        e.evidence = hinted ? std::vector<ParamEvidence>{} : std::move(t.evidence);
        if (hinted) {
          ParamEvidence h;
          h.rule = "hint";
          for (size_t open = path.find('{'); open != std::string::npos;
               open = path.find('{', open + 1)) {
            h.name = path.substr(open + 1, path.find('}', open) - open - 1);
            e.evidence.push_back(h);
          }
        }
      }
      EndpointStats& into = found[it->second].stats;
      model::TemplateSource source = into.template_source;
      into.Merge(t.stats);
      into.template_source = source;
      if (into.route.empty()) into.route = tree->route;
    }
    for (Endpoint& e : found) {
      if (e.stats.requests > 0 && e.stats.answered() == 0) {
        gated.noise_requests += e.stats.requests;
        ++gated.noise_paths;
      } else if (e.stats.requests < options.min_requests) {
        gated.below_threshold_requests += e.stats.requests;
        ++gated.below_threshold_endpoints;
      } else {
        snap.endpoints.push_back(std::move(e));
      }
    }
  }
  // A logged template and a tree (or two trees of one stage) can give the same path and
  // method: route and source break the tie, so that the order never depends on which came
  // first.
  std::sort(snap.endpoints.begin(), snap.endpoints.end(), [](const Endpoint& a, const Endpoint& b) {
    return std::tie(a.key.api_id, a.key.stage, a.key.path, a.key.method, a.stats.route,
                    a.stats.template_source) <
           std::tie(b.key.api_id, b.key.stage, b.key.path, b.key.method, b.stats.route,
                    b.stats.template_source);
  });
  return snap;
}

}  // namespace gatescope::inventory
