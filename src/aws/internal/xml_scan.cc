#include "aws/internal/xml_scan.h"

#include <cstdint>

#include "core/ascii.h"
#include "core/utf8.h"

namespace gatescope::aws::xml {
namespace {

struct Tag {
  enum Kind { kOpen, kClose, kSelfClosing } kind = kOpen;
  std::string_view local_name;
  size_t begin = 0;  // Index of '<'.
  size_t end = 0;    // Index just past '>'.
};

// Skips past `terminator` from `pos`; false when it never comes.
bool SkipPast(std::string_view doc, size_t& pos, std::string_view terminator) {
  const size_t at = doc.find(terminator, pos);
  if (at == std::string_view::npos) return false;
  pos = at + terminator.size();
  return true;
}

// The next element tag at or after `pos`, skipping comments, processing instructions, CDATA and
// declarations. False at the end of the document or on an unterminated construct.
bool NextTag(std::string_view doc, size_t& pos, Tag& tag) {
  while (true) {
    const size_t lt = doc.find('<', pos);
    if (lt == std::string_view::npos) return false;
    std::string_view rest = doc.substr(lt);
    pos = lt + 1;
    if (rest.rfind("<!--", 0) == 0) {
      if (!SkipPast(doc, pos, "-->")) return false;
      continue;
    }
    if (rest.rfind("<![CDATA[", 0) == 0) {
      if (!SkipPast(doc, pos, "]]>")) return false;
      continue;
    }
    if (rest.rfind("<?", 0) == 0) {
      if (!SkipPast(doc, pos, "?>")) return false;
      continue;
    }
    if (rest.rfind("<!", 0) == 0) {
      if (!SkipPast(doc, pos, ">")) return false;
      continue;
    }
    tag.begin = lt;
    tag.kind = Tag::kOpen;
    size_t i = lt + 1;
    if (i < doc.size() && doc[i] == '/') {
      tag.kind = Tag::kClose;
      ++i;
    }
    const size_t name_start = i;
    while (i < doc.size() && !IsAsciiSpace(doc[i]) && doc[i] != '/' && doc[i] != '>') ++i;
    std::string_view name = doc.substr(name_start, i - name_start);
    if (const size_t colon = name.rfind(':'); colon != std::string_view::npos) {
      name.remove_prefix(colon + 1);
    }
    tag.local_name = name;
    // Find the closing '>', stepping over quoted attribute values that may contain one.
    char quote = 0;
    for (; i < doc.size(); ++i) {
      const char c = doc[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    if (i >= doc.size()) return false;
    if (tag.kind == Tag::kOpen && doc[i - 1] == '/') tag.kind = Tag::kSelfClosing;
    tag.end = i + 1;
    pos = tag.end;
    if (name.empty()) continue;  // "< " or "<>": not a tag.
    return true;
  }
}

// The text of element content: character data entity-decoded, CDATA verbatim, markup dropped.
std::string InnerText(std::string_view inner) {
  std::string out;
  size_t pos = 0;
  while (pos < inner.size()) {
    const size_t lt = inner.find('<', pos);
    out += DecodeEntities(inner.substr(pos, lt == std::string_view::npos ? lt : lt - pos));
    if (lt == std::string_view::npos) break;
    if (inner.substr(lt).rfind("<![CDATA[", 0) == 0) {
      const size_t start = lt + 9;
      const size_t close = inner.find("]]>", start);
      if (close == std::string_view::npos) break;
      out.append(inner.substr(start, close - start));
      pos = close + 3;
      continue;
    }
    size_t next = lt;
    Tag tag;
    if (!NextTag(inner, next, tag)) break;
    pos = next;
  }
  return out;
}

}  // namespace

std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    const char* named = entity == "lt" ? "<" : entity == "gt" ? ">" : entity == "amp" ? "&"
                      : entity == "quot" ? "\"" : entity == "apos" ? "'" : nullptr;
    if (named != nullptr) {
      out += named;
      i = semi;
      continue;
    }
    if (entity.size() >= 2 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      bool valid = !digits.empty();
      for (char c : digits) {
        const int d = hex ? HexDigitValue(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        if (d < 0 || cp > 0x10FFFF) {
          valid = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (valid && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        AppendUtf8(cp, out);
        i = semi;
        continue;
      }
    }
    out.push_back('&');  // Unknown entity: keep it as written.
  }
  return out;
}

std::vector<std::string_view> Elements(std::string_view doc, std::string_view name) {
  std::vector<std::string_view> found;
  size_t pos = 0;
  Tag tag;
  while (NextTag(doc, pos, tag)) {
    if (tag.local_name != name || tag.kind == Tag::kClose) continue;
    if (tag.kind == Tag::kSelfClosing) {
      found.emplace_back();
      continue;
    }
    const size_t content_start = tag.end;
    int depth = 1;
    while (depth > 0 && NextTag(doc, pos, tag)) {
      if (tag.local_name != name) continue;
      if (tag.kind == Tag::kOpen) ++depth;
      if (tag.kind == Tag::kClose) --depth;
    }
    if (depth > 0) break;  // Unterminated: the rest of the document is not well-formed.
    found.push_back(doc.substr(content_start, tag.begin - content_start));
  }
  return found;
}

std::optional<std::string> FirstText(std::string_view doc, std::string_view name) {
  // Scans the whole document even though only the first match is used: the responses read
  // this way are a few KB, and one scanning path is easier to trust (and fuzz) than two.
  std::vector<std::string_view> elements = Elements(doc, name);
  if (elements.empty()) return std::nullopt;
  return InnerText(elements.front());
}

}  // namespace gatescope::aws::xml
