#include "server/endpoint_query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <unordered_map>

#include "classify/value_classifier.h"
#include "core/ascii.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "inventory/inventory_json.h"
#include "server/traffic_window.h"

namespace gatescope::server {
namespace {

using Json = nlohmann::ordered_json;
using inventory::EndpointStats;
using inventory::Inventory;

constexpr size_t kMaxLimit = 1000;
constexpr std::string_view kCursorVersion = "c1";

constexpr std::array<std::string_view, 4> kSorts = {"path", "requests", "last_seen", "first_seen"};
constexpr std::array<std::string_view, 3> kSources = {"gateway", "inferred", "concrete"};
constexpr std::array<std::string_view, 7> kAuthSchemes = {"none",    "bearer",     "basic", "sigv4",
                                                          "api_key", "authorizer", "iam"};
constexpr std::array<std::string_view, 10> kAuthValues = {
    "none",       "bearer", "basic",         "sigv4",           "api_key",
    "authorizer", "iam",    "authenticated", "unauthenticated", "unknown"};
constexpr std::array<std::string_view, 17> kParameters = {
    "api",    "stage",        "method",    "q",         "tag",     "source",
    "auth",   "status",       "since",     "unseen_since", "new_since", "sensitive",
    "account", "region",      "sort",      "limit",     "cursor"};
constexpr std::array<std::string_view, 4> kStatusClasses = {"2xx", "3xx", "4xx", "5xx"};

bool IsUrlSafe(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// RFC 4648 section 5, without padding.
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Url[(v >> shift) & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kBase64Url[(v >> 18) & 63];
    out += kBase64Url[(v >> 12) & 63];
    if (rest == 2) out += kBase64Url[(v >> 6) & 63];
  }
  return out;
}

// Strict: only the URL alphabet, no padding, and canonical (re-encodes to the same text), so
// that each payload has exactly one spelling.
std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const char* at = std::find(kBase64Url, kBase64Url + 64, c);
    if (at == kBase64Url + 64) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(at - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (Base64UrlEncode(out) != in) return std::nullopt;
  return out;
}

// Where a page ends: the last item's sort value and key; its id guards against edits.
struct Cursor {
  std::string sort;
  int64_t value = 0;
  inventory::EndpointKey key;
};

std::string EncodeCursor(const std::string& sort, int64_t value,
                         const inventory::EndpointKey& key) {
  std::string payload = std::string(kCursorVersion) + '\0' + sort + '\0' + std::to_string(value) +
                        '\0' + key.api_id + '\0' + key.stage + '\0' + key.method + '\0' + key.path +
                        '\0' + EndpointId(key);
  return Base64UrlEncode(payload);
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  std::optional<std::string> payload = Base64UrlDecode(text);
  if (!payload) return std::nullopt;
  // version, sort, value, api, stage, method, then the path (which may hold anything) and the
  // id after the last NUL.
  std::vector<std::string_view> fields;
  std::string_view rest = *payload;
  for (int i = 0; i < 6; ++i) {
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    fields.push_back(rest.substr(0, nul));
    rest.remove_prefix(nul + 1);
  }
  size_t last = rest.rfind('\0');
  if (last == std::string_view::npos) return std::nullopt;
  if (fields[0] != kCursorVersion) return std::nullopt;
  Cursor cursor;
  cursor.sort = std::string(fields[1]);
  auto [end, ec] =
      std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), cursor.value);
  if (ec != std::errc() || end != fields[2].data() + fields[2].size()) return std::nullopt;
  cursor.key = {std::string(fields[3]), std::string(fields[4]), std::string(fields[5]),
                std::string(rest.substr(0, last))};
  if (EndpointId(cursor.key) != rest.substr(last + 1)) return std::nullopt;
  if (std::find(kSorts.begin(), kSorts.end(), cursor.sort) == kSorts.end()) return std::nullopt;
  return cursor;
}

// The number an endpoint sorts by (descending) for `sort`; 0 for sort=path.
int64_t SortValue(const std::string& sort, const EndpointStats& s) {
  if (sort == "requests") {
    return static_cast<int64_t>(std::min<uint64_t>(s.requests, INT64_MAX));
  }
  if (sort == "last_seen") return s.last_seen_ms;
  if (sort == "first_seen") return s.first_seen_ms;
  return 0;
}

