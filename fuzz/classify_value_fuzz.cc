// Feeds arbitrary bytes to ClassifyValue, SensitiveTagsForName and RedactValue and checks
// the contracts that callers rely on: valid enums, one detector per value, tags that agree with
// formats, card tags that really are Luhn-valid, and redactions that are bounded, printable and
// never carry a secret's digits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "classify/value_classifier.h"

namespace {

using gatescope::classify::ClassifyValue;
using gatescope::classify::RedactValue;
using gatescope::classify::SensitiveTagsForName;
using gatescope::classify::StringFormat;
using gatescope::classify::ValueClass;
namespace cls = gatescope::classify;

constexpr uint32_t kAllTags = (1u << cls::kSensitiveTagCount) - 1;
constexpr size_t kMaxRedactedSize = 64;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Digits(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (IsDigit(c)) d += c;
  }
  return d;
}

// Independent of the classifier's own implementation on purpose.
bool Luhn(const std::string& d) {
  int sum = 0;
  bool twice = false;
  for (size_t i = d.size(); i-- > 0; twice = !twice) {
    int x = d[i] - '0';
    if (twice) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    sum += x;
  }
  return sum % 10 == 0;
}

void CheckClass(std::string_view in, const ValueClass& c) {
  Check(static_cast<size_t>(c.format) < cls::kStringFormatCount);
  Check((c.tags & ~kAllTags) == 0);
  Check((c.tags & cls::kTagCredential) == 0);  // Only names imply credentials.
  Check(c.format == StringFormat::kNone || !cls::StringFormatName(c.format).empty());
  // The detectors are exclusive: one kind of sensitive value at most.
  Check((c.tags & (c.tags - 1)) == 0);
  Check((c.format == StringFormat::kEmail) == ((c.tags & cls::kTagEmail) != 0));
  const bool ip_format = c.format == StringFormat::kIpv4 || c.format == StringFormat::kIpv6;
  Check(ip_format == ((c.tags & cls::kTagIpAddress) != 0));
  if (c.format == StringFormat::kDate) Check(in.size() == 10);
  if (c.format == StringFormat::kUuid) Check(in.size() == 36);
  if (c.format == StringFormat::kIpv4) Check(in.size() >= 7 && in.size() <= 15);
  if (c.tags & cls::kTagCardNumber) {
    const std::string d = Digits(in);
    Check(d.size() >= 13 && d.size() <= 19 && Luhn(d));
    for (char ch : in) Check(IsDigit(ch) || ch == ' ' || ch == '-');
  }
  if (c.tags & cls::kTagPrivateKey) Check(in.find("PRIVATE KEY") != std::string_view::npos);
  if (c.tags & cls::kTagAwsAccessKey) Check(in.size() == 20);
  if (c.tags & cls::kTagAwsSecretKey) Check(in.size() == 40);
}

void CheckRedaction(std::string_view in, uint32_t tags) {
  const std::string r = RedactValue(in, tags);
  Check(r.size() <= kMaxRedactedSize);
  for (char ch : r) Check(ch >= 0x20 && ch < 0x7f);
  // No run of more than 4 digits survives, except a shape's 9s; and a redaction equal to its
  // input can only be one without two consecutive real digits (an already-redacted value).
  bool has_real_pair = false;
  for (size_t i = 0; i < r.size();) {
    size_t j = i;
    bool all_nines = true;
    while (j < r.size() && IsDigit(r[j])) all_nines &= r[j++] == '9';
    Check(j - i <= 4 || all_nines);
    has_real_pair |= j - i >= 2 && !all_nines;
    i = j == i ? i + 1 : j;
  }
  if (r == in) Check(!has_real_pair);
  // A value redacted as a card keeps at most its last four digits.
  constexpr uint32_t kBeforeCard = cls::kTagPrivateKey | cls::kTagJwt | cls::kTagCredential |
                                   cls::kTagAwsSecretKey | cls::kTagAwsAccessKey;
  if ((tags & cls::kTagCardNumber) && !(tags & kBeforeCard)) {
    const std::string d = Digits(in);
    if (d.size() >= 13) Check(r.find(d.substr(0, 12)) == std::string::npos);
  }
  if (tags & (cls::kTagPrivateKey | cls::kTagCredential | cls::kTagAwsSecretKey)) {
    Check(r.find("***") != std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  const ValueClass c = ClassifyValue(in);
  CheckClass(in, c);
  const ValueClass again = ClassifyValue(in);
  Check(again.format == c.format && again.tags == c.tags);

  const uint32_t name_tags = SensitiveTagsForName(in);
  Check((name_tags & ~kAllTags) == 0);

  CheckRedaction(in, c.tags);
  CheckRedaction(in, name_tags);
  CheckRedaction(in, kAllTags);
  CheckRedaction(in, 0);
  for (size_t i = 0; i < cls::kSensitiveTagCount; ++i) CheckRedaction(in, 1u << i);

  // With the tags it was found with, a card shows exactly its last four digits.
  if (c.tags & cls::kTagCardNumber) {
    const std::string d = Digits(in);
    Check(RedactValue(in, c.tags) == "****-****-****-" + d.substr(d.size() - 4));
  }
  return 0;
}
