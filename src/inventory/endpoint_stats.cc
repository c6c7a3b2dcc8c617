#include "inventory/endpoint_stats.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/json_prefix.h"

namespace gatescope::inventory {
namespace {

// Adds `n` to `key`'s count in a short list of (key, count) pairs.
template <typename Key>
void Increment(std::vector<std::pair<Key, uint64_t>>& counts, Key key, uint64_t n = 1) {
  auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == key; });
  if (it == counts.end()) {
    counts.emplace_back(key, n);
  } else {
    it->second += n;
  }
}

void Seen(int64_t t, int64_t* first, int64_t* last) {
  if (t < 0) return;
  if (*first < 0 || t < *first) *first = t;
  if (t > *last) *last = t;
}

void CountName(std::vector<NameCount>& names, std::string_view name, bool lowercase,
               uint64_t n = 1) {
  for (NameCount& c : names) {
    if (lowercase ? EqualsIgnoreCase(c.name, name) : c.name == name) {
      c.count += n;
      return;
    }
  }
  if (names.size() >= EndpointStats::kMaxFieldNames) return;
  NameCount& c = names.emplace_back();
  c.name.assign(name);
  if (lowercase) LowerAsciiInPlace(c.name);
  c.count = n;
}

void CountNames(std::vector<NameCount>& names, const model::FieldList& fields, bool lowercase) {
  for (const model::Field& f : fields) CountName(names, f.name, lowercase);
}

ParamStats* FindParam(std::vector<ParamStats>& params, std::string_view name, bool lowercase) {
  for (ParamStats& p : params) {
    if (lowercase ? EqualsIgnoreCase(p.name, name) : p.name == name) return &p;
  }
  if (params.size() >= EndpointStats::kMaxFieldNames) return nullptr;
  ParamStats& p = params.emplace_back();
  p.name.assign(name);
  if (lowercase) LowerAsciiInPlace(p.name);
  p.tags = classify::SensitiveTagsForName(name);
  return &p;
}

void CountParam(std::vector<ParamStats>& params, std::string_view name, std::string_view value,
                bool truncated, bool lowercase) {
  if (ParamStats* p = FindParam(params, name, lowercase)) {
    ++p->count;
    p->AddValue(value, truncated);
  }
}

// "a=1&b=x": each name once per request.
void CountQueryString(std::vector<ParamStats>& params, std::string_view query) {
  std::vector<std::string> seen;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string name = FormDecode(pair.substr(0, eq));
    if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    CountParam(params, name,
               eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1)), false,
               false);
  }
}

// "a=1; b=2": cookie names, and what their values look like.
void CountCookies(std::vector<ParamStats>& cookies, std::string_view header, bool truncated) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = TrimAsciiSpace(header.substr(0, semi));
    bool last = semi == std::string_view::npos;
    header = last ? std::string_view() : header.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    if (last && truncated) break;  // The cut may have shortened the name.
    CountParam(cookies, pair.substr(0, eq), pair.substr(eq + 1), false, false);
  }
}

std::string Base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
          : c >= '0' && c <= '9' ? c - '0' + 52 : (c == '-' || c == '+') ? 62
          : (c == '_' || c == '/') ? 63 : -1;
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// Collects the top-level key names of a JSON object, skipping every value.
class TopLevelKeys final : public JsonPrefixVisitor {
 public:
  explicit TopLevelKeys(std::vector<NameCount>& names) : names_(names) {}
  void OnString(std::span<const std::string_view>, std::string_view, bool) override {}
  void OnScalar(std::span<const std::string_view>, std::string_view) override {}
  void OnContainerEnd(std::span<const std::string_view>, bool) override {}
  bool WantKey(std::span<const std::string_view> path, std::string_view key) override {
    if (path.empty() && names_.size() < EndpointStats::kMaxFieldNames) CountName(names_, key, false);
    return false;
  }

 private:
  std::vector<NameCount>& names_;
};

