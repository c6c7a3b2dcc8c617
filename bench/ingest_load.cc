// Load generator for `gatescope serve`'s ingest API (POST /v1/batches, docs/specs/wire.md).
//
//   ingest_load --url http://127.0.0.1:8080 (--token T | --client-id ID --client-secret S)
//               [--connections 4] [--batches N | --seconds S] [--batch-records 1000]
//               [--mix access|execution|mixed] [--apis 8] [--paths 200] [--seed 1] [--json]
//
// Every request body is built before the clock starts, through the connector's own Filter
// stage and Batcher (so bodies, ids and Idempotency-Keys are exactly what a connector ships),
// then N connection threads send them as fast as the server answers, one keep-alive libcurl
// handle each. Reports throughput, per-batch latency percentiles, retries and failures, and
// this process's own CPU per transaction (so client cost can be told from server cost).
// Exits 1 if any batch finally failed, 2 on a usage or setup error.
//
// The traffic looks like an API estate: a few hundred endpoints over --apis APIs (REST with
// resource paths, REST behind /{proxy+}, HTTP APIs with route keys), --paths concrete paths per
// API with ids in them (/users/8812/orders/40117), Zipf-like popularity of APIs and paths,
// realistic statuses and latencies; execution-log transactions carry headers, query parameters
// and small JSON bodies. Transaction ids are unique per (--seed, transaction number): run
// twice against one store with the same seed and the second run is all duplicates.

#include <curl/curl.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "delivery/batch.h"
#include "delivery/batcher.h"
#include "model/http_transaction.h"
#include "transform/transaction_transformer.h"

namespace gatescope::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  std::string ingest_path = "/v1/batches";
  std::string token_path = "/oauth2/token";
  std::string token;
  std::string client_id;
  std::string client_secret;
  int connections = 4;
  uint64_t batches = 0;
  double seconds = 0;
  uint64_t pool_batches = 0;        // With --seconds: how many distinct batches to pre-build.
  double expect_rate = 250000;      // With --seconds and no --pool-batches: sizes the pool.
  uint32_t batch_records = 1000;
  std::string mix = "mixed";
  int apis = 8;
  int paths = 200;
  uint64_t seed = 1;
  int gzip_level = 6;
  int max_retries = 8;
  int timeout_ms = 60000;
  bool json = false;
  std::string cache;        // Pool file: reused when built with the same options, else rebuilt.
  bool build_only = false;  // Build (and cache) the pool, send nothing.
};

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: every batch has its own generator seeded from (seed, batch index),
// so the pool is the same whatever the number of build threads.

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return state_ = SplitMix64(state_); }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Below(v.size())]; }

 private:
  uint64_t state_;
};

// Draws ranks 0..n-1 with P(k) ~ 1 / (k + 1)^s by binary search over the cumulative weights.
class Zipf {
 public:
  Zipf() = default;
  Zipf(size_t n, double s) {
    cumulative_.reserve(n);
    double total = 0;
    for (size_t k = 0; k < n; ++k) {
      total += 1.0 / std::pow(static_cast<double>(k + 1), s);
      cumulative_.push_back(total);
    }
  }
  size_t Draw(Rng& rng) const {
    const double x = rng.Unit() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

// ---------------------------------------------------------------------------------------------
// The API estate.

struct Resource {
  const char* plural;
  const char* param;
  // Ids in paths: numeric, UUID or SKU-like.
  enum IdStyle { kNumber, kUuid, kCode } id_style;
};

constexpr Resource kResources[] = {
    {"users", "userId", Resource::kNumber},         {"orders", "orderId", Resource::kNumber},
    {"products", "productId", Resource::kCode},     {"pets", "petId", Resource::kNumber},
    {"invoices", "invoiceId", Resource::kUuid},     {"accounts", "accountId", Resource::kNumber},
    {"sessions", "sessionId", Resource::kUuid},     {"payments", "paymentId", Resource::kUuid},
    {"customers", "customerId", Resource::kNumber}, {"items", "itemId", Resource::kNumber},
    {"reviews", "reviewId", Resource::kNumber},     {"carts", "cartId", Resource::kUuid},
    {"shipments", "shipmentId", Resource::kCode},   {"devices", "deviceId", Resource::kUuid},
    {"tickets", "ticketId", Resource::kNumber},     {"projects", "projectId", Resource::kNumber},
    {"files", "fileId", Resource::kUuid},           {"reports", "reportId", Resource::kNumber},
    {"webhooks", "webhookId", Resource::kNumber},   {"subscriptions", "subscriptionId", Resource::kCode},
};
constexpr size_t kResourceCount = sizeof(kResources) / sizeof(kResources[0]);

// One path segment of a template: a literal or a parameter of resource `resource`.
struct Segment {
  std::string literal;
  int resource = -1;  // >= 0: "{<param>}" of kResources[resource].
};

struct Template {
  std::string method;
  std::vector<Segment> segments;
  std::string resource_path;  // "/users/{userId}/orders".
  int body_fields = 0;        // JSON body size class for execution-log requests and responses.
};

struct ConcretePath {
  int template_index = 0;
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;  // name, value.
};

enum class ApiStyle { kRest, kRestProxy, kHttp };

struct Api {
  std::string id;
  ApiStyle style = ApiStyle::kRest;
  std::vector<Template> templates;
  std::vector<ConcretePath> paths;  // In popularity order.
  Zipf path_popularity;
};

std::string IdValue(Resource::IdStyle style, Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  switch (style) {
    case Resource::kNumber:
      return std::to_string(1 + rng.Below(rng.Chance(0.7) ? 5000 : 2000000));
    case Resource::kUuid: {
      const uint64_t a = rng.Next(), b = rng.Next();
      for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
        const uint64_t word = i < 16 ? a : b;
        out.push_back(kHex[(word >> ((i % 16) * 4)) & 0xF]);
      }
      return out;
    }
    case Resource::kCode: {
      static constexpr char kUpper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
      for (int i = 0; i < 3; ++i) out.push_back(kUpper[rng.Below(24)]);
      out.push_back('-');
      out += std::to_string(10000 + rng.Below(90000));
      return out;
    }
  }
  return out;
}

// API Gateway ids are 10 lowercase alphanumerics.
std::string NewApiId(Rng& rng) {
  static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 10; ++i) id.push_back(kAlnum[rng.Below(36)]);
  return id;
}