// Counts and times descending, then path, method, API and stage ascending: a total order, so
// that a cursor marks one position.
bool Before(int64_t a_value, const inventory::EndpointKey& a, int64_t b_value,
            const inventory::EndpointKey& b) {
  if (a_value != b_value) return a_value > b_value;
  return std::tie(a.path, a.method, a.api_id, a.stage) <
         std::tie(b.path, b.method, b.api_id, b.stage);
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view lower_needle) {
  auto it = std::search(haystack.begin(), haystack.end(), lower_needle.begin(), lower_needle.end(),
                        [](char h, char n) { return AsciiLower(h) == n; });
  return it != haystack.end();
}

std::string_view SourceOf(model::TemplateSource source) {
  switch (source) {
    case model::TemplateSource::kResourcePath:
    case model::TemplateSource::kRouteKey:
    case model::TemplateSource::kPathParameters:
      return "gateway";
    case model::TemplateSource::kInferred:
      return "inferred";
    case model::TemplateSource::kConcrete:
      break;
  }
  return "concrete";
}

bool HasAuth(const inventory::AuthStats& a, std::string_view scheme) {
  if (scheme == "authenticated" || scheme == "unauthenticated" || scheme == "unknown") {
    return AuthCoverageName(AuthCoverageOf(a)) == scheme;
  }
  if (scheme == "none") return a.none > 0;
  if (scheme == "bearer") return a.bearer > 0;
  if (scheme == "basic") return a.basic > 0;
  if (scheme == "sigv4") return a.sigv4 > 0;
  if (scheme == "api_key") {
    return a.api_key_required > 0 || !a.api_key_headers.empty() || !a.api_key_query.empty();
  }
  if (scheme == "authorizer") return a.authorizer > 0 || !a.authorizer_ids.empty();
  if (scheme == "iam") return a.iam_caller > 0;
  return false;
}

bool HasStatusClass(const EndpointStats& s, int hundreds) {
  return std::any_of(s.status_counts.begin(), s.status_counts.end(), [&](const auto& code) {
    return code.second > 0 && code.first / 100 == hundreds;
  });
}

uint32_t ParamTags(const EndpointStats& s) {
  uint32_t tags = 0;
  for (const auto* list : {&s.query_params, &s.request_headers, &s.cookies}) {
    for (const inventory::ParamStats& p : *list) tags |= p.tags;
  }
  return tags;
}

// Walks the body schemas: the expensive part, done only when the parameters do not decide.
uint32_t BodyTags(const EndpointStats& s) {
  uint32_t tags = 0;
  for (const auto* list : {&s.request_bodies, &s.response_bodies}) {
    for (const inventory::BodyCount& b : *list) {
      for (const auto& field : b.schema.SensitiveFields(inventory::DefaultSchemaOptions())) {
        tags |= field.tags;
      }
    }
  }
  return tags;
}


bool HasTags(const EndpointStats& s, uint32_t required) {
  uint32_t tags = ParamTags(s);
  if ((tags & required) == required) return true;
  return ((tags | BodyTags(s)) & required) == required;
}

std::optional<uint32_t> TagBit(std::string_view name) {
  for (size_t i = 0; i < classify::kSensitiveTagCount; ++i) {
    auto tag = static_cast<classify::SensitiveTag>(1u << i);
    if (classify::SensitiveTagName(tag) == name) return tag;
  }
  return std::nullopt;
}

Json Time(int64_t ms) { return ms < 0 ? Json(nullptr) : Json(FormatIso8601(ms)); }

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json AuthNames(const inventory::AuthStats& a) {
  Json out = Json::array();
  for (std::string_view scheme : kAuthSchemes) {
    if (HasAuth(a, scheme)) out.push_back(scheme);
  }
  return out;
}

