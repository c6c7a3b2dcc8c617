#include "inventory/inventory_codec.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "classify/segment_classifier.h"
#include "classify/value_classifier.h"
#include "inventory/internal/wire.h"

namespace gatescope::inventory {

// The blob (all integers are LEB128 varints unless said otherwise, times zigzag varints,
// strings a varint length then bytes):
//   "GSI1" version(=1)   (strings are interned: internal/wire.h)
//   unattributed
//   stages:    count, then per stage: api_id stage kind(byte) region account_id
//              domain_names(count, strings) log_groups(count, strings) requests first last
//   endpoints: count, then per endpoint: api_id stage method path EndpointStats
//   trees:     count, then per tree: api_id stage route overflowed nodes(count), then per
//              node: [not the root: parent kind(byte) class(byte) label-or-suffix]
//              distinct(count of non-zero registers, then (index, rank) bytes)
//              examples(count, strings) ops(count, then (method, EndpointStats))
// and nothing after. docs/specs/discovery.md ("Stored state and merging") describes it.
namespace {

using internal::WireReader;
using internal::WireWriter;

constexpr std::string_view kMagic = "GSI1";
// 2 added the traffic series (a section flag that version 1 never sets, so both decode).
constexpr uint64_t kVersion = 2;
constexpr uint64_t kOldestVersion = 1;

constexpr uint8_t kMaxTemplateSource = static_cast<uint8_t>(model::TemplateSource::kInferred);
constexpr uint8_t kMaxApiKind = static_cast<uint8_t>(model::ApiKind::kWebSocket);
constexpr uint8_t kMaxErrorKind = static_cast<uint8_t>(model::ErrorKind::kValidationFailed);
constexpr uint8_t kMaxNodeKind = static_cast<uint8_t>(PathTrie::NodeKind::kOverflow);
constexpr uint64_t kMaxTags = std::numeric_limits<uint32_t>::max();

// Times are -1 (never) for both, or 0 <= first <= last.
bool ValidSpan(int64_t first, int64_t last) {
  return (first == -1 && last == -1) || (first >= 0 && first <= last);
}

void EncodeNames(WireWriter& out, const std::vector<std::string>& names) {
  out.Varint(names.size());
  for (const std::string& n : names) out.String(n);
}

bool DecodeNames(WireReader& in, size_t max, const char* what, std::vector<std::string>* names) {
  size_t n = in.Count(what, max);
  for (size_t i = 0; i < n && in.ok(); ++i) names->emplace_back(in.String(what));
  return in.ok();
}

void EncodeNameCounts(WireWriter& out, const std::vector<NameCount>& names) {
  out.Varint(names.size());
  for (const NameCount& n : names) {
    out.String(n.name);
    out.Varint(n.count);
  }
}

bool DecodeNameCounts(WireReader& in, const char* what, std::vector<NameCount>* names) {
  size_t n = in.Count(what, EndpointStats::kMaxFieldNames);
  for (size_t i = 0; i < n && in.ok(); ++i) {
    NameCount& c = names->emplace_back();
    c.name.assign(in.String(what));
    c.count = in.Varint(what);
  }
  return in.ok();
}

void EncodeParams(WireWriter& out, const std::vector<ParamStats>& params) {
  out.Varint(params.size());
  for (const ParamStats& p : params) {
    out.String(p.name);
    out.Varint(p.count);
    out.Varint(p.values);
    out.Varint(p.integers);
    out.Varint(p.numbers);
    out.Varint(p.booleans);
    out.Byte(static_cast<uint8_t>(p.format));
    out.Varint(p.tags);
    out.Varint(p.tagged);
    out.String(p.example);
  }
}

bool DecodeParams(WireReader& in, std::vector<ParamStats>* params) {
  size_t n = in.Count("parameters", EndpointStats::kMaxFieldNames);
  for (size_t i = 0; i < n && in.ok(); ++i) {
    ParamStats& p = params->emplace_back();
    p.name.assign(in.String("parameter name"));
    p.count = in.Varint("parameter count");
    p.values = in.Varint("parameter count");
    p.integers = in.Varint("parameter count");
    p.numbers = in.Varint("parameter count");
    p.booleans = in.Varint("parameter count");
    p.format = static_cast<classify::StringFormat>(
        in.Enum("parameter format", classify::kStringFormatCount - 1));
    p.tags = static_cast<uint32_t>(in.Bounded("parameter tags", kMaxTags));
    p.tagged = in.Varint("parameter count");
    p.example.assign(in.String("parameter example"));
    // JsonType() compares these with `values`.
    if (p.integers > p.values || p.numbers > p.values || p.booleans > p.values) {
      return in.Fail("parameter count");
    }
  }
  return in.ok();
}

void EncodeBodies(WireWriter& out, const std::vector<BodyCount>& bodies) {
  out.Varint(bodies.size());
  for (const BodyCount& b : bodies) {
    out.Signed(b.status);
    out.String(b.media_type);
    out.Varint(b.count);
    out.Varint(b.truncated);
    b.schema.Encode(out);
  }
}

bool DecodeBodies(WireReader& in, std::vector<BodyCount>* bodies) {
  size_t n = in.Count("bodies", EndpointStats::kMaxFieldNames);
  for (size_t i = 0; i < n && in.ok(); ++i) {
    BodyCount& b = bodies->emplace_back();
    int64_t status = in.Signed("body status");
    if (status < -1 || status > std::numeric_limits<int32_t>::max()) return in.Fail("body status");
    b.status = static_cast<int32_t>(status);
    b.media_type.assign(in.String("body media type"));
    b.count = in.Varint("body count");
    b.truncated = in.Varint("body count");
    if (!in.ok() || !b.schema.Decode(in)) return in.Fail("body schema");
  }
  return in.ok();
}

void EncodeAuth(WireWriter& out, const AuthStats& a) {
  for (uint64_t n : {a.observed, a.none, a.bearer, a.bearer_jwt, a.basic, a.sigv4, a.masked,
                     a.authorizer, a.api_key_required, a.iam_caller}) {
    out.Varint(n);
  }
  EncodeNames(out, a.authorizer_ids);
  EncodeNameCounts(out, a.api_key_headers);
  EncodeNameCounts(out, a.api_key_query);
  EncodeNameCounts(out, a.jwt_claims);
}

bool DecodeAuth(WireReader& in, AuthStats* a) {
  for (uint64_t* n : {&a->observed, &a->none, &a->bearer, &a->bearer_jwt, &a->basic, &a->sigv4,
                      &a->masked, &a->authorizer, &a->api_key_required, &a->iam_caller}) {
    *n = in.Varint("auth count");
  }
  return DecodeNames(in, AuthStats::kMaxAuthorizerIds, "authorizer ids", &a->authorizer_ids) &&
         DecodeNameCounts(in, "api key headers", &a->api_key_headers) &&
         DecodeNameCounts(in, "api key query", &a->api_key_query) &&
         DecodeNameCounts(in, "jwt claims", &a->jwt_claims);
}

// Which optional sections of an EndpointStats follow (access-log endpoints have none).
constexpr uint8_t kHasContent = 1;
constexpr uint8_t kHasAuth = 2;
constexpr uint8_t kHasErrors = 4;
constexpr uint8_t kHasTraffic = 8;

void EncodeBuckets(WireWriter& out, const std::vector<TrafficSeries::Bucket>& buckets) {
  out.Varint(buckets.size());
  int64_t previous = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const TrafficSeries::Bucket& b = buckets[i];
    // The first index in full, then gaps: a byte each.
    if (i == 0) {
      out.Signed(b.index);
    } else {
      out.Varint(static_cast<uint64_t>(b.index - previous));
    }
    previous = b.index;
    for (uint64_t n : {b.requests, b.client_errors, b.server_errors, b.latency_count,
                       b.latency_sum_ms, b.latency_max_ms}) {
      out.Varint(n);
    }
  }
}

bool DecodeBuckets(WireReader& in, std::vector<TrafficSeries::Bucket>* buckets) {
  // Every bucket takes at least 7 bytes.
  size_t n = in.Count("traffic buckets", in.remaining() / 7);
  buckets->resize(n);
  for (size_t i = 0; i < n && in.ok(); ++i) {
    TrafficSeries::Bucket& b = (*buckets)[i];
    if (i == 0) {
      b.index = in.Signed("traffic index");
    } else {
      uint64_t gap = in.Varint("traffic gap");
      if (gap == 0 || gap > (1u << 20)) return in.Fail("traffic gap");
      b.index = (*buckets)[i - 1].index + static_cast<int64_t>(gap);
    }
    if (b.index < -(int64_t{1} << 40) || b.index > (int64_t{1} << 40)) return in.Fail("traffic index");
    for (uint64_t* v : {&b.requests, &b.client_errors, &b.server_errors, &b.latency_count,
                        &b.latency_sum_ms, &b.latency_max_ms}) {
      *v = in.Varint("traffic count");
    }
  }
  return in.ok();
}

void EncodeTraffic(WireWriter& out, const TrafficSeries& t) {
  EncodeBuckets(out, t.hours());
  EncodeBuckets(out, t.days());
}

bool DecodeTraffic(WireReader& in, TrafficSeries* t) {
  std::vector<TrafficSeries::Bucket> hours, days;
  if (!DecodeBuckets(in, &hours) || !DecodeBuckets(in, &days)) return false;
  return t->Assign(std::move(hours), std::move(days)) || in.Fail("traffic window");
}

bool HasContent(const EndpointStats& s) {
  return s.content_logged != 0 || s.query_observed != 0 || s.request_headers_observed != 0 ||
         !s.query_params.empty() || !s.request_headers.empty() || !s.cookies.empty() ||
         !s.response_headers.empty() || !s.request_bodies.empty() || !s.response_bodies.empty() ||
         s.partial != 0 || s.coverage_full != 0;
}

bool HasAuth(const AuthStats& a) {
  for (uint64_t n : {a.observed, a.none, a.bearer, a.bearer_jwt, a.basic, a.sigv4, a.masked,
                     a.authorizer, a.api_key_required, a.iam_caller}) {
    if (n != 0) return true;
  }
  return !a.authorizer_ids.empty() || !a.api_key_headers.empty() || !a.api_key_query.empty() ||
         !a.jwt_claims.empty();
}

void EncodeStats(WireWriter& out, const EndpointStats& s) {
  uint8_t parts = static_cast<uint8_t>((HasContent(s) ? kHasContent : 0) |
                                       (HasAuth(s.auth) ? kHasAuth : 0) |
                                       (!s.errors.empty() ? kHasErrors : 0) |
                                       (!s.traffic.empty() ? kHasTraffic : 0));
  out.Byte(parts);
  out.Byte(static_cast<uint8_t>(s.template_source));
  out.String(s.route);
  out.Varint(s.requests);
  out.Varint(s.unrouted);
  out.Varint(s.status_counts.size());
  for (const auto& [code, n] : s.status_counts) {
    out.Signed(code);
    out.Varint(n);
  }
  // Last seen as the span after first seen: a few bytes instead of a full timestamp.
  out.Signed(s.first_seen_ms);
  if (s.first_seen_ms >= 0) out.Varint(static_cast<uint64_t>(s.last_seen_ms - s.first_seen_ms));
  s.response_latency.Encode(out);
  s.integration_latency.Encode(out);
  for (uint64_t n : s.by_log_source) out.Varint(n);
  if ((parts & kHasContent) != 0) {
    out.Varint(s.content_logged);
    out.Varint(s.query_observed);
    out.Varint(s.request_headers_observed);
    EncodeParams(out, s.query_params);
    EncodeParams(out, s.request_headers);
    EncodeParams(out, s.cookies);
    EncodeNameCounts(out, s.response_headers);
    EncodeBodies(out, s.request_bodies);
    EncodeBodies(out, s.response_bodies);
    out.Varint(s.partial);
    out.Varint(s.coverage_full);
  }
  if ((parts & kHasErrors) != 0) {
    out.Varint(s.errors.size());
    for (const auto& [kind, n] : s.errors) {
      out.Byte(static_cast<uint8_t>(kind));
      out.Varint(n);
    }
  }
  if ((parts & kHasAuth) != 0) EncodeAuth(out, s.auth);
  if ((parts & kHasTraffic) != 0) EncodeTraffic(out, s.traffic);
}

bool DecodeStats(WireReader& in, EndpointStats* s) {
  uint8_t parts = in.Enum("endpoint sections", kHasContent | kHasAuth | kHasErrors | kHasTraffic);
  s->template_source =
      static_cast<model::TemplateSource>(in.Enum("template source", kMaxTemplateSource));
  s->route.assign(in.String("route"));
  s->requests = in.Varint("requests");
  s->unrouted = in.Varint("unrouted");
  // answered() is requests - unrouted.
  if (s->unrouted > s->requests) return in.Fail("unrouted");
  size_t statuses = in.Count("status codes", in.remaining());
  for (size_t i = 0; i < statuses && in.ok(); ++i) {
    int64_t code = in.Signed("status code");
    if (code < std::numeric_limits<int32_t>::min() || code > std::numeric_limits<int32_t>::max()) {
      return in.Fail("status code");
    }
    s->status_counts.emplace_back(static_cast<int32_t>(code), in.Varint("status count"));
  }
  s->first_seen_ms = in.Signed("first seen");
  s->last_seen_ms = -1;
  if (in.ok() && s->first_seen_ms >= 0) {
    uint64_t span = in.Varint("last seen");
    if (span > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() - s->first_seen_ms)) {
      return in.Fail("last seen");
    }
    s->last_seen_ms = s->first_seen_ms + static_cast<int64_t>(span);
  }
  if (in.ok() && !ValidSpan(s->first_seen_ms, s->last_seen_ms)) return in.Fail("first seen");
  if (!in.ok() || !s->response_latency.Decode(in) || !s->integration_latency.Decode(in)) {
    return false;
  }
  for (uint64_t& n : s->by_log_source) n = in.Varint("log sources");
  if ((parts & kHasContent) != 0) {
    s->content_logged = in.Varint("content logged");
    s->query_observed = in.Varint("query observed");
    s->request_headers_observed = in.Varint("headers observed");
    if (!DecodeParams(in, &s->query_params) || !DecodeParams(in, &s->request_headers) ||
        !DecodeParams(in, &s->cookies) ||
        !DecodeNameCounts(in, "response headers", &s->response_headers) ||
        !DecodeBodies(in, &s->request_bodies) || !DecodeBodies(in, &s->response_bodies)) {
      return false;
    }
    s->partial = in.Varint("partial");
    s->coverage_full = in.Varint("coverage");
  }
  if ((parts & kHasErrors) != 0) {
    size_t errors = in.Count("errors", in.remaining());
    for (size_t i = 0; i < errors && in.ok(); ++i) {
      auto kind = static_cast<model::ErrorKind>(in.Enum("error kind", kMaxErrorKind));
      s->errors.emplace_back(kind, in.Varint("error count"));
    }
  }
  if (!in.ok() || ((parts & kHasAuth) != 0 && !DecodeAuth(in, &s->auth))) return false;
  return (parts & kHasTraffic) == 0 || DecodeTraffic(in, &s->traffic);
}

