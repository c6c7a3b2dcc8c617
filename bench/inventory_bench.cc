// Throughput and memory of the API inventory (src/inventory/inventory.h): Inventory::Add per
// kind of transaction, Inventory::Render on 10,000 endpoints, and a memory run.
//
// Target (docs): memory bounded by the number of endpoints, not of transactions: at most
// 256 MB resident for 10 million transactions over 10,000 endpoints.
//
// The traffic: an endpoint universe split into three kinds, each with its own APIs of 1,000
// endpoints (10 services x 5 resources x 5 path shapes x 4 methods; dictionary words, so
// inference keeps them literal):
//   templated  access-log lines whose template the gateway logged:
//              resource_path "/catalog/items/{id}", path "/catalog/items/83421";
//   proxy      access-log lines under a greedy route: resource_path "/{proxy+}", path
//              "/catalog/items/83421/history" with a unique id per request (integers, UUIDs,
//              ObjectIds), so the path tree sees millions of distinct values that must fold;
//   execution  reassembled execution logs (coverage full): path parameters, 1-3 query
//              parameters (GET), 6-8 request and 4 response headers, and JSON bodies of 20-30
//              fields (~600 bytes) whose optional fields come and go and whose values differ.
// Transactions pick a kind by the mix (default 40/40/20) and then an endpoint of that kind
// by a Zipf law (s = 1) over a fixed random permutation of its endpoints.
//
// Modes:
//   inventory_bench [Google Benchmark flags]       the micro-benchmarks below;
//   inventory_bench --memory N_TRANSACTIONS N_ENDPOINTS [--mix T,P,E] [--no-bodies]
//                   [--zipf S] [--latency-tail PERCENT] [--seed N]
//     adds N transactions generated on the fly (a ring of 256 reused HttpTransactions, so
//     nothing grows with N but the inventory), renders once, and prints one JSON object:
//     peak RSS (VmHWM), RSS after adding and after rendering, heap in use (mallinfo2),
//     transactions/s (per CPU second of Add, and wall), Render time, endpoints rendered, and
//     the schema sketches of the rendered endpoints (count, nodes, approximate bytes).
//     --mix sets the shares of the three kinds (and the endpoint split); --no-bodies keeps
//     execution-log transactions but without bodies;
//     --latency-tail sets the percent of requests 0-5 s slower than the usual 5-205 ms (2).
//   bench/e2e_inventory.sh runs the memory mode at 1M and 10M and reports the ratio.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "proc_memory.h"
#include "inventory/inventory.h"
#include "model/field_list.h"
#include "model/http_transaction.h"

