#include "parsers/apigw_access/access_log_parser.h"

#include "parsers/common/api_identity.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "core/string_hash.h"
#include "core/time_format.h"
#include "parsers/apigw_access/builtin_formats.h"

namespace gatescope::parsers::apigw_access {

namespace sj = simdjson::ondemand;
using model::ApiKind;
using model::HttpTransaction;
using pipeline::DropReason;

namespace {

int64_t ParseInt(std::string_view v) {
  int64_t out = -1;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || out < 0) return -1;
  return out;
}

// Accepts epoch milliseconds or seconds (told apart by magnitude: ms since 1973 exceed 1e11),
// with an optional fraction, as HTTP APIs' requestTimeEpoch unit is not documented.
int64_t ParseEpoch(std::string_view v) {
  size_t dot = v.find('.');
  int64_t whole = ParseInt(v.substr(0, dot));
  if (whole < 0) return -1;
  if (whole >= 100'000'000'000) return whole;
  int64_t ms = whole * 1000;
  if (dot != std::string_view::npos) {
    std::string_view frac = v.substr(dot + 1, 3);
    int64_t f = ParseInt(frac);
    if (f > 0) ms += f * (frac.size() == 1 ? 100 : frac.size() == 2 ? 10 : 1);
  }
  return ms;
}

int64_t ParseAnyTime(std::string_view v) {
  if (std::optional<int64_t> t = ParseClfTime(v)) return *t;
  size_t consumed = 0;
  if (std::optional<int64_t> t = ParseIso8601Prefix(v, &consumed)) return *t;
  return ParseEpoch(v);
}


// True for the UUID form REST request ids have ("48752d0f-c99d-4cfa-a5a7-f3c6834d19e5").
bool LooksLikeUuid(std::string_view s) {
  return s.size() == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
}

// Sets a field from its text value. Returns false for "-" (no value) so that callers can
// tell whether the line carried any access-log field at all.
bool Assign(ContextVar var, std::string_view v, HttpTransaction* tx) {
  if (v == "-" || v.empty()) return false;
  switch (var) {
    case ContextVar::kIgnored: return false;
    case ContextVar::kRequestId: tx->request_id.assign(v); break;
    case ContextVar::kExtendedRequestId: tx->extended_request_id.assign(v); break;
    case ContextVar::kApiId: tx->api_id.assign(v); break;
    case ContextVar::kStage: tx->stage.assign(v); break;
    case ContextVar::kAccountId: tx->account_id.assign(v); break;
    case ContextVar::kDomainName: tx->domain_name.assign(v); break;
    case ContextVar::kHttpMethod: tx->method.assign(v); break;
    case ContextVar::kPath: tx->path.assign(v); break;
    case ContextVar::kUri: {
      size_t q = v.find_first_of("?#");
      if (tx->path.empty()) tx->path.assign(v.substr(0, q));
      if (q != std::string_view::npos && v[q] == '?') {
        std::string_view query = v.substr(q + 1);
        tx->query.assign(query.substr(0, query.find('#')));
      }
      break;
    }
    case ContextVar::kResourcePath: tx->resource_path.assign(v); break;
    case ContextVar::kRouteKey: tx->route_key.assign(v); break;
    case ContextVar::kProtocol: tx->protocol.assign(v); break;
    case ContextVar::kStatus: tx->status = static_cast<int32_t>(ParseInt(v)); break;
    case ContextVar::kIntegrationStatus:
      tx->integration_status = static_cast<int32_t>(ParseInt(v));
      break;
    case ContextVar::kResponseLength: tx->response_length = ParseInt(v); break;
    case ContextVar::kRequestTime:
      if (tx->request_time_ms < 0) tx->request_time_ms = ParseAnyTime(v);
      break;
    case ContextVar::kRequestTimeEpoch: {
      int64_t t = ParseEpoch(v);
      if (t >= 0) tx->request_time_ms = t;  // More precise than requestTime: it wins.
      break;
    }
    case ContextVar::kResponseLatency: tx->response_latency_ms = ParseInt(v); break;
    case ContextVar::kIntegrationLatency: tx->integration_latency_ms = ParseInt(v); break;
    case ContextVar::kErrorMessage:
      // $context.error.messageString is the message in quotes.
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      tx->error_message.assign(v);
      break;
    case ContextVar::kSourceIp: tx->source_ip.assign(v); break;
    case ContextVar::kUserAgent: tx->user_agent.assign(v); break;
    case ContextVar::kCaller: tx->caller.assign(v); break;
    case ContextVar::kUser: tx->user.assign(v); break;
    case ContextVar::kEventType: tx->event_type.assign(v); break;
    case ContextVar::kConnectionId: tx->connection_id.assign(v); break;
  }
  return true;
}

ApiKind InferKind(const HttpTransaction& tx) {
  if (!tx.event_type.empty() || !tx.connection_id.empty()) return ApiKind::kWebSocket;
  if (!tx.route_key.empty()) {
    if (tx.route_key == "$connect" || tx.route_key == "$disconnect") return ApiKind::kWebSocket;
    return ApiKind::kHttp;
  }
  if (!tx.resource_path.empty()) return ApiKind::kRest;
  if (LooksLikeUuid(tx.request_id)) return ApiKind::kRest;
  if (!tx.request_id.empty() && tx.request_id.back() == '=') return ApiKind::kHttp;
  return ApiKind::kUnknown;
}

// "$context.path" of a non-default stage starts with "/{stage}" on the execute-api domain
// (AGDG-2023: "/{stage}/root/child"); on a custom domain it does not, and a path there may
// legitimately start with a segment equal to the stage name, so only strip when not custom.
void StripStagePrefix(HttpTransaction* tx) {
  if (tx->stage.empty() || tx->stage == "$default" || tx->path.size() <= tx->stage.size()) return;
  if (!tx->domain_name.empty() && tx->domain_name.find(".execute-api.") == std::string::npos) {
    return;
  }
  std::string_view p = tx->path;
  if (p[0] != '/' || p.substr(1, tx->stage.size()) != tx->stage) return;
  size_t rest = 1 + tx->stage.size();
  if (rest == p.size()) {
    tx->path = "/";
  } else if (p[rest] == '/') {
    tx->path.erase(0, rest);
  }
}

bool HasEndpoint(const HttpTransaction& tx) {
  // HTTP APIs' "$default" route names no path: without $context.path there is nothing to
  // attribute the request to.
  bool has_route = !tx.route_key.empty() && tx.route_key != "$default";
  bool has_path = !tx.path.empty() || !tx.resource_path.empty() || has_route;
  if (tx.api_kind == ApiKind::kWebSocket) return !tx.route_key.empty();
  return has_path && !tx.method.empty();
}

}  // namespace

struct AccessLogParser::Impl {
  explicit Impl(const AccessLogFormats* f) : formats(f) {
    if (formats != nullptr) {
      for (const TextTemplate& t : formats->templates()) {
        templates.push_back(&t);
        has_user_json_template |= t.format().find_first_not_of(" \t\r\n") != std::string::npos &&
                                  t.format()[t.format().find_first_not_of(" \t\r\n")] == '{';
      }
    }
    for (const TextTemplate& t : BuiltinTextTemplates()) templates.push_back(&t);
  }

