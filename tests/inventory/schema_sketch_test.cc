#include "inventory/schema_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace gatescope::inventory {
namespace {

using Json = nlohmann::ordered_json;
using classify::StringFormat;

// --- A small fake classifier, so that these tests do not depend on the real detectors. ---

bool AllDigits(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool Matches(std::string_view v, std::string_view pattern) {
  // 'd' is a digit, 'x' a hex digit, anything else itself.
  if (v.size() != pattern.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (pattern[i] == 'd'   ? !(v[i] >= '0' && v[i] <= '9')
        : pattern[i] == 'x' ? !IsHex(v[i])
                            : v[i] != pattern[i]) {
      return false;
    }
  }
  return true;
}

classify::ValueClass FakeClassify(std::string_view v) {
  if (size_t at = v.find('@');
      at != std::string_view::npos && at > 0 && v.find('.', at) != std::string_view::npos) {
    return {StringFormat::kEmail, classify::kTagEmail};
  }
  if (Matches(v, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")) return {StringFormat::kUuid, 0};
  if (Matches(v, "dddd-dd-ddTdd:dd:ddZ")) return {StringFormat::kDateTime, 0};
  if (Matches(v, "dddd-dd-dd")) return {StringFormat::kDate, 0};
  if (AllDigits(v) && v.size() == 16 && v[0] == '4')
    return {StringFormat::kNone, classify::kTagCardNumber};
  return {};
}

uint32_t FakeNameTags(std::string_view name) {
  if (name == "password") return classify::kTagCredential;
  if (name == "ssn") return classify::kTagNationalId;
  return 0;
}

std::string FakeRedact(std::string_view value, uint32_t /*tags*/) {
  return "redacted(" + std::to_string(value.size()) + ")";
}

std::string_view FakeTagLabel(classify::SensitiveTag tag) {
  switch (tag) {
    case classify::kTagEmail:
      return "email";
    case classify::kTagCardNumber:
      return "card_number";
    case classify::kTagNationalId:
      return "national_id";
    case classify::kTagCredential:
      return "credential";
    default:
      return "";
  }
}

SchemaOptions Opts() {
  SchemaOptions o;
  o.classify = &FakeClassify;
  o.tag_name = &FakeNameTags;
  o.redact = &FakeRedact;
  o.tag_label = &FakeTagLabel;
  return o;
}

Json SchemaOf(const std::vector<std::string>& bodies, const SchemaOptions& o = Opts(),
              bool truncated = false) {
  SchemaSketch s;
  for (const std::string& b : bodies) s.AddJson(b, truncated, o);
  return s.ToJsonSchema(o);
}

// Every "required" list names only listed properties, without duplicates; returns how many
// "required" lists there are. Walks by keyword: a property may itself be named "required".
size_t CheckRequired(const Json& j) {
  size_t lists = 0;
  if (!j.is_object()) {
    ADD_FAILURE() << "not a schema: " << j.dump();
    return 0;
  }
  if (j.contains("required")) {
    ++lists;
    EXPECT_TRUE(j.contains("properties")) << j.dump();
    std::vector<std::string> names;
    for (const Json& r : j["required"]) {
      EXPECT_TRUE(j["properties"].contains(r.get<std::string>())) << j.dump();
      names.push_back(r.get<std::string>());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end()) << j.dump();
  }
  if (j.contains("properties")) {
    for (const auto& [k, v] : j["properties"].items()) lists += CheckRequired(v);
  }
  for (const char* k : {"items", "additionalProperties"}) {
    if (j.contains(k)) lists += CheckRequired(j[k]);
  }
  if (j.contains("oneOf")) {
    for (const Json& v : j["oneOf"]) lists += CheckRequired(v);
  }
  return lists;
}

TEST(SchemaSketchTest, PropertyNamedRequiredIsJustAProperty) {
  Json j = SchemaOf({R"({"required":{"properties":1},"type":"x"})"});
  EXPECT_EQ(j["required"], Json({"required", "type"}));
  EXPECT_EQ(j["properties"]["required"]["properties"]["properties"]["type"], "integer");
  EXPECT_EQ(CheckRequired(j), 2u);
}

TEST(SchemaSketchTest, DefaultOptionsUseTheRealClassifier) {
  SchemaOptions o;
  EXPECT_EQ(o.classify, &classify::ClassifyValue);
  EXPECT_EQ(o.tag_name, &classify::SensitiveTagsForName);
  EXPECT_EQ(o.redact, &classify::RedactValue);
  EXPECT_EQ(o.tag_label, &classify::SensitiveTagName);
}

// --- Types. ---

TEST(SchemaSketchTest, EmptySketchRendersEmptySchema) {
  SchemaSketch s;
  EXPECT_EQ(s.ToJsonSchema(Opts()), Json::object());
  EXPECT_EQ(s.bodies(), 0u);
  EXPECT_TRUE(s.SensitiveFields(Opts()).empty());
}

TEST(SchemaSketchTest, RecordsEachPrimitiveType) {
  Json j = SchemaOf({R"({"n":null,"b":true,"i":1,"f":2.5,"s":"x","o":{},"a":[]})"});
  EXPECT_EQ(j["type"], "object");
  EXPECT_EQ(j["properties"]["n"], Json({{"type", "null"}}));
  EXPECT_EQ(j["properties"]["b"], Json({{"type", "boolean"}}));
  EXPECT_EQ(j["properties"]["i"], Json({{"type", "integer"}}));
  EXPECT_EQ(j["properties"]["f"], Json({{"type", "number"}}));
  EXPECT_EQ(j["properties"]["s"], Json({{"type", "string"}}));
  EXPECT_EQ(j["properties"]["o"], Json({{"type", "object"}}));
  EXPECT_EQ(j["properties"]["a"], Json({{"type", "array"}}));
  EXPECT_EQ(j["required"], Json({"n", "b", "i", "f", "s", "o", "a"}));
}

TEST(SchemaSketchTest, IntegerAndFloatMakeNumber) {
  Json j = SchemaOf({R"({"v":1})", R"({"v":2.5})", R"({"w":1e3})", R"({"w":7})"});
  EXPECT_EQ(j["properties"]["v"]["type"], "number");
  EXPECT_EQ(j["properties"]["w"]["type"], "number");
}

TEST(SchemaSketchTest, SeveralPrimitiveTypesMakeATypeList) {
  Json j = SchemaOf({R"({"v":1})", R"({"v":"x"})", R"({"v":true})"});
  EXPECT_EQ(j["properties"]["v"]["type"], Json({"string", "integer", "boolean"}));
}

TEST(SchemaSketchTest, NullWithOneTypeIsNullable) {
  Json j = SchemaOf({R"({"s":"x","o":{"a":1},"a":[1]})", R"({"s":null,"o":null,"a":null})"});
  EXPECT_EQ(j["properties"]["s"]["type"], Json({"string", "null"}));
  EXPECT_EQ(j["properties"]["o"]["type"], Json({"object", "null"}));
  EXPECT_EQ(j["properties"]["o"]["properties"]["a"]["type"], "integer");
  EXPECT_EQ(j["properties"]["a"]["type"], Json({"array", "null"}));
  EXPECT_EQ(j["properties"]["a"]["items"]["type"], "integer");
}

TEST(SchemaSketchTest, ObjectMixedWithOtherTypesIsOneOf) {
  Json j = SchemaOf({R"({"v":{"a":1}})", R"({"v":"x"})", R"({"v":[true]})"});
  const Json& v = j["properties"]["v"];
  ASSERT_TRUE(v.contains("oneOf")) << v.dump();
  ASSERT_EQ(v["oneOf"].size(), 3u);
  EXPECT_EQ(v["oneOf"][0]["type"], "object");
  EXPECT_EQ(v["oneOf"][0]["properties"]["a"]["type"], "integer");
  EXPECT_EQ(v["oneOf"][1]["type"], "array");
  EXPECT_EQ(v["oneOf"][1]["items"]["type"], "boolean");
  EXPECT_EQ(v["oneOf"][2]["type"], "string");
}

TEST(SchemaSketchTest, TooManyVariantsGiveUnconstrainedSchemaWithNote) {
  Json j =
      SchemaOf({R"({"v":{"a":1}})", R"({"v":"x"})", R"({"v":[1]})", R"({"v":2})", R"({"v":null})"});
  const Json& v = j["properties"]["v"];
  EXPECT_FALSE(v.contains("oneOf"));
  EXPECT_FALSE(v.contains("type"));
  EXPECT_EQ(v["x-gatescope-note"],
            "seen as object, array, string, integer, null: too many "
            "shapes to describe");
  SchemaOptions wide = Opts();
  wide.max_one_of = 5;
  Json w = SchemaOf(
      {R"({"v":{"a":1}})", R"({"v":"x"})", R"({"v":[1]})", R"({"v":2})", R"({"v":null})"}, wide);
  EXPECT_EQ(w["properties"]["v"]["oneOf"].size(), 5u);
  EXPECT_EQ(w["properties"]["v"]["oneOf"][4], Json({{"type", "null"}}));
}

TEST(SchemaSketchTest, TopLevelScalarsAndArrays) {
  EXPECT_EQ(SchemaOf({"42"}), Json({{"type", "integer"}}));
  EXPECT_EQ(SchemaOf({" true "}), Json({{"type", "boolean"}}));
  EXPECT_EQ(SchemaOf({R"("x")"}), Json({{"type", "string"}}));
  Json arr = SchemaOf({R"([{"id":1,"n":"a"},{"id":2}])"});
  EXPECT_EQ(arr["type"], "array");
  EXPECT_EQ(arr["items"]["required"], Json({"id"}));
}

TEST(SchemaSketchTest, CountsBodiesAndUnparsed) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"a":1})", false, o);
  s.AddJson(R"({"a":1)", true, o);
  s.AddJson("<html>oops</html>", false, o);
  s.AddJson("", false, o);
  s.AddJson(R"({"a":1} trailing)", false, o);
  EXPECT_EQ(s.bodies(), 5u);
  EXPECT_EQ(s.complete_bodies(), 1u);
  EXPECT_EQ(s.unparsed(), 2u);
  SchemaSketch only_bad;
  only_bad.AddJson("not json", false, o);
  EXPECT_EQ(only_bad.ToJsonSchema(o), Json::object());
}

// --- Required. ---

TEST(SchemaSketchTest, RequiredIsTheIntersectionOfCompleteInstances) {
  Json j = SchemaOf({R"({"id":1,"name":"a","opt":true})", R"({"id":2,"name":"b"})",
                     R"({"name":"c","id":3,"extra":null})"});
  EXPECT_EQ(j["required"], Json({"id", "name"}));
  EXPECT_EQ(j["properties"].size(), 4u);
}

TEST(SchemaSketchTest, RequiredInNestedObjectsAndArrayItems) {
  Json j = SchemaOf({R"({"user":{"id":1,"nick":"a"},"items":[{"sku":"a","qty":1},{"sku":"b"}]})",
                     R"({"user":{"id":2},"items":[{"sku":"c","qty":2}]})", R"({"items":[]})"});
  EXPECT_EQ(j["required"], Json({"items"}));
  EXPECT_EQ(j["properties"]["user"]["required"], Json({"id"}));
  EXPECT_EQ(j["properties"]["items"]["items"]["required"], Json({"sku"}));
}

TEST(SchemaSketchTest, TruncatedBodyNeverChangesRequired) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"id":1,"name":"a"})", false, o);
  // Missing "name" in a cut body says nothing; "late" seen only in cut bodies is listed, not
  // required; the complete nested object inside the cut body does not count either.
  s.AddJson(R"({"id":2,"late":"x","nested":{"k":1},"cut":"abc)", true, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["required"], Json({"id", "name"}));
  EXPECT_EQ(j["properties"]["late"]["type"], "string");
  EXPECT_EQ(j["properties"]["cut"]["type"], "string");
  EXPECT_FALSE(j["properties"]["nested"].contains("required"));

  SchemaSketch only_cut;
  only_cut.AddJson(R"({"id":1,"name":"a"})", true, o);
  Json c = only_cut.ToJsonSchema(o);
  EXPECT_EQ(CheckRequired(c), 0u) << c.dump();
  EXPECT_EQ(c["properties"].size(), 2u);
}

