#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "parsers/apigw_access/context_var.h"
#include "parsers/apigw_access/text_template.h"

namespace gatescope::parsers::apigw_access {

// The access-log formats a user declares (`--access-log-format FILE`), overriding the
// defaults. A format is exactly what the stage's access-log settings hold, pasted as is:
//   - JSON: {"rid": "$context.requestId", "verb": "$context.httpMethod", ...}: maps each key
//     to its variable (a bare name such as "requestId" works too). Values may be unquoted
//     ("status": $context.status), as API Gateway allows. Lines are then also matched as text
//     against this format when they are not valid JSON (an unescaped quote in a user agent).
//   - anything else (CLF, CSV, XML, custom): a text template (see TextTemplate).
//
// Thread-safety: build once, then share read-only.
class AccessLogFormats {
 public:
  // Adds one format. `origin` (a file name) is used in error messages.
  // Returns kInvalidArgument when the format maps no field or cannot be compiled.
  Status Add(std::string_view format, std::string_view origin);

  // Sets `*var` to what a user's JSON format assigns to `normalized_key` (NormalizeFieldName);
  // false when the user's formats do not mention it (then the defaults apply).
  bool LookupJsonKey(std::string_view normalized_key, ContextVar* var) const;

  const std::vector<TextTemplate>& templates() const { return templates_; }
  bool empty() const { return json_keys_.empty() && templates_.empty(); }

 private:
  std::unordered_map<std::string, ContextVar> json_keys_;
  std::vector<TextTemplate> templates_;
};

}  // namespace gatescope::parsers::apigw_access