  ContextVar KeyVar(std::string_view normalized) {
    ContextVar var;
    if (formats != nullptr && formats->LookupJsonKey(normalized, &var)) return var;
    return ContextVarFromJsonKey(normalized);
  }

  // Lines of one format repeat the same keys in the same order, so the key at position
  // `index` is first compared with the one seen there last time (a short memcmp, no hash).
  ContextVar PositionalKeyVar(size_t index, std::string_view key) {
    if (index < key_order.size() && key_order[index].first == key) return key_order[index].second;
    ContextVar var = CachedKeyVar(key);
    if (index < 64) {
      if (index >= key_order.size()) key_order.resize(index + 1);
      key_order[index].first.assign(key);  // Reuses capacity: no allocation on a miss.
      key_order[index].second = var;
    }
    return var;
  }

  // Resolving each distinct key once per parser keeps a format change to one hash lookup per
  // field. Bounded, so that random keys cannot grow it without end.
  ContextVar CachedKeyVar(std::string_view key) {
    auto it = key_cache.find(key);
    if (it != key_cache.end()) return it->second;
    ContextVar var = KeyVar(NormalizeFieldName(key));
    if (key_cache.size() < 4096) key_cache.emplace(std::string(key), var);
    return var;
  }

  // Walks one JSON object; returns false if the JSON is invalid. Counts assigned fields.
  bool WalkObject(sj::object obj, const std::string& prefix, int depth, HttpTransaction* tx,
                  int* assigned) {
    size_t index = 0;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
      sj::value value;
      if (field.value().get(value) != simdjson::SUCCESS) return false;
      sj::json_type type;
      if (value.type().get(type) != simdjson::SUCCESS) return false;
      if (type == sj::json_type::object) {
        if (depth >= 4) continue;
        std::string nested = prefix + NormalizeFieldName(key);
        sj::object inner;
        if (value.get_object().get(inner) != simdjson::SUCCESS) return false;
        if (!WalkObject(inner, nested, depth + 1, tx, assigned)) return false;
        continue;
      }
      ContextVar var =
          prefix.empty() ? PositionalKeyVar(index++, key) : KeyVar(prefix + NormalizeFieldName(key));
      std::string_view text;
      if (type == sj::json_type::string) {
        if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      } else if (type == sj::json_type::number) {
        text = value.raw_json_token();
        while (!text.empty() && (text.back() == ' ' || text.back() == '\n' ||
                                 text.back() == '\r' || text.back() == '\t')) {
          text.remove_suffix(1);
        }
      } else {
        // Arrays, booleans and nulls hold nothing we map; skip them (and check them).
        if (type == sj::json_type::array) {
          sj::array a;
          if (value.get_array().get(a) != simdjson::SUCCESS) return false;
          for (auto element : a) {
            if (element.error() != simdjson::SUCCESS) return false;
          }
        }
        continue;
      }
      if (var != ContextVar::kIgnored && Assign(var, text, tx)) ++*assigned;
    }
    return true;
  }

