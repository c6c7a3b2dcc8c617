// Value classifier: OpenAPI string formats and sensitive-data detection for every string value.
//
// ClassifyValue runs on every string of every body, so it is built as one pass over the bytes
// that records which character classes occur (a bit mask) and how many digits, followed by
// detectors that are only entered when the mask, the length and the first byte allow them.
// A typical word, id or number is rejected by a handful of integer compares after the scan.
// Nothing allocates; checksums are computed in registers or small stack buffers.
//
// Detectors match the whole value (no substring search), except PEM private keys, which are
// found anywhere because they arrive embedded in JSON documents and config blobs.
//
// What each detector accepts:
//   date-time  RFC 3339 `full-date "T" full-time`: T or t, optional fraction, Z/z or +hh:mm /
//              -hh:mm required (a date-time without offset is not RFC 3339, so it gets no
//              format). Month, day (leap years included), hour, minute and second (60 allowed
//              for leap seconds) are range-checked.
//   date       `YYYY-MM-DD`, range-checked as above.
//   time       `hh:mm:ss[.frac][Z|+hh:mm]`: RFC 3339 partial-time or full-time.
//   email      dot-atom local part (<= 64 chars, no leading/trailing/double dots), '@', a domain
//              of >= 2 LDH labels (<= 63 chars, no edge hyphens) whose last label is >= 2
//              letters or punycode ("xn--p1ai"). Quoted local parts, address literals
//              ("a@[10.0.0.1]") and non-ASCII (RFC 6531) addresses are left out.
//   uuid       8-4-4-4-12 hex, any version, either case.
//   ipv4       dotted quad 0-255, no leading zeros ("010.1.1.1" is ambiguous octal: rejected).
//   ipv6       RFC 4291 text forms: 8 groups, one "::", an embedded IPv4 tail. No zone id.
//   uri        scheme `[A-Za-z][A-Za-z0-9+.-]*:` then printable ASCII without `"<>\^`{|}`.
//              Either "scheme://" with something after it, or one of the non-hierarchical
//              schemes urn, mailto, tel, data, sip. "12:30" and "note:hello" are not URIs.
//   phone      '+' and 8-15 digits (E.164, separators allowed), or a national format of 10-11
//              digits with >= 2 separators or a parenthesised area code ("(415) 555-0132",
//              "020 7946 0958"). Separators are single ' ', '-' or '.'; dots are not mixed with
//              others; thousands groupings ("1 234 567 890") and IPv4-like dotted quads are not
//              phones. A bare digit string is never a phone: it could be any order number.
//   card       13-19 digits, optionally in groups of 3-6 split by one kind of single separator
//              (' ' or '-'), Luhn-valid, and a known issuer prefix with a length that issuer
//              uses (see KnownCardIssuer). A Luhn-valid 16-digit order number that starts with
//              4 is indistinguishable from a Visa number and is tagged: 1 in 10 of them.
//   iban       ISO 13616: country code with its registry length (IBAN registry plus the
//              national IBANs of the African and other non-registry countries), two check
//              digits, mod-97 == 1, uppercase, optional single spaces every 4 characters.
//   national   US SSN `AAA-GG-SSSS` (dashes required; area not 000, 666 or 900-999, group not
//              00, serial not 0000); UK NINO (`AB123456C` or `AB 12 34 56 C`: HMRC prefix
//              letter rules, suffix A-D); Spanish DNI (`12345678Z`) and NIE (`X1234567L`) with
//              the mod-23 check letter; Brazilian CPF `ddd.ddd.ddd-dd` with both check digits;
//              Indian Aadhaar `dddd dddd dddd` (first digit 2-9, Verhoeff). Bare 9-, 11- and
//              12-digit strings are not tagged: a random number passes those checks too often.
//   jwt        three base64url parts (signature may be empty), the header decodes to a JSON
//              object containing "alg"; also after "Bearer ". JWE (5 parts) is not tagged.
//   aws keys   access key id `AKIA|ASIA|ABIA|ACCA` + 16 of [A-Z2-7]; secret access key: see
//              IsAwsSecretKey.
//   private    "-----BEGIN <label>PRIVATE KEY-----" (or "PRIVATE KEY BLOCK" for PGP) anywhere.
//
// Values longer than kMaxDetailedSize are only checked for PEM keys and JWTs: no other
// detected kind is that long, and scanning megabyte bodies for dates would cost for nothing.

#include "classify/value_classifier.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ascii.h"

