#include "classify/segment_classifier.h"

namespace gatescope::classify {
// Placeholder until the classifier lands.
std::string_view SegmentClassName(SegmentClass) { return ""; }
bool IsIdentifierClass(SegmentClass) { return false; }
SegmentInfo ClassifySegment(std::string_view) { return {}; }
bool IsDictionaryWord(std::string_view) { return false; }
}  // namespace gatescope::classify
