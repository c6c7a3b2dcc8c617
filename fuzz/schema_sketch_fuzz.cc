// Fuzzes SchemaSketch: the input is split on "\n--\n" into up to 8 bodies, added as JSON and as
// form bodies, cut or not (flags from the first byte), to two sketches that are then merged
// both ways. Checks: nothing crashes, every rendered schema serialises, every `required` names
// only listed properties, bounds hold, and (with bounds too large to be reached) merging is
// commutative and equals adding everything to one sketch.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/schema_sketch.h"

namespace {

using gatescope::inventory::SchemaOptions;
using gatescope::inventory::SchemaSketch;
using Json = nlohmann::ordered_json;

// A deterministic stand-in for the classifier, so that formats, tags, enums and maps are all
// exercised whatever state the real detectors are in.
gatescope::classify::ValueClass FakeClassify(std::string_view v) {
  using gatescope::classify::StringFormat;
  if (v.find('@') != std::string_view::npos) {
    return {StringFormat::kEmail, gatescope::classify::kTagEmail};
  }
  if (v.size() == 10 && v[4] == '-' && v[7] == '-') return {StringFormat::kDate, 0};
  if (v.size() >= 12 && v.front() == '4')
    return {StringFormat::kNone, gatescope::classify::kTagCardNumber};
  if (v.size() == 36 && v[8] == '-') return {StringFormat::kUuid, 0};
  return {};
}

uint32_t FakeNameTags(std::string_view name) {
  return name == "password" || name == "p" ? gatescope::classify::kTagCredential : 0;
}

std::string FakeRedact(std::string_view value, uint32_t) {
  return "***" + std::string(value.substr(0, value.empty() ? 0 : 1));  // Invalid UTF-8 too.
}

std::string_view FakeLabel(gatescope::classify::SensitiveTag tag) {
  return tag == gatescope::classify::kTagEmail ? "email" : "";
}

// Walks the schema by keyword (a property may itself be named "required").
bool RequiredWithinProperties(const Json& j) {
  if (!j.is_object()) return false;
  if (j.contains("required")) {
    if (!j.contains("properties") || !j["properties"].is_object()) return false;
    for (const Json& r : j["required"]) {
      if (!r.is_string() || !j["properties"].contains(r.get<std::string>())) return false;
    }
  }
  if (j.contains("properties")) {
    for (const auto& item : j["properties"].items()) {
      if (!RequiredWithinProperties(item.value())) return false;
    }
  }
  for (const char* k : {"items", "additionalProperties"}) {
    if (j.contains(k) && !RequiredWithinProperties(j[k])) return false;
  }
  if (j.contains("oneOf")) {
    for (const Json& v : j["oneOf"]) {
      if (!RequiredWithinProperties(v)) return false;
    }
  }
  return true;
}

std::string Render(const SchemaSketch& s, const SchemaOptions& o) {
  Json j = s.ToJsonSchema(o);
  if (!RequiredWithinProperties(j)) __builtin_trap();
  std::string out;
  try {
    out = j.dump();
  } catch (...) {
    __builtin_trap();  // Invalid UTF-8 reached the output.
  }
  for (const SchemaSketch::SensitiveField& f : s.SensitiveFields(o)) {
    try {
      (void)Json(f.pointer).dump();
      (void)Json(f.example).dump();
    } catch (...) {
      __builtin_trap();
    }
  }
  return out;
}

void AddBody(SchemaSketch& s, std::string_view body, uint8_t flags, size_t i,
             const SchemaOptions& o) {
  bool truncated = ((flags >> (i % 4)) & 1) != 0;
  if ((flags & 0x80) != 0 && i % 3 == 2) {
    s.AddForm(body, truncated, o);
  } else {
    s.AddJson(body, truncated, o);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> bodies;
  while (bodies.size() < 7) {
    size_t sep = input.find("\n--\n");
    if (sep == std::string_view::npos) break;
    bodies.push_back(input.substr(0, sep));
    input.remove_prefix(sep + 4);
  }
  bodies.push_back(input);

  SchemaOptions small;  // Tight bounds, so that caps, maps and depth cuts are reached.
  small.classify = &FakeClassify;
  small.tag_name = &FakeNameTags;
  small.redact = &FakeRedact;
  small.tag_label = &FakeLabel;
  small.max_depth = 4 + (flags & 3);
  small.max_properties_per_object = 6;
  small.max_nodes = 24;
  small.enum_min_samples = 2;
  small.enum_min_samples_per_value = 1;
  small.enum_max_values = 3;
  small.map_min_keys = 3;
  small.max_one_of = 3;
  small.required_from_cut_bodies = (flags & 0x40) != 0;

  SchemaOptions large = small;  // Bounds out of reach: merge must be order-independent.
  large.max_depth = 31;
  large.max_properties_per_object = 1 << 20;
  large.max_nodes = 1 << 20;
  large.sort_properties = true;

  for (const SchemaOptions* o : {&small, &large}) {
    SchemaSketch a;
    SchemaSketch b;
    SchemaSketch all;
    for (size_t i = 0; i < bodies.size(); ++i) {
      AddBody(i % 2 == 0 ? a : b, bodies[i], flags, i, *o);
      AddBody(all, bodies[i], flags, i, *o);
    }
    SchemaSketch ab = a;
    ab.Merge(b, *o);
    SchemaSketch ba = b;
    ba.Merge(a, *o);
    SchemaSketch twice = ab;
    twice.Merge(twice, *o);
    std::string r_ab = Render(ab, *o);
    std::string r_ba = Render(ba, *o);
    std::string r_all = Render(all, *o);
    Render(twice, *o);
    Render(a, *o);
    if (o == &small) {
      for (const SchemaSketch* s : {&a, &b, &ab, &ba, &all, &twice}) {
        if (s->node_count() > small.max_nodes) __builtin_trap();
      }
    } else if (r_ab != r_ba || r_ab != r_all) {
      __builtin_trap();
    }
    if (ab.bodies() != all.bodies() || ab.complete_bodies() != all.complete_bodies() ||
        ab.unparsed() != all.unparsed()) {
      __builtin_trap();
    }
  }
  return 0;
}
