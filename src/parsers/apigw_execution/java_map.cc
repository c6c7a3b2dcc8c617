#include "parsers/apigw_execution/java_map.h"

#include <algorithm>
#include <array>

#include "core/ascii.h"

namespace gatescope::parsers::apigw_execution {
namespace {

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 9110 token characters, the only ones a header name may hold.
bool IsTokenChar(char c) {
  if (IsAlnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

constexpr size_t kMaxKeyLength = 256;

bool LessIgnoreCase(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return AsciiLower(x) < AsciiLower(y); });
}

bool InSortedList(std::string_view word, const std::string_view* begin,
                  const std::string_view* end) {
  const std::string_view* it = std::lower_bound(begin, end, word, LessIgnoreCase);
  return it != end && EqualsIgnoreCase(*it, word);
}

// Header names seen in API Gateway method and endpoint maps, sorted (lowercase). A name here
// always starts a new entry, even where it could also be a value's parameter ("Host").
constexpr std::string_view kHeaderNames[] = {
    "a-im", "accept", "accept-charset", "accept-encoding", "accept-language",
    "access-control-allow-credentials", "access-control-allow-headers",
    "access-control-allow-methods", "access-control-allow-origin",
    "access-control-expose-headers", "access-control-max-age",
    "access-control-request-headers", "access-control-request-method", "age", "allow",
    "authorization", "baggage", "cache-control", "connection", "content-disposition",
    "content-encoding", "content-language", "content-length", "content-location",
    "content-range", "content-security-policy", "content-type", "cookie", "date", "dnt", "etag",
    "expect", "expires", "forwarded", "from", "host", "if-match", "if-modified-since",
    "if-none-match", "if-range", "if-unmodified-since", "keep-alive", "last-modified", "link",
    "location", "max-forwards", "origin", "postman-token", "pragma", "prefer", "priority",
    "proxy-authorization", "range", "referer", "retry-after", "server", "set-cookie",
    "strict-transport-security", "te", "traceparent", "tracestate", "trailer",
    "transfer-encoding", "upgrade", "upgrade-insecure-requests", "user-agent", "vary", "via",
    "warning", "www-authenticate"};

// Parameters that appear inside header values as "<name>=", sorted (lowercase). After ", "
// they continue the value unless they are also header names.
constexpr std::string_view kValueParameters[] = {
    "a", "boundary", "by", "charset", "domain", "dur", "error", "error_description",
    "error_uri", "expires", "for", "httponly", "lineage", "ma", "max", "max-age", "max-stale",
    "min-fresh", "parent", "path", "proto", "q", "realm", "root", "s-maxage", "samesite",
    "sampled", "scope", "secure", "self", "stale-if-error", "stale-while-revalidate", "timeout",
    "v", "version"};

// Headers whose values are lists of "name=value" items: after ", " in them only a header name
// (known, or shaped like one) starts a new entry. "Set-Cookie=a=1; Path=/, b=2" is one entry.
constexpr std::string_view kListValuedHeaders[] = {
    "alt-svc", "authorization", "baggage", "cache-control", "content-security-policy",
    "cookie", "forwarded", "keep-alive", "link", "prefer", "proxy-authenticate",
    "proxy-authorization", "server-timing", "set-cookie", "tracestate", "www-authenticate"};

template <size_t N>
bool In(std::string_view word, const std::string_view (&list)[N]) {
  return InSortedList(word, list, list + N);
}

// "X-Foo", "x-foo", "CloudFront-Is-Mobile-Viewer", "Sec-Fetch-Mode": names no value parameter
// looks like.
bool LooksLikeHeaderName(std::string_view name) {
  if (In(name, kHeaderNames)) return true;
  if (name.size() > 2 && AsciiLower(name[0]) == 'x' && name[1] == '-') return true;
  return name.find('-') != std::string_view::npos && name.front() >= 'A' && name.front() <= 'Z' &&
         !In(name, kValueParameters);
}

// The key starting at text[pos], if it is followed by '='; else empty.
std::string_view KeyAt(std::string_view text, size_t pos, MapKind kind) {
  size_t i = pos;
  if (kind == MapKind::kHeaders) {
    if (i >= text.size() || !IsAlnum(text[i])) return {};
    while (i < text.size() && i - pos < kMaxKeyLength && IsTokenChar(text[i])) ++i;
  } else {
    while (i < text.size() && i - pos < kMaxKeyLength && text[i] != '=' && text[i] != ',' &&
           text[i] != '\n' && text[i] != '{' && text[i] != '}') {
      ++i;
    }
    if (i == pos || text[pos] == ' ') return {};
  }
  if (i >= text.size() || text[i] != '=') return {};
  return text.substr(pos, i - pos);
}

// A 64-bit summary of the names added so far (one bit per name, by length and first
// letter), so that most "is this name already in the map?" checks cost one AND.
uint64_t NameBit(std::string_view name) {
  return uint64_t{1} << ((name.size() * 7 + static_cast<unsigned char>(AsciiLower(name.front()))) & 63);
}

bool AlreadyHas(const model::FieldList& fields, uint64_t names_seen, std::string_view name,
                MapKind kind) {
  if ((names_seen & NameBit(name)) == 0) return false;
  for (const model::Field& f : fields) {
    if (kind == MapKind::kHeaders ? EqualsIgnoreCase(f.name, name) : f.name == name) {
      return true;
    }
  }
  return false;
}

// Whether the ", " before text[next] ends the value of `current_key` (`list_valued`: its
// value is a list of name=value items).
bool EndsValue(std::string_view text, size_t next, std::string_view current_key,
               bool list_valued, MapKind kind, const model::FieldList& fields,
               uint64_t names_seen) {
  std::string_view candidate = KeyAt(text, next, kind);
  if (candidate.empty()) return false;
  if (EqualsIgnoreCase(candidate, current_key) ||
      AlreadyHas(fields, names_seen, candidate, kind)) {
    return false;
  }
  if (kind == MapKind::kParameters) return true;
  if (list_valued) return LooksLikeHeaderName(candidate);
  return In(candidate, kHeaderNames) || !In(candidate, kValueParameters);
}

// Where the last value of a cut map ends: before a trailing ", <partial key>" the cut left
// ("..., Host=example.com, X-Amz-Secu"), else at the end of the text.
size_t WithoutCutKey(std::string_view text, size_t value_start, MapKind kind) {
  size_t comma = text.rfind(", ");
  if (comma == std::string_view::npos || comma < value_start) return text.size();
  std::string_view tail = text.substr(comma + 2);
  if (tail.empty()) return comma;
  for (char c : tail) {
    bool ok = kind == MapKind::kHeaders ? IsTokenChar(c) : (c != '=' && c != ',' && c != '\n');
    if (!ok) return text.size();
  }
  if (kind == MapKind::kHeaders && !LooksLikeHeaderName(tail) &&
      !(tail.front() >= 'A' && tail.front() <= 'Z')) {
    return text.size();
  }
  return comma;
}

}  // namespace

void ParseJavaMap(std::string_view text, bool truncated, MapKind kind, model::FieldList* out) {
  out->Clear();
  out->logged = true;
  text = TrimAsciiSpace(text);
  if (text.empty() || text == "null") return;
  if (text.front() == '{') text.remove_prefix(1);
  bool closed = !truncated && !text.empty() && text.back() == '}';
  if (closed) text.remove_suffix(1);
  out->truncated = !closed;
  uint64_t names_seen = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view key = KeyAt(text, pos, kind);
    size_t next_entry = std::string_view::npos;
    if (key.empty()) {
      // Not a key: skip to the next ", " that starts one. A cut key at the end is dropped.
      for (size_t c = text.find(", ", pos); c != std::string_view::npos;
           c = text.find(", ", c + 1)) {
        if (!KeyAt(text, c + 2, kind).empty()) {
          next_entry = c + 2;
          break;
        }
      }
      if (next_entry == std::string_view::npos) break;
      pos = next_entry;
      continue;
    }
    size_t value_start = pos + key.size() + 1;
    size_t value_end = text.size();
    bool list_valued = kind == MapKind::kHeaders && In(key, kListValuedHeaders);
    for (size_t c = text.find(", ", value_start); c != std::string_view::npos;
         c = text.find(", ", c + 1)) {
      if (EndsValue(text, c + 2, key, list_valued, kind, *out, names_seen)) {
        value_end = c;
        next_entry = c + 2;
        break;
      }
    }
    bool last = next_entry == std::string_view::npos;
    if (last && !closed) value_end = WithoutCutKey(text, value_start, kind);
    out->Add(key, text.substr(value_start, value_end - value_start),
             last && !closed && value_end == text.size());
    names_seen |= NameBit(key);
    if (last) break;
    pos = next_entry;
  }
}

std::string_view FindJavaMapValue(std::string_view text, std::string_view name) {
  for (size_t at = text.find(name); at != std::string_view::npos;
       at = text.find(name, at + 1)) {
    bool starts_entry = at == 0 || text[at - 1] == '{' ||
                        (at >= 2 && text[at - 2] == ',' && text[at - 1] == ' ');
    size_t value_start = at + name.size();
    if (!starts_entry || value_start >= text.size() || text[value_start] != '=') continue;
    ++value_start;
    size_t value_end = text.size();
    for (size_t c = text.find(", ", value_start); c != std::string_view::npos;
         c = text.find(", ", c + 1)) {
      std::string_view next = KeyAt(text, c + 2, MapKind::kHeaders);
      if (!next.empty() && LooksLikeHeaderName(next)) {
        value_end = c;
        break;
      }
    }
    std::string_view value = text.substr(value_start, value_end - value_start);
    if (value_end == text.size() && !value.empty() && value.back() == '}') value.remove_suffix(1);
    return value;
  }
  return {};
}

}  // namespace gatescope::parsers::apigw_execution