TEST(SchemaSketchTest, RequiredFromCutBodiesOptionCountsClosedObjectsOnly) {
  SchemaOptions o = Opts();
  o.required_from_cut_bodies = true;
  SchemaSketch s;
  s.AddJson(R"({"items":[{"sku":"a","qty":1},{"sku":"b","qty":2},{"sku":"c","q)", true, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_FALSE(j.contains("required"));  // The root never closed.
  EXPECT_EQ(j["properties"]["items"]["items"]["required"], Json({"sku", "qty"}));
}

TEST(SchemaSketchTest, UnflaggedCutBodyOnlyCountsClosedObjects) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"a":1,"b":{"x":1,"y":2}})", false, o);
  s.AddJson(R"({"a":1,"b":{"x":1})", false, o);  // Cut but not flagged: the root stays open.
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["required"], Json({"a", "b"}));
  EXPECT_EQ(j["properties"]["b"]["required"], Json({"x"}));
  EXPECT_EQ(s.complete_bodies(), 1u);
}

TEST(SchemaSketchTest, DuplicateKeyCountsOnceForRequired) {
  Json j = SchemaOf({R"({"a":1,"a":"x","b":1})", R"({"b":2})"});
  EXPECT_EQ(j["required"], Json({"b"}));
  EXPECT_EQ(j["properties"]["a"]["type"], Json({"string", "integer"}));
}

