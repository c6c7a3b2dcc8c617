#include "inventory/inventory.h"

#include <algorithm>

namespace gatescope::inventory {
namespace {

bool IsGreedy(std::string_view t) { return t.find("+}") != std::string_view::npos; }

void AddName(std::vector<std::string>& names, std::string_view name) {
  if (name.empty() || names.size() >= Inventory::kMaxNames) return;
  if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
}

// Counts one more `key` in a short list of (key, count) pairs.
template <typename Key>
void Increment(std::vector<std::pair<Key, uint64_t>>& counts, Key key) {
  auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == key; });
  if (it == counts.end()) {
    counts.emplace_back(key, 1);
  } else {
    ++it->second;
  }
}

void Seen(int64_t t, int64_t* first, int64_t* last) {
  if (t < 0) return;
  if (*first < 0 || t < *first) *first = t;
  if (t > *last) *last = t;
}

void CountName(std::vector<NameCount>& names, std::string_view name, bool lowercase) {
  for (NameCount& n : names) {
    if (lowercase ? EqualsIgnoreCase(n.name, name) : n.name == name) {
      ++n.count;
      return;
    }
  }
  if (names.size() >= Inventory::kMaxFieldNames) return;
  NameCount& n = names.emplace_back();
  n.name.assign(name);
  if (lowercase) LowerAsciiInPlace(n.name);
  n.count = 1;
}

void CountNames(std::vector<NameCount>& names, const model::FieldList& fields, bool lowercase) {
  for (const model::Field& f : fields) CountName(names, f.name, lowercase);
}

void CountBody(std::vector<BodyCount>& bodies, int32_t status, const model::Body& body) {
  if (!body.present || body.text.empty()) return;
  for (BodyCount& b : bodies) {
    if (b.status == status && b.media_type == body.content_type) {
      ++b.count;
      b.truncated += body.truncated ? 1 : 0;
      return;
    }
  }
  if (bodies.size() >= Inventory::kMaxFieldNames) return;
  bodies.push_back({status, body.content_type, 1, body.truncated ? 1u : 0u});
}

// What execution logs tell of a request's content.
void AddContent(const model::HttpTransaction& tx, EndpointStats& s) {
  if (tx.source == model::LogSource::kAccessLog) return;
  ++s.content_logged;
  if (tx.query_params.logged && !tx.query_params.truncated) ++s.query_observed;
  if (tx.request_headers.logged && !tx.request_headers.truncated) ++s.request_headers_observed;
  CountNames(s.query_params, tx.query_params, false);
  CountNames(s.request_headers, tx.request_headers, true);
  CountNames(s.response_headers, tx.response_headers, true);
  CountBody(s.request_bodies, -1, tx.request_body);
  CountBody(s.response_bodies, tx.status, tx.response_body);
  if (tx.partial) ++s.partial;
  if (tx.coverage == model::Coverage::kFull) ++s.coverage_full;
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

  key_buffer_.clear();
  for (std::string_view part : {std::string_view(api_id), std::string_view(tx.stage),
                                std::string_view(tx.method), t.path}) {
    key_buffer_ += part;
    key_buffer_ += '\x1f';
  }
  auto it = index_.find(key_buffer_);
  size_t index;
  if (it == index_.end()) {
    index = endpoints_.size();
    EndpointStats stats;
    stats.template_source = t.source;
    stats.route.assign(t.route);
    endpoints_.emplace_back(EndpointKey{api_id, tx.stage, tx.method, std::string(t.path)},
                            std::move(stats));
    index_.emplace(key_buffer_, index);
  } else {
    index = it->second;
  }
  EndpointStats& s = endpoints_[index].second;
  AddContent(tx, s);
  if (tx.supplement) return true;
  ++s.by_log_source[static_cast<size_t>(tx.source)];
  if (tx.error_kind != model::ErrorKind::kNone) Increment(s.errors, tx.error_kind);
  ++s.requests;
  Increment(s.status_counts, tx.status);
  Seen(tx.request_time_ms, &s.first_seen_ms, &s.last_seen_ms);
  s.response_latency.Add(tx.response_latency_ms);
  s.integration_latency.Add(tx.integration_latency_ms);

  ApiStageInfo& stage = StageFor(tx, api_id);
  ++stage.requests;
  Seen(tx.request_time_ms, &stage.first_seen_ms, &stage.last_seen_ms);
  if (stage.kind == model::ApiKind::kUnknown) stage.kind = tx.api_kind;
  if (stage.region.empty()) stage.region = tx.region;
  if (stage.account_id.empty()) stage.account_id = tx.account_id;
  AddName(stage.domain_names, tx.domain_name);
  AddName(stage.log_groups, tx.log_group);
  return true;
}

std::vector<Inventory::Endpoint> Inventory::SortedEndpoints() const {
  std::vector<Endpoint> out;
  out.reserve(endpoints_.size());
  for (const auto& [key, stats] : endpoints_) out.push_back({&key, &stats});
  std::sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) {
    return std::tie(a.key->api_id, a.key->stage, a.key->path, a.key->method) <
           std::tie(b.key->api_id, b.key->stage, b.key->path, b.key->method);
  });
  return out;
}

}  // namespace gatescope::inventory
