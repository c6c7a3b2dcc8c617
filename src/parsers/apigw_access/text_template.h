#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "parsers/apigw_access/context_var.h"

namespace gatescope::parsers::apigw_access {

// A text access-log format compiled from its API Gateway format string, e.g. the console's
// CLF "$context.identity.sourceIp $context.identity.caller ... [$context.requestTime]"...".
// The same engine reads CLF, CSV, XML and any custom text format, and also a JSON format as
// text (a fallback for JSON lines broken by an unescaped quote in a value).
//
// Matching: each variable's value runs to the next occurrence of the literal text after it.
// Whitespace in a literal matches any run of spaces (zero or more when the literal also has
// other characters, so `]"` and `] "` both match), and candidate ends are tried in order,
// checked against what the variable can hold (a method is upper-case letters, a status is
// digits, a resource path starts with "/", a route key is "$x" or "VERB /path", ...), with
// bounded backtracking. "-" is accepted everywhere as API Gateway's "no value".
//
// Thread-safety: immutable after Compile(); Match() may run concurrently.
class TextTemplate {
 public:
  struct Field {
    ContextVar var;
    std::string_view value;  // Points into the matched line.
  };

  // Compiles `format`. Returns kInvalidArgument if it has no `$context` variable or two
  // variables with nothing between them (their boundary would be undecidable).
  static Result<TextTemplate> Compile(std::string_view format);

  // Matches the whole of `line`. On success fills `*fields` (cleared first) with views into
  // `line`, valid while `line` is, and returns true.
  bool Match(std::string_view line, std::vector<Field>* fields) const;

  const std::string& format() const { return format_; }

 private:
  struct Part {
    ContextVar var;
    std::string literal_after;  // Empty only for the last part.
  };

  bool MatchFrom(std::string_view line, size_t part, size_t pos, std::vector<Field>* fields,
                 int* budget) const;

  std::string format_;
  std::string leading_literal_;
  std::vector<Part> parts_;
};

// True if `value` is something `var` can hold (see TextTemplate). Exposed for tests.
bool PlausibleValue(ContextVar var, std::string_view value);

}  // namespace gatescope::parsers::apigw_access