void EncodeStage(WireWriter& out, const std::pair<std::string, std::string>& id,
                 const ApiStageInfo& info) {
  out.String(id.first);
  out.String(id.second);
  out.Byte(static_cast<uint8_t>(info.kind));
  out.String(info.region);
  out.String(info.account_id);
  EncodeNames(out, info.domain_names);
  EncodeNames(out, info.log_groups);
  out.Varint(info.requests);
  out.Signed(info.first_seen_ms);
  out.Signed(info.last_seen_ms);
}

bool DecodeStage(WireReader& in, ApiStageInfo* info) {
  info->kind = static_cast<model::ApiKind>(in.Enum("api kind", kMaxApiKind));
  info->region.assign(in.String("region"));
  info->account_id.assign(in.String("account id"));
  if (!DecodeNames(in, Inventory::kMaxNames, "domain names", &info->domain_names) ||
      !DecodeNames(in, Inventory::kMaxNames, "log groups", &info->log_groups)) {
    return false;
  }
  info->requests = in.Varint("stage requests");
  info->first_seen_ms = in.Signed("stage first seen");
  info->last_seen_ms = in.Signed("stage last seen");
  if (in.ok() && !ValidSpan(info->first_seen_ms, info->last_seen_ms)) {
    return in.Fail("stage first/last seen");
  }
  return in.ok();
}

