#include "transform/transaction_transformer.h"

#include <re2/re2.h>

#include <algorithm>
#include <vector>

#include "core/ascii.h"
#include "model/transaction_json.h"
#include "transform/transaction_id.h"

namespace gatescope::transform {
namespace {

using model::Body;
using model::Coverage;
using model::Field;
using model::FieldList;
using model::HttpTransaction;

// Indicator bodies. The names say "gatescope" so that nobody mistakes them for API data; the
// SOAP forms are whole envelopes so that a SOAP-aware reader still parses them.
constexpr std::string_view kJsonIndicator = R"({"gatescope_body_truncated":true})";
constexpr std::string_view kXmlIndicator =
    "<gatescope_body_truncated>true</gatescope_body_truncated>";
constexpr std::string_view kSoap11Indicator =
    R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>)"
    "<gatescope_body_truncated>true</gatescope_body_truncated></soap:Body></soap:Envelope>";
constexpr std::string_view kSoap12Indicator =
    R"(<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>)"
    "<gatescope_body_truncated>true</gatescope_body_truncated></soap:Body></soap:Envelope>";
constexpr std::string_view kFormIndicator = "gatescope_body_truncated=true";
constexpr std::string_view kHtmlIndicator =
    "<html><body><!-- gatescope_body_truncated --></body></html>";
constexpr std::string_view kPlainIndicator = "gatescope_body_truncated";
constexpr std::string_view kEndpointsOnlyBody = R"({"gatescope_endpoints_only":true})";
constexpr std::string_view kJsonType = "application/json";

std::string_view CoverageHeaderValue(Coverage coverage) {
  switch (coverage) {
    case Coverage::kFull:
      return "full";
    case Coverage::kEndpointsOnly:
      return "endpoints-only";
    case Coverage::kDiscoveryOnly:
      break;
  }
  return "discovery-only";
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

bool InList(const std::vector<std::string>& list, std::string_view name) {
  for (const std::string& s : list) {
    if (EqualsIgnoreCase(s, name)) return true;
  }
  return false;
}

// A body's content type: its own (lowercased, no parameters) if the parser set it, else the
// side's Content-Type header value. Empty when neither is known.
std::string_view ContentTypeOf(const Body& body, const FieldList& headers) {
  if (!body.content_type.empty()) return body.content_type;
  const Field* h = headers.Find("Content-Type");
  return h == nullptr ? std::string_view() : std::string_view(h->value);
}

// The media type without parameters or surrounding spaces.
std::string_view MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  if (semi != std::string_view::npos) content_type = content_type.substr(0, semi);
  return TrimAsciiSpace(content_type);
}

// True when the XML text's root element is a SOAP Envelope ("<soap:Envelope", "<Envelope",
// any prefix), after an optional byte-order mark, XML declaration and whitespace. SOAP 1.1 is
// sent as text/xml, so the content type alone does not tell.
bool StartsWithSoapEnvelope(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  text = TrimAsciiSpace(text);
  if (text.substr(0, 2) == "<?") {
    size_t end = text.find("?>");
    if (end == std::string_view::npos) return false;
    text = TrimAsciiSpace(text.substr(end + 2));
  }
  if (text.empty() || text[0] != '<') return false;
  size_t end = 1;
  while (end < text.size() && !IsAsciiSpace(text[end]) && text[end] != '>' && text[end] != '/') {
    ++end;
  }
  std::string_view name = text.substr(1, end - 1);
  size_t colon = name.find(':');
  if (colon != std::string_view::npos) name.remove_prefix(colon + 1);
  return name == "Envelope";
}

// The indicator body in the form of `content_type`.
std::string_view IndicatorFor(std::string_view content_type, std::string_view text) {
  std::string_view type = MediaType(content_type);
  if (EqualsIgnoreCase(type, "application/soap+xml")) return kSoap12Indicator;
  if (EqualsIgnoreCase(type, "text/xml") || EqualsIgnoreCase(type, "application/xml")) {
    return StartsWithSoapEnvelope(text) ? kSoap11Indicator : kXmlIndicator;
  }
  if (EndsWithIgnoreCase(type, "+xml")) return kXmlIndicator;
  if (EqualsIgnoreCase(type, "application/json") || EqualsIgnoreCase(type, "text/json") ||
      EndsWithIgnoreCase(type, "+json")) {
    return kJsonIndicator;
  }
  if (EqualsIgnoreCase(type, "application/x-www-form-urlencoded")) return kFormIndicator;
  if (EqualsIgnoreCase(type, "text/html")) return kHtmlIndicator;
  return kPlainIndicator;
}

void SetEndpointsOnly(Body* body) {
  body->present = true;
  body->truncated = false;
  body->indicator = true;
  body->text.assign(kEndpointsOnlyBody);
  body->content_type.assign(kJsonType);
}

// Percent-decodes a query parameter name into `*out` (reusing its storage), '+' as a space.
void DecodeName(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
               HexDigitValue(s[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

std::string_view FilterReasonName(FilterReason reason) {
  switch (reason) {
    case FilterReason::kStaticFile:
      return "static_file";
    case FilterReason::kContentType:
      break;
  }
  return "content_type";
}

struct TransactionTransformer::Impl {
  std::unique_ptr<RE2> content_type_re;  // Null when disabled.
  std::unique_ptr<RE2> static_file_re;   // Null when disabled.
  size_t max_body_bytes = 0;
  std::vector<std::string> redact_headers;
  std::vector<std::string> redact_query_params;
  // Scratch buffers reused across Apply() calls.
  std::string name;
  std::string query;

  bool IsSecretQueryName(std::string_view n) const {
    for (std::string_view s : kCredentialQueryParams) {
      if (EqualsIgnoreCase(s, n)) return true;
    }
    return InList(redact_query_params, n);
  }

  uint64_t RedactHeaders(FieldList* headers) const {
    uint64_t count = 0;
    for (size_t i = 0; i < headers->size(); ++i) {
      Field& f = (*headers)[i];
      if (!model::IsCredentialHeader(f.name) && !InList(redact_headers, f.name) &&
          !model::ContainsJwt(f.value)) {
        continue;
      }
      if (f.value == kRedactedValue && !f.value_truncated) continue;
      f.value.assign(kRedactedValue);
      f.value_truncated = false;  // The value is ours now, not a prefix of the logged one.
      ++count;
    }
    return count;
  }

  uint64_t RedactQueryMap(FieldList* params) const {
    uint64_t count = 0;
    for (size_t i = 0; i < params->size(); ++i) {
      Field& f = (*params)[i];
      if (f.value.empty() || f.value == kRedactedValue || !IsSecretQueryName(f.name)) continue;
      f.value.assign(kRedactedValue);
      f.value_truncated = false;
      ++count;
    }
    return count;
  }

  // Rewrites the values of secret parameters in the raw query string; every other byte stays
  // as it was (separators, encoding, order, parameters without '=').
  uint64_t RedactRawQuery(std::string* raw) {
    uint64_t count = 0;
    std::string_view q = *raw;
    size_t copied = 0;  // Bytes of `q` already in `query` (once a rewrite started).
    size_t pos = 0;
    while (pos <= q.size()) {
      size_t amp = q.find('&', pos);
      if (amp == std::string_view::npos) amp = q.size();
      std::string_view part = q.substr(pos, amp - pos);
      size_t eq = part.find('=');
      if (eq != std::string_view::npos) {
        std::string_view value = part.substr(eq + 1);
        DecodeName(part.substr(0, eq), &name);
        if (!value.empty() && value != kRedactedValue && IsSecretQueryName(name)) {
          if (count == 0) query.clear();
          size_t value_at = pos + eq + 1;
          query.append(q.substr(copied, value_at - copied));
          query.append(kRedactedValue);
          copied = amp;
          ++count;
        }
      }
      pos = amp + 1;
    }
    if (count > 0) {
      query.append(q.substr(copied));
      raw->swap(query);  // Both keep their capacity for the next transaction.
    }
    return count;
  }

  // Replaces a body cut by the log or too long to ship. Returns whether it did.
  bool ReplaceBody(Body* body, const FieldList& headers) const {
    if (!body->present || body->indicator || body->text.empty()) return false;
    if (!body->truncated && body->text.size() <= max_body_bytes) return false;
    return ReplaceWithIndicator(body, ContentTypeOf(*body, headers));
  }
};

bool ReplaceWithIndicator(Body* body, std::string_view content_type) {
  if (!body->present || body->indicator) return false;
  if (content_type.empty()) content_type = body->content_type;
  body->text.assign(IndicatorFor(content_type, body->text));
  body->truncated = true;
  body->indicator = true;
  return true;
}

TransactionTransformer::TransactionTransformer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

TransactionTransformer::~TransactionTransformer() = default;

Result<std::unique_ptr<TransactionTransformer>> TransactionTransformer::Create(
    const TransformOptions& options) {
  GS_RETURN_IF_ERROR(ValidateTransformOptions(options));
  auto impl = std::make_unique<Impl>();
  RE2::Options re_options;
  re_options.set_log_errors(false);
  auto compile = [&](std::string_view option,
                     const std::string& pattern) -> Result<std::unique_ptr<RE2>> {
    if (pattern.empty()) return std::unique_ptr<RE2>();
    auto re = std::make_unique<RE2>(pattern, re_options);
    if (!re->ok()) return InvalidArgumentError(std::string(option) + ": " + re->error());
    return re;
  };
  GS_ASSIGN_OR_RETURN(impl->content_type_re,
                      compile("content_type_regex", options.content_type_regex));
  GS_ASSIGN_OR_RETURN(impl->static_file_re,
                      compile("static_file_regex", options.static_file_regex));
  impl->max_body_bytes = options.max_body_bytes;
  impl->redact_headers = options.redact_headers;
  impl->redact_query_params = options.redact_query_params;
  return std::unique_ptr<TransactionTransformer>(new TransactionTransformer(std::move(impl)));
}

std::optional<FilterReason> TransactionTransformer::Apply(HttpTransaction* tx) {
  Impl& im = *impl_;

  // Filters first: a filtered transaction is left untouched. The static-file test goes first
  // because it is the more specific answer for, e.g., a .css served as text/css.
  if (im.static_file_re != nullptr && RE2::PartialMatch(tx->path, *im.static_file_re)) {
    ++stats_.filtered[static_cast<size_t>(FilterReason::kStaticFile)];
    return FilterReason::kStaticFile;
  }
  if (im.content_type_re != nullptr) {
    // The response tells what the endpoint serves; the request's type stands in when the
    // response has none (e.g. 204). Access logs carry no content type at all: keep those.
    std::string_view type = ContentTypeOf(tx->response_body, tx->response_headers);
    if (type.empty()) type = ContentTypeOf(tx->request_body, tx->request_headers);
    if (!type.empty() && !RE2::PartialMatch(type, *im.content_type_re)) {
      ++stats_.filtered[static_cast<size_t>(FilterReason::kContentType)];
      return FilterReason::kContentType;
    }
  }

  stats_.headers_redacted += im.RedactHeaders(&tx->request_headers);
  stats_.headers_redacted += im.RedactHeaders(&tx->response_headers);
  uint64_t in_map = im.RedactQueryMap(&tx->query_params);
  uint64_t in_raw = tx->query.empty() ? 0 : im.RedactRawQuery(&tx->query);
  stats_.query_params_redacted += std::max(in_map, in_raw);

  const bool endpoints_only = tx->api_kind == model::ApiKind::kHttp ||
                              tx->api_kind == model::ApiKind::kWebSocket ||
                              (tx->source == model::LogSource::kAccessLog &&
                               !tx->request_body.present && !tx->response_body.present);
  if (endpoints_only) {
    SetEndpointsOnly(&tx->request_body);
    SetEndpointsOnly(&tx->response_body);
    tx->coverage = Coverage::kEndpointsOnly;
    ++stats_.endpoints_only;
  } else {
    int replaced = int{im.ReplaceBody(&tx->request_body, tx->request_headers)} +
                   int{im.ReplaceBody(&tx->response_body, tx->response_headers)};
    if (replaced > 0) {
      stats_.bodies_replaced += static_cast<uint64_t>(replaced);
      tx->coverage = Coverage::kDiscoveryOnly;
    }
  }

  std::string_view coverage = CoverageHeaderValue(tx->coverage);
  bool found = false;
  for (size_t i = 0; i < tx->request_headers.size(); ++i) {
    Field& f = tx->request_headers[i];
    if (EqualsIgnoreCase(f.name, kCoverageHeader)) {
      f.value.assign(coverage);
      f.value_truncated = false;
      found = true;
    }
  }
  if (!found) tx->request_headers.Add(kCoverageHeader, coverage);

  if (tx->id.empty()) tx->id = TransactionId(*tx);
  return std::nullopt;
}

}  // namespace gatescope::transform