void AddTemplate(Api& api, std::string method, std::vector<Segment> segments, int body_fields) {
  Template t;
  t.method = std::move(method);
  t.segments = std::move(segments);
  for (const Segment& s : t.segments) {
    t.resource_path += '/';
    if (s.resource >= 0) {
      t.resource_path += '{';
      t.resource_path += kResources[s.resource].param;
      t.resource_path += '}';
    } else {
      t.resource_path += s.literal;
    }
  }
  t.body_fields = body_fields;
  api.templates.push_back(std::move(t));
}

Segment Lit(const char* s) { return Segment{s, -1}; }
Segment Param(int resource) { return Segment{"", resource}; }

// About 45 templates per API: collections of 4-6 resources with their items, one
// sub-collection each, an action, and a health check.
Api BuildApi(int index, Rng& rng, int concrete_paths) {
  Api api;
  api.id = NewApiId(rng);
  api.style = index % 4 == 3 ? ApiStyle::kRestProxy
              : index % 3 == 1 ? ApiStyle::kHttp
                               : ApiStyle::kRest;
  const int n_resources = 4 + static_cast<int>(rng.Below(3));
  std::vector<int> chosen;
  while (static_cast<int>(chosen.size()) < n_resources) {
    const int r = static_cast<int>(rng.Below(kResourceCount));
    if (std::find(chosen.begin(), chosen.end(), r) == chosen.end()) chosen.push_back(r);
  }
  const std::string version = rng.Chance(0.5) ? "v1" : "";
  auto prefixed = [&](std::vector<Segment> segs) {
    if (!version.empty()) segs.insert(segs.begin(), Lit(version.c_str()));
    return segs;
  };
  for (int r : chosen) {
    const char* plural = kResources[r].plural;
    int sub = static_cast<int>(rng.Below(kResourceCount));
    if (sub == r) sub = (sub + 1) % static_cast<int>(kResourceCount);
    const char* sub_plural = kResources[sub].plural;
    AddTemplate(api, "GET", prefixed({Lit(plural)}), 8);
    AddTemplate(api, "POST", prefixed({Lit(plural)}), 5);
    AddTemplate(api, "GET", prefixed({Lit(plural), Param(r)}), 6);
    AddTemplate(api, rng.Chance(0.5) ? "PUT" : "PATCH", prefixed({Lit(plural), Param(r)}), 4);
    AddTemplate(api, "DELETE", prefixed({Lit(plural), Param(r)}), 0);
    AddTemplate(api, "GET", prefixed({Lit(plural), Param(r), Lit(sub_plural)}), 7);
    AddTemplate(api, "GET", prefixed({Lit(plural), Param(r), Lit(sub_plural), Param(sub)}), 5);
    AddTemplate(api, "POST", prefixed({Lit(plural), Param(r), Lit(sub_plural)}), 4);
    if (rng.Chance(0.5)) {
      AddTemplate(api, "POST", prefixed({Lit(plural), Param(r), Lit("cancel")}), 2);
    }
  }
  AddTemplate(api, "GET", {Lit("health")}, 1);

  // Concrete paths: templates drawn by popularity, ids filled in; literal-only templates give
  // one path each. Paths keep the order they were drawn in, so the first are the popular ones.
  Zipf template_popularity(api.templates.size(), 1.05);
  std::set<std::pair<int, std::string>> seen;
  for (int attempts = 0;
       static_cast<int>(api.paths.size()) < concrete_paths && attempts < concrete_paths * 50;
       ++attempts) {
    const int t = static_cast<int>(template_popularity.Draw(rng));
    ConcretePath p;
    p.template_index = t;
    for (const Segment& s : api.templates[t].segments) {
      p.path += '/';
      if (s.resource >= 0) {
        std::string value = IdValue(kResources[s.resource].id_style, rng);
        p.path += value;
        p.params.emplace_back(kResources[s.resource].param, std::move(value));
      } else {
        p.path += s.literal;
      }
    }
    if (seen.insert({t, p.path}).second) api.paths.push_back(std::move(p));
  }
  api.path_popularity = Zipf(api.paths.size(), 0.9);
  return api;
}

struct Estate {
  std::vector<Api> apis;
  std::vector<int> rest_apis;  // Indexes of the APIs that have execution logs (REST).
  Zipf api_popularity;
  Zipf rest_api_popularity;
  std::string account_id = "123456789012";
  int64_t start_ms = 0;
};

Estate BuildEstate(const Options& options) {
  Estate estate;
  Rng rng(SplitMix64(options.seed ^ 0xE57A7Eull));
  for (int i = 0; i < options.apis; ++i) {
    estate.apis.push_back(BuildApi(i, rng, options.paths));
    if (estate.apis.back().style != ApiStyle::kHttp) estate.rest_apis.push_back(i);
  }
  estate.api_popularity = Zipf(estate.apis.size(), 0.8);
  estate.rest_api_popularity = Zipf(estate.rest_apis.size(), 0.8);
  estate.start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count() -
                    3600 * 1000;
  return estate;
}

// ---------------------------------------------------------------------------------------------
// Transactions.

