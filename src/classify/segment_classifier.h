#pragma once

#include <cstdint>
#include <string_view>

namespace gatescope::classify {

// The lexical class of one URL path segment (already percent-decoded or not: both work).
enum class SegmentClass : uint8_t {
  kWord = 0,  // Letters, maybe joined by '-', '_' or camelCase: "users", "convert_video".
  kVersion,   // "v1", "v2.7", "v4.0", "2024-01-01" is kDate not a version.
  kInteger,   // "42", "000123".
  kUuid,      // Any 8-4-4-4-12 hex UUID, any version, with or without braces? (no: bare only).
  kHex,       // Hex of 16+ chars with at least one digit and one letter a-f, or 24-char ObjectId.
  kDate,      // "2024-05-01", "20240501" is kInteger.
  kEmail,     // "a@b.example".
  kMixed,     // Letters and digits mixed like an id: "ab12cd34", "INV-2024-0042", "u_9f3k2".
  kToken,     // Long base64/base64url-like or otherwise random-looking text.
  kEmpty,
};
inline constexpr size_t kSegmentClassCount = 10;
std::string_view SegmentClassName(SegmentClass c);  // "word", "version", "integer", ...

// True for classes that are identifiers whatever their siblings: integer, uuid, hex, date,
// email, mixed, token.
bool IsIdentifierClass(SegmentClass c);

struct SegmentInfo {
  SegmentClass cls = SegmentClass::kEmpty;
  // For kWord: the share (0..1) of the segment's word tokens found in the dictionary of
  // English and API vocabulary ("users", "login", "oauth", "avatar", "json").
  float dictionary_share = 0;
  // For kWord: how random the letters look, 0 (natural) .. 1 (gibberish), from letter
  // trigram statistics of the dictionary. "xkqzvbt" scores high, "grosvenor" low.
  float gibberish = 0;
};

// Classifies a segment. Pure, allocation-free, never fails on any bytes.
SegmentInfo ClassifySegment(std::string_view segment);

// True if `token` (lowercase ASCII letters) is a dictionary word or known API vocabulary.
bool IsDictionaryWord(std::string_view token);

}  // namespace gatescope::classify
