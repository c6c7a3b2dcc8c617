#include "server/overview.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "core/time_format.h"
#include "inventory/inventory_json.h"
#include "server/traffic_window.h"

namespace gatescope::server {
namespace {

using Json = nlohmann::ordered_json;
using inventory::Inventory;
using inventory::TrafficSeries;

constexpr int64_t kDayMs = TrafficSeries::kDayMs;
constexpr size_t kListed = 10;  // Endpoints listed per section.

Json Time(int64_t ms) { return ms < 0 ? Json(nullptr) : Json(FormatIso8601(ms)); }
Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

void ErrorCounts(const inventory::EndpointStats& s, uint64_t* client, uint64_t* server) {
  for (const auto& [code, n] : s.status_counts) {
    if (code >= 400 && code < 500) *client += n;
    if (code >= 500 && code < 600) *server += n;
  }
}

// Sums buckets by index; the number of distinct hours is small next to endpoints x hours.
class BucketSum {
 public:
  void Add(const std::vector<TrafficSeries::Bucket>& buckets) {
    for (const TrafficSeries::Bucket& b : buckets) {
      auto [it, fresh] = sums_.try_emplace(b.index, b);
      if (!fresh) it->second.Merge(b);
    }
  }
  std::vector<TrafficSeries::Bucket> Sorted() const {
    std::vector<TrafficSeries::Bucket> out;
    out.reserve(sums_.size());
    for (const auto& [index, b] : sums_) out.push_back(b);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    return out;
  }