void EncodeNode(WireWriter& out, const PathTrie::Node& n, bool root) {
  if (!root) {
    out.Varint(n.parent);
    out.Byte(static_cast<uint8_t>(n.kind));
    out.Byte(static_cast<uint8_t>(n.cls));
    out.String(n.kind == PathTrie::NodeKind::kLiteral ? n.label : n.suffix);
  }
  const auto& registers = n.distinct.registers();
  size_t used = 0;
  for (uint8_t r : registers) used += r != 0;
  out.Varint(used);
  for (size_t i = 0; i < registers.size(); ++i) {
    if (registers[i] == 0) continue;
    out.Byte(static_cast<uint8_t>(i));
    out.Byte(registers[i]);
  }
  EncodeNames(out, n.examples);
  out.Varint(n.ops.size());
  for (const auto& [method, stats] : n.ops) {
    out.String(method);
    EncodeStats(out, stats);
  }
}

bool DecodeNode(WireReader& in, bool root, PathTrie::Node* n) {
  if (!root) {
    n->parent = static_cast<uint32_t>(in.Bounded("node parent", PathTrie::kNone - 1));
    n->kind = static_cast<PathTrie::NodeKind>(in.Enum("node kind", kMaxNodeKind));
    n->cls = static_cast<classify::SegmentClass>(
        in.Enum("node class", classify::kSegmentClassCount - 1));
    std::string_view label = in.String("node label");
    (n->kind == PathTrie::NodeKind::kLiteral ? n->label : n->suffix).assign(label);
  }
  size_t used = in.Count("distinct sketch", 64);
  for (size_t i = 0; i < used && in.ok(); ++i) {
    uint8_t index = in.Byte("distinct sketch");
    uint8_t rank = in.Byte("distinct sketch");
    if (in.ok() && (rank == 0 || !n->distinct.SetRegister(index, rank))) {
      return in.Fail("distinct sketch");
    }
  }
  if (!DecodeNames(in, PathTrie::kMaxExamples, "examples", &n->examples)) return false;
  size_t ops = in.Count("node methods", in.remaining());
  for (size_t i = 0; i < ops && in.ok(); ++i) {
    auto& [method, stats] = n->ops.emplace_back();
    method.assign(in.String("method"));
    if (!DecodeStats(in, &stats)) return false;
  }
  return in.ok();
}

}  // namespace