const char kSample[] = R"({"id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"Widget \"Pro\"",)"
                       R"("price":12.5,"qty":3,"tags":["a","b"],"owner":{"email":"jo@example.com",)"
                       R"("age":41,"address":{"city":"Paris","zip":"75001"}},"lines":[{"sku":"x1",)"
                       R"("n":1},{"sku":"x2","n":2,"gift":true}],"note":null,"ok":false})";

TEST(SchemaSketchTest, CutAtEveryOffsetNeverMarksRequiredNorCrashes) {
  SchemaOptions o = Opts();
  std::string body = kSample;
  for (size_t cut = 0; cut < body.size(); ++cut) {
    SchemaSketch s;
    s.AddJson(body.substr(0, cut), true, o);
    Json j = s.ToJsonSchema(o);
    EXPECT_EQ(CheckRequired(j), 0u) << "cut at " << cut << ": " << j.dump();
    EXPECT_NO_THROW((void)j.dump());
  }
}

TEST(SchemaSketchTest, CutPrefixesAddNothingToALearntSchema) {
  SchemaOptions o = Opts();
  o.enum_max_values = 0;  // Cut bodies add samples; keep enums out of the comparison.
  std::string body = kSample;
  for (bool flagged : {true, false}) {
    SchemaSketch s;
    s.AddJson(body, false, o);
    std::string before = s.ToJsonSchema(o).dump();
    EXPECT_GT(CheckRequired(s.ToJsonSchema(o)), 0u);
    // Flagged cuts say nothing; unflagged ones only add closed nested objects, which are
    // identical to the whole body's.
    for (size_t cut = 0; cut < body.size(); ++cut) s.AddJson(body.substr(0, cut), flagged, o);
    EXPECT_EQ(s.ToJsonSchema(o).dump(), before) << "flagged=" << flagged;
  }
}

// --- Formats and enums. ---

TEST(SchemaSketchTest, FormatKeptOnlyWhenEveryValueHasIt) {
  Json j =
      SchemaOf({R"({"d":"2024-05-01","e":"a@b.co","u":"0f8fad5b-d9cb-469f-a165-70867728950e"})",
                R"({"d":"2024-05-02","e":"not an email","u":null})"});
  EXPECT_EQ(j["properties"]["d"]["format"], "date");
  EXPECT_FALSE(j["properties"]["e"].contains("format"));
  EXPECT_EQ(j["properties"]["u"]["format"], "uuid");
  EXPECT_EQ(j["properties"]["u"]["type"], Json({"string", "null"}));
}