template <size_t N>
std::string OneOf(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

template <size_t N>
bool IsOneOf(const std::array<std::string_view, N>& names, std::string_view value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

// A parameter name as an error message may show it: bounded and printable.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return s.size() > 40 ? out + "..." : out;
}

// Caches ApiUrlId per API: hashing a log-group name for every row would dominate a page.
class ApiUrlIds {
 public:
  const std::string& Get(const std::string& api_id) {
    auto it = cache_.find(api_id);
    if (it == cache_.end()) it = cache_.emplace(api_id, ApiUrlId(api_id)).first;
    return it->second;
  }

 private:
  std::unordered_map<std::string, std::string> cache_;
};

Json Summary(const Inventory::Endpoint& e, ApiUrlIds& url_ids) {
  const EndpointStats& s = e.stats;
  Json out;
  out["id"] = EndpointId(e.key);
  out["api_id"] = e.key.api_id;
  out["api_url_id"] = url_ids.Get(e.key.api_id);
  out["stage"] = NullIfEmpty(e.key.stage);
  out["method"] = e.key.method;
  out["path"] = e.key.path;
  out["template_source"] = model::TemplateSourceName(s.template_source);
  out["source"] = SourceOf(s.template_source);
  out["route"] = NullIfEmpty(s.route);
  out["requests"] = s.requests;
  std::array<uint64_t, 6> classes{};  // Index 0: status not logged; 1..5: 1xx..5xx.
  for (const auto& [code, n] : s.status_counts) {
    classes[(code >= 100 && code <= 599) ? static_cast<size_t>(code / 100) : 0] += n;
  }
  Json status = Json::object();
  for (size_t i = 1; i <= 5; ++i) {
    if (classes[i] > 0) status[std::to_string(i) + "xx"] = classes[i];
  }
  if (classes[0] > 0) status["unknown"] = classes[0];
  out["status_classes"] = std::move(status);
  Json errors = Json::object();
  auto error_counts = s.errors;
  std::sort(error_counts.begin(), error_counts.end());
  for (const auto& [kind, n] : error_counts) {
    if (kind != model::ErrorKind::kNone) errors[std::string(model::ErrorKindName(kind))] = n;
  }
  out["errors"] = std::move(errors);
  out["first_seen"] = Time(s.first_seen_ms);
  out["last_seen"] = Time(s.last_seen_ms);
  const inventory::LatencyHistogram& latency = s.response_latency;
  out["latency_ms"] = latency.count() == 0 ? Json(nullptr)
                                           : Json{{"p50", latency.Percentile(0.50)},
                                                  {"p95", latency.Percentile(0.95)},
                                                  {"p99", latency.Percentile(0.99)}};
  out["auth"] = AuthNames(s.auth);
  out["auth_coverage"] = AuthCoverageName(AuthCoverageOf(s.auth));
  out["tags"] = inventory::TagNamesToJson(EndpointTagBits(s));
  return out;
}

// Whether an endpoint passes every filter but the cursor. Values that cost a lookup are
// prepared once per query.
struct Matcher {
  const EndpointFilter& filter;
  std::set<std::string, std::less<>> api_ids;  // Ids the `api` filter names.
  // (API id, stage) pairs in the `account` and `region` asked for.
  std::set<std::pair<std::string, std::string>> stages;
  bool by_stage = false;
  std::string lower_text;
  std::string method;
  uint32_t tags = 0;
  int status_hundreds = 0;

  bool operator()(const Inventory::Endpoint& e) const {
    const EndpointStats& s = e.stats;
    if (!filter.api.empty() && api_ids.count(e.key.api_id) == 0) return false;
    if (!filter.stage.empty() && e.key.stage != filter.stage) return false;
    if (by_stage && stages.count({e.key.api_id, e.key.stage}) == 0) return false;
    if (!method.empty() && !EqualsIgnoreCase(e.key.method, method)) return false;
    if (!lower_text.empty() && !ContainsIgnoreCase(e.key.path, lower_text)) return false;
    if (!filter.source.empty() && SourceOf(s.template_source) != filter.source) return false;
    if (!filter.auth.empty() && !HasAuth(s.auth, filter.auth)) return false;
    if (status_hundreds != 0 && !HasStatusClass(s, status_hundreds)) return false;
    if (filter.seen_since_ms >= 0 && s.last_seen_ms < filter.seen_since_ms) return false;
    if (filter.unseen_since_ms >= 0 &&
        (s.last_seen_ms < 0 || s.last_seen_ms >= filter.unseen_since_ms)) {
      return false;
    }
    if (filter.new_since_ms >= 0 && s.first_seen_ms < filter.new_since_ms) return false;
    // Last: the costliest.
    if (filter.sensitive && EndpointTagBits(s) == 0) return false;
    return tags == 0 || HasTags(s, tags);
  }
};

Matcher MakeMatcher(const Inventory::Snapshot& snapshot, const EndpointFilter& filter) {
  Matcher m{.filter = filter};
  if (!filter.api.empty()) {
    m.api_ids.insert(filter.api);
    for (const auto& [id, info] : snapshot.api_stages) {
      if (ApiUrlId(id.first) == filter.api) m.api_ids.insert(id.first);
    }
  }
  if (!filter.account.empty() || !filter.region.empty()) {
    m.by_stage = true;
    for (const auto& [id, info] : snapshot.api_stages) {
      if ((filter.account.empty() || info.account_id == filter.account) &&
          (filter.region.empty() || info.region == filter.region)) {
        m.stages.insert(id);
      }
    }
  }
  m.lower_text = filter.text;
  LowerAsciiInPlace(m.lower_text);
  m.method = filter.method;
  for (const std::string& name : filter.tags) m.tags |= TagBit(name).value_or(0);
  if (!filter.status_class.empty()) m.status_hundreds = filter.status_class[0] - '0';
  return m;
}

}  // namespace

