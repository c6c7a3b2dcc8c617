#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gatescope::openapi {

// Writes a JSON document as block-style YAML 1.2 that yaml.safe_load reads back as the same
// document: strings are quoted whenever a plain scalar would change type or meaning ("true",
// "null", "1.0", "0x1", "~", leading/trailing spaces, ": ", " #", leading indicators, "yes"/
// "no"/"on"/"off" for YAML 1.1 readers, control and non-printable characters), keys likewise;
// empty objects and arrays are "{}" and "[]"; numbers as JSON writes them (a float with an
// exponent gets a ".0" before it: "1.0e+300", which YAML 1.1 readers need).
// Quoted strings are double-quoted on one line, with escapes for control characters, U+0085,
// U+2028, U+2029, U+FEFF and non-characters; invalid UTF-8 is written as U+FFFD. Keys longer
// than 1000 characters use the explicit "? key" form (PyYAML limits simple keys to 1024).
// Recursion depth is the document's nesting depth: meant for documents we build.
//
// Thread-safety: a pure function.
std::string JsonToYaml(const nlohmann::ordered_json& document);

}  // namespace gatescope::openapi