TEST(SchemaSketchTest, CutStringDoesNotBreakFormat) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"d":"2024-05-01"})", false, o);
  s.AddJson(R"({"d":"2024-0)", true, o);
  EXPECT_EQ(s.ToJsonSchema(o)["properties"]["d"]["format"], "date");
}

std::vector<std::string> StatusBodies(size_t n, std::vector<std::string> values) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(R"({"status":")" + values[i % values.size()] + R"("})");
  return out;
}

TEST(SchemaSketchTest, EnumForSmallClosedSetAfterEnoughSamples) {
  Json few = SchemaOf(StatusBodies(19, {"active", "closed"}));
  EXPECT_FALSE(few["properties"]["status"].contains("enum"));
  Json j = SchemaOf(StatusBodies(20, {"active", "closed", "pending"}));
  EXPECT_EQ(j["properties"]["status"]["enum"], Json({"active", "closed", "pending"}));
}

TEST(SchemaSketchTest, EnumNeedsSeveralSamplesPerValue) {
  std::vector<std::string> ten;
  for (int i = 0; i < 10; ++i) ten.push_back("v" + std::to_string(i));
  EXPECT_FALSE(SchemaOf(StatusBodies(39, ten))["properties"]["status"].contains("enum"));
  EXPECT_EQ(SchemaOf(StatusBodies(40, ten))["properties"]["status"]["enum"].size(), 10u);
}

TEST(SchemaSketchTest, EnumDroppedForGoodBeyondMaxValues) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  for (int i = 0; i < 11; ++i) s.AddJson(R"({"id":"id)" + std::to_string(i) + R"("})", false, o);
  size_t bytes = s.ApproximateBytes();
  // Back to a small set: too late, the values were dropped.
  for (int i = 0; i < 100; ++i) s.AddJson(R"({"id":"id1"})", false, o);
  EXPECT_FALSE(s.ToJsonSchema(o)["properties"]["id"].contains("enum"));
  EXPECT_EQ(s.ApproximateBytes(), bytes);
}

TEST(SchemaSketchTest, NoEnumForLongFormattedSensitiveOrMixedValues) {
  std::string long_value(40, 'x');
  EXPECT_FALSE(SchemaOf(StatusBodies(50, {long_value}))["properties"]["status"].contains("enum"));
  EXPECT_FALSE(SchemaOf(StatusBodies(50, {"2024-05-01"}))["properties"]["status"].contains("enum"));
  EXPECT_FALSE(SchemaOf(StatusBodies(50, {"a@b.co"}))["properties"]["status"].contains("enum"));
  std::vector<std::string> pw;
  for (int i = 0; i < 50; ++i) pw.push_back(R"({"password":"hunter2"})");
  EXPECT_FALSE(SchemaOf(pw)["properties"]["password"].contains("enum"));
  std::vector<std::string> mixed = StatusBodies(50, {"a", "b"});
  mixed.push_back(R"({"status":1})");
  Json m = SchemaOf(mixed);
  EXPECT_EQ(m["properties"]["status"]["type"], Json({"string", "integer"}));
  EXPECT_FALSE(m["properties"]["status"].contains("enum"));
}

TEST(SchemaSketchTest, NullableEnumListsNull) {
  std::vector<std::string> b = StatusBodies(40, {"a", "b"});
  b.push_back(R"({"status":null})");
  Json j = SchemaOf(b);
  EXPECT_EQ(j["properties"]["status"]["type"], Json({"string", "null"}));
  EXPECT_EQ(j["properties"]["status"]["enum"], Json({"a", "b", nullptr}));
}

// --- Maps. ---

TEST(SchemaSketchTest, NumericAndUuidKeysMakeAMap) {
  Json j = SchemaOf({R"({"byId":{"17":{"n":"a"},"42":{"n":"b","x":1}}})",
                     R"({"byUuid":{"0f8fad5b-d9cb-469f-a165-70867728950e":1}})"});
  const Json& by_id = j["properties"]["byId"];
  EXPECT_EQ(by_id["type"], "object");
  EXPECT_FALSE(by_id.contains("properties"));
  EXPECT_EQ(by_id["additionalProperties"]["type"], "object");
  EXPECT_EQ(by_id["additionalProperties"]["required"], Json({"n"}));
  EXPECT_EQ(j["properties"]["byUuid"]["additionalProperties"]["type"], "integer");
}

TEST(SchemaSketchTest, ManySparseHomogeneousKeysMakeAMap) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  for (int i = 0; i < 60; ++i) {
    s.AddJson(R"({"counts":{"user)" + std::to_string(i) + R"(":)" + std::to_string(i) + "}}", false,
              o);
  }
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["properties"]["counts"]["additionalProperties"], Json({{"type", "integer"}}));
  // A struct with mixed types and fields always present stays a struct.
  std::string wide = "{";
  for (int i = 0; i < 60; ++i) {
    wide +=
        (i ? "," : "") + std::string("\"f") + std::to_string(i) + "\":" + (i % 2 ? "1" : "\"x\"");
  }
  wide += "}";
  Json w = SchemaOf({wide, wide});
  EXPECT_EQ(w["properties"].size(), 60u);
  EXPECT_EQ(w["required"].size(), 60u);
}