// Authorizer ids are kept sorted, so that merged inventories list them in one order. Adding
// keeps the first ids seen; merging (`smallest`) keeps the smallest, which does not depend on
// the order of merges.
void AddAuthorizerId(std::vector<std::string>& ids, std::string_view id, bool smallest) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) return;
  if (ids.size() < AuthStats::kMaxAuthorizerIds) {
    ids.emplace(it, id);
  } else if (smallest && it != ids.end()) {
    auto at = it - ids.begin();
    ids.pop_back();
    ids.emplace(ids.begin() + at, id);
  }
}

bool IsMasked(std::string_view v) { return v.size() > 6 && v.substr(0, 4) == "****"; }

// What one request shows of its credentials.
void AddAuth(const model::HttpTransaction& tx, AuthStats& a) {
  bool credential = false;
  for (const model::Field& f : tx.request_headers) {
    if (EqualsIgnoreCase(f.name, "authorization")) {
      credential = true;
      std::string_view v = TrimAsciiSpace(f.value);
      auto scheme = [&](std::string_view s) {
        return v.size() > s.size() && EqualsIgnoreCase(v.substr(0, s.size()), s);
      };
      if (IsMasked(v)) {
        ++a.masked;
      } else if (scheme("bearer ")) {
        ++a.bearer;
        std::string_view token = TrimAsciiSpace(v.substr(7));
        size_t dot = token.find('.');
        size_t dot2 = dot == std::string_view::npos ? dot : token.find('.', dot + 1);
        if (dot2 != std::string_view::npos && token.substr(0, 3) == "eyJ") {
          ++a.bearer_jwt;
          std::string claims = Base64UrlDecode(token.substr(dot + 1, dot2 - dot - 1));
          TopLevelKeys keys(a.jwt_claims);
          ScanJsonPrefix(claims, keys);
        }
      } else if (scheme("basic ")) {
        ++a.basic;
      } else if (scheme("aws4-hmac-sha256")) {
        ++a.sigv4;
      } else {
        ++a.masked;  // A bare token: scheme unknown.
      }
    } else if (EqualsIgnoreCase(f.name, "x-amz-security-token")) {
      credential = true;
    } else if ((classify::SensitiveTagsForName(f.name) & classify::kTagCredential) != 0 &&
               !EqualsIgnoreCase(f.name, "cookie") && !EqualsIgnoreCase(f.name, "set-cookie")) {
      credential = true;
      CountName(a.api_key_headers, f.name, true);
    }
  }
  for (const model::Field& f : tx.query_params) {
    if ((classify::SensitiveTagsForName(f.name) & classify::kTagCredential) != 0) {
      credential = true;
      CountName(a.api_key_query, f.name, false);
    }
  }
  if (!tx.api_key.empty()) credential = true;
  if (!tx.authorizer_id.empty() || !tx.authorizer_principal.empty()) {
    ++a.authorizer;
    credential = true;
    if (!tx.authorizer_id.empty()) AddAuthorizerId(a.authorizer_ids, tx.authorizer_id, false);
  }
  if (tx.api_key_required == 1) ++a.api_key_required;
  if (tx.user.starts_with("arn:") || tx.caller.starts_with("arn:") ||
      tx.caller.starts_with("AROA") || tx.caller.starts_with("AIDA")) {
    ++a.iam_caller;
    credential = true;
  }
  if (tx.request_headers.logged && !tx.request_headers.truncated) {
    ++a.observed;
    if (!credential) ++a.none;
  }
}

BodyCount* FindBody(std::vector<BodyCount>& bodies, int32_t status, std::string_view type) {
  for (BodyCount& b : bodies) {
    if (b.status == status && b.media_type == type) return &b;
  }
  if (bodies.size() >= EndpointStats::kMaxFieldNames) return nullptr;
  BodyCount& b = bodies.emplace_back();
  b.status = status;
  b.media_type.assign(type);
  return &b;
}

bool IsJsonType(std::string_view type) {
  return type == "application/json" || type.ends_with("+json") || type == "text/json";
}