namespace gatescope::classify {
namespace {

constexpr size_t kMaxDetailedSize = 4096;

// Character classes, one bit each, so that one OR per byte summarises a value.
enum CharBit : uint32_t {
  kCDigit = 1u << 0,  // Bit 0 so that `bits & 1` counts digits without a branch.
  kCHexUpper = 1u << 1,
  kCUpper = 1u << 2,  // G-Z.
  kCHexLower = 1u << 3,
  kCLower = 1u << 4,  // g-z.
  kCDash = 1u << 5,
  kCDot = 1u << 6,
  kCColon = 1u << 7,
  kCAt = 1u << 8,
  kCSlash = 1u << 9,
  kCPlus = 1u << 10,
  kCSpace = 1u << 11,
  kCUnderscore = 1u << 12,
  kCParen = 1u << 13,
  kCPunct = 1u << 14,    // Any other printable ASCII punctuation.
  kCControl = 1u << 15,  // Controls including tab and newline, and DEL.
  kCHigh = 1u << 16,     // Bytes >= 0x80.
};
constexpr uint32_t kCHex = kCDigit | kCHexUpper | kCHexLower;
constexpr uint32_t kCAnyUpper = kCHexUpper | kCUpper;
constexpr uint32_t kCAnyLower = kCHexLower | kCLower;
constexpr uint32_t kCAlpha = kCAnyUpper | kCAnyLower;
constexpr uint32_t kCAlnum = kCAlpha | kCDigit;
constexpr uint32_t kCBase64Url = kCAlnum | kCDash | kCUnderscore;
constexpr uint32_t kCDigitish = kCDigit | kCSpace | kCDash | kCDot | kCParen | kCPlus;

constexpr std::array<uint32_t, 256> kCharBits = [] {
  std::array<uint32_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint32_t b = 0;
    if (c >= '0' && c <= '9') {
      b = kCDigit;
    } else if (c >= 'A' && c <= 'F') {
      b = kCHexUpper;
    } else if (c >= 'G' && c <= 'Z') {
      b = kCUpper;
    } else if (c >= 'a' && c <= 'f') {
      b = kCHexLower;
    } else if (c >= 'g' && c <= 'z') {
      b = kCLower;
    } else if (c >= 0x80) {
      b = kCHigh;
    } else if (c < 0x20 || c == 0x7f) {
      b = kCControl;
    } else {
      switch (c) {
        case '-':
          b = kCDash;
          break;
        case '.':
          b = kCDot;
          break;
        case ':':
          b = kCColon;
          break;
        case '@':
          b = kCAt;
          break;
        case '/':
          b = kCSlash;
          break;
        case '+':
          b = kCPlus;
          break;
        case ' ':
          b = kCSpace;
          break;
        case '_':
          b = kCUnderscore;
          break;
        case '(':
        case ')':
          b = kCParen;
          break;
        default:
          b = kCPunct;
          break;
      }
    }
    t[static_cast<size_t>(c)] = b;
  }
  return t;
}();

inline uint32_t Bits(char c) { return kCharBits[static_cast<unsigned char>(c)]; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAlpha(char c) { return (Bits(c) & kCAlpha) != 0; }
inline bool IsAlnum(char c) { return (Bits(c) & kCAlnum) != 0; }
inline bool IsHex(char c) { return (Bits(c) & kCHex) != 0; }
inline bool AllIn(uint32_t mask, uint32_t allowed) { return (mask & ~allowed) == 0; }
inline int Digit(char c) { return c - '0'; }

// Value of the decimal digits s[i, i+count); the caller has checked that they are digits.
inline int DecimalAt(std::string_view s, size_t i, size_t count) {
  int v = 0;
  for (size_t k = 0; k < count; ++k) v = v * 10 + Digit(s[i + k]);
  return v;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

struct Scan {
  uint32_t mask = 0;
  uint32_t digits = 0;
};

Scan ScanValue(std::string_view v) {
  Scan s;
  for (char c : v) {
    const uint32_t b = Bits(c);
    s.mask |= b;
    s.digits += b & kCDigit;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Dates and times (RFC 3339 section 5.6).

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// `s` starts with a valid "YYYY-MM-DD".
bool HasFullDatePrefix(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return false;
  }
  const int y = DecimalAt(s, 0, 4), m = DecimalAt(s, 5, 2), d = DecimalAt(s, 8, 2);
  return m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

// Two digits at s[i] no greater than `max`; -1 otherwise.
inline bool TwoDigitsAtMost(std::string_view s, size_t i, int max) {
  return IsDigit(s[i]) && IsDigit(s[i + 1]) && DecimalAt(s, i, 2) <= max;
}

// All of `s` is "hh:mm:ss[.frac]" then a time offset (required when `require_offset`).
bool IsTime(std::string_view s, bool require_offset) {
  const size_t n = s.size();
  if (n < 8 || s[2] != ':' || s[5] != ':') return false;
  if (!TwoDigitsAtMost(s, 0, 23) || !TwoDigitsAtMost(s, 3, 59) || !TwoDigitsAtMost(s, 6, 60)) {
    return false;
  }
  size_t i = 8;
  if (i < n && s[i] == '.') {
    const size_t start = ++i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i == n) return !require_offset;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == n;
  if (s[i] != '+' && s[i] != '-') return false;
  return i + 6 == n && s[i + 3] == ':' && TwoDigitsAtMost(s, i + 1, 23) &&
         TwoDigitsAtMost(s, i + 4, 59);
}

bool IsDateTime(std::string_view s) {
  return s.size() >= 20 && (s[10] == 'T' || s[10] == 't') && HasFullDatePrefix(s) &&
         IsTime(s.substr(11), /*require_offset=*/true);
}

// ---------------------------------------------------------------------------------------------
// Email, UUID, IP addresses, URIs.

bool IsAtext(char c) {
  if (IsAlnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || s.size() > 254) return false;
  const std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.') return false;
  for (size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.') {
      if (local[i + 1] == '.') return false;  // Safe: local.back() is not '.'.
    } else if (!IsAtext(local[i])) {
      return false;
    }
  }
  size_t labels = 0, label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i < domain.size() && domain[i] != '.') {
      const char c = domain[i];
      if (!IsAlnum(c) && c != '-') return false;
      continue;
    }
    const size_t len = i - label_start;
    if (len == 0 || len > 63 || domain[label_start] == '-' || domain[i - 1] == '-') return false;
    ++labels;
    if (i == domain.size()) {
      // The TLD is letters, or an internationalised TLD in punycode ("xn--p1ai").
      const std::string_view tld = domain.substr(label_start);
      if (len < 2) return false;
      if (tld.size() <= 4 || !StartsWithIgnoreCase(tld, "xn--")) {
        for (char c : tld) {
          if (!IsAlpha(c)) return false;
        }
      }
    }
    label_start = i + 1;
  }
  return labels >= 2;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!IsHex(s[i])) {
      return false;
    }
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  const size_t n = s.size();
  if (n < 7 || n > 15) return false;
  int parts = 0;
  size_t i = 0;
  while (true) {
    const size_t start = i;
    int value = 0;
    while (i < n && IsDigit(s[i]) && i - start < 3) value = value * 10 + Digit(s[i++]);
    const size_t len = i - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == n) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view s) {
  const size_t n = s.size();
  if (n < 2 || n > 45) return false;
  int groups = 0;
  bool compressed = false;
  size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') return false;
    compressed = true;
    i = 2;
  }
  while (i < n) {
    const size_t start = i;
    while (i < n && IsHex(s[i]) && i - start < 4) ++i;
    if (i < n && s[i] == '.') {  // Embedded IPv4 tail: the last 32 bits.
      if (!IsIpv4(s.substr(start))) return false;
      groups += 2;
      break;
    }
    if (i == start) return false;
    ++groups;
    if (i == n) break;
    if (s[i] != ':') return false;
    if (++i == n) return false;  // A single trailing ':'.
    if (s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool IsUriChar(char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return false;
    default:
      return true;
  }
}

bool IsUri(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  size_t i = 1;
  while (i < s.size() && i <= 32 && (IsAlnum(s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')) {
    ++i;
  }
  if (i >= s.size() || s[i] != ':') return false;
  const std::string_view scheme = s.substr(0, i), rest = s.substr(i + 1);
  if (rest.empty()) return false;
  for (char c : rest) {
    if (!IsUriChar(c)) return false;
  }
  if (rest.size() > 2 && rest[0] == '/' && rest[1] == '/') {
    // http(s) needs a host; other schemes may have an empty authority ("file:///etc/hosts").
    const bool web = EqualsIgnoreCase(scheme, "http") || EqualsIgnoreCase(scheme, "https");
    return !web || (rest[2] != '/' && rest[2] != '?' && rest[2] != '#');
  }
  // Without "//", "key:value" text would pass the generic grammar, so only schemes that are
  // opaque by design are taken.
  for (std::string_view opaque : {"urn", "mailto", "tel", "data", "sip"}) {
    if (EqualsIgnoreCase(scheme, opaque)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Payment cards and IBANs.

bool LuhnValid(const char* digits, size_t n) {
  int sum = 0;
  for (size_t k = 0; k < n; ++k) {
    int d = Digit(digits[n - 1 - k]);
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

// Issuer identification ranges (ISO/IEC 7812 IINs as published by the networks) with the
// lengths each network issues. Rejecting unknown prefixes removes 9 in 10 Luhn-valid numbers
// that are really ids.
bool KnownCardIssuer(const char* d, size_t n) {
  auto prefix = [d](size_t k) {
    int v = 0;
    for (size_t i = 0; i < k; ++i) v = v * 10 + Digit(d[i]);
    return v;
  };
  const int p1 = Digit(d[0]), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6);
  auto len_in = [n](size_t lo, size_t hi) { return n >= lo && n <= hi; };
  if (p1 == 4) return n == 13 || n == 16 || n == 19;                         // Visa.
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;  // Mastercard.
  if (p2 == 34 || p2 == 37) return n == 15;                                  // Amex.
  if (p4 >= 2200 && p4 <= 2204) return len_in(16, 19);                       // Mir.
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) {
    return len_in(16, 19);  // Discover, including the UnionPay co-branded range.
  }
  if (p4 >= 3528 && p4 <= 3589) return len_in(16, 19);  // JCB.
  if ((p3 >= 300 && p3 <= 305) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39) {
    return len_in(14, 19);  // Diners Club.
  }
  if (p2 == 62) return len_in(16, 19);  // UnionPay.
  switch (p4) {                         // Maestro.
    case 5018:
    case 5020:
    case 5038:
    case 5893:
    case 6304:
    case 6759:
    case 6761:
    case 6762:
    case 6763:
      return len_in(13, 19);
    default:
      return false;
  }
}

// Copies the digits of a card-shaped value into `out` (room for 19) and returns their count,
// or 0 when the value is not 13-19 digits in groups of 3-6 with one kind of single separator.
size_t ExtractCardDigits(std::string_view s, char* out) {
  size_t n = 0, group = 0;
  char sep = 0;
  for (char c : s) {
    if (IsDigit(c)) {
      if (n == 19) return 0;
      out[n++] = c;
      ++group;
      continue;
    }
    if ((c != ' ' && c != '-') || (sep != 0 && c != sep) || group < 3 || group > 6) return 0;
    sep = c;
    group = 0;
  }
  if (sep != 0 && (group < 3 || group > 6)) return 0;
  return n >= 13 ? n : 0;
}

bool IsCardNumber(std::string_view s) {
  char digits[19];
  const size_t n = ExtractCardDigits(s, digits);
  return n != 0 && KnownCardIssuer(digits, n) && LuhnValid(digits, n);
}

// IBAN lengths by country, from the SWIFT IBAN registry (release 99, 2025) and, for countries
// outside it that still issue IBANs (mostly the BCEAO/BEAC zones), the national formats.
struct IbanCountry {
  char code[3];
  uint8_t length;
};
constexpr IbanCountry kIbanCountries[] = {
    // SWIFT registry.
    {"AD", 24},
    {"AE", 23},
    {"AL", 28},
    {"AT", 20},
    {"AZ", 28},
    {"BA", 20},
    {"BE", 16},
    {"BG", 22},
    {"BH", 22},
    {"BI", 27},
    {"BR", 29},
    {"BY", 28},
    {"CH", 21},
    {"CR", 22},
    {"CY", 28},
    {"CZ", 24},
    {"DE", 22},
    {"DJ", 27},
    {"DK", 18},
    {"DO", 28},
    {"EE", 20},
    {"EG", 29},
    {"ES", 24},
    {"FI", 18},
    {"FK", 18},
    {"FO", 18},
    {"FR", 27},
    {"GB", 22},
    {"GE", 22},
    {"GI", 23},
    {"GL", 18},
    {"GR", 27},
    {"GT", 28},
    {"HN", 28},
    {"HR", 21},
    {"HU", 28},
    {"IE", 22},
    {"IL", 23},
    {"IQ", 23},
    {"IS", 26},
    {"IT", 27},
    {"JO", 30},
    {"KW", 30},
    {"KZ", 20},
    {"LB", 28},
    {"LC", 32},
    {"LI", 21},
    {"LT", 20},
    {"LU", 20},
    {"LV", 21},
    {"LY", 25},
    {"MC", 27},
    {"MD", 24},
    {"ME", 22},
    {"MK", 19},
    {"MN", 20},
    {"MR", 27},
    {"MT", 31},
    {"MU", 30},
    {"NI", 28},
    {"NL", 18},
    {"NO", 15},
    {"OM", 23},
    {"PK", 24},
    {"PL", 28},
    {"PS", 29},
    {"PT", 25},
    {"QA", 29},
    {"RO", 24},
    {"RS", 22},
    {"RU", 33},
    {"SA", 24},
    {"SC", 31},
    {"SD", 18},
    {"SE", 24},
    {"SI", 19},
    {"SK", 24},
    {"SM", 27},
    {"SO", 23},
    {"ST", 25},
    {"SV", 28},
    {"TL", 23},
    {"TN", 24},
    {"TR", 26},
    {"UA", 29},
    {"VA", 22},
    {"VG", 24},
    {"XK", 20},
    {"YE", 30},
    // National IBANs outside the registry.
    {"AO", 25},
    {"BF", 28},
    {"BJ", 28},
    {"CF", 27},
    {"CG", 27},
    {"CI", 28},
    {"CM", 27},
    {"CV", 25},
    {"DZ", 26},
    {"GA", 27},
    {"GQ", 27},
    {"GW", 25},
    {"IR", 26},
    {"KM", 27},
    {"MA", 28},
    {"MG", 27},
    {"ML", 28},
    {"MZ", 25},
    {"NE", 28},
    {"SN", 28},
    {"TD", 27},
    {"TG", 28},
};

// 26x26 table indexed by the country letters: IBAN length, 0 if none.
constexpr std::array<uint8_t, 26 * 26> kIbanLength = [] {
  std::array<uint8_t, 26 * 26> t{};
  for (const IbanCountry& c : kIbanCountries) {
    t[static_cast<size_t>((c.code[0] - 'A') * 26 + (c.code[1] - 'A'))] = c.length;
  }
  return t;
}();

// Compacts an IBAN-shaped value (uppercase alphanumerics, optionally a single space after
// every 4 characters) into `out` (room for 34); returns the length or 0.
size_t CompactIban(std::string_view s, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') {
      if (n == 0 || n % 4 != 0 || i + 1 == s.size() || s[i + 1] == ' ') return 0;
      continue;
    }
    if (!IsDigit(c) && !IsUpper(c)) return 0;
    if (n == 34) return 0;
    out[n++] = c;
  }
  return n;
}

bool IsIban(std::string_view s) {
  char b[34];
  const size_t n = CompactIban(s, b);
  if (n < 15 || !IsUpper(b[0]) || !IsUpper(b[1]) || !IsDigit(b[2]) || !IsDigit(b[3])) {
    return false;
  }
  if (kIbanLength[static_cast<size_t>((b[0] - 'A') * 26 + (b[1] - 'A'))] != n) return false;
  // ISO 7064 MOD 97-10 over BBAN + country + check digits, letters as 10..35. The remainder
  // is only reduced when it nears 2^50, so a 34-character IBAN costs 3 divisions, not 34.
  uint64_t r = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = b[k + 4 < n ? k + 4 : k + 4 - n];
    r = IsDigit(c) ? r * 10 + static_cast<uint64_t>(Digit(c))
                   : r * 100 + static_cast<uint64_t>(c - 'A' + 10);
    if (r >= (uint64_t{1} << 50)) r %= 97;
  }
  return r % 97 == 1;
}

// ---------------------------------------------------------------------------------------------
// National identifiers.

bool IsUsSsn(std::string_view s) {
  if (s.size() != 11 || s[3] != '-' || s[6] != '-') return false;
  for (size_t i : {0, 1, 2, 4, 5, 7, 8, 9, 10}) {
    if (!IsDigit(s[i])) return false;
  }
  // SSA rules: these areas, groups and serials have never been issued.
  const int area = DecimalAt(s, 0, 3), group = DecimalAt(s, 4, 2), serial = DecimalAt(s, 7, 4);
  return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool IsUkNino(std::string_view s) {
  char b[9];
  if (s.size() == 9) {
    for (size_t i = 0; i < 9; ++i) b[i] = s[i];
  } else if (s.size() == 13 && s[2] == ' ' && s[5] == ' ' && s[8] == ' ' && s[11] == ' ') {
    size_t n = 0;
    for (char c : s) {
      if (c != ' ') b[n++] = c;
    }
    if (n != 9) return false;
  } else {
    return false;
  }
  // HMRC: D, F, I, Q, U and V are never used as prefix letters, nor O as the second; some
  // pairs are not allocated. Suffix A-D.
  auto banned = [](char c, std::string_view letters) {
    return letters.find(c) != std::string_view::npos;
  };
  if (!IsUpper(b[0]) || !IsUpper(b[1]) || banned(b[0], "DFIQUV") || banned(b[1], "DFIOQUV")) {
    return false;
  }
  const std::string_view prefix(b, 2);
  for (std::string_view p : {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}) {
    if (prefix == p) return false;
  }
  for (size_t i = 2; i < 8; ++i) {
    if (!IsDigit(b[i])) return false;
  }
  return b[8] >= 'A' && b[8] <= 'D';
}

// DNI "12345678Z" / "12345678-Z"; NIE "X1234567L" / "X1234567-L" (X, Y, Z stand for 0, 1, 2).
bool IsSpanishId(std::string_view s) {
  if (s.size() == 10) {
    if (s[8] != '-') return false;
  } else if (s.size() != 9) {
    return false;
  }
  const char letter = s.back();
  static constexpr std::string_view kLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
  int value = 0;
  switch (s[0]) {
    case 'X':
      value = 0;
      break;
    case 'Y':
      value = 1;
      break;
    case 'Z':
      value = 2;
      break;
    default:
      if (!IsDigit(s[0])) return false;
      value = Digit(s[0]);
  }
  bool nonzero = s[0] != '0' && s[0] != 'X';
  for (size_t i = 1; i < 8; ++i) {
    if (!IsDigit(s[i])) return false;
    value = value * 10 + Digit(s[i]);
    nonzero |= s[i] != '0';
  }
  return nonzero && kLetters[static_cast<size_t>(value % 23)] == letter;
}

// "ddd.ddd.ddd-dd" with both mod-11 check digits.
bool IsBrazilCpf(std::string_view s) {
  if (s.size() != 14 || s[3] != '.' || s[7] != '.' || s[11] != '-') return false;
  int d[11];
  size_t n = 0;
  for (size_t i = 0; i < 14; ++i) {
    if (i == 3 || i == 7 || i == 11) continue;
    if (!IsDigit(s[i])) return false;
    d[n++] = Digit(s[i]);
  }
  bool all_same = true;
  for (size_t i = 1; i < 11; ++i) all_same &= d[i] == d[0];
  if (all_same) return false;  // 111.111.111-11 passes the checksum but is not issued.
  for (int check = 9; check <= 10; ++check) {
    int sum = 0;
    for (int i = 0; i < check; ++i) sum += d[i] * (check + 1 - i);
    const int r = sum % 11;
    if (d[check] != (r < 2 ? 0 : 11 - r)) return false;
  }
  return true;
}

// "dddd dddd dddd", first digit 2-9, Verhoeff check digit (UIDAI).
bool IsAadhaar(std::string_view s) {
  static constexpr uint8_t kMul[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
      {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
      {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
      {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static constexpr uint8_t kPerm[8][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
      {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
      {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
      {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  if (s.size() != 14 || s[4] != ' ' || s[9] != ' ' || s[0] < '2' || s[0] > '9') return false;
  int c = 0;
  size_t k = 0;
  for (size_t i = 14; i-- > 0;) {
    if (i == 4 || i == 9) continue;
    if (!IsDigit(s[i])) return false;
    c = kMul[c][kPerm[k++ % 8][Digit(s[i])]];
  }
  return c == 0;
}

// ---------------------------------------------------------------------------------------------
// Phones.

bool IsPhone(std::string_view s) {
  const size_t n = s.size();
  if (n < 9 || n > 24) return false;
  const bool plus = s[0] == '+';
  if (plus && (n < 2 || s[1] < '1' || s[1] > '9')) return false;
  size_t i = plus ? 1 : 0;
  size_t digits = 0, groups = 0, seps = 0, parens = 0;
  size_t first_len = 0, last_len = 0, max_len = 0;
  bool rest_all_three = true, dots = false, other_seps = false, short_dotted_group = false;
  bool prev_sep = false;
  while (i < n) {
    const char c = s[i];
    if (c == ' ' || c == '-' || c == '.') {
      if (groups == 0 || prev_sep) return false;
      prev_sep = true;
      ++seps;
      (c == '.' ? dots : other_seps) = true;
      ++i;
      continue;
    }
    const bool paren = c == '(';
    if (paren) {
      if (parens != 0) return false;
      ++parens;
      ++i;
    }
    const size_t start = i;
    while (i < n && IsDigit(s[i])) ++i;
    const size_t len = i - start;
    if (len == 0) return false;
    if (paren) {
      if (i == n || s[i] != ')' || len > 5) return false;
      ++i;
    }
    digits += len;
    if (++groups == 1) {
      first_len = len;
    } else {
      rest_all_three &= len == 3;
      short_dotted_group |= len < 2;
    }
    last_len = len;
    if (len > max_len) max_len = len;
    prev_sep = false;
  }
  if (prev_sep || (dots && other_seps)) return false;
  // Dotted values are versions and addresses far more often than phones.
  if (dots && (short_dotted_group || (groups == 4 && max_len <= 3))) return false;
  if (plus) return digits >= 8 && digits <= 15;
  if (digits < 10 || digits > 11 || seps + parens < 2 || last_len < 2) return false;
  const bool thousands = parens == 0 && groups >= 3 && first_len <= 3 && rest_all_three;
  return !thousands;
}

// ---------------------------------------------------------------------------------------------
// Tokens and keys.

// Base64url digit value, or -1.
constexpr std::array<int8_t, 256> kBase64Url = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t[static_cast<size_t>('A' + i)] = static_cast<int8_t>(i);
    t[static_cast<size_t>('a' + i)] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t[static_cast<size_t>('0' + i)] = static_cast<int8_t>(52 + i);
  t[static_cast<size_t>('-')] = 62;
  t[static_cast<size_t>('_')] = 63;
  return t;
}();

inline int Base64UrlValue(char c) { return kBase64Url[static_cast<unsigned char>(c)]; }

bool IsBase64UrlRun(std::string_view s) {
  for (char c : s) {
    if (Base64UrlValue(c) < 0) return false;
  }
  return true;
}

// A JWS compact serialisation: header.payload.signature, header = base64url(JSON with "alg").
bool IsJwt(std::string_view s) {
  const size_t d1 = s.find('.');
  if (d1 == std::string_view::npos) return false;
  const size_t d2 = s.find('.', d1 + 1);
  if (d2 == std::string_view::npos || s.find('.', d2 + 1) != std::string_view::npos) return false;
  const std::string_view header = s.substr(0, d1), payload = s.substr(d1 + 1, d2 - d1 - 1),
                         signature = s.substr(d2 + 1);
  // {"alg":"x"} is 11 bytes, 15 base64 characters; a length of 1 mod 4 is not base64.
  if (header.size() < 15 || header.size() % 4 == 1 || payload.empty() || !IsBase64UrlRun(header) ||
      !IsBase64UrlRun(payload) || !IsBase64UrlRun(signature)) {
    return false;
  }
  // Decode enough of the header to find "alg"; real headers are well under this.
  char json[384];
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < header.size() && n < sizeof(json); ++i) {
    acc = (acc << 6) | static_cast<uint32_t>(Base64UrlValue(header[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      json[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  const std::string_view decoded = TrimAsciiSpace(std::string_view(json, n));
  return !decoded.empty() && decoded.front() == '{' &&
         decoded.find("\"alg\"") != std::string_view::npos;
}

bool IsBearerJwt(std::string_view s) {
  return s.size() > 7 && StartsWithIgnoreCase(s, "bearer ") && IsJwt(s.substr(7));
}

bool IsAwsAccessKeyId(std::string_view s) {
  if (s.size() != 20) return false;
  const std::string_view prefix = s.substr(0, 4);
  if (prefix != "AKIA" && prefix != "ASIA" && prefix != "ABIA" && prefix != "ACCA") return false;
  for (size_t i = 4; i < 20; ++i) {
    const char c = s[i];
    if (!IsUpper(c) && (c < '2' || c > '7')) return false;  // Base32 alphabet.
  }
  return true;
}

// An AWS secret access key is 40 characters of base64 (30 random bytes). The value is only
// tagged when it is 40 characters of [A-Za-z0-9/+] with upper, lower and digits, and either
// contains '/' or '+' (72% of real keys do) or reads as random text: at least 15 switches
// between digit/upper/lower over its 39 adjacent pairs (random base62 averages 24), at least 2
// upper-upper pairs and at most 14 lower-lower pairs (random: ~7 of each). camelCase
// identifiers fail the last two, hex digests the mixed-case rule; about 2% of real keys
// without '/' or '+' are missed. False positives: any other 40-character random base62/64
// token (another vendor's secret, a 30-byte random id in base64) is tagged too, which is
// acceptable because such values are almost always secrets themselves.
bool IsAwsSecretKey(std::string_view s, uint32_t mask) {
  if (s.size() != 40 || !AllIn(mask, kCAlnum | kCSlash | kCPlus)) return false;
  if (!(mask & kCAnyUpper) || !(mask & kCAnyLower) || !(mask & kCDigit)) return false;
  if (mask & (kCSlash | kCPlus)) return true;
  auto cls = [](char c) { return IsDigit(c) ? 0 : IsUpper(c) ? 1 : 2; };
  int switches = 0, upper_pairs = 0, lower_pairs = 0;
  for (size_t i = 1; i < 40; ++i) {
    const int a = cls(s[i - 1]), b = cls(s[i]);
    switches += a != b;
    upper_pairs += a == 1 && b == 1;
    lower_pairs += a == 2 && b == 2;
  }
  return switches >= 15 && upper_pairs >= 2 && lower_pairs <= 14;
}

bool ContainsPemPrivateKey(std::string_view v) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  size_t pos = 0;
  while ((pos = v.find(kBegin, pos)) != std::string_view::npos) {
    const size_t label = pos + kBegin.size();
    const size_t end = v.find("-----", label);
    if (end == std::string_view::npos) return false;
    const std::string_view name = v.substr(label, end - label);
    if (name.size() <= 64 &&
        (name.ends_with("PRIVATE KEY") || name.ends_with("PRIVATE KEY BLOCK"))) {
      return true;
    }
    pos = label;
  }
  return false;
}

// The smallest PEM header: "-----BEGIN PRIVATE KEY-----".
constexpr size_t kMinPemSize = 27;

// Values of digits and separators only: cards, SSN, CPF, Aadhaar, phones.
uint32_t DigitishTags(std::string_view v, uint32_t mask, uint32_t digits) {
  if (digits >= 13 && digits <= 19 && AllIn(mask, kCDigit | kCSpace | kCDash) && IsCardNumber(v)) {
    return kTagCardNumber;
  }
  if (v.size() == 11 && IsUsSsn(v)) return kTagNationalId;
  if (v.size() == 14 && (IsBrazilCpf(v) || IsAadhaar(v))) return kTagNationalId;
  if (mask & (kCSpace | kCDash | kCDot | kCParen | kCPlus)) {
    if (IsPhone(v)) return kTagPhone;
  }
  return 0;
}

ValueClass ClassifyLong(std::string_view v) {
  ValueClass out;
  if (ContainsPemPrivateKey(v)) {
    out.tags = kTagPrivateKey;
  } else if ((v[0] == 'e' && IsJwt(v)) || IsBearerJwt(v)) {
    out.tags = kTagJwt;
  }
  return out;
}

}  // namespace

std::string_view StringFormatName(StringFormat f) {
  switch (f) {
    case StringFormat::kNone:
      return "";
    case StringFormat::kDateTime:
      return "date-time";
    case StringFormat::kDate:
      return "date";
    case StringFormat::kTime:
      return "time";
    case StringFormat::kEmail:
      return "email";
    case StringFormat::kUuid:
      return "uuid";
    case StringFormat::kIpv4:
      return "ipv4";
    case StringFormat::kIpv6:
      return "ipv6";
    case StringFormat::kUri:
      return "uri";
  }
  return "";
}

std::string_view SensitiveTagName(SensitiveTag tag) {
  switch (tag) {
    case kTagEmail:
      return "email";
    case kTagPhone:
      return "phone";
    case kTagCardNumber:
      return "card_number";
    case kTagIban:
      return "iban";
    case kTagNationalId:
      return "national_id";
    case kTagJwt:
      return "jwt";
    case kTagAwsAccessKey:
      return "aws_access_key";
    case kTagAwsSecretKey:
      return "aws_secret_key";
    case kTagPrivateKey:
      return "private_key";
    case kTagIpAddress:
      return "ip_address";
    case kTagCredential:
      return "credential";
  }
  return "";
}

ValueClass ClassifyValue(std::string_view v) {
  ValueClass out;
  const size_t n = v.size();
  if (n < 2) return out;
  if (n > kMaxDetailedSize) return ClassifyLong(v);

  const Scan scan = ScanValue(v);
  const uint32_t m = scan.mask;
  // A PEM block needs both '-' and ' ' (and usually newlines), so most values skip the search.
  if ((m & kCDash) && (m & kCSpace) && n >= kMinPemSize && ContainsPemPrivateKey(v)) {
    out.tags = kTagPrivateKey;
    return out;
  }
  if (m & (kCControl | kCHigh)) return out;  // Every other detector wants printable ASCII.

  // Formats first: they are exclusive and none of them also carries a tag except email/IP.
  const char c0 = v[0];
  if (IsDigit(c0)) {
    if (n == 10) {
      if (AllIn(m, kCDigit | kCDash) && HasFullDatePrefix(v)) {
        out.format = StringFormat::kDate;
        return out;
      }
    } else if (n >= 20 && v[4] == '-' && IsDateTime(v)) {
      out.format = StringFormat::kDateTime;
      return out;
    }
    if (n >= 8 && v[2] == ':' && IsTime(v, /*require_offset=*/false)) {
      out.format = StringFormat::kTime;
      return out;
    }
    if (n <= 15 && AllIn(m, kCDigit | kCDot) && IsIpv4(v)) {
      out.format = StringFormat::kIpv4;
      out.tags = kTagIpAddress;
      return out;
    }
  }
  if ((m & kCAt) && IsEmail(v)) {
    out.format = StringFormat::kEmail;
    out.tags = kTagEmail;
    return out;
  }
  if (n == 36 && AllIn(m, kCHex | kCDash) && IsUuid(v)) {
    out.format = StringFormat::kUuid;
    return out;
  }
  if (m & kCColon) {
    if (AllIn(m, kCHex | kCColon | kCDot) && IsIpv6(v)) {
      out.format = StringFormat::kIpv6;
      out.tags = kTagIpAddress;
      return out;
    }
    if (!(m & kCSpace) && IsUri(v)) {
      out.format = StringFormat::kUri;
      return out;
    }
  }

  // Sensitive values without a format.
  if (AllIn(m, kCDigitish)) {
    if (scan.digits >= 8) out.tags = DigitishTags(v, m, scan.digits);
    return out;
  }
  if (c0 == 'e' && (m & kCDot) && AllIn(m, kCBase64Url | kCDot)) {
    if (IsJwt(v)) out.tags = kTagJwt;
    return out;
  }
  if ((c0 == 'B' || c0 == 'b') && (m & kCSpace) && StartsWithIgnoreCase(v, "bearer ")) {
    if (IsJwt(v.substr(7))) out.tags = kTagJwt;
    return out;
  }
  // The remaining detectors overlap in length and alphabet ("AT61 ..." is 20 characters of
  // A-Z0-9 like an access key id), so a failed check falls through to the next.
  if (n == 20 && c0 == 'A' && AllIn(m, kCAnyUpper | kCDigit) && IsAwsAccessKeyId(v)) {
    out.tags = kTagAwsAccessKey;
  } else if (n == 40 && IsAwsSecretKey(v, m)) {
    out.tags = kTagAwsSecretKey;
  } else if (n >= 15 && n <= 42 && IsUpper(c0) && AllIn(m, kCAnyUpper | kCDigit | kCSpace) &&
             IsIban(v)) {
    out.tags = kTagIban;
  } else if ((n == 9 || n == 10 || n == 13) && AllIn(m, kCAnyUpper | kCDigit | kCSpace | kCDash) &&
             (IsUkNino(v) || IsSpanishId(v))) {
    out.tags = kTagNationalId;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Names.

namespace {

// The words of a field name: split on any non-alphanumeric byte and on camelCase boundaries
// ("apiKey", "APIKey", "XForwardedFor"); "IPv4" stays one word because an upper-case run is
// only split before its last letter when two lower-case letters follow.
class NameWords {
 public:
  explicit NameWords(std::string_view name) {
    size_t start = std::string_view::npos;
    for (size_t i = 0; i <= name.size(); ++i) {
      const char c = i < name.size() ? name[i] : '\0';
      if (!IsAlnum(c)) {
        if (start != std::string_view::npos) Add(name.substr(start, i - start));
        start = std::string_view::npos;
        continue;
      }
      if (start == std::string_view::npos) {
        start = i;
        continue;
      }
      const char prev = name[i - 1];
      bool boundary = false;
      if (IsUpper(c)) {
        if (!IsUpper(prev)) {
          boundary = true;  // "apiKey", "x509Cert".
        } else if (i + 2 < name.size() && (Bits(name[i + 1]) & kCAnyLower) &&
                   (Bits(name[i + 2]) & kCAnyLower)) {
          boundary = true;  // "APIKey" -> "API", "Key".
        }
      }
      if (boundary) {
        Add(name.substr(start, i - start));
        start = i;
      }
    }
  }

  size_t size() const { return count_ < kKeep ? count_ : kKeep; }
  std::string_view first() const { return first_; }
  // The k-th of the last size() words, oldest first.
  std::string_view operator[](size_t k) const {
    const size_t base = count_ - size();
    return last_[(base + k) % kKeep];
  }

 private:
  static constexpr size_t kKeep = 8;  // Only the head noun and a few qualifiers matter.
  void Add(std::string_view w) {
    if (count_ == 0) first_ = w;
    last_[count_ % kKeep] = w;
    ++count_;
  }
  std::string_view first_;
  std::array<std::string_view, kKeep> last_{};
  size_t count_ = 0;
};

// Each vocabulary word carries role bits; one lookup per word then answers every rule below.
enum WordRole : uint64_t {
  kRolePredicate = 1ull << 0,        // "is", "has", "max": a flag or count about the thing.
  kRoleQualifier = 1ull << 1,        // "hash", "confirmation": does not change the head noun.
  kRoleNumber = 1ull << 2,           // "number", "no": the noun is the word before.
  kRoleCredential = 1ull << 3,       // A credential on its own: "password", "token".
  kRoleSecretKeyKind = 1ull << 4,    // "<x> key" is a credential: "api", "private".
  kRoleHandleTokenKind = 1ull << 5,  // "<x> token" is a pagination handle: "next", "page".
  kRoleSecretCodeKind = 1ull << 6,   // "<x> code" is a credential: "otp", "security".
  kRoleCard = 1ull << 7,
  kRoleCardNumberKind = 1ull << 8,  // "<x> number" is a card number: "card", "cc".
  kRoleNationalId = 1ull << 9,
  kRoleNationalIdNumberKind = 1ull << 10,
  kRoleNationalIdKind = 1ull << 11,  // "<x> id": "national", "tax".
  kRoleEmail = 1ull << 12,
  kRoleEmailAddressKind = 1ull << 13,  // "<x> address": "email", "mail".
  kRolePhone = 1ull << 14,
  kRolePhoneNumberKind = 1ull << 15,
  kRoleIp = 1ull << 16,
  kRoleIpAddressKind = 1ull << 17,  // "<x> address": "ip", "remote".
  kRoleAddress = 1ull << 18,
  kRoleToken = 1ull << 19,
  kRoleKey = 1ull << 20,
  kRoleId = 1ull << 21,
  kRoleCode = 1ull << 22,
  kRoleSession = 1ull << 23,
  kRoleIban = 1ull << 24,
  kRoleSecurity = 1ull << 25,
  kRoleSocial = 1ull << 26,
  kRoleInsurance = 1ull << 27,
  kRoleNational = 1ull << 28,
  kRoleLicense = 1ull << 29,
  kRoleDriver = 1ull << 30,
  kRoleFor = 1ull << 31,
  kRoleForwarded = 1ull << 32,
};

struct WordRoles {
  std::string_view word;  // Lowercase.
  uint64_t roles;
};
struct RoleList {
  std::string_view words;  // Space-separated.
  uint64_t roles;
};

// Whole words only: "spinner" is not "pin" and "description" is not "ip".
constexpr RoleList kVocabulary[] = {
    {"is has should can allow allows enable enabled use uses require requires needs "
     "must show hide was did num max min",
     kRolePredicate},
    {"value hash hashed digest confirmation confirm raw plain plaintext encrypted "
     "enc b64 base64 hex str string text field param header input data new old "
     "current",
     kRoleQualifier},
    {"number num no nr nbr", kRoleNumber},
    {"password passwd pwd passphrase passcode secret secrets token apikey otp totp "
     "pin cvv cvc cvn session sessionid jsessionid phpsessid cookie cookies "
     "authorization credential credentials privatekey clientsecret accesstoken "
     "refreshtoken authtoken idtoken csrftoken xsrftoken secretkey accesskey "
     "apitoken sessiontoken securitytoken apisecret secretaccesskey "
     "bearertoken",
     kRoleCredential},
    {"api access private secret signing encryption master client subscription auth "
     "hmac shared session license app application",
     kRoleSecretKeyKind},
    {"next page pagination continuation cursor sync resume start idempotency client "
     "prev previous marker",
     kRoleHandleTokenKind},
    {"pin otp authorization auth security verification mfa totp cvv", kRoleSecretCodeKind},
    {"card pan ccnum cardnumber ccnumber creditcard debitcard cardno", kRoleCard},
    {"card cc credit debit pan", kRoleCardNumberKind},
    {"ssn nino aadhaar aadhar cpf dni nie nif passport nationalid taxid "
     "socialsecuritynumber passportnumber ssnumber",
     kRoleNationalId},
    {"ssn passport tax aadhaar identity", kRoleNationalIdNumberKind},
    {"national tax taxpayer", kRoleNationalIdKind},
    {"email emails mail emailaddress mailaddress", kRoleEmail},
    {"email mail", kRoleEmailAddressKind},
    {"phone phones mobile tel telephone msisdn cellphone phonenumber mobilenumber "
     "fax",
     kRolePhone},
    {"phone mobile tel telephone cell contact fax whatsapp", kRolePhoneNumberKind},
    {"ip ips ipaddress ipaddr ipv4 ipv6 forwarded remoteaddr clientip sourceip", kRoleIp},
    {"ip remote", kRoleIpAddressKind},
    {"address addr addresses", kRoleAddress},
    {"token", kRoleToken},
    {"key keys", kRoleKey},
    {"id identifier", kRoleId},
    {"code", kRoleCode},
    {"session", kRoleSession},
    {"iban", kRoleIban},
    {"security", kRoleSecurity},
    {"social", kRoleSocial},
    {"insurance", kRoleInsurance},
    {"national", kRoleNational},
    {"license licence", kRoleLicense},
    {"driver drivers driving", kRoleDriver},
    {"for", kRoleFor},
    {"forwarded", kRoleForwarded},
};

constexpr size_t kMaxVocabularyWord = 24;

// kVocabulary merged by word and sorted, built at compile time.
struct WordTable {
  std::array<WordRoles, 256> entries{};
  size_t size = 0;
};
constexpr WordTable kWordTable = [] {
  WordTable t;
  for (const RoleList& list : kVocabulary) {
    for (std::string_view rest = list.words; !rest.empty();) {
      const size_t space = rest.find(' ');
      const std::string_view w = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      size_t i = 0;
      while (i < t.size && t.entries[i].word != w) ++i;
      if (i == t.size) t.entries[t.size++] = {w, 0};
      t.entries[i].roles |= list.roles;
    }
  }
  std::sort(t.entries.begin(), t.entries.begin() + static_cast<ptrdiff_t>(t.size),
            [](const WordRoles& a, const WordRoles& b) { return a.word < b.word; });
  return t;
}();
static_assert(kWordTable.size < kWordTable.entries.size(), "Grow WordTable::entries.");
static_assert(
    [] {
      for (size_t i = 0; i < kWordTable.size; ++i) {
        if (kWordTable.entries[i].word.size() > kMaxVocabularyWord) return false;
      }
      return true;
    }(),
    "A vocabulary word is longer than kMaxVocabularyWord.");

uint64_t LookUpLower(std::string_view lower) {
  const WordRoles* begin = kWordTable.entries.data();
  const WordRoles* end = begin + kWordTable.size;
  const WordRoles* it = std::lower_bound(
      begin, end, lower, [](const WordRoles& e, std::string_view w) { return e.word < w; });
  return it != end && it->word == lower ? it->roles : 0;
}

// The roles of `word`, compared case-insensitively; trailing digits are also tried without
// ("password2", "cvv2") unless the word with them is known ("ipv4").
uint64_t RolesOf(std::string_view word) {
  if (word.empty() || word.size() > kMaxVocabularyWord + 4) return 0;
  char buf[kMaxVocabularyWord + 4];
  for (size_t i = 0; i < word.size(); ++i) buf[i] = AsciiLower(word[i]);
  std::string_view lower(buf, word.size());
  if (lower.size() <= kMaxVocabularyWord) {
    if (const uint64_t roles = LookUpLower(lower)) return roles;
  }
  while (lower.size() > 1 && IsDigit(lower.back())) lower.remove_suffix(1);
  return lower.size() < word.size() && lower.size() <= kMaxVocabularyWord ? LookUpLower(lower) : 0;
}

}  // namespace

uint32_t SensitiveTagsForName(std::string_view name) {
  const NameWords words(name);
  size_t k = words.size();
  if (k == 0) return 0;
  if (k > 1 && (RolesOf(words.first()) & kRolePredicate)) return 0;
  // The head noun is the last word once qualifiers are dropped: "password_confirmation".
  uint64_t head = RolesOf(words[k - 1]);
  while (k > 1 && (head & kRoleQualifier)) head = RolesOf(words[--k - 1]);
  const uint64_t prev = k >= 2 ? RolesOf(words[k - 2]) : 0;
  const uint64_t prev2 = k >= 3 ? RolesOf(words[k - 3]) : 0;
  // For "social security number", the noun is the word before "number".
  const bool numbered = (head & kRoleNumber) && k >= 2;
  const uint64_t noun = numbered ? prev : head;
  const uint64_t before = numbered ? prev2 : prev;

  uint32_t tags = 0;
  if (((head & kRoleCredential) && !((head & kRoleToken) && (prev & kRoleHandleTokenKind))) ||
      ((head & kRoleKey) && (prev & kRoleSecretKeyKind)) ||
      ((head & kRoleId) && (prev & kRoleSession)) ||
      ((head & kRoleCode) && (prev & kRoleSecretCodeKind))) {
    tags |= kTagCredential;
  }
  if ((head & kRoleCard) || (numbered && (prev & kRoleCardNumberKind))) tags |= kTagCardNumber;
  if (noun & kRoleIban) tags |= kTagIban;
  if ((head & kRoleNationalId) || (numbered && (prev & kRoleNationalIdNumberKind)) ||
      ((head & kRoleId) && (prev & kRoleNationalIdKind)) ||
      ((noun & kRoleSecurity) && (before & kRoleSocial)) ||
      ((noun & kRoleInsurance) && (before & kRoleNational)) ||
      ((noun & kRoleLicense) && (before & kRoleDriver))) {
    tags |= kTagNationalId;
  }
  if ((head & kRoleEmail) || ((head & kRoleAddress) && (prev & kRoleEmailAddressKind))) {
    tags |= kTagEmail;
  }
  if ((head & kRolePhone) || (numbered && (prev & kRolePhoneNumberKind))) tags |= kTagPhone;
  if ((head & kRoleIp) || ((head & kRoleAddress) && (prev & kRoleIpAddressKind)) ||
      ((head & kRoleFor) && (prev & kRoleForwarded))) {
    tags |= kTagIpAddress;
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Redaction.
//
// The first rule that applies wins:
//   private key        "-----BEGIN *** PRIVATE KEY----- [redacted]"
//   jwt                "eyJ***.***.***" (the "eyJ" only says the header is a JSON object), with
//                      "Bearer " kept; a value tagged jwt that is not one gives "***".
//   credential, aws secret key  "***": nothing about a secret's shape is kept.
//   aws access key     the 4-letter key type + 16 '*' ("AKIA****************"), else "***".
//   card               "****-****-****-" + the last 4 digits (PCI DSS allows the last four)
//                      when the value has 13-19 digits, else "****-****-****-****".
//   iban               the country code, then '*' for every other character in groups of 4.
//   national id        every letter and digit becomes '*', separators kept ("***-**-****").
//   email              the local part's first character, "***@***.", the letters-only TLD.
//   phone              "+** *** *** **" + the last 2 digits when there are 8 or more.
//   ip address         IPv4: first octet + ".x.x.x"; IPv6: first group + ":x:x:x:x:x:x:x";
//                      a list ("a, b", X-Forwarded-For) keeps only its first element + ", ...".
//   anything else      the class shape: A-Z -> 'A', a-z -> 'a', 0-9 -> '9', printable ASCII
//                      punctuation and space kept, each UTF-8 character -> 'a', other bytes ->
//                      '?'; at most 32 characters.
// Every result is printable ASCII of at most 64 bytes and never has a run of 5 or more digits
// other than the shape's 9s, so no secret number can survive redaction.

namespace {

constexpr size_t kMaxShape = 32;
constexpr std::string_view kRedactedPrivateKey = "-----BEGIN *** PRIVATE KEY----- [redacted]";

std::string Shape(std::string_view v) {
  std::string out;
  out.reserve(v.size() < kMaxShape ? v.size() : kMaxShape);
  for (size_t i = 0; i < v.size() && out.size() < kMaxShape; ++i) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 'A' && c <= 'Z') {
      out += 'A';
    } else if (c >= 'a' && c <= 'z') {
      out += 'a';
    } else if (c >= '0' && c <= '9') {
      out += '9';
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c >= 0xc2 && c <= 0xf4) {
      out += 'a';  // A UTF-8 lead byte: one letter per character, its continuation bytes skipped.
      while (i + 1 < v.size() && (static_cast<unsigned char>(v[i + 1]) & 0xc0) == 0x80) ++i;
    } else {
      out += '?';
    }
  }
  return out;
}

std::string RedactJwt(std::string_view v) {
  std::string_view prefix;
  std::string_view token = v;
  if (IsBearerJwt(v)) {
    prefix = "Bearer ";
    token = v.substr(7);
  } else if (!IsJwt(v)) {
    return "***";
  }
  std::string out(prefix);
  out += token.starts_with("eyJ") ? "eyJ***.***.***" : "***.***.***";
  return out;
}

std::string RedactCard(std::string_view v) {
  char last4[4];
  size_t digits = 0;
  for (char c : v) {
    if (IsDigit(c)) last4[digits++ % 4] = c;
  }
  std::string out = "****-****-****-";
  if (digits < 13 || digits > 19) return out + "****";
  for (size_t k = 0; k < 4; ++k) out += last4[(digits + k) % 4];
  return out;
}

std::string RedactIban(std::string_view v) {
  size_t n = 0;
  std::string out;
  for (char c : v) {
    if (!IsAlnum(c)) continue;
    if (n < 2) {
      // The country code is kept only if it is letters; anything else is masked like the rest.
      out += IsAlpha(c) ? static_cast<char>(c & ~0x20) : '*';
    } else {
      if (n % 4 == 0) out += ' ';
      out += '*';
    }
    if (++n == 34) break;
  }
  return out.empty() ? "***" : out;
}

std::string RedactNationalId(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size() && out.size() < kMaxShape; ++i) {
    const char c = v[i];
    out += (c == ' ' || c == '-' || c == '.' || c == '/') ? c : '*';
  }
  return out;
}

std::string RedactEmail(std::string_view v) {
  const size_t at = v.rfind('@');
  const size_t dot = v.rfind('.');
  if (at == std::string_view::npos || at == 0 || dot == std::string_view::npos || dot < at) {
    return "***@***";
  }
  std::string out;
  out += IsAlnum(v[0]) ? v[0] : '*';
  out += "***@***.";
  const std::string_view tld = v.substr(dot + 1);
  if (tld.empty() || tld.size() > 24) return out + "***";
  for (char c : tld) {
    if (!IsAlpha(c)) return out + "***";
  }
  for (char c : tld) out += AsciiLower(c);
  return out;
}

std::string RedactPhone(std::string_view v) {
  char last2[2];
  size_t digits = 0;
  for (char c : v) {
    if (IsDigit(c)) last2[digits++ % 2] = c;
  }
  std::string out = "+** *** *** **";
  if (digits < 8) return out + "**";
  out += last2[digits % 2];
  out += last2[(digits + 1) % 2];
  return out;
}

std::string RedactOneIp(std::string_view v) {
  if (IsIpv4(v)) return std::string(v.substr(0, v.find('.'))) + ".x.x.x";
  if (IsIpv6(v)) {
    if (v[0] == ':') return "::x";
    std::string out;
    for (char c : v.substr(0, v.find(':'))) out += AsciiLower(c);
    return out + ":x:x:x:x:x:x:x";
  }
  return "x.x.x.x";
}

std::string RedactIp(std::string_view v) {
  const size_t comma = v.find(',');
  if (comma == std::string_view::npos) return RedactOneIp(TrimAsciiSpace(v));
  return RedactOneIp(TrimAsciiSpace(v.substr(0, comma))) + ", ...";
}

}  // namespace

std::string RedactValue(std::string_view value, uint32_t tags) {
  if (tags & kTagPrivateKey) return std::string(kRedactedPrivateKey);
  if (tags & kTagJwt) return RedactJwt(value);
  if (tags & (kTagCredential | kTagAwsSecretKey)) return "***";
  if (tags & kTagAwsAccessKey) {
    return IsAwsAccessKeyId(value) ? std::string(value.substr(0, 4)) + "****************" : "***";
  }
  if (tags & kTagCardNumber) return RedactCard(value);
  if (tags & kTagIban) return RedactIban(value);
  if (tags & kTagNationalId) return RedactNationalId(value);
  if (tags & kTagEmail) return RedactEmail(value);
  if (tags & kTagPhone) return RedactPhone(value);
  if (tags & kTagIpAddress) return RedactIp(value);
  return Shape(value);
}

}  // namespace gatescope::classify