namespace gatescope {
namespace {

using inventory::Inventory;
using model::HttpTransaction;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "\ninventory_bench: CHECK FAILED: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Memory.

using gatescope::bench::ProcStatusKiB;
using gatescope::bench::ResetPeakRss;

// This thread's CPU time in seconds: rates that hold on a machine shared with other jobs.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double MiB(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

// Bytes malloc has handed out and not had back (glibc), in MiB: what the inventory holds,
// without the allocator's free lists and fragmentation.
double HeapInUseMiB() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<double>(mi.uordblks + mi.hblkhd) / (1 << 20);
}

// ---------------------------------------------------------------------------------------------
// Randomness.

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// SplitMix64 as a generator: one add and three multiply-xorshifts per number.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) {  // Lemire's multiply-shift; the bias is irrelevant here.
    return static_cast<uint32_t>(((Next() >> 32) * n) >> 32);
  }
  bool Percent(uint32_t p) { return Below(100) < p; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

// Ranks 0..n-1 with P(k) proportional to 1 / (k + 1)^s, by inverse CDF (8 bytes a rank).
class Zipf {
 public:
  Zipf(uint32_t n, double s) : cdf_(n) {
    double sum = 0;
    for (uint32_t k = 0; k < n; ++k) cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
    for (double& c : cdf_) c /= sum;
  }
  uint32_t Sample(Rng& rng) const {
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.Unit());
    return it == cdf_.end() ? static_cast<uint32_t>(cdf_.size() - 1)
                            : static_cast<uint32_t>(it - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

// ---------------------------------------------------------------------------------------------
// Text helpers. Everything appends into reused strings.

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendHex(std::string& out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[16];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = kHex[v & 15];
    v >>= 4;
  }
  out.append(buf, static_cast<size_t>(digits));
}

void AppendUuid(std::string& out, uint64_t a, uint64_t b) {
  AppendHex(out, a >> 32, 8);
  out += '-';
  AppendHex(out, (a >> 16) & 0xffff, 4);
  out += "-4";
  AppendHex(out, a & 0xfff, 3);
  out += '-';
  out += "89ab"[b >> 62];
  AppendHex(out, (b >> 48) & 0xfff, 3);
  out += '-';
  AppendHex(out, b, 12);
}

// ---------------------------------------------------------------------------------------------
// The endpoint universe.

// Dictionary words (classify/words): inference keeps them literal.
constexpr std::string_view kServices[] = {
    "billing",   "catalog",   "orders",    "payments",  "shipping",      "inventory", "accounts",
    "customers", "reviews",   "search",    "reports",   "invoices",      "products",  "carts",
    "coupons",   "loyalty",   "returns",   "warehouses", "suppliers",    "vendors",   "analytics",
    "messages",  "profiles",  "sessions",  "teams",     "projects",      "tickets",   "documents",
    "media",     "calendars", "contracts", "devices",   "subscriptions", "workflows", "partners",
    "stores",    "gifts",     "surveys",   "courses",   "bookings"};
constexpr std::string_view kResources[] = {
    "items",  "entries",  "records",  "events",      "notes",    "tags",     "rules",
    "plans",  "groups",   "members",  "settings",    "comments", "labels",   "versions",
    "quotes", "batches",  "jobs",     "attachments", "policies", "channels", "templates",
    "tasks",  "reminders"};
constexpr std::string_view kSubResources[] = {"history", "status",  "details", "activity",
                                              "summary", "owners",  "links",   "metrics",
                                              "audit",   "preview", "export"};
constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE"};

enum class Kind : uint8_t { kTemplated = 0, kProxy, kExecution };
constexpr size_t kKinds = 3;
constexpr std::string_view kKindNames[] = {"templated", "proxy", "execution"};

constexpr uint32_t kEndpointsPerApi = 1000;  // 10 services x 5 resources x 5 shapes x 4 methods.

struct EndpointShape {
  uint32_t api = 0;  // Within its kind.
  std::string_view method, service, resource, sub;
  int shape = 0;  // 0 /svc/res, 1 /svc/res/{id}, 2-3 /svc/res/{id}/sub, 4 /svc/res/{id}/sub/{subId}.
};

EndpointShape ShapeOf(uint32_t e) {
  EndpointShape s;
  s.api = e / kEndpointsPerApi;
  s.method = kMethods[e % 4];
  s.shape = static_cast<int>((e / 4) % 5);
  uint32_t pair = (e / 20) % 50;
  uint32_t svc = pair / 5, res = pair % 5;
  s.service = kServices[(svc + s.api * 7) % std::size(kServices)];
  s.resource = kResources[(svc * 5 + res) % std::size(kResources)];
  s.sub = kSubResources[(pair + (s.shape == 3 ? 1 : 0)) % std::size(kSubResources)];
  return s;
}

// The template of an endpoint: "/catalog/items/{id}/history".
void AppendTemplate(std::string& out, const EndpointShape& s) {
  out += '/';
  out += s.service;
  out += '/';
  out += s.resource;
  if (s.shape >= 1) out += "/{id}";
  if (s.shape >= 2) {
    out += '/';
    out += s.sub;
  }
  if (s.shape == 4) out += "/{subId}";
}

// ---------------------------------------------------------------------------------------------
// JSON bodies.

enum class FieldType : uint8_t {
  kInt, kNumber, kBool, kEnum, kText, kUuid, kEmail, kDateTime, kObject, kIntArray, kStrArray,
  kNullableText
};

struct FieldDef {
  std::string_view name;
  FieldType type;
};

// 61 names (prime: a stride below 61 visits distinct names).
constexpr FieldDef kFields[] = {
    {"id", FieldType::kUuid},           {"name", FieldType::kText},
    {"status", FieldType::kEnum},       {"createdAt", FieldType::kDateTime},
    {"updatedAt", FieldType::kDateTime}, {"count", FieldType::kInt},
    {"total", FieldType::kNumber},      {"currency", FieldType::kEnum},
    {"active", FieldType::kBool},       {"email", FieldType::kEmail},
    {"ownerId", FieldType::kUuid},      {"tags", FieldType::kStrArray},
    {"description", FieldType::kNullableText}, {"quantity", FieldType::kInt},
    {"price", FieldType::kNumber},      {"type", FieldType::kEnum},
    {"address", FieldType::kObject},    {"scores", FieldType::kIntArray},
    {"version", FieldType::kInt},       {"title", FieldType::kText},
    {"priority", FieldType::kEnum},     {"dueDate", FieldType::kDateTime},
    {"archived", FieldType::kBool},     {"customerId", FieldType::kUuid},
    {"notes", FieldType::kNullableText}, {"weight", FieldType::kNumber},
    {"region", FieldType::kEnum},       {"metadata", FieldType::kObject},
    {"contactEmail", FieldType::kEmail}, {"retries", FieldType::kInt},
    {"labels", FieldType::kStrArray},   {"enabled", FieldType::kBool},
    {"channel", FieldType::kEnum},      {"parentId", FieldType::kUuid},
    {"amount", FieldType::kNumber},     {"expiresAt", FieldType::kDateTime},
    {"locale", FieldType::kEnum},       {"summary", FieldType::kText},
    {"rank", FieldType::kInt},          {"verified", FieldType::kBool},
    {"shipping", FieldType::kObject},   {"items", FieldType::kIntArray},
    {"category", FieldType::kEnum},     {"reference", FieldType::kText},
    {"discount", FieldType::kNumber},   {"phase", FieldType::kEnum},
    {"startedAt", FieldType::kDateTime}, {"limits", FieldType::kObject},
    {"visible", FieldType::kBool},      {"externalId", FieldType::kUuid},
    {"comment", FieldType::kNullableText}, {"level", FieldType::kInt},
    {"ratio", FieldType::kNumber},      {"source", FieldType::kEnum},
    {"owner", FieldType::kText},        {"flags", FieldType::kStrArray},
    {"sequence", FieldType::kInt},      {"timezone", FieldType::kEnum},
    {"billingEmail", FieldType::kEmail}, {"completedAt", FieldType::kDateTime},
    {"slug", FieldType::kText},
};
static_assert(std::size(kFields) == 61);

constexpr std::string_view kEnumValues[] = {"active", "pending", "closed", "draft", "archived",
                                            "EUR",    "USD",     "GBP",    "low",   "high"};
constexpr std::string_view kWords[] = {"alpha", "bravo", "cedar", "delta", "ember", "fjord",
                                       "grove", "harbor", "indigo", "juniper", "kestrel", "lumen"};

void AppendText(std::string& out, Rng& rng) {
  out += '"';
  out += kWords[rng.Below(std::size(kWords))];
  out += ' ';
  out += kWords[rng.Below(std::size(kWords))];
  if (rng.Percent(50)) {
    out += ' ';
    AppendUint(out, rng.Below(1000));
  }
  out += '"';
}

void AppendValue(std::string& out, FieldType type, uint32_t enum_base, Rng& rng) {
  switch (type) {
    case FieldType::kInt:
      AppendUint(out, rng.Below(100000));
      break;
    case FieldType::kNumber:
      AppendUint(out, rng.Below(10000));
      out += '.';
      AppendUint(out, 10 + rng.Below(90));
      break;
    case FieldType::kBool:
      out += rng.Percent(50) ? "true" : "false";
      break;
    case FieldType::kEnum:  // 3 values per field, so a sketch can find the enum.
      out += '"';
      out += kEnumValues[(enum_base + rng.Below(3)) % std::size(kEnumValues)];
      out += '"';
      break;
    case FieldType::kText:
      AppendText(out, rng);
      break;
    case FieldType::kUuid:
      out += '"';
      AppendUuid(out, rng.Next(), rng.Next());
      out += '"';
      break;
    case FieldType::kEmail:
      out += '"';
      out += kWords[rng.Below(std::size(kWords))];
      out += '.';
      AppendUint(out, rng.Below(10000));
      out += "@example.com\"";
      break;
    case FieldType::kDateTime:
      out += "\"2024-";
      AppendUint(out, 10 + rng.Below(3));
      out += '-';
      AppendUint(out, 10 + rng.Below(19));
      out += 'T';
      AppendUint(out, 10 + rng.Below(14));
      out += ':';
      AppendUint(out, 10 + rng.Below(50));
      out += ":";
      AppendUint(out, 10 + rng.Below(50));
      out += "Z\"";
      break;
    case FieldType::kObject:
      out += "{\"city\":";
      AppendText(out, rng);
      out += ",\"zip\":\"";
      AppendUint(out, 10000 + rng.Below(90000));
      out += "\",\"line\":";
      AppendUint(out, rng.Below(100));
      if (rng.Percent(50)) out += ",\"primary\":true";
      out += '}';
      break;
    case FieldType::kIntArray: {
      out += '[';
      uint32_t n = rng.Below(4);
      for (uint32_t i = 0; i < n; ++i) {
        if (i) out += ',';
        AppendUint(out, rng.Below(1000));
      }
      out += ']';
      break;
    }
    case FieldType::kStrArray: {
      out += '[';
      uint32_t n = 1 + rng.Below(3);
      for (uint32_t i = 0; i < n; ++i) {
        if (i) out += ',';
        out += '"';
        out += kWords[rng.Below(std::size(kWords))];
        out += '"';
      }
      out += ']';
      break;
    }
    case FieldType::kNullableText:
      if (rng.Percent(30)) {
        out += "null";
      } else {
        AppendText(out, rng);
      }
      break;
  }
}

// One JSON object body of the schema of (endpoint, direction): 20-30 fields drawn from
// kFields by a seed-fixed start and stride, about a third optional (present 60% of the time).
void AppendJsonBody(std::string& out, uint64_t schema_seed, Rng& rng) {
  uint64_t h = SplitMix(schema_seed);
  constexpr uint32_t kPool = std::size(kFields);
  uint32_t fields = 20 + static_cast<uint32_t>(h % 11);
  uint32_t start = static_cast<uint32_t>((h >> 8) % kPool);
  uint32_t stride = 1 + static_cast<uint32_t>((h >> 16) % (kPool - 1));
  uint64_t optional_bits = SplitMix(h);
  out += '{';
  bool first = true;
  for (uint32_t i = 0; i < fields; ++i) {
    bool optional = (optional_bits >> i) % 3 == 0;
    if (optional && !rng.Percent(60)) continue;
    const FieldDef& f = kFields[(start + i * stride) % kPool];
    if (!first) out += ',';
    first = false;
    out += '"';
    out += f.name;
    out += "\":";
    AppendValue(out, f.type, static_cast<uint32_t>(h >> (i % 32)) & 7, rng);
  }
  out += '}';
}

// ---------------------------------------------------------------------------------------------
// The generator.

struct Mix {
  uint32_t percent[kKinds] = {40, 40, 20};
};

class Generator {
 public:
  Generator(uint32_t endpoints, Mix mix, double zipf_s, uint64_t seed, bool bodies)
      : mix_(mix), bodies_(bodies), rng_(seed) {
    uint32_t total = mix.percent[0] + mix.percent[1] + mix.percent[2];
    if (total == 0) Fail("empty mix");
    // Endpoints split as the transactions are; the remainder goes to the last kind in use.
    uint32_t given = 0;
    size_t last = 0;
    for (size_t k = 0; k < kKinds; ++k) {
      endpoints_[k] = static_cast<uint32_t>(uint64_t{endpoints} * mix.percent[k] / total);
      if (mix.percent[k] > 0) last = k;
      given += endpoints_[k];
      cumulative_[k] = (k ? cumulative_[k - 1] : 0) + mix.percent[k];
    }
    endpoints_[last] += endpoints - given;
    for (size_t k = 0; k < kKinds; ++k) {
      if (mix.percent[k] > 0 && endpoints_[k] == 0) endpoints_[k] = 1;
    }
    total_percent_ = total;
    for (size_t k = 0; k < kKinds; ++k) {
      uint32_t n = std::max<uint32_t>(endpoints_[k], 1);
      zipf_[k] = std::make_unique<Zipf>(n, zipf_s);
      // A permutation of ranks to endpoints: popular endpoints spread over APIs and shapes.
      multiplier_[k] = 1 + static_cast<uint32_t>(SplitMix(seed + k) % n);
      while (std::gcd(multiplier_[k], n) != 1) ++multiplier_[k];
      uint32_t apis = (n + kEndpointsPerApi - 1) / kEndpointsPerApi;
      for (uint32_t a = 0; a < apis; ++a) {
        std::string id;
        static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        uint64_t h = SplitMix(seed * 31 + k * 1000 + a);
        for (int i = 0; i < 10; ++i, h /= 36) id += kAlnum[h % 36];
        api_ids_[k].push_back(id);
        domains_[k].push_back(id + ".execute-api.us-east-1.amazonaws.com");
        log_groups_[k].push_back(k == static_cast<size_t>(Kind::kExecution)
                                     ? "API-Gateway-Execution-Logs_" + id + "/prod"
                                     : "/aws/apigateway/access/" + id);
      }
    }
  }

  // Percent of requests that take up to 5 s more (default 2; 0: all under 205 ms).
  void set_latency_tail_percent(uint32_t p) { latency_tail_percent_ = p; }

  uint32_t endpoints(Kind k) const { return endpoints_[static_cast<size_t>(k)]; }
  uint64_t generated(Kind k) const { return generated_[static_cast<size_t>(k)]; }
  double mean_body_bytes() const {
    return bodies_count_ ? static_cast<double>(body_bytes_) / static_cast<double>(bodies_count_) : 0;
  }

  // Fills `tx` with the next transaction.
  void Next(HttpTransaction* tx) {
    uint32_t pick = rng_.Below(total_percent_);
    Kind kind = pick < cumulative_[0]   ? Kind::kTemplated
                : pick < cumulative_[1] ? Kind::kProxy
                                        : Kind::kExecution;
    Fill(kind, tx);
  }

  // Fills `tx` with a transaction of `kind`.
  void Fill(Kind kind, HttpTransaction* tx) {
    size_t k = static_cast<size_t>(kind);
    uint32_t n = endpoints_[k];
    uint32_t rank = zipf_[k]->Sample(rng_);
    uint32_t e = static_cast<uint32_t>(uint64_t{rank} * multiplier_[k] % n);
    ++generated_[k];
    ++sequence_;
    FillEndpoint(kind, e, tx);
  }

  // Fills `tx` with a transaction of endpoint `e` of `kind`.
  void FillEndpoint(Kind kind, uint32_t e, HttpTransaction* tx) {
    size_t k = static_cast<size_t>(kind);
    EndpointShape s = ShapeOf(e);
    tx->Clear();
    tx->api_kind = model::ApiKind::kRest;
    tx->api_id.assign(api_ids_[k][s.api]);
    tx->stage.assign("prod");
    tx->account_id.assign("123456789012");
    tx->region.assign("us-east-1");
    tx->domain_name.assign(domains_[k][s.api]);
    tx->log_group.assign(log_groups_[k][s.api]);
    tx->method.assign(s.method);
    tx->protocol.assign("HTTP/1.1");
    AppendUuid(tx->request_id, rng_.Next(), rng_.Next());
    tx->request_time_ms = 1714521600000 + static_cast<int64_t>(sequence_ / 4);

    // Status.
    int32_t ok = s.method == "POST" ? 201 : s.method == "DELETE" ? 204 : 200;
    uint32_t roll = rng_.Below(100);
    tx->status = roll < 90 ? ok : roll < 95 ? 400 : roll < 97 ? 404 : roll < 98 ? 429 : 500;
    tx->response_latency_ms =
        5 + rng_.Below(200) + (rng_.Percent(latency_tail_percent_) ? rng_.Below(5000) : 0);
    tx->integration_latency_ms = tx->response_latency_ms - std::min<int64_t>(
                                     tx->response_latency_ms, 1 + rng_.Below(4));
    tx->response_length = tx->status == 204 ? 0 : 100 + rng_.Below(2000);
    tx->source_ip.assign("203.0.113.");
    AppendUint(tx->source_ip, 1 + rng_.Below(254));
    tx->user_agent.assign(rng_.Percent(50) ? "okhttp/4.12.0" : "Mozilla/5.0 (X11; Linux x86_64)");

    // Paths: the template, and the concrete path with ids.
    uint64_t id_seed = rng_.Next();
    AppendConcretePath(tx->path, s, kind == Kind::kProxy, id_seed);
    if (kind == Kind::kProxy) {
      tx->resource_path.assign("/{proxy+}");
    } else {
      AppendTemplate(tx->resource_path, s);
    }
    if (kind == Kind::kExecution) FillExecution(e, s, id_seed, tx);
  }

 private:
  // "/catalog/items/83421/history/7". Proxy ids are unique per request: integers (70%, a
  // bijection of the sequence number), UUIDs (20%), 24-hex ObjectIds (10%).
  void AppendConcretePath(std::string& out, const EndpointShape& s, bool unique, uint64_t id_seed) {
    out += '/';
    out += s.service;
    out += '/';
    out += s.resource;
    if (s.shape >= 1) {
      out += '/';
      AppendId(out, unique, id_seed);
    }
    if (s.shape >= 2) {
      out += '/';
      out += s.sub;
    }
    if (s.shape == 4) {
      out += '/';
      AppendUint(out, 1 + (id_seed >> 40) % 50000);
    }
  }

  void AppendId(std::string& out, bool unique, uint64_t id_seed) {
    if (!unique) {
      AppendUint(out, 1 + id_seed % 100000);
      return;
    }
    uint32_t form = static_cast<uint32_t>(id_seed % 10);
    if (form < 7) {
      // An odd multiplier is a bijection mod 2^40: distinct for 10^12 requests.
      AppendUint(out, 1000000 + ((sequence_ * 0x9E3779B1ULL) & ((uint64_t{1} << 40) - 1)));
    } else if (form < 9) {
      AppendUuid(out, SplitMix(sequence_), id_seed);
    } else {
      AppendHex(out, SplitMix(sequence_ ^ 0x5a5a), 12);
      AppendHex(out, id_seed, 12);
    }
  }

  void FillExecution(uint32_t e, const EndpointShape& s, uint64_t id_seed, HttpTransaction* tx) {
    tx->source = model::LogSource::kExecutionLog;
    tx->coverage = model::Coverage::kFull;
    tx->resource_path_rebuilt = true;
    tx->path_params.Clear();
    tx->query_params.Clear();
    tx->request_headers.Clear();
    tx->response_headers.Clear();
    tx->request_body.Clear();
    tx->response_body.Clear();
    tx->path_params.logged = tx->query_params.logged = true;
    tx->request_headers.logged = tx->response_headers.logged = true;
    scratch_.clear();
    if (s.shape >= 1) {
      AppendUint(scratch_, 1 + id_seed % 100000);
      tx->path_params.Add("id", scratch_);
    }
    if (s.shape == 4) {
      scratch_.clear();
      AppendUint(scratch_, 1 + (id_seed >> 40) % 50000);
      tx->path_params.Add("subId", scratch_);
    }
    bool has_request_body = s.method == "POST" || s.method == "PUT";
    if (s.method == "GET") {
      scratch_.clear();
      AppendUint(scratch_, 10 * (1 + rng_.Below(10)));
      tx->query_params.Add("limit", scratch_);
      if (rng_.Percent(50)) {
        scratch_.clear();
        AppendHex(scratch_, rng_.Next(), 16);
        tx->query_params.Add("cursor", scratch_);
      }
      if (rng_.Percent(30)) tx->query_params.Add("sort", rng_.Percent(50) ? "createdAt" : "-name");
    }
    tx->request_headers.Add("Accept", "application/json");
    tx->request_headers.Add("Host", tx->domain_name);
    tx->request_headers.Add("User-Agent", tx->user_agent);
    scratch_.assign("Root=1-");
    AppendHex(scratch_, rng_.Next(), 8);
    scratch_ += '-';
    AppendHex(scratch_, rng_.Next(), 12);
    AppendHex(scratch_, rng_.Next(), 12);
    tx->request_headers.Add("X-Amzn-Trace-Id", scratch_);
    tx->xray_trace_id.assign(scratch_, 5);
    tx->request_headers.Add("X-Forwarded-For", tx->source_ip);
    tx->request_headers.Add("X-Forwarded-Proto", "https");
    if (has_request_body) tx->request_headers.Add("Content-Type", "application/json");
    if (rng_.Percent(40)) {
      scratch_.assign("Bearer ");
      AppendHex(scratch_, rng_.Next(), 16);
      AppendHex(scratch_, rng_.Next(), 16);
      tx->request_headers.Add("Authorization", scratch_);
    }
    tx->response_headers.Add("Content-Type", "application/json");
    tx->response_headers.Add("Content-Length", "600");
    scratch_.clear();
    AppendUuid(scratch_, rng_.Next(), rng_.Next());
    tx->response_headers.Add("x-amzn-RequestId", scratch_);
    tx->response_headers.Add("X-Amzn-Trace-Id", tx->request_headers[3].value);
    tx->integration_uri.assign(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:"
        "123456789012:function:");
    tx->integration_uri += s.service;
    tx->integration_uri += "-handler/invocations";
    tx->integration_status = tx->status;
    AppendUuid(tx->integration_request_id, rng_.Next(), rng_.Next());
    if (!bodies_) return;
    if (has_request_body) {
      tx->request_body.present = true;
      tx->request_body.content_type.assign("application/json");
      AppendJsonBody(tx->request_body.text, uint64_t{e} * 2, rng_);
      body_bytes_ += tx->request_body.text.size();
      ++bodies_count_;
    }
    if (tx->status != 204) {
      tx->response_body.present = true;
      tx->response_body.content_type.assign("application/json");
      if (tx->status >= 400) {
        tx->response_body.text.assign(tx->status == 404   ? "{\"message\":\"Not Found\"}"
                                      : tx->status == 429 ? "{\"message\":\"Too Many Requests\"}"
                                                          : "{\"message\":\"Bad Request\"}");
      } else {
        AppendJsonBody(tx->response_body.text, uint64_t{e} * 2 + 1, rng_);
        body_bytes_ += tx->response_body.text.size();
        ++bodies_count_;
      }
    }
  }

  Mix mix_;
  bool bodies_;
  Rng rng_;
  uint32_t endpoints_[kKinds] = {};
  uint32_t cumulative_[kKinds] = {};
  uint32_t total_percent_ = 100;
  uint32_t multiplier_[kKinds] = {};
  std::unique_ptr<Zipf> zipf_[kKinds];
  std::vector<std::string> api_ids_[kKinds], domains_[kKinds], log_groups_[kKinds];
  uint64_t generated_[kKinds] = {};
  uint64_t sequence_ = 0;
  uint64_t body_bytes_ = 0, bodies_count_ = 0;
  uint32_t latency_tail_percent_ = 2;
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------------
// Micro-benchmarks. Add: one inventory lives across iterations, warmed with every endpoint of
// the kind (kBenchEndpoints of them) and kWarmTransactions of Zipf traffic, so the timed
// region is the steady state. Transactions come from the generator in batches of kBatch,
// made with the timer paused: proxy ids stay unique, bodies keep varying.

constexpr uint32_t kBenchEndpoints = 10000;
constexpr size_t kBatch = 4096;
constexpr int kWarmTransactions = 200000;

Mix Only(Kind kind) {
  Mix only;
  for (size_t k = 0; k < kKinds; ++k) only.percent[k] = k == static_cast<size_t>(kind) ? 100 : 0;
  return only;
}

void RunAdd(benchmark::State& state, Kind kind) {
  Generator gen(kBenchEndpoints, Only(kind), 1.0, 42, true);
  Inventory inv;
  std::vector<HttpTransaction> batch(kBatch);
  for (uint32_t e = 0; e < gen.endpoints(kind); ++e) {
    gen.FillEndpoint(kind, e, &batch[0]);
    inv.Add(batch[0]);
  }
  for (int i = 0; i < kWarmTransactions; ++i) {
    gen.Fill(kind, &batch[0]);
    inv.Add(batch[0]);
  }
  size_t next = kBatch;
  int64_t content_bytes = 0;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      for (HttpTransaction& tx : batch) gen.Fill(kind, &tx);
      next = 0;
      state.ResumeTiming();
    }
    const HttpTransaction& tx = batch[next++];
    bool ok = inv.Add(tx);
    benchmark::DoNotOptimize(ok);
    content_bytes +=
        static_cast<int64_t>(tx.request_body.text.size() + tx.response_body.text.size());
  }
  state.SetItemsProcessed(state.iterations());
  // bytes_per_second: JSON body bytes (execution case).
  if (content_bytes > 0) state.SetBytesProcessed(content_bytes);
}

// (a) Access-log lines whose template the gateway logged.
void BM_AddTemplated(benchmark::State& state) { RunAdd(state, Kind::kTemplated); }
BENCHMARK(BM_AddTemplated)->MinTime(1.0);

// (b) Access-log lines under "/{proxy+}": concrete paths into the path tree, ids fold.
void BM_AddProxy(benchmark::State& state) { RunAdd(state, Kind::kProxy); }
BENCHMARK(BM_AddProxy)->MinTime(1.0);

// (c) Execution-log transactions: parameters, headers, ~600-byte JSON bodies, coverage full.
void BM_AddExecution(benchmark::State& state) { RunAdd(state, Kind::kExecution); }
BENCHMARK(BM_AddExecution)->MinTime(1.0);

// Render() of an inventory of kBenchEndpoints endpoints. Arg 0: the realistic mix (40/40/20);
// 1: every endpoint behind "/{proxy+}" (all 10,000 templates inferred); 2: all templated.
void BM_Render(benchmark::State& state) {
  Mix mix;
  if (state.range(0) == 1) mix.percent[0] = 0, mix.percent[1] = 100, mix.percent[2] = 0;
  if (state.range(0) == 2) mix.percent[0] = 100, mix.percent[1] = 0, mix.percent[2] = 0;
  Generator gen(kBenchEndpoints, mix, 1.0, 7, true);
  Inventory inv;
  HttpTransaction tx;
  // Every endpoint 3 times (past min_requests), then Zipf traffic on top.
  for (size_t k = 0; k < kKinds; ++k) {
    for (uint32_t e = 0; e < gen.endpoints(static_cast<Kind>(k)); ++e) {
      for (int i = 0; i < 3; ++i) {
        gen.FillEndpoint(static_cast<Kind>(k), e, &tx);
        tx.status = tx.method == "POST" ? 201 : 200;
        inv.Add(tx);
      }
    }
  }
  for (int i = 0; i < 200000; ++i) {
    gen.Next(&tx);
    inv.Add(tx);
  }
  size_t endpoints = 0;
  for (auto _ : state) {
    Inventory::Snapshot snap = inv.Render();
    endpoints = snap.endpoints.size();
    benchmark::DoNotOptimize(snap);
  }
  state.counters["endpoints"] = static_cast<double>(endpoints);
  state.SetLabel(state.range(0) == 0 ? "mix 40/40/20" : state.range(0) == 1 ? "all proxy" : "all templated");
}
BENCHMARK(BM_Render)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Generation alone, to subtract from the memory mode's wall-clock rate.
void BM_Generate(benchmark::State& state) {
  Generator gen(kBenchEndpoints, Mix{}, 1.0, 9, true);
  HttpTransaction tx;
  for (auto _ : state) {
    gen.Next(&tx);
    benchmark::DoNotOptimize(tx.path.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Generate);

// ---------------------------------------------------------------------------------------------
// --memory N_TRANSACTIONS N_ENDPOINTS [--mix T,P,E] [--no-bodies] [--zipf S] [--seed N]

int MemoryRun(uint64_t transactions, uint32_t endpoints, Mix mix, bool bodies, double zipf_s,
              uint64_t seed, uint32_t latency_tail) {
  bool hwm_reset = ResetPeakRss();
  int64_t start_rss = ProcStatusKiB("VmRSS:");
  double start_heap = HeapInUseMiB();

  Generator gen(endpoints, mix, zipf_s, seed, bodies);
  gen.set_latency_tail_percent(latency_tail);
  Inventory inv;
  constexpr size_t kRing = 256;
  std::vector<HttpTransaction> ring(kRing);
  std::vector<double> checkpoints_mb;  // RSS after each tenth of the transactions.
  uint64_t next_checkpoint = transactions / 10;

  double add_seconds = 0, add_cpu_seconds = 0;
  double cpu0 = ThreadCpuSeconds();
  auto wall0 = std::chrono::steady_clock::now();
  uint64_t done = 0;
  uint64_t rejected = 0;
  while (done < transactions) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kRing, transactions - done));
    for (size_t i = 0; i < n; ++i) gen.Next(&ring[i]);
    auto t0 = std::chrono::steady_clock::now();
    double c0 = ThreadCpuSeconds();
    for (size_t i = 0; i < n; ++i) rejected += inv.Add(ring[i]) ? 0 : 1;
    add_cpu_seconds += ThreadCpuSeconds() - c0;
    add_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done += n;
    if (next_checkpoint > 0 && done >= next_checkpoint) {
      checkpoints_mb.push_back(MiB(ProcStatusKiB("VmRSS:")));
      next_checkpoint += transactions / 10;
    }
  }
  double wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  double cpu_seconds = ThreadCpuSeconds() - cpu0;
  if (rejected != 0) Fail(std::to_string(rejected) + " transactions not attributed");
  int64_t rss_after_add = ProcStatusKiB("VmRSS:");
  int64_t hwm_after_add = ProcStatusKiB("VmHWM:");
  double heap_after_add = HeapInUseMiB();

  auto r0 = std::chrono::steady_clock::now();
  double rc0 = ThreadCpuSeconds();
  Inventory::Snapshot snap = inv.Render();
  double render_cpu_seconds = ThreadCpuSeconds() - rc0;
  double render_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
  int64_t rss_after_render = ProcStatusKiB("VmRSS:");
  double heap_after_render = HeapInUseMiB();
  int64_t peak = ProcStatusKiB("VmHWM:");

  uint64_t gated_endpoints = 0, gated_requests = 0, noise_paths = 0, rendered_requests = 0;
  for (const auto& [key, g] : snap.gated) {
    gated_endpoints += g.below_threshold_endpoints;
    gated_requests += g.below_threshold_requests + g.noise_requests;
    noise_paths += g.noise_paths;
  }
  for (const auto& e : snap.endpoints) rendered_requests += e.stats.requests;
  // Body schemas (SchemaSketch per endpoint, direction, status and media type), as rendered:
  // the snapshot holds the merged copies, so this is what the inventory holds for them too.
  uint64_t sketches = 0, sketch_nodes = 0, sketch_bytes = 0;
  for (const auto& e : snap.endpoints) {
    for (const auto* body_list : {&e.stats.request_bodies, &e.stats.response_bodies}) {
      for (const auto& b : *body_list) {
        if (b.schema.bodies() == 0) continue;
        ++sketches;
        sketch_nodes += b.schema.node_count();
        sketch_bytes += b.schema.ApproximateBytes();
      }
    }
  }
  size_t by_source[5] = {};
  for (const auto& e : snap.endpoints) {
    size_t s = static_cast<size_t>(e.stats.template_source);
    if (s < std::size(by_source)) ++by_source[s];
  }

  std::printf("{\n");
  std::printf("  \"transactions\": %" PRIu64 ",\n", transactions);
  std::printf("  \"endpoint_universe\": %u,\n", endpoints);
  std::printf("  \"mix_percent\": {\"templated\": %u, \"proxy\": %u, \"execution\": %u},\n",
              mix.percent[0], mix.percent[1], mix.percent[2]);
  std::printf("  \"endpoints_by_kind\": {\"templated\": %u, \"proxy\": %u, \"execution\": %u},\n",
              gen.endpoints(Kind::kTemplated), gen.endpoints(Kind::kProxy),
              gen.endpoints(Kind::kExecution));
  std::printf("  \"generated_by_kind\": {\"templated\": %" PRIu64 ", \"proxy\": %" PRIu64
              ", \"execution\": %" PRIu64 "},\n",
              gen.generated(Kind::kTemplated), gen.generated(Kind::kProxy),
              gen.generated(Kind::kExecution));
  std::printf("  \"latency_tail_percent\": %u,\n", latency_tail);
  std::printf("  \"bodies\": %s,\n  \"mean_json_body_bytes\": %.0f,\n  \"zipf_s\": %.2f,\n",
              bodies ? "true" : "false", gen.mean_body_bytes(), zipf_s);
  std::printf("  \"endpoints_rendered\": %zu,\n", snap.endpoints.size());
  std::printf("  \"endpoints_rendered_by_template_source\": {\"resource_path\": %zu, "
              "\"path_parameters\": %zu, \"inferred\": %zu, \"concrete\": %zu},\n",
              by_source[static_cast<size_t>(model::TemplateSource::kResourcePath)],
              by_source[static_cast<size_t>(model::TemplateSource::kPathParameters)],
              by_source[static_cast<size_t>(model::TemplateSource::kInferred)],
              by_source[static_cast<size_t>(model::TemplateSource::kConcrete)]);
  std::printf("  \"requests_rendered\": %" PRIu64 ",\n", rendered_requests);
  std::printf("  \"gated_below_threshold_endpoints\": %" PRIu64 ",\n  \"gated_noise_paths\": %" PRIu64
              ",\n  \"gated_requests\": %" PRIu64 ",\n",
              gated_endpoints, noise_paths, gated_requests);
  std::printf("  \"schema_sketches_rendered\": %" PRIu64 ",\n  \"schema_nodes_rendered\": %" PRIu64
              ",\n  \"schema_sketch_mb_rendered\": %.1f,\n",
              sketches, sketch_nodes, static_cast<double>(sketch_bytes) / (1 << 20));
  std::printf("  \"rss_start_mb\": %.1f,\n", MiB(start_rss));
  std::printf("  \"rss_after_add_mb\": %.1f,\n", MiB(rss_after_add));
  std::printf("  \"peak_rss_after_add_mb\": %.1f,\n", MiB(hwm_after_add));
  std::printf("  \"rss_after_render_mb\": %.1f,\n", MiB(rss_after_render));
  std::printf("  \"peak_rss_mb\": %.1f,\n", MiB(peak));
  std::printf("  \"peak_rss_reset\": %s,\n", hwm_reset ? "true" : "false");
  std::printf("  \"heap_in_use_start_mb\": %.1f,\n", start_heap);
  std::printf("  \"heap_in_use_after_add_mb\": %.1f,\n", heap_after_add);
  std::printf("  \"heap_in_use_after_render_mb\": %.1f,\n", heap_after_render);
  std::printf("  \"rss_checkpoints_mb\": [");
  for (size_t i = 0; i < checkpoints_mb.size(); ++i) {
    std::printf("%s%.1f", i ? ", " : "", checkpoints_mb[i]);
  }
  std::printf("],\n");
  std::printf("  \"add_seconds\": %.3f,\n", add_seconds);
  std::printf("  \"wall_seconds\": %.3f,\n", wall_seconds);
  std::printf("  \"transactions_per_s_add\": %.0f,\n",
              static_cast<double>(transactions) / add_seconds);
  std::printf("  \"transactions_per_s_wall\": %.0f,\n",
              static_cast<double>(transactions) / wall_seconds);
  std::printf("  \"add_cpu_seconds\": %.3f,\n", add_cpu_seconds);
  std::printf("  \"cpu_seconds\": %.3f,\n", cpu_seconds);
  std::printf("  \"transactions_per_cpu_s_add\": %.0f,\n",
              static_cast<double>(transactions) / add_cpu_seconds);
  std::printf("  \"transactions_per_cpu_s_with_generation\": %.0f,\n",
              static_cast<double>(transactions) / cpu_seconds);
  std::printf("  \"render_ms\": %.1f,\n", render_seconds * 1000);
  std::printf("  \"render_cpu_ms\": %.1f\n", render_cpu_seconds * 1000);
  std::printf("}\n");
  return 0;
}