void CountBody(std::vector<BodyCount>& bodies, int32_t status, const model::Body& body) {
  if (!body.present || body.text.empty()) return;
  if (BodyCount* b = FindBody(bodies, status, body.content_type)) {
    ++b->count;
    b->truncated += body.truncated ? 1 : 0;
    std::string_view text = TrimAsciiSpace(body.text);
    bool looks_json = !text.empty() && (text[0] == '{' || text[0] == '[');
    if (IsJsonType(body.content_type) || (body.content_type.empty() && looks_json)) {
      b->schema.AddJson(body.text, body.truncated, DefaultSchemaOptions());
    } else if (body.content_type == "application/x-www-form-urlencoded") {
      b->schema.AddForm(body.text, body.truncated, DefaultSchemaOptions());
    }
  }
}

}  // namespace

const SchemaOptions& DefaultSchemaOptions() {
  static const SchemaOptions options;
  return options;
}

void EndpointStats::Add(const model::HttpTransaction& tx) {
  if (tx.source != model::LogSource::kAccessLog) {
    ++content_logged;
    if (tx.query_params.logged && !tx.query_params.truncated) ++query_observed;
    if (tx.request_headers.logged && !tx.request_headers.truncated) ++request_headers_observed;
    for (const model::Field& f : tx.query_params) {
      CountParam(query_params, f.name, f.value, f.value_truncated, false);
    }
    for (const model::Field& f : tx.request_headers) {
      CountParam(request_headers, f.name, f.value, f.value_truncated, true);
      if (EqualsIgnoreCase(f.name, "cookie")) CountCookies(cookies, f.value, f.value_truncated);
    }
    CountNames(response_headers, tx.response_headers, true);
    CountBody(request_bodies, -1, tx.request_body);
    CountBody(response_bodies, tx.status, tx.response_body);
    if (tx.partial) ++partial;
    if (tx.coverage == model::Coverage::kFull) ++coverage_full;
  }
  if (!tx.query_params.logged && !tx.query.empty()) CountQueryString(query_params, tx.query);
  if (tx.supplement) return;
  AddAuth(tx, auth);
  ++by_log_source[static_cast<size_t>(tx.source)];
  if (tx.error_kind != model::ErrorKind::kNone) Increment(errors, tx.error_kind);
  ++requests;
  Increment(status_counts, tx.status);
  if (tx.status == 404 ||
      (tx.status == 403 && tx.error_message.find("Missing Authentication Token") != std::string::npos)) {
    ++unrouted;
  }
  Seen(tx.request_time_ms, &first_seen_ms, &last_seen_ms);
  response_latency.Add(tx.response_latency_ms);
  integration_latency.Add(tx.integration_latency_ms);
  traffic.Add(tx.request_time_ms, tx.status, tx.response_latency_ms);
}

void EndpointStats::Merge(const EndpointStats& s) {
  // Which source and route to keep must not depend on the order of merges: a fresh target
  // takes the other's; otherwise the smallest (a logged resource path before a rebuilt one).
  bool fresh = requests == 0 && content_logged == 0;
  if (fresh || (!(s.requests == 0 && s.content_logged == 0) &&
                s.template_source < template_source)) {
    template_source = s.template_source;
  }
  if (route.empty() || (!s.route.empty() && s.route < route)) route = s.route;
  requests += s.requests;
  unrouted += s.unrouted;
  for (const auto& [code, n] : s.status_counts) Increment(status_counts, code, n);
  if (s.first_seen_ms >= 0) Seen(s.first_seen_ms, &first_seen_ms, &last_seen_ms);
  if (s.last_seen_ms >= 0) Seen(s.last_seen_ms, &first_seen_ms, &last_seen_ms);
  response_latency.Merge(s.response_latency);
  integration_latency.Merge(s.integration_latency);
  traffic.Merge(s.traffic);
  content_logged += s.content_logged;
  query_observed += s.query_observed;
  request_headers_observed += s.request_headers_observed;
  for (auto [to, from] : {std::pair{&query_params, &s.query_params},
                          std::pair{&request_headers, &s.request_headers},
                          std::pair{&cookies, &s.cookies}}) {
    for (const ParamStats& p : *from) {
      if (ParamStats* into = FindParam(*to, p.name, false)) into->Merge(p);
    }
  }
  for (const NameCount& n : s.response_headers) CountName(response_headers, n.name, true, n.count);
  for (auto [to, from] : {std::pair{&request_bodies, &s.request_bodies},
                          std::pair{&response_bodies, &s.response_bodies}}) {
    for (const BodyCount& b : *from) {
      if (BodyCount* into = FindBody(*to, b.status, b.media_type)) {
        into->count += b.count;
        into->truncated += b.truncated;
        into->schema.Merge(b.schema, DefaultSchemaOptions());
      }
    }
  }
  for (const auto& [kind, n] : s.errors) Increment(errors, kind, n);
  for (size_t i = 0; i < by_log_source.size(); ++i) by_log_source[i] += s.by_log_source[i];
  partial += s.partial;
  coverage_full += s.coverage_full;
  auth.Merge(s.auth);
}

