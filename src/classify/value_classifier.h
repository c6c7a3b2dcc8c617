#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gatescope::classify {

// The OpenAPI string format a value matches (JSON Schema 2020-12 / OpenAPI 3.1 names).
enum class StringFormat : uint8_t {
  kNone = 0,
  kDateTime,  // RFC 3339 date-time: 2024-05-01T12:00:00Z, with fraction and offset.
  kDate,      // RFC 3339 full-date: 2024-05-01.
  kTime,      // RFC 3339 partial/full time: 12:00:00, 12:00:00.5+02:00.
  kEmail,
  kUuid,
  kIpv4,
  kIpv6,
  kUri,  // Absolute URI with a scheme: https://..., urn:...
};
inline constexpr size_t kStringFormatCount = 9;
std::string_view StringFormatName(StringFormat f);  // "", "date-time", "date", ...

// Kinds of sensitive data. A bit set: one value can carry several (an email is also PII).
enum SensitiveTag : uint32_t {
  kTagEmail = 1u << 0,
  kTagPhone = 1u << 1,
  kTagCardNumber = 1u << 2,   // Payment card number, Luhn-valid, known issuer prefix.
  kTagIban = 1u << 3,         // IBAN, country length and mod-97 checked.
  kTagNationalId = 1u << 4,   // US SSN, UK NINO, ... (documented list in the .cc).
  kTagJwt = 1u << 5,
  kTagAwsAccessKey = 1u << 6, // AKIA/ASIA... key ids.
  kTagAwsSecretKey = 1u << 7,
  kTagPrivateKey = 1u << 8,   // PEM "-----BEGIN ... PRIVATE KEY-----".
  kTagIpAddress = 1u << 9,
  kTagCredential = 1u << 10,  // By field name only: password, secret, token, api key...
};
inline constexpr size_t kSensitiveTagCount = 11;
std::string_view SensitiveTagName(SensitiveTag tag);  // "email", "phone", "card_number", ...

struct ValueClass {
  StringFormat format = StringFormat::kNone;
  uint32_t tags = 0;  // SensitiveTag bits found in the value itself.
};

// Classifies one string value (a JSON string, a query or header value, a path segment).
// Pure, allocation-free, never fails; values longer than 4 KB are only checked for PEM keys
// and JWTs. Detectors are validated (Luhn, mod-97, SSN area rules, JWT header decoding) so
// that an order number is not a card and a hex id is not a secret. The exact rules and the
// list of national ids are documented in value_classifier.cc.
//
// Detectors match the whole value, untrimmed ("Bearer <jwt>" is the one prefix understood);
// only a PEM private key is also found inside a longer value. At most one tag is set:
// kTagEmail comes with StringFormat::kEmail and kTagIpAddress with kIpv4/kIpv6, every other
// tag with kNone. kTagCredential is never set here: only names imply it.
// Thread-safe (no state).
ValueClass ClassifyValue(std::string_view value);

// Tags implied by a field, parameter or header name alone ("password", "ssn",
// "x-api-key", "card_number", ...), compared case-insensitively on its words.
// Words are split on non-alphanumerics and camelCase ("apiKey", "XForwardedFor"; "IPv4" stays
// whole) and matched whole, so "spinner" is not "pin". The tag comes from the head noun, the
// last word once qualifiers such as "hash" or "confirmation" are dropped: "token_type",
// "max_tokens", "NextToken" and "email_verified" imply nothing. Allocation-free.
uint32_t SensitiveTagsForName(std::string_view name);

// A redacted example safe to store and show: never the value. Keeps only the value's shape
// and what is not secret: an email's domain suffix, a card's last four digits, a JWT's
// "eyJ...", an IP's first octet. E.g. "j***@***.com", "****-****-****-1111".
//
// `tags` (from ClassifyValue, SensitiveTagsForName or both) picks the rule; the most secret
// tag wins: private key, JWT, then credential or AWS secret ("***"), AWS key id, card, IBAN
// (country only), national id, email, phone (last 2 digits), IP. A value that does not fit its
// tag's shape gets that rule's fully masked form. Untagged values become their class shape
// ("Order-42" -> "Aaaaa-99", at most 32 characters). The result is printable ASCII of at most
// 64 bytes and never holds more than 4 consecutive digits of the value (a shape writes every
// digit as '9'). Only a value with nothing to hide ("--", "aaa", an already redacted
// "j***@***.com") can come back unchanged.
std::string RedactValue(std::string_view value, uint32_t tags);

}  // namespace gatescope::classify
