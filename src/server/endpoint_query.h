#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "inventory/inventory.h"

namespace gatescope::server {

// A stable endpoint id: the first 16 hex digits of SHA-256(api_id \0 stage \0 method \0 path).
std::string EndpointId(const inventory::EndpointKey& key);
// A stable API id for the URL: the API id itself when it is URL-safe ([A-Za-z0-9_-]+, as
// API Gateway ids are), else "g" + 16 hex digits of its SHA-256 (log group names).
std::string ApiUrlId(std::string_view api_id);

// What requests to an endpoint showed of credentials, for auth coverage: authenticated when
// some request carried one (any scheme, a masked Authorization header included) or ran an
// authorizer; unauthenticated when requests showed their headers and none did; unknown when
// nothing showed either way (access logs alone).
enum class AuthCoverage { kAuthenticated, kUnauthenticated, kUnknown };
AuthCoverage AuthCoverageOf(const inventory::AuthStats& auth);
std::string_view AuthCoverageName(AuthCoverage coverage);

// The auth schemes a summary lists, in order: none, bearer, basic, sigv4, api_key,
// authorizer, iam.
std::vector<std::string_view> AuthSchemesSeen(const inventory::AuthStats& auth);
const std::vector<std::string_view>& AuthSchemeNames();

// The sensitive-data tags (classify::SensitiveTag bits) of an endpoint's parameters and bodies.
uint32_t EndpointTagBits(const inventory::EndpointStats& stats);

// A time query parameter: ISO 8601 or milliseconds since 1970 (not negative).
std::optional<int64_t> ParseTimeParam(std::string_view text);

// GET /v1/endpoints query parameters.
struct EndpointFilter {
  std::string api;     // api=: API id (or ApiUrlId).
  std::string stage;   // stage=
  std::string method;  // method=: compared ignoring case.
  std::string text;    // q=: substring of the path, ignoring case.
  std::vector<std::string> tags;  // tag= (repeatable): sensitive-data tags, all required.
  std::string source;  // source=gateway|inferred|concrete.
  std::string auth;    // auth=none|bearer|basic|sigv4|api_key|authorizer|iam: seen on it;
                       // auth=authenticated|unauthenticated|unknown: its AuthCoverage.
  std::string status_class;  // status=2xx|3xx|4xx|5xx: seen on it.
  int64_t seen_since_ms = -1;   // since=: last seen at or after (ISO 8601 or unix ms).
  int64_t unseen_since_ms = -1; // unseen_since=: last seen before (possible zombies).
  int64_t new_since_ms = -1;    // new_since=: first seen at or after.
  bool sensitive = false;       // sensitive=true: any sensitive-data tag.
  std::string account;          // account=: the API stage's AWS account.
  std::string region;           // region=: the API stage's region.
  std::string sort = "path";    // sort=path|requests|last_seen|first_seen (desc for counts/times).
  size_t limit = 100;           // limit=1..1000.
  std::string cursor;           // cursor=: opaque, from the previous page's next_cursor.
};

// Parses the query parameters; an unknown parameter or bad value is an error naming it
// (kInvalidArgument: "limit: must be 1..1000"), as is a parameter other than `tag` given twice
// and a cursor that was edited or made for another sort order. An empty value is the same as
// no parameter (forms send empty fields).
Result<EndpointFilter> ParseEndpointFilter(const std::multimap<std::string, std::string>& params);

// {"endpoints":[summary...], "total": n, "next_cursor": "..."|null}: summaries (id, api_id,
// api_url_id, stage, method, path, template_source, route, requests, status classes, errors,
// first/last seen, latency p50/p95/p99, auth schemes seen, sensitive-data tags) in the
// filter's order. "total" counts every endpoint the filters match, whatever the cursor. The
// cursor encodes the sort key of the last item (and its id, to detect edits) so that pages
// stay consistent while the inventory grows: no endpoint is listed twice, and none present
// throughout is skipped. Ties in counts and times are broken by (path, method, api, stage).
// Linear in the snapshot; summaries are built for the returned page only.
// REQUIRES: `filter` from ParseEndpointFilter (a cursor it would reject gives an empty page).
nlohmann::ordered_json ListEndpoints(const inventory::Inventory::Snapshot& snapshot,
                                     const EndpointFilter& filter);

// One item of ListEndpoints.
nlohmann::ordered_json EndpointSummary(const inventory::Inventory::Endpoint& endpoint);

// The full endpoint (as in the inventory document, plus id, api_id, api_url_id, stage, source,
// auth_schemes, auth_coverage, tags and traffic (TrafficWindow's EndpointTrafficJson);
// "parameters_inferred" holds the evidence for inferred parameters), or
// nullopt when no endpoint has this id. Linear: hashes every key.
std::optional<nlohmann::ordered_json> EndpointDetail(const inventory::Inventory::Snapshot& snapshot,
                                                     std::string_view id);

// {"apis":[{api_id, api_url_id, stage, kind, account_id, region, domain_names, log_groups,
// requests, endpoints, first_seen, last_seen, gated counts}], "unattributed": n}, sorted by
// (api id, stage); "endpoints" is the number of endpoints of the stage.
nlohmann::ordered_json ListApis(const inventory::Inventory::Snapshot& snapshot);

}  // namespace gatescope::server
