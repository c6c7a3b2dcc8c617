#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gatescope::openapi {

// Writes a JSON document as block-style YAML 1.2 that yaml.safe_load reads back as the same
// document: strings are quoted whenever a plain scalar would change type or meaning ("true",
// "null", "1.0", "0x1", "~", leading/trailing spaces, ": ", " #", leading indicators, "yes"/
// "no"/"on"/"off" for YAML 1.1 readers, control and non-printable characters), keys likewise;
// empty objects and arrays are "{}" and "[]"; numbers as JSON writes them.
std::string JsonToYaml(const nlohmann::ordered_json& document);

}  // namespace gatescope::openapi
