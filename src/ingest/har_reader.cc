#include "ingest/har_reader.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/ascii.h"
#include "core/sha256.h"
#include "core/time_format.h"
#include "decoders/base64.h"
#include "env/url.h"

namespace gatescope::ingest {
namespace {

using Json = nlohmann::json;
using model::HttpTransaction;

// Bounds for a document that comes from outside (an upload): nlohmann builds a DOM of several
// times the text's size, and dump() (used for the entry id) recurses once per nesting level.
constexpr size_t kMaxHarBytes = size_t{256} << 20;
constexpr int kMaxDepth = 64;
constexpr size_t kMaxEntries = 1'000'000;
constexpr size_t kMaxFieldsPerList = 1000;  // Beyond this a list is cut and marked truncated.
constexpr size_t kMaxListedRejections = 100;

// The deepest nesting of arrays and objects in `text`, counting brackets outside strings; stops
// counting once past `limit`. Invalid JSON is left to the parser to report.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

const Json* Member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> StringMember(const Json& obj, const char* key) {
  const Json* v = Member(obj, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<int64_t> IntegerMember(const Json& obj, const char* key) {
  const Json* v = Member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    // Browsers give times as fractions of a millisecond.
    double d = v->get<double>();
    if (!std::isfinite(d) || d < -9e18 || d > 9e18) return std::nullopt;
    return static_cast<int64_t>(std::llround(d));
  }
  return std::nullopt;
}

bool BoolMember(const Json& obj, const char* key) {
  const Json* v = Member(obj, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

// "application/json; charset=utf-8" -> "application/json", as model::Body keeps it.
std::string MediaType(std::string_view mime) {
  std::string_view t = TrimAsciiSpace(mime.substr(0, mime.find(';')));
  std::string out(t);
  LowerAsciiInPlace(out);
  return out;
}

// Appends the {name, value} objects of a HAR list; pseudo-headers of HTTP/2 (":authority",
// ":path", ...) are not headers the API sees and are left out.
void AddFields(const Json* list, model::FieldList* out) {
  if (list == nullptr || !list->is_array()) return;
  out->logged = true;
  for (const Json& f : *list) {
    std::optional<std::string> name = StringMember(f, "name");
    if (!name.has_value() || name->empty() || (*name)[0] == ':') continue;
    if (out->size() == kMaxFieldsPerList) {
      out->truncated = true;
      return;
    }
    out->Add(*name, StringMember(f, "value").value_or(""));
  }
}

// Cookies listed apart from the headers (HAR "cookies"), as one header when the headers did
// not carry it, so that the inventory sees that the API takes cookies.
void AddCookieHeader(const Json* cookies, std::string_view header, model::FieldList* headers) {
  if (cookies == nullptr || !cookies->is_array() || cookies->empty()) return;
  if (headers->Find(header) != nullptr || headers->size() == kMaxFieldsPerList) return;
  std::string joined;
  for (const Json& c : *cookies) {
    std::optional<std::string> name = StringMember(c, "name");
    if (!name.has_value()) continue;
    if (!joined.empty()) joined += header == "Cookie" ? "; " : ", ";
    joined += *name + "=" + StringMember(c, "value").value_or("");
  }
  if (!joined.empty()) headers->Add(header, joined);
  headers->logged = true;
}

struct SplitUrl {
  std::string host;  // Lower case, without user info or port.
  std::string path;
  std::string query;
  bool has_query = false;
};

// "scheme://[userinfo@]host[:port]/path?query#fragment" (http, https, ws, wss).
std::optional<SplitUrl> Split(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, scheme_end));
  LowerAsciiInPlace(scheme);
  if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss") {
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);  // IPv6 literal, brackets kept.
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return std::nullopt;
  SplitUrl out;
  out.host.assign(host);
  LowerAsciiInPlace(out.host);
  size_t q = rest.find('?');
  out.path.assign(rest.substr(0, q));
  if (q != std::string_view::npos) {
    out.has_query = true;
    out.query.assign(rest.substr(q + 1));
  }
  if (out.path.empty()) out.path = "/";
  return out;
}

// "<api_id>.execute-api.<region>.amazonaws.com[.cn]": the API's default endpoint.
bool ParseExecuteApiHost(std::string_view host, std::string* api_id, std::string* region) {
  size_t marker = host.find(".execute-api.");
  if (marker == std::string_view::npos || marker == 0) return false;
  std::string_view after = host.substr(marker + 13);
  size_t dot = after.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  if (after.substr(dot).rfind(".amazonaws.com", 0) != 0) return false;
  api_id->assign(host.substr(0, marker));
  region->assign(after.substr(0, dot));
  return true;
}

// Removes "/<stage>" from the front of `path`; false if it does not start with it.
bool StripStage(std::string_view stage, std::string* path) {
  if (stage.empty() || path->size() < stage.size() + 1 || (*path)[0] != '/' ||
      path->compare(1, stage.size(), stage) != 0) {
    return false;
  }
  size_t end = stage.size() + 1;
  if (end < path->size() && (*path)[end] != '/') return false;
  path->erase(0, end);
  if (path->empty()) *path = "/";
  return true;
}

// 32 hex digits of SHA-256 over the entry's canonical text (keys sorted, no spaces), as the
// connector's ids are: the same entry uploaded twice gets the same id.
std::string EntryId(const Json& entry) {
  return Sha256Hex(entry.dump(-1, ' ', false, Json::error_handler_t::replace)).substr(0, 32);
}

// A body's text, base64-decoded when `encoding` says so. Returns false when it cannot be read.
bool BodyText(const Json& holder, model::Body* body) {
  std::optional<std::string> text = StringMember(holder, "text");
  if (!text.has_value()) return false;
  if (StringMember(holder, "encoding").value_or("") == "base64") {
    std::optional<std::string> decoded = decoders::DecodeBase64(*text);
    if (!decoded.has_value()) return false;
    text = std::move(decoded);
  }
  body->present = true;
  body->text = std::move(*text);
  return true;
}

// postData: "text", else the form "params" rebuilt as application/x-www-form-urlencoded.
bool ReadRequestBody(const Json& post, model::Body* body) {
  body->content_type = MediaType(StringMember(post, "mimeType").value_or(""));
  if (BodyText(post, body)) return true;
  const Json* params = Member(post, "params");
  if (params == nullptr || !params->is_array()) return false;
  std::string form;
  for (const Json& p : *params) {
    std::optional<std::string> name = StringMember(p, "name");
    if (!name.has_value()) continue;
    if (!form.empty()) form += '&';
    form += env::FormUrlEncode(*name) + "=" + env::FormUrlEncode(StringMember(p, "value").value_or(""));
  }
  body->present = true;
  body->text = std::move(form);
  return true;
}

template <typename E, size_t N>
std::optional<E> EnumByName(std::string_view name, std::string_view (*namer)(E)) {
  for (size_t i = 0; i < N; ++i) {
    if (namer(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// What our own writer (model::TransactionsToHar) adds under "_gatescope".
void ApplyExtension(const Json& g, HttpTransaction* tx) {
  if (auto v = StringMember(g, "id"); v.has_value() && !v->empty()) tx->id = *v;
  if (auto v = StringMember(g, "api_id"); v.has_value() && !v->empty()) tx->api_id = *v;
  if (auto v = StringMember(g, "resource_path"); v.has_value()) tx->resource_path = *v;
  if (auto v = StringMember(g, "route_key"); v.has_value()) tx->route_key = *v;
  if (auto v = StringMember(g, "coverage")) {
    if (auto c = EnumByName<model::Coverage, 3>(*v, model::CoverageName)) tx->coverage = *c;
  }
  if (BoolMember(g, "partial")) {
    tx->partial = true;
    if (auto v = StringMember(g, "partial_reason")) {
      tx->partial_reason =
          EnumByName<model::PartialReason, model::kPartialReasonCount>(*v, model::PartialReasonName)
              .value_or(model::PartialReason::kNone);
    }
  }
  // The connector replaced these bodies by indicators: never infer a schema from them.
  if (BoolMember(g, "request_body_indicator") && tx->request_body.present) {
    tx->request_body.indicator = tx->request_body.truncated = true;
  }
  if (BoolMember(g, "response_body_indicator") && tx->response_body.present) {
    tx->response_body.indicator = tx->response_body.truncated = true;
  }
}

// Where the request went: execute-api hosts name the API, region and (first path segment)
// stage; any other host is the API's identity itself, so the inventory groups by host.
void ApplyHost(const SplitUrl& url, const Json* extension, HttpTransaction* tx) {
  std::optional<std::string> stage;
  if (extension != nullptr) stage = StringMember(*extension, "stage");
  std::string api_id, region;
  tx->path = url.path;
  if (url.host == "unknown.invalid") {
    // TransactionsToHar's host when neither a domain nor an API id was logged.
  } else if (ParseExecuteApiHost(url.host, &api_id, &region)) {
    tx->domain_name = url.host;
    tx->api_id = api_id;
    tx->region = region;
    if (stage.has_value()) {
      if (*stage != "$default") StripStage(*stage, &tx->path);
    } else if (url.path.size() > 1) {
      size_t end = url.path.find('/', 1);
      stage = url.path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
      StripStage(*stage, &tx->path);
    }
  } else {
    tx->domain_name = url.host;
    tx->api_id = url.host;
  }
  if (stage.has_value()) tx->stage = *stage;
}

// True when a logged body is known to be incomplete: the HAR gives a size but no text.
bool MissingText(const Json* holder, const model::Body& body) {
  if (holder == nullptr || body.present) return false;
  std::optional<int64_t> size = IntegerMember(*holder, "size");
  return size.has_value() && *size > 0;
}

// Converts one entry, or returns why it cannot be used.
std::optional<std::string> ReadEntry(const Json& entry, HttpTransaction* tx) {
  if (!entry.is_object()) return "entry is not an object";
  const Json* request = Member(entry, "request");
  if (request == nullptr || !request->is_object()) return "missing request";
  std::optional<std::string> method = StringMember(*request, "method");
  if (!method.has_value() || method->empty()) return "missing request.method";
  std::optional<std::string> url_text = StringMember(*request, "url");
  if (!url_text.has_value()) return "missing request.url";
  std::optional<SplitUrl> url = Split(*url_text);
  if (!url.has_value()) return "request.url is not an absolute http(s) URL";
  const Json* extension = Member(entry, "_gatescope");
  if (extension != nullptr && !extension->is_object()) extension = nullptr;

  tx->source = model::LogSource::kAccessLog;
  tx->event_count = 1;
  tx->method = std::move(*method);
  ApplyHost(*url, extension, tx);
  tx->query = std::move(url->query);
  tx->protocol = StringMember(*request, "httpVersion").value_or("");

  AddFields(Member(*request, "headers"), &tx->request_headers);
  AddCookieHeader(Member(*request, "cookies"), "Cookie", &tx->request_headers);
  const Json* query = Member(*request, "queryString");
  if (query != nullptr && query->is_array() && !query->empty()) {
    AddFields(query, &tx->query_params);
  }
  bool whole = true;
  if (const Json* post = Member(*request, "postData"); post != nullptr && post->is_object()) {
    if (!ReadRequestBody(*post, &tx->request_body)) whole = false;
  } else if (IntegerMember(*request, "bodySize").value_or(0) > 0) {
    whole = false;  // A body was sent but not recorded.
  }

  if (const Json* response = Member(entry, "response"); response != nullptr) {
    if (auto status = IntegerMember(*response, "status");
        status.has_value() && *status > 0 && *status <= std::numeric_limits<int32_t>::max()) {
      tx->status = static_cast<int32_t>(*status);  // 0: no response (blocked, failed).
    }
    AddFields(Member(*response, "headers"), &tx->response_headers);
    AddCookieHeader(Member(*response, "cookies"), "Set-Cookie", &tx->response_headers);
    const Json* content = Member(*response, "content");
    if (content != nullptr && content->is_object()) {
      tx->response_body.content_type = MediaType(StringMember(*content, "mimeType").value_or(""));
      BodyText(*content, &tx->response_body);
      if (!tx->response_body.present) tx->response_body.content_type.clear();
      if (MissingText(content, tx->response_body)) whole = false;
      if (auto size = IntegerMember(*content, "size"); size.has_value() && *size >= 0) {
        tx->response_length = *size;
      }
    }
    if (tx->response_length < 0) {
      if (auto size = IntegerMember(*response, "bodySize"); size.has_value() && *size >= 0) {
        tx->response_length = *size;
      }
    }
  }
  if (!tx->request_body.present) tx->request_body.content_type.clear();

  if (auto started = StringMember(entry, "startedDateTime")) {
    size_t consumed = 0;
    // The epoch itself is TransactionsToHar's "unknown".
    if (auto ms = ParseIso8601Prefix(*started, &consumed); ms.has_value() && *ms > 0) {
      tx->request_time_ms = *ms;
    }
  }
  if (auto time = IntegerMember(entry, "time"); time.has_value() && *time >= 0) {
    tx->response_latency_ms = *time;
  }
  if (const model::Field* f = tx->request_headers.Find("User-Agent")) tx->user_agent = f->value;

  // Bodies recorded whole give full coverage; the inventory infers templates from the
  // concrete paths (no resource path is known unless our extension gives one).
  tx->coverage = whole && (tx->request_body.present || tx->response_body.present)
                     ? model::Coverage::kFull
                     : model::Coverage::kDiscoveryOnly;
  if (extension != nullptr) ApplyExtension(*extension, tx);
  if (tx->id.empty()) tx->id = EntryId(entry);
  return std::nullopt;
}

}  // namespace

Result<HarReadResult> ReadHar(std::string_view har) {
  if (har.size() > kMaxHarBytes) {
    return InvalidArgumentError("HAR document larger than " +
                                std::to_string(kMaxHarBytes >> 20) + " MiB");
  }
  if (NestingDepth(har, kMaxDepth) > kMaxDepth) {
    return ParseError("HAR document nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  Json doc = Json::parse(har.begin(), har.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ParseError("HAR document is not valid JSON");
  const Json* log = Member(doc, "log");
  if (log == nullptr || !log->is_object()) return ParseError("HAR document has no \"log\" object");
  const Json* entries = Member(*log, "entries");
  if (entries == nullptr || !entries->is_array()) {
    return ParseError("HAR document has no \"log.entries\" array");
  }
  if (entries->size() > kMaxEntries) {
    return InvalidArgumentError("HAR document has more than " + std::to_string(kMaxEntries) +
                                " entries");
  }
  HarReadResult result;
  result.transactions.reserve(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    HttpTransaction tx;
    if (std::optional<std::string> reason = ReadEntry((*entries)[i], &tx)) {
      ++result.rejected_count;
      if (result.rejected.size() < kMaxListedRejections) {
        result.rejected.push_back({.entry = i, .reason = std::move(*reason)});
      }
      continue;
    }
    result.transactions.push_back(std::move(tx));
  }
  return result;
}

}  // namespace gatescope::ingest