void ParamStats::AddValue(std::string_view value, bool truncated) {
  if (truncated) return;
  bool first = values == 0;
  ++values;
  std::string_view digits = value.substr(!value.empty() && value[0] == '-' ? 1 : 0);
  bool integer = !digits.empty() && digits.size() <= 18 &&
                 std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  bool number = integer;
  if (!integer && !digits.empty()) {
    size_t dots = 0, numeric = 0;
    for (char c : digits) {
      dots += c == '.';
      numeric += (c >= '0' && c <= '9') || c == '.';
    }
    number = dots == 1 && numeric == digits.size() && digits.size() > 1 && digits.front() != '.' &&
             digits.back() != '.';
  }
  integers += integer;
  numbers += number;
  booleans += value == "true" || value == "false";
  classify::ValueClass vc = classify::ClassifyValue(value);
  if (first) {
    format = vc.format;
  } else if (format != vc.format) {
    format = classify::StringFormat::kNone;
  }
  if (vc.tags != 0) {
    ++tagged;
    tags |= vc.tags;
  }
  if (example.empty() && !value.empty()) example = classify::RedactValue(value, tags | vc.tags);
}

void ParamStats::Merge(const ParamStats& o) {
  bool first = values == 0;
  count += o.count;
  values += o.values;
  integers += o.integers;
  numbers += o.numbers;
  booleans += o.booleans;
  if (o.values > 0) format = first ? o.format : (format == o.format ? format : classify::StringFormat::kNone);
  tags |= o.tags;
  tagged += o.tagged;
  // The smallest: the same whatever the order of merges.
  if (!o.example.empty() && (example.empty() || o.example < example)) example = o.example;
}

std::string_view ParamStats::JsonType() const {
  if (values == 0) return "string";
  if (integers == values) return "integer";
  if (numbers == values) return "number";
  if (booleans == values) return "boolean";
  return "string";
}

void AuthStats::Merge(const AuthStats& o) {
  observed += o.observed;
  none += o.none;
  bearer += o.bearer;
  bearer_jwt += o.bearer_jwt;
  basic += o.basic;
  sigv4 += o.sigv4;
  masked += o.masked;
  authorizer += o.authorizer;
  api_key_required += o.api_key_required;
  iam_caller += o.iam_caller;
  for (const std::string& id : o.authorizer_ids) AddAuthorizerId(authorizer_ids, id, true);
  for (auto [to, from] : {std::pair{&api_key_headers, &o.api_key_headers},
                          std::pair{&api_key_query, &o.api_key_query},
                          std::pair{&jwt_claims, &o.jwt_claims}}) {
    for (const NameCount& n : *from) CountName(*to, n.name, false, n.count);
  }
}

bool AuthStats::empty() const {
  return bearer + basic + sigv4 + masked + authorizer + api_key_required + iam_caller == 0 &&
         api_key_headers.empty() && api_key_query.empty();
}


}  // namespace gatescope::inventory
