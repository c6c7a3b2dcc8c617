#pragma once

#include <string>
#include <string_view>

namespace gatescope {

// ASCII-only helpers for log text: header names, labels and keys are ASCII, and locale-aware
// <cctype> functions would be both slower and wrong for bytes above 0x7f.

inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Space, tab, CR or LF.
inline bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline void LowerAsciiInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
}

// True when `a` and `b` are equal ignoring ASCII case.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// The value of a hex digit, or -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding: "%XX" becomes a byte, and a "%" not followed by two hex digits stays as it
// is. With `plus_is_space`, "+" is a space, as in application/x-www-form-urlencoded query
// strings and form bodies (WHATWG URL, "urlencoded parser"); without, "+" is literal, as RFC 3986
// and SigV4 read it.
inline std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
               HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// application/x-www-form-urlencoded decoding: PercentDecode with "+" as a space.
inline std::string FormDecode(std::string_view s) {
  return PercentDecode(s, /*plus_is_space=*/true);
}

}  // namespace gatescope
