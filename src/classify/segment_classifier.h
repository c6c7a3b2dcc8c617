#pragma once

#include <cstdint>
#include <string_view>

namespace gatescope::classify {

// The lexical class of one URL path segment (already percent-decoded or not: both work).
//
// Decided in the order kEmpty, kEmail, kInteger, kUuid, kDate, kVersion, kHex, then kToken,
// kMixed, kWord, on the segment percent-decoded (when it is at most 1 KB) and, after the
// email check, with up to two known file extensions removed from the end (".json",
// ".xml", ".csv", ".html", ".ics", ".txt", ".pdf", ".png", ".jpg", ".gz", ".tar.gz", ".zip",
// ... ; never leaving an empty stem): "42.json" is kInteger, "alice.json" is kWord,
// "backup-2024-05-01.tar.gz" is kMixed. The template engine keeps the extension literal
// ("/t/{id}.json").
enum class SegmentClass : uint8_t {
  // Anything else: letters, maybe joined by '-', '_', '.', '~', '+' or camelCase ("users",
  // "convert_video", "getUserById"), including words with digits from the allow-list in
  // words/api_words.txt ("oauth2", "s3", "ec2", "2fa", "mp4", "base64", "sha256", "k8s"),
  // "v" + number inside a word ("apiV2", "api-v2"), standards ("utf-8", "iso-8859-1"),
  // one-letter literals ("t", "c"), punctuation ("-"), and UTF-8 words.
  kWord = 0,
  // "v1", "V3", "v2.7", "v4.0", "v1.2.3", "v1beta1", "v1p1beta1", and bare dotted numbers of
  // two or three parts of at most four digits ("2.7", "1.0", "1.0.0-rc.1"). A bare "1" is
  // kInteger; "2010-04-01" (Twilio's version) is kDate.
  kVersion,
  kInteger,  // ASCII digits only, any length: "42", "000123", "20240501".
  kUuid,     // 8-4-4-4-12 hex, any version and case, bare (no braces or "urn:uuid:").
  // All hex, 16+ chars, with a digit and a letter a-f; or 24 (ObjectId), 32, 40 or 64
  // (MD5, SHA-1, SHA-256) hex chars whatever they contain.
  kHex,
  // ISO "2024-05-01", "2024-05", with an optional time ("2023-12-31T23:59:59Z"), and
  // "01-05-2024". "20240501" is kInteger: nothing tells it from an order number.
  kDate,
  kEmail,  // "a@b.example", also percent-encoded ("john%40example.com").
  // A digit run that is not part of an allowed word-with-digits or a version:
  // "ab12cd34", "INV-2024-0042", "u_9f3k2", "jsmith87", "order_17", "user1", "192.168.1.1".
  kMixed,
  // Random-looking text: 20+ chars of the base64/base64url/JWT alphabet with a dictionary
  // share below 0.5 and digits, mixed case or gibberish ("ch_3MqBkALkdIwHu7ix0snN0B15",
  // ULIDs, JWTs); 7+ letters with no dictionary word and gibberish >= 0.75 ("xkqzvbt");
  // and any segment holding a control byte.
  kToken,
  kEmpty,  // The empty segment ("//").
};
inline constexpr size_t kSegmentClassCount = 10;
std::string_view SegmentClassName(SegmentClass c);  // "word", "version", "integer", ...

// True for classes that are identifiers whatever their siblings: integer, uuid, hex, date,
// email, mixed, token.
bool IsIdentifierClass(SegmentClass c);

struct SegmentInfo {
  SegmentClass cls = SegmentClass::kEmpty;
  // For kWord, kMixed and kToken (0 for the other classes): the share (0..1) of the
  // segment's letters, counted in word tokens of two or more letters, that are dictionary
  // words of English and API vocabulary ("users", "login", "oauth", "avatar", "json"),
  // regular inflections of them ("webhooks", "presigned") or compounds of them
  // ("healthcheck", "clusterrolebindings"). Tokens split on punctuation, camelCase and
  // letter/digit boundaries. First names are not vocabulary: "alice", "maria" score 0.
  // A segment with no such token scores 1 ("-", "t"), or 0 if it has digits or UTF-8
  // letters ("192.168.1.1", CJK text).
  float dictionary_share = 0;
  // For kWord, kMixed and kToken: how random the non-dictionary letters look, 0 (natural) ..
  // 1 (gibberish), from letter trigram statistics of the dictionary and of proper nouns;
  // dictionary tokens count as natural. "xkqzvbt" scores 1, "grosvenor" 0.2, names and
  // pronounceable usernames below 0.5, random letters mostly above 0.7.
  float gibberish = 0;
};

// Classifies a segment. Pure, thread-safe, never fails and reads only `segment` on any bytes.
// The first call (of this or IsDictionaryWord) decodes the embedded dictionary, about 1 MB
// of heap kept for the life of the process; later calls allocate nothing.
SegmentInfo ClassifySegment(std::string_view segment);

// True if `token` (ASCII letters and digits, compared case-insensitively) is a dictionary
// word or known API vocabulary, or a regular inflection of one (-s, -es, -ies, -ed, -ing):
// "users", "oauth2", "webhooks", "presigned". The dictionary is SCOWL size 50 (American and
// British) without proper nouns and possessives, plus words/api_words.txt.
bool IsDictionaryWord(std::string_view token);

}  // namespace gatescope::classify