  // Returns the number of fields assigned, or -1 for invalid JSON.
  int ParseJson(std::string_view line, HttpTransaction* tx) {
    // simdjson reads up to 64 bytes past the end; copy into a buffer with that padding.
    if (scratch.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      scratch.resize(2 * line.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(scratch.data(), line.data(), line.size());
    sj::document doc;
    if (parser.iterate(scratch.data(), line.size(), scratch.size()).get(doc) !=
        simdjson::SUCCESS) {
      return -1;
    }
    sj::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return -1;
    int assigned = 0;
    if (!WalkObject(obj, std::string(), 0, tx, &assigned)) return -1;
    return assigned;
  }

  // Returns the number of fields assigned, or -1 when no text format matches.
  int ParseText(std::string_view line, HttpTransaction* tx) {
    for (size_t n = 0; n < templates.size(); ++n) {
      // Lines of one input share a format: try the last one that matched first.
      size_t k = n == 0 ? last_match : (n <= last_match ? n - 1 : n);
      if (!templates[k]->Match(line, &fields)) continue;
      last_match = k;
      int assigned = 0;
      for (const TextTemplate::Field& f : fields) assigned += Assign(f.var, f.value, tx) ? 1 : 0;
      return assigned;
    }
    return -1;
  }

  const AccessLogFormats* formats;
  sj::parser parser;
  std::string scratch;
  std::vector<const TextTemplate*> templates;
  size_t last_match = 0;
  bool has_user_json_template = false;
  std::vector<TextTemplate::Field> fields;
  std::unordered_map<std::string, ContextVar, StringHash, std::equal_to<>> key_cache;
  std::vector<std::pair<std::string, ContextVar>> key_order;
};

AccessLogParser::AccessLogParser(const AccessLogFormats* formats)
    : impl_(std::make_unique<Impl>(formats)) {}

AccessLogParser::~AccessLogParser() = default;

std::optional<DropReason> AccessLogParser::Parse(const model::RawRecord& record,
                                                 HttpTransaction* tx) {
  tx->Clear();
  std::string_view line = record.message;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);

  int assigned;
  if (!line.empty() && line.front() == '{') {
    assigned = impl_->ParseJson(line, tx);
    if (assigned < 0) {
      // Not valid JSON: API Gateway does not escape values, so a quote in a user agent breaks
      // the line. A user's JSON format, matched as text, may still read it; no built-in text
      // format starts with '{', so without one there is nothing to try.
      if (!impl_->has_user_json_template) return DropReason::kInvalidJson;
      tx->Clear();
      assigned = impl_->ParseText(line, tx);
      if (assigned < 0) return DropReason::kInvalidJson;
    }
  } else {
    assigned = impl_->ParseText(line, tx);
    if (assigned < 0) return DropReason::kUnrecognizedFormat;
  }
  if (assigned == 0) return DropReason::kNotAccessLog;

  if (tx->request_time_ms < 0) tx->request_time_ms = record.timestamp_ms;
  tx->log_group.assign(record.log_group);
  tx->log_stream.assign(record.log_stream);
  tx->event_id.assign(record.event_id);
  tx->event_count = 1;
  ApplyDomainName(tx);
  ApplyLogGroup(record.log_group, tx);
  tx->api_kind = InferKind(*tx);
  // WebSocket routes have no HTTP method of their own; one fixed verb keeps them one key.
  if (tx->api_kind == ApiKind::kWebSocket) tx->method = "WS";
  StripStagePrefix(tx);
  if (!HasEndpoint(*tx)) {
    bool any_access_field = !tx->request_id.empty() || tx->status >= 0 || !tx->method.empty() ||
                            !tx->path.empty() || !tx->resource_path.empty() ||
                            !tx->route_key.empty() || !tx->extended_request_id.empty();
    return any_access_field ? DropReason::kMissingEndpoint : DropReason::kNotAccessLog;
  }
  return std::nullopt;
}

}  // namespace gatescope::parsers::apigw_access