constexpr const char* kUserAgents[] = {
    "okhttp/4.12.0", "python-requests/2.31.0", "Go-http-client/2.0", "axios/1.6.0",
    "curl/8.4.0", "aws-sdk-java/2.21.0", "PostmanRuntime/7.34.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15"};
constexpr const char* kFieldNames[] = {"id",         "name",     "email",   "status",
                                       "created_at", "quantity", "price",   "currency",
                                       "tags",       "enabled",  "owner_id", "description"};
constexpr const char* kStatuses[] = {"active", "pending", "shipped", "cancelled", "archived"};

std::string UuidFrom(uint64_t a, uint64_t b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const uint64_t word = i < 16 ? a : b;
    out.push_back(kHex[(word >> (60 - (i % 16) * 4)) & 0xF]);
  }
  return out;
}

// A small JSON object of `fields` members in a fixed order per endpoint (so the server's schema
// sketch sees a stable shape), values varying per request.
void AppendJsonBody(int fields, Rng& rng, bool list, std::string* out) {
  auto object = [&](std::string* o) {
    o->push_back('{');
    for (int f = 0; f < fields; ++f) {
      if (f > 0) o->push_back(',');
      const char* name = kFieldNames[f % 12];
      *o += '"';
      *o += name;
      *o += "\":";
      switch (f % 12) {
        case 0: case 5: case 10: *o += std::to_string(rng.Below(100000)); break;
        case 6: *o += std::to_string(rng.Below(10000)) + "." + std::to_string(10 + rng.Below(90)); break;
        case 9: *o += rng.Chance(0.5) ? "true" : "false"; break;
        case 8: *o += "[\"a\",\"b\"]"; break;
        case 3: *o += '"'; *o += kStatuses[rng.Below(5)]; *o += '"'; break;
        case 2: *o += "\"user" + std::to_string(rng.Below(10000)) + "@example.com\""; break;
        case 4: *o += "\"2024-05-0" + std::to_string(1 + rng.Below(9)) + "T12:00:00Z\""; break;
        default: *o += "\"value-" + std::to_string(rng.Below(1000)) + "\""; break;
      }
    }
    o->push_back('}');
  };
  if (!list) {
    object(out);
    return;
  }
  *out += "{\"items\":[";
  const int n = 1 + static_cast<int>(rng.Below(3));
  for (int i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    object(out);
  }
  *out += "],\"next\":null}";
}

int PickStatus(const std::string& method, Rng& rng) {
  const double x = rng.Unit();
  if (x < 0.04) return 404;
  if (x < 0.06) return 400;
  if (x < 0.07) return 401;
  if (x < 0.075) return 403;
  if (x < 0.08) return 429;
  if (x < 0.084) return 500;
  if (x < 0.087) return 502;
  if (x < 0.088) return 504;
  if (method == "POST") return 201;
  if (method == "DELETE") return 204;
  return 200;
}

