#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "classify/value_classifier.h"
#include "inventory/latency_histogram.h"
#include "inventory/schema_sketch.h"
#include "inventory/traffic_series.h"
#include "model/http_transaction.h"

namespace gatescope::inventory {

// How often a parameter or header name was seen.
struct NameCount {
  std::string name;  // Header names lowercased; parameter names as sent.
  uint64_t count = 0;
};

// A query parameter, header or cookie: how often it was sent, what its values look like.
// Values are never kept: only their type, format, sensitive-data tags and one redacted example.
struct ParamStats {
  std::string name;  // Header names lowercased; parameter and cookie names as sent.
  uint64_t count = 0;     // Requests that sent it.
  uint64_t values = 0;    // Whole values classified (a value the log cut is not).
  uint64_t integers = 0;  // Of which integers ("42", "-7").
  uint64_t numbers = 0;   // Of which numbers, integers included.
  uint64_t booleans = 0;  // Of which "true" or "false".
  // The format every classified value had (kNone once two disagree or one had none).
  classify::StringFormat format = classify::StringFormat::kNone;
  uint32_t tags = 0;     // classify::SensitiveTag bits, from its name and its values.
  uint64_t tagged = 0;   // Values that carried a tag.
  // Redacted (classify::RedactValue); never the value. Adding keeps the first value's;
  // merging keeps the smallest, whatever the order of merges.
  std::string example;

  void AddValue(std::string_view value, bool truncated);
  // Adds another's counts. Commutative and associative.
  void Merge(const ParamStats& other);
  // "integer", "number", "boolean" or "string": the narrowest type all values had.
  std::string_view JsonType() const;
};

// What requests showed of authentication. The gateway masks the Authorization header and the
// API key in execution logs ("****...7c8ada"), but not in a Lambda-proxy event; access logs
// can carry the authorizer's principal and the caller's IAM identity.
struct AuthStats {
  uint64_t observed = 0;     // Requests whose headers were logged whole: the base for `none`.
  uint64_t none = 0;         // Of which showed no credential at all.
  uint64_t bearer = 0;       // "Authorization: Bearer ...".
  uint64_t bearer_jwt = 0;   // Of which a JWT.
  uint64_t basic = 0;        // "Authorization: Basic ...".
  uint64_t sigv4 = 0;        // "Authorization: AWS4-HMAC-SHA256 ..." (IAM).
  uint64_t masked = 0;       // An Authorization header the gateway masked: scheme unknown.
  uint64_t authorizer = 0;   // A Lambda or Cognito authorizer ran (its id or principal logged).
  uint64_t api_key_required = 0;  // The method requires an API key (execution log).
  uint64_t iam_caller = 0;   // The access log names an IAM caller or user ARN.
  static constexpr size_t kMaxAuthorizerIds = 4;
  // Sorted; at most kMaxAuthorizerIds: the first seen when added, the smallest when merged.
  std::vector<std::string> authorizer_ids;
  std::vector<NameCount> api_key_headers;   // Credential headers: x-api-key, x-auth-token...
  std::vector<NameCount> api_key_query;     // Credential query parameters: api_key, token...
  std::vector<NameCount> jwt_claims;        // Claim names of JWTs seen (never values).

  // Commutative and associative (authorizer ids: the smallest kMaxAuthorizerIds).
  void Merge(const AuthStats& other);
  bool empty() const;
};

// How often a body of one media type was seen, for one status code (responses) or for all
// (requests: status -1).
struct BodyCount {
  int32_t status = -1;
  std::string media_type;  // Empty when neither a header nor the content said.
  uint64_t count = 0;
  uint64_t truncated = 0;  // Of which the log cut the body.
  SchemaSketch schema;     // JSON and form bodies; empty for other media types.
};

// The schema-inference options every endpoint uses.
const SchemaOptions& DefaultSchemaOptions();

// What the inventory knows of one endpoint (or of one concrete path, before templating).
struct EndpointStats {
  static constexpr size_t kMaxFieldNames = 100;

  model::TemplateSource template_source = model::TemplateSource::kConcrete;
  std::string route;  // The gateway's route/resource when it differs from the path ("/{proxy+}").
  uint64_t requests = 0;
  std::vector<std::pair<int32_t, uint64_t>> status_counts;  // Unsorted; -1 is "not logged".
  int64_t first_seen_ms = -1;
  int64_t last_seen_ms = -1;
  LatencyHistogram response_latency;
  LatencyHistogram integration_latency;
  TrafficSeries traffic;  // Requests, errors and latency per hour and per day.

  // Content, from execution logs. Each list holds at most kMaxFieldNames names;
  // `*_observed` count the requests whose map was logged whole, the base for a name's share.
  uint64_t content_logged = 0;  // Requests with execution-log content (alone or joined).
  uint64_t query_observed = 0;
  uint64_t request_headers_observed = 0;
  std::vector<ParamStats> query_params;
  std::vector<ParamStats> request_headers;
  std::vector<ParamStats> cookies;
  std::vector<NameCount> response_headers;
  std::vector<BodyCount> request_bodies;
  std::vector<BodyCount> response_bodies;
  std::vector<std::pair<model::ErrorKind, uint64_t>> errors;
  std::array<uint64_t, 3> by_log_source{};  // Indexed by model::LogSource.
  uint64_t partial = 0;        // Requests built from an incomplete execution log.
  uint64_t coverage_full = 0;  // Requests whose headers and bodies were logged whole.
  AuthStats auth;

  // Counts one transaction. A `supplement` adds its content but is not counted again.
  void Add(const model::HttpTransaction& tx);
  // Adds another's counts, as if its transactions had been added here. Commutative and
  // associative, except which names a full list (kMaxFieldNames) keeps: the template source
  // and route kept are the smallest, examples the smallest, lists of names are rendered sorted.
  void Merge(const EndpointStats& other);

  uint64_t unrouted = 0;  // Requests that matched no route: 404, or REST's 403 "Missing
                          // Authentication Token" for a path no resource serves.

  // Requests that matched a route (whatever their status, or none logged).
  uint64_t answered() const { return requests - unrouted; }
};

}  // namespace gatescope::inventory