TEST(SchemaSketchTest, TenThousandKeysStayBounded) {
  SchemaOptions o = Opts();
  std::string body = "{\"m\":{";
  for (int i = 0; i < 10000; ++i) {
    body += (i ? "," : "") + std::string("\"key") + std::to_string(i) +
            "\":{\"v\":" + std::to_string(i) + "}";
  }
  body += "}}";
  SchemaSketch s;
  s.AddJson(body, false, o);
  EXPECT_LE(s.node_count(), 10u);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["properties"]["m"]["additionalProperties"]["properties"]["v"]["type"], "integer");
  EXPECT_EQ(j["properties"]["m"]["additionalProperties"]["required"], Json({"v"}));

  // Keys of mixed shapes cannot fold into one map: the cap holds and the rest is counted.
  std::string mixed = "{";
  for (int i = 0; i < 10000; ++i) {
    mixed += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" +
             (i % 3 == 0   ? "1"
              : i % 3 == 1 ? "\"s\""
                           : "[true]");
  }
  mixed += "}";
  SchemaSketch t;
  t.AddJson(mixed, false, o);
  t.AddJson(mixed, false, o);
  EXPECT_LE(t.node_count(), o.max_nodes);
  Json m = t.ToJsonSchema(o);
  EXPECT_EQ(m["properties"].size(), o.max_properties_per_object);
  EXPECT_EQ(m["x-gatescope-omitted-properties"], 2 * (10000 - o.max_properties_per_object));
  CheckRequired(m);
}

TEST(SchemaSketchTest, MaxNodesIsHonouredAndCounted) {
  SchemaOptions o = Opts();
  o.max_nodes = 5;
  SchemaSketch s;
  s.AddJson(R"({"a":1,"b":"x","c":[1],"d":{"e":1},"f":2})", false, o);
  EXPECT_EQ(s.node_count(), 5u);
  Json j = s.ToJsonSchema(o);
  EXPECT_TRUE(j.contains("x-gatescope-omitted-properties")) << j.dump();
  EXPECT_NO_THROW((void)j.dump());
}

// --- Arrays. ---

TEST(SchemaSketchTest, ArrayItemsMergeIntoOneSchema) {
  Json j = SchemaOf({R"({"v":[1,2.5],"w":[],"x":[[1],["a"]]})", R"({"w":["s"],"x":[]})"});
  EXPECT_EQ(j["properties"]["v"]["items"]["type"], "number");
  EXPECT_EQ(j["properties"]["w"]["items"]["type"], "string");
  EXPECT_EQ(j["properties"]["x"]["items"]["items"]["type"], Json({"string", "integer"}));
  Json empty = SchemaOf({R"({"e":[]})"});
  EXPECT_EQ(empty["properties"]["e"], Json({{"type", "array"}}));
}

// --- Sensitive data. ---

TEST(SchemaSketchTest, SensitiveTagsFromValuesAndNames) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"contact":"jo@example.com","password":"hunter2","card":4111111111111111,)"
            R"("users":[{"ssn":"078-05-1120"}],"big":123456789012,"n":"plain"})",
            false, o);
  s.AddJson(R"({"contact":"al@example.org","password":"p@ss"})", false, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["properties"]["contact"]["x-gatescope-sensitive"], Json({"email"}));
  EXPECT_EQ(j["properties"]["password"]["x-gatescope-sensitive"], Json({"credential"}));
  EXPECT_EQ(j["properties"]["card"]["x-gatescope-sensitive"], Json({"card_number"}));
  EXPECT_EQ(j["properties"]["card"]["type"], "integer");
  EXPECT_FALSE(j["properties"]["big"].contains("x-gatescope-sensitive"));
  EXPECT_FALSE(j["properties"]["n"].contains("x-gatescope-sensitive"));
  EXPECT_EQ(j["properties"]["users"]["items"]["properties"]["ssn"]["x-gatescope-sensitive"],
            Json({"national_id"}));

  std::vector<SchemaSketch::SensitiveField> fields = s.SensitiveFields(o);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].pointer, "/contact");
  EXPECT_EQ(fields[0].tags, classify::kTagEmail);
  EXPECT_EQ(fields[0].count, 2u);
  EXPECT_EQ(fields[1].pointer, "/password");
  // "p@ss" looks like no email to the fake (no dot): the name's tag only.
  EXPECT_EQ(fields[1].tags, classify::kTagCredential);
  EXPECT_EQ(fields[2].pointer, "/card");
  EXPECT_EQ(fields[3].pointer, "/users/*/ssn");
  std::string all = s.ToJsonSchema(o).dump();
  for (const auto& f : fields) {
    EXPECT_EQ(f.example.rfind("redacted(", 0), 0u) << f.example;
    EXPECT_EQ(all.find("hunter2"), std::string::npos);
    EXPECT_EQ(all.find("jo@example.com"), std::string::npos);
  }
}

TEST(SchemaSketchTest, SensitivePointersEscapeAndHideMapKeys) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"a/b~c":{"mail":"x@y.zz"},"byId":{"1":{"mail":"a@b.cc"},"2":{"mail":"c@d.ee"}}})",
            false, o);
  std::vector<SchemaSketch::SensitiveField> fields = s.SensitiveFields(o);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].pointer, "/a~1b~0c/mail");
  EXPECT_EQ(fields[1].pointer, "/byId/*/mail");
  EXPECT_EQ(fields[1].count, 2u);
}