// Transaction number `serial` (unique in this run for this seed): fills *tx as the connector's
// parsers would, before its Filter stage.
void FillTransaction(const Estate& estate, uint64_t seed, uint64_t serial, bool execution, Rng& rng,
                     model::HttpTransaction* tx) {
  tx->Clear();
  const int api_index = execution ? estate.rest_apis[estate.rest_api_popularity.Draw(rng)]
                                  : static_cast<int>(estate.api_popularity.Draw(rng));
  const Api& api = estate.apis[api_index];
  const ConcretePath& cp = api.paths[api.path_popularity.Draw(rng)];
  const Template& t = api.templates[cp.template_index];
  const std::string stage = rng.Chance(0.92) ? "prod" : "dev";

  // Identity: a unique request id per (seed, serial); SplitMix64 is a bijection, so distinct
  // serials give distinct ids.
  const uint64_t a = SplitMix64(serial ^ SplitMix64(seed));
  tx->request_id = UuidFrom(a, SplitMix64(a + 1));
  tx->api_id = api.id;
  tx->stage = stage;
  tx->account_id = estate.account_id;
  tx->region = "us-east-1";
  tx->domain_name = api.id + ".execute-api.us-east-1.amazonaws.com";
  tx->api_kind = api.style == ApiStyle::kHttp ? model::ApiKind::kHttp : model::ApiKind::kRest;
  tx->method = t.method;
  tx->path = cp.path;
  tx->protocol = "HTTP/1.1";
  switch (api.style) {
    case ApiStyle::kRest: tx->resource_path = t.resource_path; break;
    case ApiStyle::kRestProxy: tx->resource_path = "/{proxy+}"; break;
    case ApiStyle::kHttp: tx->route_key = t.method + " " + t.resource_path; break;
  }

  tx->status = PickStatus(t.method, rng);
  tx->integration_latency_ms = 3 + static_cast<int64_t>(rng.Below(40)) +
                               (rng.Chance(0.02) ? static_cast<int64_t>(rng.Below(3000)) : 0);
  tx->response_latency_ms = tx->integration_latency_ms + 1 + static_cast<int64_t>(rng.Below(8));
  tx->integration_status = tx->status;
  tx->source_ip = "203.0." + std::to_string(rng.Below(256)) + "." + std::to_string(rng.Below(256));
  tx->user_agent = kUserAgents[rng.Below(std::size(kUserAgents))];
  tx->request_time_ms = estate.start_ms + static_cast<int64_t>(serial / 64);
  tx->end_time_ms = tx->request_time_ms + tx->response_latency_ms;
  tx->log_stream = "ingest-load-" + std::to_string(seed) + "-" + std::to_string(serial % 16);
  // CloudWatch event ids are 56 decimal digits.
  char event_id[64];
  std::snprintf(event_id, sizeof(event_id), "3%020" PRIu64 "%035" PRIu64, serial, seed);
  tx->event_id = event_id;

  if (!execution) {
    tx->source = model::LogSource::kAccessLog;
    tx->log_group = "/aws/apigateway/" + api.id + "/access";
    tx->response_length = tx->status == 204 ? 0 : 40 + static_cast<int64_t>(rng.Below(2000));
    tx->event_count = 1;
    return;
  }

  tx->source = model::LogSource::kExecutionLog;
  tx->coverage = model::Coverage::kFull;
  tx->log_group = "API-Gateway-Execution-Logs_" + api.id + "/" + stage;
  tx->extended_request_id = tx->request_id.substr(0, 8) + "EXT=";
  tx->event_count = 14 + static_cast<uint32_t>(rng.Below(12));
  tx->xray_trace_id = "1-" + tx->request_id.substr(0, 8) + "-" + tx->request_id.substr(9, 4) +
                      tx->request_id.substr(24, 12) + "abcdef01";
  tx->integration_uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                        "arn:aws:lambda:us-east-1:123456789012:function:" + api.id + "-handler/invocations";
  tx->integration_request_id = UuidFrom(SplitMix64(a + 2), SplitMix64(a + 3));
  tx->api_key_required = 0;

  tx->path_params.logged = true;
  if (api.style == ApiStyle::kRestProxy) {
    tx->path_params.Add("proxy", std::string_view(cp.path).substr(1));
  } else {
    for (const auto& [name, value] : cp.params) tx->path_params.Add(name, value);
  }
  tx->query_params.logged = true;
  if (t.method == "GET" && t.body_fields >= 7) {
    tx->query_params.Add("limit", std::to_string(10 * (1 + rng.Below(10))));
    if (rng.Chance(0.4)) tx->query_params.Add("cursor", std::to_string(rng.Next() % 1000000));
    if (rng.Chance(0.2)) tx->query_params.Add("sort", rng.Chance(0.5) ? "created_at" : "-name");
    for (const model::Field& f : tx->query_params) {
      if (!tx->query.empty()) tx->query.push_back('&');
      tx->query += f.name + "=" + f.value;
    }
  }

  model::FieldList& rq = tx->request_headers;
  rq.logged = true;
  rq.Add("Accept", "application/json");
  rq.Add("Host", tx->domain_name);
  rq.Add("User-Agent", tx->user_agent);
  rq.Add("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl");
  rq.Add("X-Forwarded-For", tx->source_ip);
  rq.Add("X-Forwarded-Proto", "https");
  rq.Add("X-Amzn-Trace-Id", "Root=" + tx->xray_trace_id);
  if (rng.Chance(0.3)) rq.Add("X-Request-Id", tx->request_id.substr(0, 18));

  const bool has_request_body = t.method == "POST" || t.method == "PUT" || t.method == "PATCH";
  if (has_request_body) {
    rq.Add("Content-Type", "application/json");
    tx->request_body.present = true;
    tx->request_body.content_type = "application/json";
    AppendJsonBody(std::max(t.body_fields, 2), rng, false, &tx->request_body.text);
  }

  model::FieldList& rs = tx->response_headers;
  rs.logged = true;
  rs.Add("Content-Type", "application/json");
  rs.Add("X-Amzn-RequestId", tx->request_id);
  rs.Add("X-Amz-Apigw-Id", tx->extended_request_id);
  tx->response_body.present = true;
  tx->response_body.content_type = "application/json";
  if (tx->status >= 400) {
    tx->response_body.text = "{\"message\":\"request failed\",\"code\":" + std::to_string(tx->status) + "}";
  } else if (tx->status != 204) {
    const bool list = t.method == "GET" && t.body_fields >= 7;
    AppendJsonBody(std::max(t.body_fields, 1), rng, list, &tx->response_body.text);
  }
  tx->response_length = static_cast<int64_t>(tx->response_body.text.size());
}

// ---------------------------------------------------------------------------------------------
// The pool of pre-built request bodies.

struct PreparedBatch {
  delivery::Batch batch;
  std::string records_header;  // "X-Gatescope-Records: N"
  std::string events_header;
  std::string key_header;
};

struct Pool {
  std::vector<PreparedBatch> batches;
  uint64_t records = 0;
  uint64_t filtered = 0;  // Transactions the Filter stage dropped (should be 0).
  uint64_t raw_bytes = 0;
  uint64_t wire_bytes = 0;
  double build_seconds = 0;
  bool from_cache = false;
};