// Reads and rebuilds the private state of an Inventory (a friend of it).
struct InventoryCodec {
  static std::string Encode(const Inventory& inv) {
    std::string blob;
    blob.reserve(256 + 128 * inv.endpoints_.size());
    WireWriter out(&blob);
    out.Raw(kMagic);
    out.Varint(kVersion);
    out.Varint(inv.unattributed_);
    out.Varint(inv.api_stages_.size());
    for (const auto& [id, info] : inv.api_stages_) EncodeStage(out, id, info);
    out.Varint(inv.endpoints_.size());
    for (const auto& [key, stats] : inv.endpoints_) {
      out.String(key.api_id);
      out.String(key.stage);
      out.String(key.method);
      out.String(key.path);
      EncodeStats(out, stats);
    }
    out.Varint(inv.trees_.size());
    for (const auto& tree : inv.trees_) {
      out.String(tree->api_id);
      out.String(tree->stage);
      out.String(tree->route);
      out.Varint(tree->trie.overflowed());
      out.Varint(tree->trie.size());
      for (uint32_t i = 0; i < tree->trie.size(); ++i) EncodeNode(out, tree->trie.node(i), i == 0);
    }
    return blob;
  }

  // Decodes into `inv`, which must be empty.
  static Status Decode(std::string_view blob, Inventory* inv) {
    if (blob.size() < kMagic.size() || blob.substr(0, kMagic.size()) != kMagic) {
      return ParseError("inventory blob: bad magic (not an inventory)");
    }
    WireReader in(blob.substr(kMagic.size()));
    uint64_t version = in.Varint("version");
    if (in.ok() && (version < kOldestVersion || version > kVersion)) {
      return ParseError("inventory blob: unsupported version " + std::to_string(version));
    }
    inv->unattributed_ = in.Varint("unattributed");
    if (!DecodeStages(in, inv) || !DecodeEndpoints(in, inv)) return Error(in);
    if (Status s = DecodeTrees(in, inv); !s.ok()) return s;
    if (in.ok() && !in.at_end()) in.Fail("trailing bytes");
    return in.ok() ? Status::Ok() : Error(in);
  }

