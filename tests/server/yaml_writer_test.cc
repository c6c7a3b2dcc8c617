#include "openapi/yaml_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace gatescope::openapi {
namespace {

using Json = nlohmann::ordered_json;

std::string Scalar(const Json& value) {
  std::string yaml = JsonToYaml(Json{{"k", value}});
  EXPECT_EQ(yaml.rfind("k: ", 0), 0u) << yaml;
  return yaml.substr(3, yaml.size() - 4);
}

TEST(JsonToYamlTest, BlockStyleNesting) {
  Json doc = Json::parse(R"json({
    "openapi": "3.1.0",
    "info": {"title": "API a1 (discovered)", "version": "2023-11-14"},
    "paths": {"/pets/{petId}": {"get": {"parameters": [
        {"name": "petId", "in": "path", "required": true}], "responses": {"200": {}}}}},
    "list": [[1, 2], [], {}, [{"a": null}], "x"],
    "empty": {}
  })json");
  EXPECT_EQ(JsonToYaml(doc),
            "openapi: \"3.1.0\"\n"
            "info:\n"
            "  title: API a1 (discovered)\n"
            "  version: \"2023-11-14\"\n"
            "paths:\n"
            "  /pets/{petId}:\n"
            "    get:\n"
            "      parameters:\n"
            "        - name: petId\n"
            "          in: path\n"
            "          required: true\n"
            "      responses:\n"
            "        \"200\": {}\n"
            "list:\n"
            "  - - 1\n"
            "    - 2\n"
            "  - []\n"
            "  - {}\n"
            "  - - a: null\n"
            "  - x\n"
            "empty: {}\n");
}

TEST(JsonToYamlTest, TopLevelScalarsAndEmptyContainers) {
  EXPECT_EQ(JsonToYaml(Json::object()), "{}\n");
  EXPECT_EQ(JsonToYaml(Json::array()), "[]\n");
  EXPECT_EQ(JsonToYaml(Json("yes")), "\"yes\"\n");
  EXPECT_EQ(JsonToYaml(Json(nullptr)), "null\n");
  EXPECT_EQ(JsonToYaml(Json::array({1})), "- 1\n");
}

TEST(JsonToYamlTest, QuotesStringsThatWouldChangeType) {
  for (const char* s :
       {"true",    "False", "null", "NULL", "~",          "yes",      "No",   "on",    "OFF",
        "y",       "n",     "1",    "1.0",  "-1",         "+1",       "0x1f", "0o17",  "1e3",
        ".5",      ".inf",  ".NaN", "1:20", "2023-11-14", "12:30:00", "",     " lead", "trail ",
        "a: b",    "a #b",  "#c",   "- x",  "-",          "? x",      "[x]",  "{x}",   "*ref",
        "&anchor", "!tag",  "|",    ">",    "'q'",        "\"q\"",    "%d",   "@x",    "`x`",
        "<<",      "=",     ",",    "a:b",  "https://x"}) {
    std::string out = Scalar(Json(s));
    EXPECT_EQ(out.front(), '"') << s << " -> " << out;
  }
  for (const char* s : {"GET", "/pets/{petId}", "API a1 (discovered)", "$connect", "_x",
                        "application/json", "Observed 3 times."}) {
    EXPECT_EQ(Scalar(Json(s)), s);
  }
}

TEST(JsonToYamlTest, EscapesControlAndNonPrintableCharacters) {
  EXPECT_EQ(Scalar(Json("a\nb\tc\rd\\e\"f")), R"("a\nb\tc\rd\\e\"f")");
  EXPECT_EQ(Scalar(Json(std::string("\0\x01\x7f", 3))), R"("\0\x01\x7F")");
  EXPECT_EQ(Scalar(Json("\xC2\x85 \xE2\x80\xA8 \xEF\xBB\xBF")), R"("\x85 \u2028 \uFEFF")");
  EXPECT_EQ(Scalar(Json("caf\xC3\xA9 \xF0\x9F\x98\x80")), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  // Invalid UTF-8 becomes U+FFFD: the output stays readable YAML.
  EXPECT_EQ(Scalar(Json(std::string("a\xFF", 2))), "\"a\xEF\xBF\xBD\"");
  EXPECT_EQ(Scalar(Json(std::string("\xE2\x80", 2))), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonToYamlTest, NumbersReadBackAsNumbers) {
  EXPECT_EQ(Scalar(Json(42)), "42");
  EXPECT_EQ(Scalar(Json(-7)), "-7");
  EXPECT_EQ(Scalar(Json(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(Scalar(Json(2.5)), "2.5");
  EXPECT_EQ(Scalar(Json(1.0)), "1.0");
  // YAML 1.1 needs a '.' in a float with an exponent.
  EXPECT_EQ(Scalar(Json(1e300)), "1.0e+300");
  EXPECT_EQ(Scalar(Json(1.5e-7)), "1.5e-07");
  EXPECT_EQ(Scalar(Json(true)), "true");
}

TEST(JsonToYamlTest, LongKeysUseExplicitForm) {
  std::string key(2000, 'k');
  std::string yaml = JsonToYaml(Json{{key, 1}, {"short", {{key, {1, 2}}}}});
  EXPECT_EQ(yaml, "? " + key + "\n: 1\nshort:\n  ? " + key + "\n  :\n    - 1\n    - 2\n");
}

}  // namespace
}  // namespace gatescope::openapi