// Builds `count` batches of `records` transactions each (a batch over the 1 MB wire cap is
// split by the Batcher, as the connector would), on all cores.
Result<Pool> BuildPool(const Options& options, const Estate& estate, uint64_t count) {
  const auto start = Clock::now();
  const unsigned threads =
      std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), static_cast<unsigned>(count)));
  std::vector<std::vector<PreparedBatch>> per_slot(count);
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> filtered{0};
  std::mutex error_mu;
  std::optional<Status> error;
  const double execution_share = options.mix == "access"      ? 0.0
                                 : options.mix == "execution" ? 1.0
                                                              : 0.35;
  auto worker = [&] {
    auto transformer = transform::TransactionTransformer::Create(transform::TransformOptions{});
    if (!transformer.ok()) {
      std::lock_guard<std::mutex> lock(error_mu);
      error = transformer.status();
      return;
    }
    delivery::BatcherOptions batcher_options;
    batcher_options.max_records = options.batch_records;
    batcher_options.gzip_level = options.gzip_level;
    delivery::Batcher batcher(batcher_options);
    model::HttpTransaction tx;
    for (uint64_t b = next.fetch_add(1); b < count; b = next.fetch_add(1)) {
      Rng rng(SplitMix64(options.seed * 0x100000001B3ull + b));
      for (uint32_t r = 0; r < options.batch_records; ++r) {
        const uint64_t serial = b * options.batch_records + r;
        FillTransaction(estate, options.seed, serial, rng.Chance(execution_share), rng, &tx);
        if ((*transformer)->Apply(&tx).has_value()) {
          filtered.fetch_add(1);
          continue;
        }
        batcher.Add(tx);
      }
      batcher.Flush();
      while (std::optional<delivery::Batch> batch = batcher.TakeReady()) {
        PreparedBatch p;
        p.records_header = "X-Gatescope-Records: " + std::to_string(batch->records);
        p.events_header = "X-Gatescope-Events: " + std::to_string(batch->events);
        p.key_header = "Idempotency-Key: " + batch->idempotency_key;
        p.batch = std::move(*batch);
        per_slot[b].push_back(std::move(p));
      }
    }
  };
  std::vector<std::thread> pool_threads;
  for (unsigned i = 0; i < threads; ++i) pool_threads.emplace_back(worker);
  for (std::thread& t : pool_threads) t.join();
  if (error.has_value()) return *error;

  Pool pool;
  for (auto& slot : per_slot) {
    for (PreparedBatch& p : slot) {
      pool.records += p.batch.records;
      pool.raw_bytes += p.batch.raw_bytes;
      pool.wire_bytes += p.batch.body.size();
      pool.batches.push_back(std::move(p));
    }
  }
  pool.filtered = filtered.load();
  pool.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return pool;
}

// The pool on disk, so that repeated runs (bench/e2e_serve.sh --runs 3) build it once. A cache
// is used when its key (every option that shapes the bodies) matches, it holds at least
// `count` batches, it is newer than this program and less than a day old (the transactions'
// times are the build time's);
// otherwise the pool is built and the cache rewritten (through a temporary file and a rename).
constexpr std::string_view kCacheMagic = "gatescope.ingest_load.pool/1\n";

std::string CacheKey(const Options& o) {
  return "seed=" + std::to_string(o.seed) + " records=" + std::to_string(o.batch_records) +
         " mix=" + o.mix + " apis=" + std::to_string(o.apis) + " paths=" + std::to_string(o.paths) +
         " gzip=" + std::to_string(o.gzip_level) + "\n";
}

template <typename T>
void Put(std::ofstream& out, T v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(v));
}
template <typename T>
bool Get(std::ifstream& in, T* v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(v), sizeof(*v)));
}

std::optional<Pool> ReadCache(const Options& options, uint64_t count) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto mtime = fs::last_write_time(options.cache, ec);
  if (ec || fs::file_time_type::clock::now() - mtime > std::chrono::hours(24)) return std::nullopt;
  // Older than this program: the generator may have changed since.
  const auto exe_mtime = fs::last_write_time("/proc/self/exe", ec);
  if (ec || exe_mtime > mtime) return std::nullopt;
  const auto start = Clock::now();
  std::ifstream in(options.cache, std::ios::binary);
  std::string magic(kCacheMagic.size(), '\0');
  const std::string key = CacheKey(options);
  std::string stored_key(key.size(), '\0');
  uint64_t stored = 0;
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) || magic != kCacheMagic ||
      !in.read(stored_key.data(), static_cast<std::streamsize>(stored_key.size())) ||
      stored_key != key || !Get(in, &stored) || stored < count) {
    return std::nullopt;
  }
  Pool pool;
  for (uint64_t i = 0; i < count; ++i) {
    PreparedBatch p;
    uint64_t body_size = 0;
    p.batch.idempotency_key.assign(64, '\0');
    if (!Get(in, &p.batch.records) || !Get(in, &p.batch.events) || !Get(in, &p.batch.raw_bytes) ||
        !in.read(p.batch.idempotency_key.data(), 64) || !Get(in, &body_size) || body_size > (64u << 20)) {
      return std::nullopt;
    }
    p.batch.body.resize(body_size);
    if (!in.read(p.batch.body.data(), static_cast<std::streamsize>(body_size))) return std::nullopt;
    p.records_header = "X-Gatescope-Records: " + std::to_string(p.batch.records);
    p.events_header = "X-Gatescope-Events: " + std::to_string(p.batch.events);
    p.key_header = "Idempotency-Key: " + p.batch.idempotency_key;
    pool.records += p.batch.records;
    pool.raw_bytes += p.batch.raw_bytes;
    pool.wire_bytes += p.batch.body.size();
    pool.batches.push_back(std::move(p));
  }
  pool.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  pool.from_cache = true;
  return pool;
}

Status WriteCache(const Options& options, const Pool& pool) {
  const std::string tmp = options.cache + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(kCacheMagic.data(), static_cast<std::streamsize>(kCacheMagic.size()));
    const std::string key = CacheKey(options);
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
    Put<uint64_t>(out, pool.batches.size());
    for (const PreparedBatch& p : pool.batches) {
      Put(out, p.batch.records);
      Put(out, p.batch.events);
      Put(out, p.batch.raw_bytes);
      out.write(p.batch.idempotency_key.data(), 64);
      Put<uint64_t>(out, p.batch.body.size());
      out.write(p.batch.body.data(), static_cast<std::streamsize>(p.batch.body.size()));
    }
    out.flush();
    if (!out) return UnavailableError("--cache: cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options.cache, ec);
  if (ec) return UnavailableError("--cache: cannot rename " + tmp + ": " + ec.message());
  return Status();
}

// ---------------------------------------------------------------------------------------------
// HTTP.

struct Response {
  long status = 0;  // 0: no answer (see curl_error).
  CURLcode curl_error = CURLE_OK;
  std::string body;
  std::string retry_after;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Response*>(user);
  const size_t n = size * count;
  if (r->body.size() < 64 * 1024) r->body.append(data, std::min(n, 64 * 1024 - r->body.size()));
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Response*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      std::string_view v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      r->retry_after.assign(v);
    }
  }
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

