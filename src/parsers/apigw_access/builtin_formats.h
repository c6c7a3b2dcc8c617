#pragma once

#include <string_view>
#include <vector>

#include "parsers/apigw_access/text_template.h"

namespace gatescope::parsers::apigw_access {

// The AWS console's text access-log formats (CLF, CSV, XML for REST, HTTP and WebSocket APIs),
// verbatim from ../shared/reference/apigw-logs.md §2.2, plus the older REST CLF without
// $context.extendedRequestId. Compiled once; lives for the whole program.
const std::vector<TextTemplate>& BuiltinTextTemplates();

// The same formats as text, in the order above, with a short name each ("rest_clf", ...).
struct BuiltinFormat {
  std::string_view name;
  std::string_view format;
};
const std::vector<BuiltinFormat>& BuiltinFormats();

}  // namespace gatescope::parsers::apigw_access