AuthCoverage AuthCoverageOf(const inventory::AuthStats& a) {
  if (a.bearer > 0 || a.basic > 0 || a.sigv4 > 0 || a.masked > 0 || a.authorizer > 0 ||
      !a.authorizer_ids.empty() || a.api_key_required > 0 || !a.api_key_headers.empty() ||
      !a.api_key_query.empty() || a.iam_caller > 0) {
    return AuthCoverage::kAuthenticated;
  }
  return a.none > 0 ? AuthCoverage::kUnauthenticated : AuthCoverage::kUnknown;
}

std::string_view AuthCoverageName(AuthCoverage coverage) {
  switch (coverage) {
    case AuthCoverage::kAuthenticated: return "authenticated";
    case AuthCoverage::kUnauthenticated: return "unauthenticated";
    case AuthCoverage::kUnknown: break;
  }
  return "unknown";
}

const std::vector<std::string_view>& AuthSchemeNames() {
  static const std::vector<std::string_view> kNames(kAuthSchemes.begin(), kAuthSchemes.end());
  return kNames;
}

std::vector<std::string_view> AuthSchemesSeen(const inventory::AuthStats& auth) {
  std::vector<std::string_view> seen;
  for (std::string_view scheme : kAuthSchemes) {
    if (HasAuth(auth, scheme)) seen.push_back(scheme);
  }
  return seen;
}

uint32_t EndpointTagBits(const EndpointStats& s) { return ParamTags(s) | BodyTags(s); }

std::optional<int64_t> ParseTimeParam(std::string_view text) {
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc() && end == text.data() + text.size()) {
    return ms >= 0 ? std::optional<int64_t>(ms) : std::nullopt;
  }
  size_t consumed = 0;
  std::optional<int64_t> parsed = ParseIso8601Prefix(text, &consumed);
  if (!parsed || consumed != text.size()) return std::nullopt;
  return parsed;
}

Json EndpointSummary(const Inventory::Endpoint& endpoint) {
  ApiUrlIds url_ids;
  return Summary(endpoint, url_ids);
}

std::string EndpointId(const inventory::EndpointKey& key) {
  std::string material = key.api_id + '\0' + key.stage + '\0' + key.method + '\0' + key.path;
  return Sha256Hex(material).substr(0, 16);
}

std::string ApiUrlId(std::string_view api_id) {
  if (IsUrlSafe(api_id)) return std::string(api_id);
  return "g" + Sha256Hex(api_id).substr(0, 16);
}