 private:
  static Status Error(const WireReader& in) {
    return ParseError("inventory blob: bad " + std::string(in.error()));
  }

  static bool DecodeStages(WireReader& in, Inventory* inv) {
    size_t n = in.Count("stages", in.remaining());
    for (size_t i = 0; i < n && in.ok(); ++i) {
      std::pair<std::string, std::string> id;
      id.first.assign(in.String("api id"));
      id.second.assign(in.String("stage"));
      auto [it, inserted] = inv->api_stages_.try_emplace(std::move(id));
      if (!inserted) return in.Fail("stages (repeated)");
      if (!DecodeStage(in, &it->second)) return false;
    }
    return in.ok();
  }

  static bool DecodeEndpoints(WireReader& in, Inventory* inv) {
    size_t n = in.Count("endpoints", in.remaining());
    for (size_t i = 0; i < n && in.ok(); ++i) {
      std::string api_id(in.String("api id"));
      std::string stage(in.String("stage"));
      std::string_view method = in.String("method");
      std::string_view path = in.String("path");
      if (!in.ok()) return false;
      size_t before = inv->endpoints_.size();
      EndpointStats& stats =
          inv->EndpointFor(api_id, stage, method, path, model::TemplateSource::kConcrete);
      if (inv->endpoints_.size() == before) return in.Fail("endpoints (repeated)");
      if (!DecodeStats(in, &stats)) return false;
    }
    return in.ok();
  }

