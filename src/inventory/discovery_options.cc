#include "inventory/discovery_options.h"

#include <nlohmann/json.hpp>

namespace gatescope::inventory {
namespace {

using Json = nlohmann::json;

Status Bad(const std::string& key, const std::string& why) {
  return InvalidArgumentError("discovery options: \"" + key + "\" " + why);
}

template <typename T>
Status ReadNumber(const Json& v, const std::string& key, double min, T* out) {
  if (!v.is_number() || v.get<double>() < min) {
    return Bad(key, "must be a number of at least " + std::to_string(min));
  }
  *out = v.get<T>();
  return Status::Ok();
}

Status ReadHints(const Json& v, const std::string& key, bool templates,
                 std::vector<TemplateHint>* out) {
  if (!v.is_array()) return Bad(key, "must be an array of {\"api\", \"path\"} objects");
  for (const Json& item : v) {
    if (!item.is_object()) return Bad(key, "entries must be objects");
    TemplateHint h;
    for (const auto& [k, value] : item.items()) {
      if (!value.is_string()) return Bad(key + "." + k, "must be a string");
      if (k == "api") {
        h.api_id = value.get<std::string>();
      } else if (k == "path") {
        h.path = value.get<std::string>();
      } else {
        return Bad(key + "." + k, "is not a known key (api, path)");
      }
    }
    if (h.path.empty() || h.path[0] != '/') return Bad(key + ".path", "must start with '/'");
    if (templates && h.path.find('{') == std::string::npos) {
      return Bad(key + ".path", "must contain a {parameter}: \"" + h.path + "\"");
    }
    out->push_back(std::move(h));
  }
  return Status::Ok();
}

}  // namespace

Result<DiscoveryOptions> ParseDiscoveryOptions(std::string_view text) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("discovery options: not a JSON object");
  }
  DiscoveryOptions o;
  for (const auto& [key, v] : doc.items()) {
    Status s;
    if (key == "min_requests") {
      s = ReadNumber(v, key, 1, &o.min_requests);
    } else if (key == "min_distinct_values") {
      s = ReadNumber(v, key, 1, &o.min_distinct_values);
    } else if (key == "high_cardinality") {
      s = ReadNumber(v, key, 2, &o.high_cardinality);
    } else if (key == "heavy_sibling_factor") {
      s = ReadNumber(v, key, 1, &o.heavy_sibling_factor);
    } else if (key == "shape_similarity") {
      s = ReadNumber(v, key, 0, &o.shape_similarity);
      if (s.ok() && o.shape_similarity > 1) s = Bad(key, "must be between 0 and 1");
    } else if (key == "max_literal_children") {
      s = ReadNumber(v, key, 1, &o.max_literal_children);
    } else if (key == "max_nodes") {
      s = ReadNumber(v, key, 1, &o.max_nodes);
    } else if (key == "templates") {
      s = ReadHints(v, key, true, &o.force_templates);
    } else if (key == "literal_prefixes") {
      s = ReadHints(v, key, false, &o.literal_prefixes);
    } else {
      s = Bad(key, "is not a known option");
    }
    if (!s.ok()) return s;
  }
  return o;
}

}  // namespace gatescope::inventory