Result<EndpointFilter> ParseEndpointFilter(const std::multimap<std::string, std::string>& params) {
  EndpointFilter filter;
  std::set<std::string> seen;
  for (const auto& [name, value] : params) {
    if (!IsOneOf(kParameters, name)) {
      return InvalidArgumentError("unknown query parameter \"" + Printable(name) +
                                  "\"; expected one of " + OneOf(kParameters));
    }
    if (name != "tag" && !seen.insert(name).second) {
      return InvalidArgumentError(Printable(name) + ": given more than once");
    }
    if (value.empty()) continue;  // An empty form field filters nothing.
    if (name == "api") {
      filter.api = value;
    } else if (name == "stage") {
      filter.stage = value;
    } else if (name == "method") {
      filter.method = value;
    } else if (name == "q") {
      filter.text = value;
    } else if (name == "tag") {
      if (!TagBit(value)) {
        std::string names;
        for (size_t i = 0; i < classify::kSensitiveTagCount; ++i) {
          if (!names.empty()) names += ", ";
          names += classify::SensitiveTagName(static_cast<classify::SensitiveTag>(1u << i));
        }
        return InvalidArgumentError("tag: must be one of " + names);
      }
      filter.tags.push_back(value);
    } else if (name == "source") {
      if (!IsOneOf(kSources, value)) {
        return InvalidArgumentError("source: must be one of " + OneOf(kSources));
      }
      filter.source = value;
    } else if (name == "auth") {
      if (!IsOneOf(kAuthValues, value)) {
        return InvalidArgumentError("auth: must be one of " + OneOf(kAuthValues));
      }
      filter.auth = value;
    } else if (name == "status") {
      if (!IsOneOf(kStatusClasses, value)) {
        return InvalidArgumentError("status: must be one of " + OneOf(kStatusClasses));
      }
      filter.status_class = value;
    } else if (name == "since" || name == "unseen_since" || name == "new_since") {
      std::optional<int64_t> ms = ParseTimeParam(value);
      if (!ms) {
        return InvalidArgumentError(name + ": must be an ISO 8601 time or milliseconds since 1970");
      }
      (name == "since"          ? filter.seen_since_ms
       : name == "unseen_since" ? filter.unseen_since_ms
                                : filter.new_since_ms) = *ms;
    } else if (name == "sensitive") {
      if (value != "true" && value != "false") {
        return InvalidArgumentError("sensitive: must be true or false");
      }
      filter.sensitive = value == "true";
    } else if (name == "account") {
      filter.account = value;
    } else if (name == "region") {
      filter.region = value;

    } else if (name == "sort") {
      if (!IsOneOf(kSorts, value)) {
        return InvalidArgumentError("sort: must be one of " + OneOf(kSorts));
      }
      filter.sort = value;
    } else if (name == "limit") {
      size_t limit = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxLimit) {
        return InvalidArgumentError("limit: must be 1..1000");
      }
      filter.limit = limit;
    } else if (name == "cursor") {
      filter.cursor = value;
    }
  }
  // Checked last, once the sort is known: a cursor only continues the order it was made in.
  if (!filter.cursor.empty()) {
    std::optional<Cursor> cursor = DecodeCursor(filter.cursor);
    if (!cursor) return InvalidArgumentError("cursor: invalid; use next_cursor as returned");
    if (cursor->sort != filter.sort) {
      return InvalidArgumentError("cursor: made for sort=" + cursor->sort +
                                  ", not sort=" + filter.sort);
    }
  }
  return filter;
}

Json ListEndpoints(const Inventory::Snapshot& snapshot, const EndpointFilter& filter) {
  std::optional<Cursor> cursor;
  if (!filter.cursor.empty()) {
    cursor = DecodeCursor(filter.cursor);
    // REQUIRES says the filter was parsed; a bad cursor anyway ends the listing rather than
    // restarting it (which would loop a client forever).
    if (!cursor || cursor->sort != filter.sort) {
      return Json{{"endpoints", Json::array()}, {"total", 0}, {"next_cursor", nullptr}};
    }
  }
  Matcher matches = MakeMatcher(snapshot, filter);
  struct Row {
    int64_t value;
    const Inventory::Endpoint* endpoint;
  };
  std::vector<Row> rows;
  uint64_t total = 0;
  for (const Inventory::Endpoint& e : snapshot.endpoints) {
    if (!matches(e)) continue;
    ++total;
    int64_t value = SortValue(filter.sort, e.stats);
    if (cursor && !Before(cursor->value, cursor->key, value, e.key)) continue;
    rows.push_back({value, &e});
  }
  auto before = [](const Row& a, const Row& b) {
    return Before(a.value, a.endpoint->key, b.value, b.endpoint->key);
  };
  size_t limit = std::clamp<size_t>(filter.limit, 1, kMaxLimit);
  size_t shown = std::min(limit, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(shown), rows.end(),
                    before);

  Json list = Json::array();
  ApiUrlIds url_ids;
  for (size_t i = 0; i < shown; ++i) list.push_back(Summary(*rows[i].endpoint, url_ids));
  Json out;
  out["endpoints"] = std::move(list);
  out["total"] = total;
  out["next_cursor"] =
      rows.size() > shown
          ? Json(EncodeCursor(filter.sort, rows[shown - 1].value, rows[shown - 1].endpoint->key))
          : Json(nullptr);
  return out;
}

