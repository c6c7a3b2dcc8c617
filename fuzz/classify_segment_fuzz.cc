// Fuzzes ClassifySegment and IsDictionaryWord on arbitrary bytes. Besides the sanitizers, it
// checks the documented contract with __builtin_trap(): the class is in range, the shares
// are in [0, 1] (never NaN), empty means kEmpty, results are deterministic, and a dictionary
// word classifies as vocabulary.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classify/segment_classifier.h"

namespace {

using gatescope::classify::SegmentClass;
using gatescope::classify::SegmentInfo;

bool InUnitRange(float x) { return x >= 0.0f && x <= 1.0f; }  // False for NaN too.

bool IsLowerAlnum(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace gc = gatescope::classify;
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  const SegmentInfo info = gc::ClassifySegment(s);
  if (static_cast<size_t>(info.cls) >= gc::kSegmentClassCount) __builtin_trap();
  if (!InUnitRange(info.dictionary_share) || !InUnitRange(info.gibberish)) __builtin_trap();
  if ((size == 0) != (info.cls == SegmentClass::kEmpty)) __builtin_trap();
  if (gc::SegmentClassName(info.cls).empty()) __builtin_trap();

  const SegmentInfo again = gc::ClassifySegment(s);
  if (again.cls != info.cls || again.dictionary_share != info.dictionary_share ||
      again.gibberish != info.gibberish) {
    __builtin_trap();
  }

  const bool word = gc::IsDictionaryWord(s);
  if (word && IsLowerAlnum(s)) {
    if (info.cls != SegmentClass::kWord || info.dictionary_share != 1.0f) __builtin_trap();
  }
  return 0;
}
