#include "model/transaction_json.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace gatescope::model {
namespace {

constexpr std::string_view kCredentialHeaders[] = {"authorization",        "cookie",
                                                   "proxy-authorization",  "set-cookie",
                                                   "x-amz-security-token", "x-api-key"};

constexpr std::string_view kRedacted = "[REDACTED]";

bool IsBase64UrlChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Bjoern Hoehrmann's UTF-8 DFA (http://bjoern.hoehrmann.de/utf-8/decoder/dfa/), the table
// nlohmann::json's serializer uses. The output must be byte-identical to nlohmann's dump() with
// error_handler_t::replace, including where a replacement character starts and which byte is
// read again after an invalid sequence, so this follows the same automaton rather than a
// hand-written validator that might resynchronise differently.
constexpr uint8_t kUtf8Accept = 0;
constexpr uint8_t kUtf8Reject = 1;
// clang-format off
constexpr std::array<uint8_t, 400> kUtf8Dfa = {
    // Byte classes, 00..FF.
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 00..1F
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 20..3F
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 40..5F
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 60..7F
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,  // 80..9F
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,  // A0..BF
    8, 8, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  // C0..DF
    0xA, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x3, 0x4, 0x3, 0x3,  // E0..EF
    0xB, 0x6, 0x6, 0x6, 0x5, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8, 0x8,  // F0..FF
    // Transitions: state * 16 + class.
    0x0, 0x1, 0x2, 0x3, 0x5, 0x8, 0x7, 0x1, 0x1, 0x1, 0x4, 0x6, 0x1, 0x1, 0x1, 0x1,  // s0..s0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1,  // s1..s2
    1, 2, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1,  // s3..s4
    1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 3, 1, 1, 1, 1, 1, 1,  // s5..s6
    1, 3, 1, 1, 1, 1, 1, 3, 1, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // s7..s8
};
// clang-format on

// True for bytes written as they are when no multi-byte sequence is open: printable ASCII
// other than '"' and '\\'.
constexpr std::array<bool, 256> MakePlainTable() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kPlain = MakePlainTable();

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

void AppendEscapedCodePoint(uint32_t cp, char byte, std::string* out) {
  switch (cp) {
    case '\b':
      out->append("\\b");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    default:
      break;
  }
  if (cp <= 0x1F) {
    const char esc[6] = {'\\', 'u', '0', '0', kHex[cp >> 4], kHex[cp & 0xF]};
    out->append(esc, sizeof(esc));
  } else {
    // The last byte of a code point whose earlier bytes are already in `out`.
    out->push_back(byte);
  }
}

void AppendInt(int64_t value, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 24 characters always hold an int64.
  out->append(buf, end);
}

// Appends `,"key":` (no comma for the first member, which is always "format").
void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void PutString(std::string_view key, const std::string& value, std::string* out) {
  if (value.empty()) return;
  AppendKey(key, out);
  AppendJsonString(value, out);
}

void PutName(std::string_view key, std::string_view name, std::string* out) {
  AppendKey(key, out);
  out->push_back('"');
  out->append(name);  // Enum names: plain ASCII.
  out->push_back('"');
}

void PutNumber(std::string_view key, int64_t value, std::string* out) {
  if (value < 0) return;
  AppendKey(key, out);
  AppendInt(value, out);
}

void PutTrue(std::string_view key, bool value, std::string* out) {
  if (!value) return;
  AppendKey(key, out);
  out->append("true");
}

void PutFields(std::string_view key, const FieldList& fields, bool redact, std::string* out) {
  if (!fields.logged && fields.empty()) return;
  AppendKey(key, out);
  out->append("{\"entries\":[");
  bool first = true;
  for (const Field& f : fields) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"name\":");
    AppendJsonString(f.name, out);
    out->append(",\"value\":");
    if (redact && (IsCredentialHeader(f.name) || ContainsJwt(f.value))) {
      out->push_back('"');
      out->append(kRedacted);
      out->push_back('"');
    } else {
      AppendJsonString(f.value, out);
    }
    if (f.value_truncated) out->append(",\"value_truncated\":true");
    out->push_back('}');
  }
  out->push_back(']');
  if (fields.truncated) out->append(",\"truncated\":true");
  out->push_back('}');
}

void PutBody(std::string_view key, const Body& body, std::string* out) {
  if (!body.present) return;
  AppendKey(key, out);
  out->append("{\"text\":");
  AppendJsonString(body.text, out);
  if (!body.content_type.empty()) {
    out->append(",\"content_type\":");
    AppendJsonString(body.content_type, out);
  }
  if (body.truncated) out->append(",\"truncated\":true");
  if (body.indicator) out->append(",\"indicator\":true");
  out->push_back('}');
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  uint8_t state = kUtf8Accept;
  uint32_t cp = 0;
  // Where `out` ended after the last complete code point: an invalid sequence's bytes, already
  // copied, are cut back to here before the replacement character (as nlohmann does).
  size_t last_accept = out->size();
  size_t undumped = 0;  // Bytes of the open multi-byte sequence.
  size_t i = 0;
  while (i < n) {
    if (state == kUtf8Accept && kPlain[bytes[i]]) {
      // Fast path: copy the whole run of plain ASCII at once.
      size_t start = i;
      while (i < n && kPlain[bytes[i]]) ++i;
      out->append(s.data() + start, i - start);
      last_accept = out->size();
      continue;
    }
    const uint8_t byte = bytes[i];
    const uint8_t type = kUtf8Dfa[byte];
    cp = state != kUtf8Accept ? (byte & 0x3Fu) | (cp << 6u) : (0xFFu >> type) & byte;
    state = kUtf8Dfa[256u + state * 16u + type];
    if (state == kUtf8Accept) {
      AppendEscapedCodePoint(cp, static_cast<char>(byte), out);
      last_accept = out->size();
      undumped = 0;
    } else if (state == kUtf8Reject) {
      // A byte that broke an open sequence may be fine on its own: read it again.
      if (undumped > 0) --i;
      out->resize(last_accept);
      out->append(kReplacement);
      last_accept = out->size();
      undumped = 0;
      state = kUtf8Accept;
    } else {
      out->push_back(static_cast<char>(byte));
      ++undumped;
    }
    ++i;
  }
  if (state != kUtf8Accept) {
    // The string ended inside a multi-byte sequence.
    out->resize(last_accept);
    out->append(kReplacement);
  }
  out->push_back('"');
}