TEST(SchemaSketchTest, SensitiveExampleDoesNotDependOnOrder) {
  SchemaOptions o = Opts();
  SchemaSketch a;
  SchemaSketch b;
  std::vector<std::string> bodies;
  for (int i = 0; i < 30; ++i) {
    bodies.push_back(R"({"e":")" + std::string(i % 7 + 1, 'u') + R"(@example.com"})");
  }
  for (const auto& x : bodies) a.AddJson(x, false, o);
  for (auto it = bodies.rbegin(); it != bodies.rend(); ++it) b.AddJson(*it, false, o);
  EXPECT_EQ(a.SensitiveFields(o)[0].example, b.SensitiveFields(o)[0].example);
}

// --- Forms. ---

TEST(SchemaSketchTest, FormBodies) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddForm("a=1&b=x&b=y&c=hello+world%21&mail=jo%40example.com&flag", false, o);
  s.AddForm("a=2&b=z&mail=al%40example.org", false, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["type"], "object");
  EXPECT_EQ(j["properties"]["a"], Json({{"type", "string"}}));
  EXPECT_EQ(j["properties"]["b"]["type"], "array");
  EXPECT_EQ(j["properties"]["b"]["items"]["type"], "string");
  EXPECT_EQ(j["properties"]["mail"]["format"], "email");
  EXPECT_EQ(j["properties"]["mail"]["x-gatescope-sensitive"], Json({"email"}));
  EXPECT_EQ(j["properties"]["flag"]["type"], "string");
  EXPECT_EQ(j["required"], Json({"a", "b", "mail"}));
  EXPECT_EQ(s.complete_bodies(), 2u);
}

TEST(SchemaSketchTest, FormDecodingAndEnum) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  for (int i = 0; i < 20; ++i) s.AddForm("grant_type=client_credentials&x=%zz%4", false, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["properties"]["grant_type"]["enum"], Json({"client_credentials"}));
  EXPECT_EQ(j["properties"]["x"]["enum"], Json({"%zz%4"}));
  s.AddForm("sp%20ace+d=1", false, o);
  EXPECT_TRUE(s.ToJsonSchema(o)["properties"].contains("sp ace d"));
}

TEST(SchemaSketchTest, TruncatedFormDropsLastPairAndSaysNothingOfRequired) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddForm("a=1&b=2", false, o);
  s.AddForm("a=1&c=3&em", true, o);
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["required"], Json({"a", "b"}));
  EXPECT_TRUE(j["properties"].contains("c"));
  EXPECT_FALSE(j["properties"].contains("em"));
  SchemaSketch one;
  one.AddForm("only=cut", true, o);
  EXPECT_EQ(one.ToJsonSchema(o), Json({{"type", "object"}}));
}

// --- Keys as arbitrary bytes. ---

TEST(SchemaSketchTest, InvalidUtf8KeysAndValuesStillSerialise) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  std::string bad1 = std::string("{\"k\xff\":1,\"k\xfe\":\"x\",\"\xed\xa0\x80\":2,") +
                     "\"\\ud83d\\ude00\":3,\"e\":\"\xc3\"}";
  for (int i = 0; i < 30; ++i) s.AddJson(bad1, false, o);
  for (int i = 0; i < 30; ++i) s.AddForm("k%FF=1&v=%C3%28", false, o);
  Json j = s.ToJsonSchema(o);
  std::string dumped;
  ASSERT_NO_THROW(dumped = j.dump());
  // The two invalid keys both read "k\uFFFD": the first is kept, the other is counted.
  EXPECT_TRUE(j["properties"].contains("k\xEF\xBF\xBD"));
  EXPECT_TRUE(j["properties"].contains("\xF0\x9F\x98\x80"));  // The pair became one emoji.
  EXPECT_TRUE(j["properties"].contains("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
  EXPECT_EQ(j["properties"]["e"]["enum"], Json({"\xEF\xBF\xBD"}));
  EXPECT_EQ(j["x-gatescope-omitted-properties"], 30);
  CheckRequired(j);
  EXPECT_TRUE(Json::accept(dumped));
}

// --- Bounds. ---

TEST(SchemaSketchTest, DeepNestingIsCutAtMaxDepth) {
  SchemaOptions o = Opts();
  o.max_depth = 3;
  Json j = SchemaOf({R"({"a":{"b":{"c":{"d":1}},"l":[[[1]]]}})"}, o);
  const Json& c = j["properties"]["a"]["properties"]["b"]["properties"]["c"];
  EXPECT_EQ(c["type"], "object");
  EXPECT_FALSE(c.contains("properties"));
  EXPECT_EQ(c["x-gatescope-note"], "nested deeper than 3 levels: not described");
  const Json& l = j["properties"]["a"]["properties"]["l"]["items"];
  EXPECT_EQ(l["type"], "array");
  EXPECT_TRUE(l.contains("x-gatescope-note"));

  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "{\"a\":[";
  SchemaSketch s;
  s.AddJson(deep, false, Opts());
  s.AddJson(deep, true, Opts());
  EXPECT_LE(s.node_count(), 2 * Opts().max_depth + 2);
  EXPECT_NO_THROW((void)s.ToJsonSchema(Opts()).dump());
}

TEST(SchemaSketchTest, HugeStringsAreNotKept) {
  SchemaOptions o = Opts();
  std::string huge(10 << 20, 'x');
  SchemaSketch s;
  for (int i = 0; i < 3; ++i)
    s.AddJson("{\"blob\":\"" + huge + "\",\"k\":\"" + huge + "\"}", false, o);
  EXPECT_LT(s.ApproximateBytes(), 4096u);
  EXPECT_EQ(s.ToJsonSchema(o)["properties"]["blob"], Json({{"type", "string"}}));
}

// --- Order and merge. ---

TEST(SchemaSketchTest, PropertiesInFirstSeenOrderOrSorted) {
  SchemaOptions o = Opts();
  Json j = SchemaOf({R"({"z":1,"a":1})", R"({"m":1,"a":1})"}, o);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j["properties"].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
  EXPECT_EQ(j["required"], Json({"a"}));
  o.sort_properties = true;
  Json sorted = SchemaOf({R"({"z":1,"a":1,"m":1})"}, o);
  keys.clear();
  for (const auto& [k, v] : sorted["properties"].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "m", "z"}));
  EXPECT_EQ(sorted["required"], Json({"a", "m", "z"}));
}