  static Status DecodeTrees(WireReader& in, Inventory* inv) {
    size_t n = in.Count("trees", in.remaining());
    for (size_t i = 0; i < n && in.ok(); ++i) {
      std::string api_id(in.String("api id"));
      std::string stage(in.String("stage"));
      std::string_view route = in.String("route");
      uint64_t overflowed = in.Varint("overflowed");
      size_t nodes = in.Count("nodes", PathTrie::kNone - 1);
      if (!in.ok()) return Error(in);
      if (nodes == 0) return ParseError("inventory blob: bad nodes (no root)");
      // Grown as nodes are read, not reserved from the count: a node takes ~200 bytes in
      // memory but can take 7 in the blob.
      std::vector<PathTrie::Node> decoded;
      for (size_t k = 0; k < nodes && in.ok(); ++k) {
        if (!DecodeNode(in, k == 0, &decoded.emplace_back())) return Error(in);
      }
      if (!in.ok()) return Error(in);
      size_t before = inv->trees_.size();
      Inventory::Tree& tree = inv->TreeFor(api_id, stage, route);
      if (inv->trees_.size() == before) return ParseError("inventory blob: bad trees (repeated)");
      if (Status s = tree.trie.Restore(std::move(decoded), overflowed); !s.ok()) {
        return ParseError("inventory blob: " + s.message());
      }
    }
    return in.ok() ? Status::Ok() : Error(in);
  }
};

std::string EncodeInventory(const Inventory& inventory) { return InventoryCodec::Encode(inventory); }

Status MergeEncodedInventory(std::string_view blob, Inventory* inventory) {
  // Decoded aside, so that a blob found corrupt half-way leaves `*inventory` as it was.
  Inventory decoded(inventory->options());
  GS_RETURN_IF_ERROR(InventoryCodec::Decode(blob, &decoded));
  inventory->Merge(decoded);
  return Status::Ok();
}

}  // namespace gatescope::inventory