 private:
  std::unordered_map<int64_t, TrafficSeries::Bucket> sums_;
};

// The endpoints (indexes) that `keep` selects, first by `before`, at most kListed, as summaries.
template <typename Keep, typename Before>
Json Listed(const Inventory::Snapshot& snap, Keep keep, Before before) {
  std::vector<size_t> picked;
  for (size_t i = 0; i < snap.endpoints.size(); ++i) {
    if (keep(i)) picked.push_back(i);
  }
  size_t shown = std::min(kListed, picked.size());
  std::partial_sort(picked.begin(), picked.begin() + static_cast<std::ptrdiff_t>(shown),
                    picked.end(), before);
  Json out = Json::array();
  for (size_t k = 0; k < shown; ++k) out.push_back(EndpointSummary(snap.endpoints[picked[k]]));
  return out;
}

}  // namespace

OverviewIndex::OverviewIndex(std::shared_ptr<const Inventory::Snapshot> snapshot)
    : snapshot_(std::move(snapshot)) {
  BucketSum hours, days;
  facts_.reserve(snapshot_->endpoints.size());
  for (const Inventory::Endpoint& e : snapshot_->endpoints) {
    Facts& f = facts_.emplace_back();
    f.tags = EndpointTagBits(e.stats);
    f.coverage = AuthCoverageOf(e.stats.auth);
    ErrorCounts(e.stats, &f.client_errors, &f.server_errors);
    hours.Add(e.stats.traffic.hours());
    days.Add(e.stats.traffic.days());
    latest_ms_ = std::max(latest_ms_, e.stats.last_seen_ms);
  }
  hours_ = hours.Sorted();
  days_ = days.Sorted();
}

Json OverviewIndex::Render(int64_t as_of_ms) const {
  const Inventory::Snapshot& snap = *snapshot_;
  const int64_t day_ago = as_of_ms - kDayMs;
  const int64_t week_ago = as_of_ms - 7 * kDayMs;
  const int64_t month_ago = as_of_ms - 30 * kDayMs;
  auto unseen_since = [&](const inventory::EndpointStats& s, int64_t t) {
    return s.last_seen_ms >= 0 && s.last_seen_ms < t;
  };

  // Per API stage, from its endpoints (sorted by api id, stage, like api_stages).
  struct StageSums {
    uint64_t endpoints = 0, requests = 0, client_errors = 0, server_errors = 0, unseen = 0;
  };
  std::map<std::pair<std::string, std::string>, StageSums> stages;
  uint64_t requests = 0, client_errors = 0, server_errors = 0;
  uint64_t new_day = 0, new_week = 0, unseen_week = 0, unseen_month = 0, sensitive = 0;
  std::map<std::string_view, uint64_t> by_scheme;
  for (std::string_view scheme : AuthSchemeNames()) by_scheme[scheme] = 0;
  std::array<uint64_t, 3> coverage{};
  std::map<std::string, uint64_t> by_tag;
  for (size_t i = 0; i < snap.endpoints.size(); ++i) {
    const Inventory::Endpoint& e = snap.endpoints[i];
    const inventory::EndpointStats& s = e.stats;
    const Facts& f = facts_[i];
    StageSums& st = stages[{e.key.api_id, e.key.stage}];
    ++st.endpoints;
    st.requests += s.requests;
    st.client_errors += f.client_errors;
    st.server_errors += f.server_errors;
    requests += s.requests;
    client_errors += f.client_errors;
    server_errors += f.server_errors;
    if (s.first_seen_ms >= day_ago) ++new_day;
    if (s.first_seen_ms >= week_ago) ++new_week;
    if (unseen_since(s, week_ago)) {
      ++unseen_week;
      ++st.unseen;
    }
    if (unseen_since(s, month_ago)) ++unseen_month;
    ++coverage[static_cast<size_t>(f.coverage)];
    for (std::string_view scheme : AuthSchemesSeen(s.auth)) ++by_scheme[scheme];
    if (f.tags != 0) {
      ++sensitive;
      for (const auto& name : inventory::TagNamesToJson(f.tags)) ++by_tag[name.get<std::string>()];
    }
  }

  Json out;
  out["as_of"] = FormatIso8601(as_of_ms);
  out["latest_traffic"] = Time(latest_ms_);
  std::set<std::string_view> api_ids;
  for (const auto& [id, info] : snap.api_stages) api_ids.insert(id.first);
  out["totals"] = Json{{"apis", api_ids.size()},
                       {"stages", snap.api_stages.size()},
                       {"endpoints", snap.endpoints.size()},
                       {"requests", requests},
                       {"client_errors", client_errors},
                       {"server_errors", server_errors},
                       {"unattributed", snap.unattributed}};

  // Account -> region -> API -> stages. An API's stages normally share account and region;
  // one that does not is listed under each.
  std::map<std::pair<std::string, std::string>, std::map<std::string, Json>> groups;
  for (const auto& [id, info] : snap.api_stages) {
    auto found = stages.find(id);
    StageSums sums = found == stages.end() ? StageSums{} : found->second;
    Json& api = groups[{info.account_id, info.region}][id.first];
    if (api.is_null()) {
      api["api_id"] = id.first;
      api["api_url_id"] = ApiUrlId(id.first);
      api["kind"] = model::ApiKindName(info.kind);
      api["domain_names"] = info.domain_names;
      api["endpoints"] = 0;
      api["requests"] = 0;
      api["stages"] = Json::array();
    }
    api["endpoints"] = api["endpoints"].get<uint64_t>() + sums.endpoints;
    api["requests"] = api["requests"].get<uint64_t>() + sums.requests;
    api["stages"].push_back(Json{{"stage", NullIfEmpty(id.second)},
                                 {"endpoints", sums.endpoints},
                                 {"requests", sums.requests},
                                 {"client_errors", sums.client_errors},
                                 {"server_errors", sums.server_errors},
                                 {"first_seen", Time(info.first_seen_ms)},
                                 {"last_seen", Time(info.last_seen_ms)},
                                 {"unseen_endpoints", sums.unseen}});
  }
  Json group_list = Json::array();
  for (auto& [where, apis] : groups) {
    Json list = Json::array();
    for (auto& [id, api] : apis) list.push_back(std::move(api));
    group_list.push_back(Json{{"account_id", NullIfEmpty(where.first)},
                              {"region", NullIfEmpty(where.second)},
                              {"apis", std::move(list)}});
  }
  out["groups"] = std::move(group_list);

  TrafficWindow hourly(as_of_ms, TrafficSeries::kHourMs, TrafficSeries::kHours);
  hourly.Add(hours_);
  TrafficWindow daily(as_of_ms, TrafficSeries::kDayMs, TrafficSeries::kDays);
  daily.Add(days_);
  out["traffic"] = Json{{"hourly", hourly.ToJson(false)}, {"daily", daily.ToJson(false)}};

  const auto& eps = snap.endpoints;
  // Ties in snapshot order, so that the lists are stable.
  auto more_requests = [&](size_t a, size_t b) {
    return eps[a].stats.requests != eps[b].stats.requests ? eps[a].stats.requests > eps[b].stats.requests
                                                          : a < b;
  };
  out["new_endpoints"] = Json{
      {"last_day", new_day},
      {"last_week", new_week},
      {"recent", Listed(snap, [&](size_t i) { return eps[i].stats.first_seen_ms >= week_ago; },
                        [&](size_t a, size_t b) {
                          int64_t ta = eps[a].stats.first_seen_ms, tb = eps[b].stats.first_seen_ms;
                          return ta != tb ? ta > tb : a < b;
                        })}};
  Json schemes = Json::object();
  for (const auto& [scheme, n] : by_scheme) schemes[std::string(scheme)] = n;
  out["auth"] = Json{
      {"authenticated", coverage[static_cast<size_t>(AuthCoverage::kAuthenticated)]},
      {"unauthenticated", coverage[static_cast<size_t>(AuthCoverage::kUnauthenticated)]},
      {"unknown", coverage[static_cast<size_t>(AuthCoverage::kUnknown)]},
      {"by_scheme", std::move(schemes)}};
  out["sensitive"] = Json{{"endpoints", sensitive},
                          {"by_tag", by_tag},
                          {"top", Listed(snap, [&](size_t i) { return facts_[i].tags != 0; },
                                         more_requests)}};
  out["zombies"] = Json{
      {"unseen_7d", unseen_week},
      {"unseen_30d", unseen_month},
      {"top", Listed(snap, [&](size_t i) { return unseen_since(eps[i].stats, week_ago); },
                     more_requests)}};
  return out;
}

}  // namespace gatescope::server