// Random bodies over a small vocabulary, so that keys, types and values collide often.
std::string RandomValue(std::mt19937& rng, int depth);

std::string RandomObject(std::mt19937& rng, int depth) {
  static const char* kKeys[] = {"id",   "name", "status", "email", "items",
                                "meta", "n",    "when",   "7",     "12"};
  std::string out = "{";
  int fields = static_cast<int>(rng() % 5);
  for (int i = 0; i < fields; ++i) {
    if (i) out += ",";
    out += "\"" + std::string(kKeys[rng() % 10]) + "\":" + RandomValue(rng, depth + 1);
  }
  return out + "}";
}

std::string RandomValue(std::mt19937& rng, int depth) {
  static const char* kStrings[] = {
      "\"a\"", "\"b\"", "\"x@y.zz\"", "\"2024-05-01\"", "\"4111111111111111\"", "\"\""};
  switch (rng() % (depth > 3 ? 5 : 8)) {
    case 0:
      return "null";
    case 1:
      return rng() % 2 ? "true" : "false";
    case 2:
      return std::to_string(rng() % 100);
    case 3:
      return "2.5";
    case 4:
      return kStrings[rng() % 6];
    case 5:
    case 6:
      return RandomObject(rng, depth);
    default: {
      std::string out = "[";
      int n = static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i) out += (i ? "," : "") + RandomValue(rng, depth + 1);
      return out + "]";
    }
  }
}

std::vector<std::string> RandomBodies(uint32_t seed, size_t n) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string b = RandomObject(rng, 0);
    if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));  // Some are cut.
    out.push_back(b);
  }
  return out;
}

SchemaSketch SketchOf(const std::vector<std::string>& bodies, size_t begin, size_t end,
                      const SchemaOptions& o) {
  SchemaSketch s;
  for (size_t i = begin; i < end; ++i) {
    // Cut bodies are flagged by length parity, so that flags vary but are reproducible.
    bool cut = bodies[i].empty() || bodies[i].back() != '}';
    if (i % 5 == 0) {
      s.AddForm(bodies[i], cut, o);
    } else {
      s.AddJson(bodies[i], cut && i % 2 == 0, o);
    }
  }
  return s;
}

TEST(SchemaSketchTest, MergeIsCommutativeAndAssociative) {
  SchemaOptions o = Opts();
  o.sort_properties = true;
  o.enum_min_samples = 5;
  o.enum_min_samples_per_value = 2;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::vector<std::string> bodies = RandomBodies(seed, 120);
    SchemaSketch all = SketchOf(bodies, 0, bodies.size(), o);
    SchemaSketch a = SketchOf(bodies, 0, 40, o);
    SchemaSketch b = SketchOf(bodies, 40, 80, o);
    SchemaSketch c = SketchOf(bodies, 80, 120, o);
    SchemaSketch ab = a;
    ab.Merge(b, o);
    SchemaSketch ab_c = ab;
    ab_c.Merge(c, o);
    SchemaSketch bc = b;
    bc.Merge(c, o);
    SchemaSketch a_bc = a;
    a_bc.Merge(bc, o);
    SchemaSketch cba = c;
    cba.Merge(b, o);
    cba.Merge(a, o);
    std::string expected = all.ToJsonSchema(o).dump();
    EXPECT_EQ(ab_c.ToJsonSchema(o).dump(), expected) << "seed " << seed;
    EXPECT_EQ(a_bc.ToJsonSchema(o).dump(), expected) << "seed " << seed;
    EXPECT_EQ(cba.ToJsonSchema(o).dump(), expected) << "seed " << seed;
    EXPECT_EQ(cba.bodies(), all.bodies());
    EXPECT_EQ(cba.complete_bodies(), all.complete_bodies());
    EXPECT_EQ(cba.unparsed(), all.unparsed());
    CheckRequired(all.ToJsonSchema(o));
    std::vector<SchemaSketch::SensitiveField> f1 = all.SensitiveFields(o);
    std::vector<SchemaSketch::SensitiveField> f2 = cba.SensitiveFields(o);
    ASSERT_EQ(f1.size(), f2.size());
    for (size_t i = 0; i < f1.size(); ++i) {
      EXPECT_EQ(f1[i].count, f2[i].count);
      EXPECT_EQ(f1[i].example, f2[i].example);
    }
  }
}