// POSTs `body` on `handle` (keeping its connection alive between calls).
Response Post(CURL* handle, const std::string& url, curl_slist* headers, std::string_view body,
              int timeout_ms) {
  Response r;
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_POST, 1L);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_NODELAY, 1L);
  r.curl_error = curl_easy_perform(handle);
  if (r.curl_error == CURLE_OK) curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

std::string StripSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The client-credentials grant with HTTP Basic client authentication; the access token.
Result<std::string> FetchToken(const Options& options) {
  CurlHandle handle(curl_easy_init());
  if (!handle) return InternalError("curl_easy_init failed");
  curl_easy_setopt(handle.get(), CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  curl_easy_setopt(handle.get(), CURLOPT_USERNAME, options.client_id.c_str());
  curl_easy_setopt(handle.get(), CURLOPT_PASSWORD, options.client_secret.c_str());
  Slist headers(curl_slist_append(nullptr, "Content-Type: application/x-www-form-urlencoded"));
  const std::string url = StripSlash(options.url) + options.token_path;
  Response r = Post(handle.get(), url, headers.get(), "grant_type=client_credentials",
                    options.timeout_ms);
  if (r.curl_error != CURLE_OK) {
    return UnavailableError("token request to " + url + ": " + curl_easy_strerror(r.curl_error));
  }
  if (r.status != 200) {
    // The body is an RFC 6749 error object, never a secret: safe to show.
    return PermissionDeniedError("token request to " + url + ": HTTP " + std::to_string(r.status) +
                                 " " + r.body.substr(0, 200));
  }
  nlohmann::json answer = nlohmann::json::parse(r.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("access_token") || !answer["access_token"].is_string()) {
    return InternalError("token request to " + url + ": no access_token in the answer");
  }
  return answer["access_token"].get<std::string>();
}

// Seconds to wait before retrying: Retry-After seconds when given (an HTTP date counts as 1 s),
// else 50 ms doubling per attempt; capped at 10 s.
std::chrono::milliseconds RetryWait(const std::string& retry_after, int attempt) {
  if (!retry_after.empty() && std::isdigit(static_cast<unsigned char>(retry_after[0]))) {
    return std::chrono::milliseconds(std::min<int64_t>(std::stoll(retry_after), 10) * 1000);
  }
  if (!retry_after.empty()) return std::chrono::milliseconds(1000);
  return std::chrono::milliseconds(std::min(50 << std::min(attempt, 8), 10000));
}

bool Retryable(const Response& r) {
  return r.curl_error != CURLE_OK || r.status == 408 || r.status == 429 || r.status >= 500;
}

std::string OutcomeLabel(const Response& r) {
  if (r.curl_error != CURLE_OK) return std::string("curl:") + curl_easy_strerror(r.curl_error);
  return std::to_string(r.status);
}

struct ThreadResult {
  std::vector<double> latencies_ms;  // Of each accepted batch's successful attempt.
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t raw_bytes = 0;
  uint64_t wire_bytes = 0;
  uint64_t failed_batches = 0;
  uint64_t failed_records = 0;
  std::map<std::string, uint64_t> retries;  // By status of the attempt that was retried.
  std::map<std::string, uint64_t> failures;  // By final status of failed batches.
  std::string last_answer;  // The body of the last 2xx answer, for a glance.
};

class TokenHolder {
 public:
  explicit TokenHolder(std::string token) : token_(std::move(token)) {}
  std::string Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return token_;
  }
  // Refreshes once per `seen` token: concurrent 401s for the same token refresh it once.
  bool Refresh(const Options& options, const std::string& seen) {
    std::lock_guard<std::mutex> lock(mu_);
    if (token_ != seen) return true;
    if (options.client_id.empty()) return false;
    Result<std::string> token = FetchToken(options);
    if (!token.ok()) return false;
    token_ = *token;
    return true;
  }

 private:
  std::mutex mu_;
  std::string token_;
};