bool ContainsJwt(std::string_view v) {
  for (size_t at = v.find("eyJ"); at != std::string_view::npos; at = v.find("eyJ", at + 3)) {
    size_t i = at;
    int segments = 0;
    while (segments < 3) {
      size_t start = i;
      while (i < v.size() && IsBase64UrlChar(v[i])) ++i;
      if (i - start < 4) break;
      ++segments;
      if (segments < 3 && (i >= v.size() || v[i] != '.')) break;
      ++i;
    }
    if (segments >= 2) return true;
  }
  return false;
}

bool IsCredentialHeader(std::string_view name) {
  for (std::string_view h : kCredentialHeaders) {
    if (EqualsIgnoreCase(h, name)) return true;
  }
  return false;
}

void AppendTransactionJson(const HttpTransaction& tx, std::string* out) {
  // Field order and omission rules are part of the format (docs/specs/transaction.md); they
  // match the nlohmann-based writer this replaced, byte for byte.
  out->append("{\"format\":\"gatescope.transaction/v1\"");
  PutName("source", LogSourceName(tx.source), out);
  PutString("id", tx.id, out);
  PutString("request_id", tx.request_id, out);
  PutString("extended_request_id", tx.extended_request_id, out);
  PutString("api_id", tx.api_id, out);
  PutString("stage", tx.stage, out);
  PutName("api_kind", ApiKindName(tx.api_kind), out);
  PutString("account_id", tx.account_id, out);
  PutString("region", tx.region, out);
  PutString("domain_name", tx.domain_name, out);
  PutString("method", tx.method, out);
  PutString("path", tx.path, out);
  PutString("query", tx.query, out);
  PutString("resource_path", tx.resource_path, out);
  PutTrue("resource_path_rebuilt", tx.resource_path_rebuilt, out);
  PutString("route_key", tx.route_key, out);
  PutString("protocol", tx.protocol, out);
  PutFields("path_parameters", tx.path_params, false, out);
  PutFields("query_parameters", tx.query_params, false, out);
  PutFields("request_headers", tx.request_headers, true, out);
  PutBody("request_body", tx.request_body, out);
  PutNumber("status", tx.status, out);
  PutFields("response_headers", tx.response_headers, true, out);
  PutBody("response_body", tx.response_body, out);
  PutNumber("response_length", tx.response_length, out);
  PutNumber("response_latency_ms", tx.response_latency_ms, out);
  PutString("integration_uri", tx.integration_uri, out);
  PutNumber("integration_status", tx.integration_status, out);
  PutNumber("integration_latency_ms", tx.integration_latency_ms, out);
  PutString("integration_request_id", tx.integration_request_id, out);
  PutString("xray_trace_id", tx.xray_trace_id, out);
  PutString("authorizer_id", tx.authorizer_id, out);
  PutString("authorizer_principal", tx.authorizer_principal, out);
  PutString("api_key", tx.api_key, out);
  if (tx.api_key_required >= 0) {
    AppendKey("api_key_required", out);
    out->append(tx.api_key_required == 1 ? "true" : "false");
  }
  if (tx.error_kind != ErrorKind::kNone) PutName("error_kind", ErrorKindName(tx.error_kind), out);
  PutString("error_message", tx.error_message, out);
  PutString("source_ip", tx.source_ip, out);
  PutString("user_agent", tx.user_agent, out);
  PutString("caller", tx.caller, out);
  PutString("user", tx.user, out);
  PutString("event_type", tx.event_type, out);
  PutString("connection_id", tx.connection_id, out);
  PutNumber("request_time_ms", tx.request_time_ms, out);
  PutNumber("end_time_ms", tx.end_time_ms, out);
  PutName("coverage", CoverageName(tx.coverage), out);
  if (tx.partial) PutName("partial", PartialReasonName(tx.partial_reason), out);
  PutTrue("supplement", tx.supplement, out);
  PutString("log_group", tx.log_group, out);
  PutString("log_stream", tx.log_stream, out);
  PutString("event_id", tx.event_id, out);
  if (tx.event_count > 0) PutNumber("event_count", tx.event_count, out);
  out->push_back('}');
}

std::string TransactionToJson(const HttpTransaction& tx) {
  std::string out;
  out.reserve(1024);
  AppendTransactionJson(tx, &out);
  return out;
}

}  // namespace gatescope::model