TEST(SchemaSketchTest, MergeWithSelfAndEmpty) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  s.AddJson(R"({"a":1,"b":"x"})", false, o);
  s.AddJson(R"({"a":1})", false, o);
  std::string before = s.ToJsonSchema(o).dump();
  s.Merge(SchemaSketch(), o);
  EXPECT_EQ(s.ToJsonSchema(o).dump(), before);
  s.Merge(s, o);
  EXPECT_EQ(s.ToJsonSchema(o).dump(), before);
  EXPECT_EQ(s.bodies(), 4u);
  SchemaSketch empty;
  empty.Merge(s, o);
  EXPECT_EQ(empty.ToJsonSchema(o).dump(), before);
}

TEST(SchemaSketchTest, MergeTurnsStructIntoMapWhenOtherSideIsOne) {
  SchemaOptions o = Opts();
  SchemaSketch a;
  a.AddJson(R"({"m":{"x":{"v":1}}})", false, o);
  SchemaSketch b;
  std::string body = "{\"m\":{";
  for (int i = 0; i < 300; ++i)
    body += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":{\"v\":2}";
  b.AddJson(body + "}}", false, o);
  SchemaSketch ab = a;
  ab.Merge(b, o);
  SchemaSketch ba = b;
  ba.Merge(a, o);
  Json j = ab.ToJsonSchema(o);
  EXPECT_EQ(j["properties"]["m"]["additionalProperties"]["properties"]["v"]["type"], "integer");
  EXPECT_EQ(j.dump(), ba.ToJsonSchema(o).dump());
}

// --- Memory and speed. ---

std::string ThirtyFieldBody(int i, size_t pad = 0) {
  static const char* kStatus[] = {"active", "pending", "closed"};
  std::string s = std::to_string(i);
  std::string b = "{";
  b += "\"id\":\"0f8fad5b-d9cb-469f-a165-" + std::string(12 - std::min<size_t>(12, s.size()), '0') +
       s + "\",";
  b += "\"order_number\":\"ORD-" + s + "\",\"status\":\"" + kStatus[i % 3] + "\",";
  b += "\"created_at\":\"2024-05-01T12:00:00Z\",\"updated_at\":\"2024-05-02T12:00:00Z\",";
  b += "\"amount\":" + std::to_string(i % 1000) + "." + std::to_string(i % 100) + ",";
  b += "\"currency\":\"EUR\",\"quantity\":" + std::to_string(i % 9) + ",";
  b += "\"customer_email\":\"user" + s + "@example.com\",\"customer_name\":\"Name " + s + "\",";
  b += "\"paid\":" + std::string(i % 2 ? "true" : "false") + ",\"refunded\":false,";
  b += "\"note\":" + (i % 4 ? "\"note " + s + std::string(pad, '.') + "\"" : std::string("null")) +
       ",";
  b += "\"channel\":\"web\",\"locale\":\"fr-FR\",\"discount\":0,\"tax\":1.5,";
  b += "\"shipping_method\":\"standard\",\"weight_grams\":" + std::to_string(100 + i % 50) + ",";
  b += "\"gift\":false,";
  b += "\"address\":{\"line1\":\"" + s +
       " rue de Paris\",\"city\":\"Paris\",\"zip\":\"75001\","
       "\"country\":\"FR\",\"phone_ok\":true},";
  b += "\"items\":[{\"sku\":\"SKU-" + s +
       "\",\"qty\":1,\"price\":9.99},"
       "{\"sku\":\"SKU-2\",\"qty\":2,\"price\":5}]";
  return b + "}";
}

TEST(SchemaSketchTest, MemoryStaysConstantOverManyBodies) {
  SchemaOptions o = Opts();
  SchemaSketch s;
  size_t after_warmup = 0;
  for (int i = 0; i < 100000; ++i) {
    s.AddJson(ThirtyFieldBody(i), false, o);
    if (i == 99) after_warmup = s.ApproximateBytes();
  }
  EXPECT_EQ(s.ApproximateBytes(), after_warmup);
  EXPECT_LT(after_warmup, 8192u);
  std::printf("[ info ] 30-field body: %zu nodes, %zu bytes per sketch\n", s.node_count(),
              s.ApproximateBytes());
  Json j = s.ToJsonSchema(o);
  EXPECT_EQ(j["properties"].size(), 22u);  // And 5 in "address", 3 in "items": 30 fields.
  EXPECT_EQ(j["properties"]["status"]["enum"], Json({"active", "closed", "pending"}));
  EXPECT_EQ(j["properties"]["created_at"]["format"], "date-time");
  EXPECT_EQ(j["properties"]["note"]["type"], Json({"string", "null"}));
  EXPECT_EQ(j["properties"]["items"]["items"]["required"], Json({"sku", "qty", "price"}));
}

// Prints a throughput figure; asserts nothing about speed (machines differ).
TEST(SchemaSketchTest, ThroughputFigure) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 64; ++i) bodies.push_back(ThirtyFieldBody(i, 460));
  size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();
  for (bool fake : {false, true}) {
    SchemaOptions o = fake ? Opts() : SchemaOptions();
    SchemaSketch s;
    const int kRounds = 400;
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < kRounds; ++r) {
      for (const auto& b : bodies) s.AddJson(b, false, o);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double n = static_cast<double>(kRounds) * bodies.size();
    std::printf("[ info ] %s classifier: %.0f bodies/s, %.1f MB/s (%.0f-byte bodies)\n",
                fake ? "fake" : "default", n / secs, n * (bytes / bodies.size()) / secs / 1e6,
                static_cast<double>(bytes) / bodies.size());
    EXPECT_EQ(s.bodies(), static_cast<uint64_t>(n));
  }
}

}  // namespace
}  // namespace gatescope::inventory