void SendLoop(const Options& options, const Pool& pool, std::atomic<uint64_t>& next,
              Clock::time_point deadline, TokenHolder& tokens, ThreadResult* out) {
  CurlHandle handle(curl_easy_init());
  if (!handle) {
    out->failures["curl_easy_init"]++;
    return;
  }
  const std::string url = StripSlash(options.url) + options.ingest_path;
  out->latencies_ms.reserve(pool.batches.size() / static_cast<size_t>(options.connections) + 16);
  for (uint64_t i = next.fetch_add(1); i < pool.batches.size(); i = next.fetch_add(1)) {
    if (Clock::now() >= deadline) break;
    const PreparedBatch& p = pool.batches[i];
    bool refreshed = false;
    for (int attempt = 0;; ++attempt) {
      const std::string token = tokens.Get();
      Slist headers(curl_slist_append(nullptr, "Content-Type: application/x-ndjson"));
      curl_slist_append(headers.get(), "Content-Encoding: gzip");
      curl_slist_append(headers.get(), "X-Gatescope-Format: gatescope.batch/v1");
      curl_slist_append(headers.get(), p.records_header.c_str());
      curl_slist_append(headers.get(), p.events_header.c_str());
      curl_slist_append(headers.get(), p.key_header.c_str());
      curl_slist_append(headers.get(), "Expect:");  // No 100-continue round trip.
      if (!token.empty()) {
        curl_slist_append(headers.get(), ("Authorization: Bearer " + token).c_str());
      }
      const auto start = Clock::now();
      Response r = Post(handle.get(), url, headers.get(), p.batch.body, options.timeout_ms);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (r.curl_error == CURLE_OK && r.status >= 200 && r.status < 300) {
        out->latencies_ms.push_back(ms);
        out->batches++;
        out->records += p.batch.records;
        out->events += p.batch.events;
        out->raw_bytes += p.batch.raw_bytes;
        out->wire_bytes += p.batch.body.size();
        out->last_answer = std::move(r.body);
        break;
      }
      if (r.status == 401 && !refreshed && tokens.Refresh(options, token)) {
        refreshed = true;
        out->retries["401"]++;
        continue;
      }
      if (Retryable(r) && attempt < options.max_retries) {
        out->retries[OutcomeLabel(r)]++;
        std::this_thread::sleep_for(RetryWait(r.retry_after, attempt));
        continue;
      }
      out->failed_batches++;
      out->failed_records += p.batch.records;
      out->failures[OutcomeLabel(r)]++;
      if (out->failures.size() == 1 && out->failures.begin()->second == 1) {
        std::fprintf(stderr, "ingest_load: batch %" PRIu64 " failed: %s %s\n", i,
                     OutcomeLabel(r).c_str(), r.body.substr(0, 300).c_str());
      }
      break;
    }
  }
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

int Run(const Options& options) {
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::string token = options.token;
  if (token.empty() && !options.client_id.empty() && !options.build_only) {
    Result<std::string> fetched = FetchToken(options);
    if (!fetched.ok()) {
      std::fprintf(stderr, "ingest_load: %s\n", fetched.status().ToString().c_str());
      return 2;
    }
    token = *fetched;
  }

  uint64_t pool_size = options.batches;
  if (pool_size == 0) {
    pool_size = options.pool_batches > 0
                    ? options.pool_batches
                    : static_cast<uint64_t>(std::ceil(options.seconds * options.expect_rate /
                                                      options.batch_records));
  }
  pool_size = std::max<uint64_t>(pool_size, 1);
  const Estate estate = BuildEstate(options);
  size_t endpoints = 0, paths = 0;
  for (const Api& api : estate.apis) {
    endpoints += api.templates.size();
    paths += api.paths.size();
  }
  if (!options.json) {
    std::fprintf(stderr, "ingest_load: pool of %" PRIu64 " batches of %u transactions (%zu APIs, %zu endpoints, %zu concrete paths)\n",
                 pool_size, options.batch_records, estate.apis.size(), endpoints, paths);
  }
  std::optional<Pool> cached;
  if (!options.cache.empty()) cached = ReadCache(options, pool_size);
  Result<Pool> built = cached.has_value() ? Result<Pool>(std::move(*cached))
                                          : BuildPool(options, estate, pool_size);
  if (!built.ok()) {
    std::fprintf(stderr, "ingest_load: %s\n", built.status().ToString().c_str());
    return 2;
  }
  const Pool& pool = *built;
  if (!options.cache.empty() && !pool.from_cache) {
    if (Status written = WriteCache(options, pool); !written.ok()) {
      std::fprintf(stderr, "ingest_load: %s\n", written.ToString().c_str());
      return 2;
    }
  }
  if (!options.json) {
    std::fprintf(stderr, "ingest_load: %s %zu bodies, %" PRIu64 " transactions, %.1f MB on the wire (%.1f MB raw) in %.1f s\n",
                 pool.from_cache ? "loaded" : "built", pool.batches.size(), pool.records,
                 static_cast<double>(pool.wire_bytes) / 1e6, static_cast<double>(pool.raw_bytes) / 1e6,
                 pool.build_seconds);
  }
  if (options.build_only) return 0;

  TokenHolder tokens(token);
  std::atomic<uint64_t> next{0};
  std::vector<ThreadResult> results(static_cast<size_t>(options.connections));
  const double cpu_before = CpuSeconds();
  const auto start = Clock::now();
  const auto deadline = options.batches == 0 && options.seconds > 0
                            ? start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(options.seconds))
                            : Clock::time_point::max();
  std::vector<std::thread> senders;
  for (int c = 0; c < options.connections; ++c) {
    senders.emplace_back(SendLoop, std::cref(options), std::cref(pool), std::ref(next), deadline,
                         std::ref(tokens), &results[static_cast<size_t>(c)]);
  }
  for (std::thread& t : senders) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_before;

  ThreadResult total;
  std::vector<double> latencies;
  for (ThreadResult& r : results) {
    latencies.insert(latencies.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    total.batches += r.batches;
    total.records += r.records;
    total.events += r.events;
    total.raw_bytes += r.raw_bytes;
    total.wire_bytes += r.wire_bytes;
    total.failed_batches += r.failed_batches;
    total.failed_records += r.failed_records;
    for (const auto& [k, v] : r.retries) total.retries[k] += v;
    for (const auto& [k, v] : r.failures) total.failures[k] += v;
    if (!r.last_answer.empty()) total.last_answer = r.last_answer;
  }
  std::sort(latencies.begin(), latencies.end());
  const bool pool_exhausted = options.batches == 0 && next.load() >= pool.batches.size() &&
                              wall < options.seconds;
  uint64_t retries = 0;
  for (const auto& [k, v] : total.retries) retries += v;

  nlohmann::ordered_json report;
  report["url"] = StripSlash(options.url) + options.ingest_path;
  report["connections"] = options.connections;
  report["mix"] = options.mix;
  report["batch_records"] = options.batch_records;
  report["apis"] = estate.apis.size();
  report["endpoints"] = endpoints;
  report["paths"] = paths;
  report["batches"] = total.batches;
  report["transactions"] = total.records;
  report["events"] = total.events;
  report["failed_batches"] = total.failed_batches;
  report["failed_transactions"] = total.failed_records;
  report["filtered_at_build"] = pool.filtered;
  report["wall_seconds"] = wall;
  report["transactions_per_second"] = static_cast<double>(total.records) / wall;
  report["batches_per_second"] = static_cast<double>(total.batches) / wall;
  report["wire_mb_per_second"] = static_cast<double>(total.wire_bytes) / 1e6 / wall;
  report["raw_mb_per_second"] = static_cast<double>(total.raw_bytes) / 1e6 / wall;
  report["wire_bytes_per_transaction"] =
      total.records ? static_cast<double>(total.wire_bytes) / static_cast<double>(total.records) : 0.0;
  report["raw_bytes_per_transaction"] =
      total.records ? static_cast<double>(total.raw_bytes) / static_cast<double>(total.records) : 0.0;
  report["latency_ms"] = {{"p50", Percentile(latencies, 0.50)},
                          {"p90", Percentile(latencies, 0.90)},
                          {"p99", Percentile(latencies, 0.99)},
                          {"max", latencies.empty() ? 0.0 : latencies.back()}};
  report["retries"] = retries;
  report["retries_by_status"] = total.retries;
  report["failures_by_status"] = total.failures;
  report["client_cpu_seconds"] = cpu;
  report["client_cpu_us_per_transaction"] =
      total.records ? cpu * 1e6 / static_cast<double>(total.records) : 0.0;
  report["pool_build_seconds"] = pool.build_seconds;
  report["pool_exhausted"] = pool_exhausted;
  report["pool_from_cache"] = pool.from_cache;
  report["last_answer"] = total.last_answer.substr(0, 500);

  if (options.json) {
    std::printf("%s\n", report.dump().c_str());
  } else {
    std::printf("batches %" PRIu64 "  transactions %" PRIu64 "  events %" PRIu64 "  wall %.2f s\n",
                total.batches, total.records, total.events, wall);
    std::printf("throughput %.0f transactions/s  %.1f batches/s  wire %.1f MB/s  raw %.1f MB/s\n",
                report["transactions_per_second"].get<double>(), report["batches_per_second"].get<double>(),
                report["wire_mb_per_second"].get<double>(), report["raw_mb_per_second"].get<double>());
    std::printf("batch latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99),
                latencies.empty() ? 0.0 : latencies.back());
    std::printf("retries %" PRIu64 " %s  failed batches %" PRIu64 " %s\n", retries,
                nlohmann::json(total.retries).dump().c_str(), total.failed_batches,
                nlohmann::json(total.failures).dump().c_str());
    std::printf("client CPU %.2f s  (%.2f us per transaction)%s\n", cpu,
                report["client_cpu_us_per_transaction"].get<double>(),
                pool_exhausted ? "  [pool exhausted before --seconds: raise --pool-batches]" : "");
  }
  curl_global_cleanup();
  return total.failed_batches > 0 ? 1 : 0;
}

}  // namespace
}  // namespace gatescope::bench