namespace {

// Adds each body's JSON Schema and sensitive fields to the detail's "content" (the inventory
// document leaves them to the OpenAPI export), so that a page shows one endpoint's schemas
// without fetching its whole API's document.
void AddBodySchemas(const EndpointStats& s, Json& content) {
  if (!content.is_object()) return;
  auto describe = [](const inventory::BodyCount& b, Json& entry) {
    Json schema = b.schema.ToJsonSchema(inventory::DefaultSchemaOptions());
    entry["schema"] = schema.empty() ? Json(nullptr) : std::move(schema);
    entry["sensitive_fields"] = inventory::SensitiveFieldsToJson(b.schema);
  };
  auto type_of = [](const inventory::BodyCount& b) {
    return b.media_type.empty() ? std::string("unknown") : b.media_type;
  };
  for (const inventory::BodyCount& b : s.request_bodies) {
    Json& bodies = content["request_bodies"];
    if (bodies.contains(type_of(b))) describe(b, bodies[type_of(b)]);
  }
  for (const inventory::BodyCount& b : s.response_bodies) {
    Json& bodies = content["response_bodies"];
    std::string status = b.status < 0 ? std::string("unknown") : std::to_string(b.status);
    if (bodies.contains(status) && bodies[status].contains(type_of(b))) {
      describe(b, bodies[status][type_of(b)]);
    }
  }
}

}  // namespace

std::optional<Json> EndpointDetail(const Inventory::Snapshot& snapshot, std::string_view id) {
  for (const Inventory::Endpoint& e : snapshot.endpoints) {
    if (EndpointId(e.key) != id) continue;
    Json out;
    out["id"] = std::string(id);
    out["api_id"] = e.key.api_id;
    out["api_url_id"] = ApiUrlId(e.key.api_id);
    out["stage"] = NullIfEmpty(e.key.stage);
    Json endpoint = inventory::EndpointToJson(e);
    for (auto& [name, value] : endpoint.items()) out[name] = std::move(value);
    if (out.contains("content")) AddBodySchemas(e.stats, out["content"]);
    out["source"] = SourceOf(e.stats.template_source);
    out["auth_schemes"] = AuthNames(e.stats.auth);
    out["auth_coverage"] = AuthCoverageName(AuthCoverageOf(e.stats.auth));
    out["tags"] = inventory::TagNamesToJson(EndpointTagBits(e.stats));
    out["traffic"] = EndpointTrafficJson(e.stats.traffic);
    return out;
  }
  return std::nullopt;
}

Json ListApis(const Inventory::Snapshot& snapshot) {
  Json apis = Json::array();
  auto next = snapshot.endpoints.begin();
  for (const auto& [id, info] : snapshot.api_stages) {
    auto gated = snapshot.gated.find(id);
    Json stage = inventory::ApiStageToJson(
        id, info, gated == snapshot.gated.end() ? nullptr : &gated->second);
    // Endpoints and stages are both sorted by (api id, stage): count them in one walk.
    while (next != snapshot.endpoints.end() &&
           std::tie(next->key.api_id, next->key.stage) < std::tie(id.first, id.second)) {
      ++next;
    }
    uint64_t endpoints = 0;
    for (; next != snapshot.endpoints.end() && next->key.api_id == id.first &&
           next->key.stage == id.second;
         ++next) {
      ++endpoints;
    }
    Json api;
    api["api_id"] = id.first;
    api["api_url_id"] = ApiUrlId(id.first);
    for (auto& [name, value] : stage.items()) {
      if (name != "api_id") api[name] = std::move(value);
    }
    api["endpoints"] = endpoints;
    apis.push_back(std::move(api));
  }
  return Json{{"apis", std::move(apis)}, {"unattributed", snapshot.unattributed}};
}

}  // namespace gatescope::server