int MemoryMain(int argc, char** argv) {
  auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s --memory N_TRANSACTIONS N_ENDPOINTS [--mix T,P,E] [--no-bodies] "
                 "[--zipf S] [--latency-tail PERCENT] [--seed N]\n",
                 argv[0]);
    return 2;
  };
  if (argc < 4) return usage();
  uint64_t transactions = std::strtoull(argv[2], nullptr, 10);
  uint64_t endpoints = std::strtoull(argv[3], nullptr, 10);
  if (transactions == 0 || endpoints == 0 || endpoints > 100'000'000) return usage();
  Mix mix;
  bool bodies = true;
  double zipf_s = 1.0;
  uint64_t seed = 1;
  uint32_t latency_tail = 2;
  for (int i = 4; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--mix" && i + 1 < argc) {
      unsigned t = 0, p = 0, e = 0;
      if (std::sscanf(argv[++i], "%u,%u,%u", &t, &p, &e) != 3 || t + p + e == 0) return usage();
      mix.percent[0] = t, mix.percent[1] = p, mix.percent[2] = e;
    } else if (a == "--no-bodies") {
      bodies = false;
    } else if (a == "--zipf" && i + 1 < argc) {
      zipf_s = std::strtod(argv[++i], nullptr);
    } else if (a == "--latency-tail" && i + 1 < argc) {
      latency_tail = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      return usage();
    }
  }
  return MemoryRun(transactions, static_cast<uint32_t>(endpoints), mix, bodies, zipf_s, seed,
                   latency_tail);
}

}  // namespace
}  // namespace gatescope

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--memory") == 0) return gatescope::MemoryMain(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
