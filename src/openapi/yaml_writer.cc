#include "openapi/yaml_writer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace gatescope::openapi {
namespace {

using Json = nlohmann::ordered_json;

// PyYAML refuses a simple (implicit) key longer than 1024 characters; longer keys use the
// explicit "? key" form. Kept below the limit to leave room for the quotes.
constexpr size_t kMaxSimpleKeyChars = 1000;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Words that YAML 1.1 (PyYAML) or 1.2 resolve to a boolean or null when plain. Compared
// ignoring case: quoting "TRUE" or "Null" needlessly is harmless.
bool IsReservedWord(std::string_view s) {
  static constexpr std::array<std::string_view, 10> kWords = {"true", "false", "yes", "no",   "y",
                                                              "n",    "on",    "off", "null", "~"};
  if (s.size() > 5) return false;
  std::string lower;
  for (char c : s) lower += Lower(c);
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

// Whether `s` can be written as a plain scalar and read back as the same string. Deliberately
// conservative: the first character must be a letter, '/', '_' or '$' (so no number, date,
// sexagesimal, ".inf" or indicator can start it), the rest printable ASCII without ':' and
// '#' (which could end a key or start a comment), and no trailing space.
bool IsPlainSafe(std::string_view s) {
  if (s.empty() || IsReservedWord(s)) return false;
  char first = s.front();
  bool first_ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                  first == '/' || first == '_' || first == '$';
  if (!first_ok || s.back() == ' ') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7E && c != ':' && c != '#'; });
}

void AppendHex(uint32_t value, int digits, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
}

// Decodes one UTF-8 sequence at `s[i]`; returns the code point and sets `len`, or U+FFFD with
// len 1 for an invalid byte (overlong forms, surrogates and truncated sequences included), so
// that any byte string yields valid YAML.
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t& len) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  len = 1;
  if (b0 < 0x80) return b0;
  size_t need;
  uint32_t cp;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0xFFFD;
  }
  if (i + need >= s.size()) return 0xFFFD;
  for (size_t k = 1; k <= need; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  len = need + 1;
  return cp;
}

// Whether a YAML reader takes `cp` as is inside a double-quoted scalar: YAML's printable set
// (which PyYAML's reader enforces) minus the characters YAML 1.1 reads as line breaks
// (U+0085, U+2028, U+2029) and the byte order mark.
bool IsPrintable(uint32_t cp) {
  if (cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) return false;
  return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void AppendDoubleQuoted(std::string_view s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    uint32_t cp = DecodeUtf8(s, i, len);
    switch (cp) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case 0:
        out += "\\0";
        break;
      default:
        if (len == 1 && cp >= 0x80) {
          out += "\xEF\xBF\xBD";  // An invalid byte: U+FFFD, not the byte itself.
        } else if (IsPrintable(cp)) {
          out.append(s.substr(i, len));
        } else if (cp <= 0xFF) {
          out += "\\x";
          AppendHex(cp, 2, out);
        } else if (cp <= 0xFFFF) {
          out += "\\u";
          AppendHex(cp, 4, out);
        } else {
          out += "\\U";
          AppendHex(cp, 8, out);
        }
    }
    i += len;
  }
  out += '"';
}

void AppendString(std::string_view s, std::string& out) {
  if (IsPlainSafe(s)) {
    out.append(s);
  } else {
    AppendDoubleQuoted(s, out);
  }
}

// Numbers as JSON writes them, except that a float gets a '.' before its exponent: YAML 1.1
// (PyYAML) reads "1e+300" as a string, "1.0e+300" as a float. NaN and infinities, which JSON
// cannot hold, are null as in nlohmann's dump().
void AppendScalar(const Json& value, std::string& out) {
  switch (value.type()) {
    case Json::value_t::null:
      out += "null";
      break;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::string:
      AppendString(value.get_ref<const std::string&>(), out);
      break;
    case Json::value_t::number_float: {
      std::string number = value.dump();
      size_t exponent = number.find_first_of("eE");
      if (exponent != std::string::npos && number.find('.') == std::string::npos) {
        number.insert(exponent, ".0");
      }
      out += number;
      break;
    }
    case Json::value_t::binary:
      out += "null";
      break;  // Not JSON; never in our documents.
    default:
      out += value.dump();
      break;  // Integers.
  }
}

bool IsNonEmptyContainer(const Json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

void AppendIndent(int indent, std::string& out) { out.append(static_cast<size_t>(indent), ' '); }

void WriteNode(const Json& value, int indent, bool inline_first, std::string& out);

// A value after "key:" or "- ": scalars and empty containers on the same line, non-empty
// containers on the next lines at `child_indent` (or, for a sequence item, starting on the
// same line after the dash).
void WriteValueAfterIndicator(const Json& value, int child_indent, bool same_line_ok,
                              std::string& out) {
  if (!IsNonEmptyContainer(value)) {
    out += ' ';
    if (value.is_object()) {
      out += "{}";
    } else if (value.is_array()) {
      out += "[]";
    } else {
      AppendScalar(value, out);
    }
    out += '\n';
    return;
  }
  if (same_line_ok) {
    out += ' ';
    WriteNode(value, child_indent, true, out);
  } else {
    out += '\n';
    WriteNode(value, child_indent, false, out);
  }
}

// Writes a non-empty container at `indent`; when `inline_first`, the first line continues the
// current one (after "- ").
void WriteNode(const Json& value, int indent, bool inline_first, std::string& out) {
  bool first = true;
  auto start_line = [&] {
    if (!(first && inline_first)) AppendIndent(indent, out);
    first = false;
  };
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      start_line();
      std::string rendered;
      AppendString(key, rendered);
      if (rendered.size() > kMaxSimpleKeyChars) {
        out += "? " + rendered + '\n';
        AppendIndent(indent, out);
      } else {
        out += rendered;
      }
      out += ':';
      WriteValueAfterIndicator(child, indent + 2, false, out);
    }
  } else {
    for (const Json& child : value) {
      start_line();
      out += '-';
      WriteValueAfterIndicator(child, indent + 2, true, out);
    }
  }
}

}  // namespace

std::string JsonToYaml(const nlohmann::ordered_json& document) {
  std::string out;
  if (IsNonEmptyContainer(document)) {
    WriteNode(document, 0, false, out);
  } else if (document.is_object()) {
    out = "{}\n";
  } else if (document.is_array()) {
    out = "[]\n";
  } else {
    AppendScalar(document, out);
    out += '\n';
  }
  return out;
}

}  // namespace gatescope::openapi
