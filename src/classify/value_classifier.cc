#include "classify/value_classifier.h"

namespace gatescope::classify {
// Placeholder until the detectors land.
std::string_view StringFormatName(StringFormat) { return ""; }
std::string_view SensitiveTagName(SensitiveTag) { return ""; }
ValueClass ClassifyValue(std::string_view) { return {}; }
uint32_t SensitiveTagsForName(std::string_view) { return 0; }
std::string RedactValue(std::string_view, uint32_t) { return "***"; }
}  // namespace gatescope::classify