int main(int argc, char** argv) {
  gatescope::bench::Options o;
  CLI::App app{"Load generator for gatescope serve's POST /v1/batches (docs/specs/wire.md)."};
  app.add_option("--url", o.url, "Server base URL, e.g. http://127.0.0.1:8080");
  app.add_option("--ingest-path", o.ingest_path, "Ingest route")->capture_default_str();
  app.add_option("--token-path", o.token_path, "Token route")->capture_default_str();
  app.add_option("--token", o.token, "Bearer token (else fetched with --client-id/--client-secret)");
  app.add_option("--client-id", o.client_id, "OAuth2 client id (client credentials)");
  app.add_option("--client-secret", o.client_secret, "OAuth2 client secret");
  app.add_option("--connections", o.connections, "Connections (threads)")
      ->check(CLI::Range(1, 256))->capture_default_str();
  auto* batches = app.add_option("--batches", o.batches, "Send this many batches");
  auto* seconds = app.add_option("--seconds", o.seconds, "Send for this long")
                      ->check(CLI::PositiveNumber);
  batches->excludes(seconds);
  app.add_option("--pool-batches", o.pool_batches,
                 "With --seconds: distinct batches to pre-build (default seconds*expect-rate/records)");
  app.add_option("--expect-rate", o.expect_rate, "Transactions/s the pool is sized for with --seconds")
      ->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--batch-records", o.batch_records, "Transactions per batch")
      ->check(CLI::Range(1u, 100000u))->capture_default_str();
  app.add_option("--mix", o.mix, "access | execution | mixed")
      ->check(CLI::IsMember({"access", "execution", "mixed"}))->capture_default_str();
  app.add_option("--apis", o.apis, "Distinct APIs")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--paths", o.paths, "Distinct concrete paths per API")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--seed", o.seed, "Seed (ids are unique per seed)")->capture_default_str();
  app.add_option("--gzip-level", o.gzip_level, "libdeflate level")->check(CLI::Range(1, 12))
      ->capture_default_str();
  app.add_option("--max-retries", o.max_retries, "Retries of 408/429/5xx/connection errors")
      ->capture_default_str();
  app.add_option("--timeout-ms", o.timeout_ms, "Per-request timeout")->capture_default_str();
  app.add_flag("--json", o.json, "Print the results as one JSON object");
  app.add_option("--cache", o.cache, "Pool file, reused by later runs with the same options");
  app.add_flag("--build-only", o.build_only, "Build (and with --cache, save) the pool; send nothing");
  CLI11_PARSE(app, argc, argv);
  if (o.batches == 0 && o.seconds <= 0) o.batches = 200;
  if (o.url.empty() && !o.build_only) {
    std::fprintf(stderr, "ingest_load: --url is required\n");
    return 2;
  }
  if (!o.client_id.empty() && o.client_secret.empty()) {
    std::fprintf(stderr, "ingest_load: --client-id needs --client-secret\n");
    return 2;
  }
  return gatescope::bench::Run(o);
}
