#pragma once

#include <string>
#include <string_view>

#include "model/field_list.h"

namespace gatescope::parsers::apigw_execution {

// What a Java-map line holds; it decides where a ", " may end a value.
enum class MapKind : uint8_t {
  kHeaders,     // Header names are tokens, unique ignoring case, and well known.
  kParameters,  // Path or query-string parameters: any name without '=' or ','.
};

// Parses API Gateway's rendering of a Java Map, "{k=v, k2=v2}", into `out` (cleared first).
//
// The form has no escaping: values may hold ", " and "=" ("Accept=text/html, */*",
// "X-Amzn-Trace-Id=Root=1-...;Parent=..."). A ", " ends a value only when what follows reads
// as the next key: a name shaped like a key, then '=', that is not already in the map, and,
// for headers, not a known parameter of a header value ("max-age=", "q=", "Path=") unless it
// is also a header name. `truncated` says the log cut the line (" [TRUNCATED]"): the map then
// has no closing brace, and its last value is kept flagged value_truncated, its last key only
// if it was complete. A map that lacks its closing brace sets out->truncated either way.
// "null", "{}" and an empty text are empty maps. Never fails; `out` keeps what could be read.
void ParseJavaMap(std::string_view text, bool truncated, MapKind kind, model::FieldList* out);

// The value of `name` in a Java-map text, found without parsing the whole map (for the one or
// two headers read from the integration request). Empty when absent.
std::string_view FindJavaMapValue(std::string_view text, std::string_view name);

}  // namespace gatescope::parsers::apigw_execution
