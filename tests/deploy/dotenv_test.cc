// The `.env` parser (src/deploy/dotenv.h): quoting, escapes, comments, export, CRLF, BOM,
// duplicate keys and malformed lines, each reported with its line.
#include "deploy/dotenv.h"

#include <gtest/gtest.h>

namespace gatescope::deploy {
namespace {

std::string ValueOf(const DotenvFile& file, std::string_view key) {
  for (const DotenvEntry& e : file.entries) {
    if (e.key == key) return e.value;
  }
  return "<unset>";
}

TEST(DotenvTest, ReadsPlainValuesAndSkipsBlankAndCommentLines) {
  DotenvFile f = ParseDotenv("# a comment\n\n   \nA=1\n  # indented comment\nB = two words  \n");
  EXPECT_TRUE(f.problems.empty());
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].key, "A");
  EXPECT_EQ(f.entries[0].line, 4);
  EXPECT_EQ(f.entries[1].value, "two words");
  EXPECT_EQ(f.entries[1].line, 6);
}

TEST(DotenvTest, UnquotedValueEndsAtBlankHash) {
  DotenvFile f = ParseDotenv("A=x # comment\nB=a#b\nC=#x\nD= # only a comment\nE=x\t#tab\n");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(ValueOf(f, "A"), "x");
  EXPECT_EQ(ValueOf(f, "B"), "a#b");
  EXPECT_EQ(ValueOf(f, "C"), "#x");
  EXPECT_EQ(ValueOf(f, "D"), "");
  EXPECT_EQ(ValueOf(f, "E"), "x");
}

TEST(DotenvTest, SingleQuotesAreLiteral) {
  DotenvFile f = ParseDotenv(R"(A='a # not a comment $HOME \n "x"'  # comment
B=''
)");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(ValueOf(f, "A"), R"(a # not a comment $HOME \n "x")");
  EXPECT_EQ(ValueOf(f, "B"), "");
}

TEST(DotenvTest, DoubleQuotesUnderstandThreeEscapes) {
  DotenvFile f = ParseDotenv(R"(A="say \"hi\"\\ \n end"
B="\d+\.css$ ${X}"
C="#not comment" # comment
)");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(ValueOf(f, "A"), "say \"hi\"\\ \n end");
  EXPECT_EQ(ValueOf(f, "B"), R"(\d+\.css$ ${X})");  // Other backslashes and $ stay literal.
  EXPECT_EQ(ValueOf(f, "C"), "#not comment");
}

TEST(DotenvTest, AcceptsExportCrlfAndBom) {
  DotenvFile f =
      ParseDotenv("\xEF\xBB\xBFGATESCOPE_A=1\r\nexport GATESCOPE_B='2'\r\nexport\tC=3\r\n");
  EXPECT_TRUE(f.problems.empty());
  EXPECT_EQ(ValueOf(f, "GATESCOPE_A"), "1");
  EXPECT_EQ(ValueOf(f, "GATESCOPE_B"), "2");
  EXPECT_EQ(ValueOf(f, "C"), "3");
}

TEST(DotenvTest, ReportsDuplicateKeyOnItsSecondLine) {
  DotenvFile f = ParseDotenv("A=1\nB=2\nA=3\n");
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 3);
  EXPECT_EQ(f.problems[0].key, "A");
  EXPECT_NE(f.problems[0].message.find("line 1"), std::string::npos);
  EXPECT_EQ(ValueOf(f, "A"), "1");  // The first stays.
}

TEST(DotenvTest, ReportsEveryMalformedLineAndReadsTheRest) {
  DotenvFile f = ParseDotenv(
      "GATESCOPE_X\n"     // 1: no '='
      "1BAD=x\n"          // 2: not a key
      "A='open\n"         // 3: unterminated
      "B=\"open\n"        // 4: unterminated
      "C='x' trailing\n"  // 5: text after quote
      "D=\"x\"y\n"        // 6: text after quote
      "OK=fine\n"
      "what ever\n");  // 8: no '='
  ASSERT_EQ(f.problems.size(), 7u);
  const int lines[] = {1, 2, 3, 4, 5, 6, 8};
  for (size_t i = 0; i < f.problems.size(); ++i) EXPECT_EQ(f.problems[i].line, lines[i]) << i;
  EXPECT_EQ(f.problems[0].key, "GATESCOPE_X");
  EXPECT_EQ(f.problems[1].key, "");
  EXPECT_EQ(f.problems[2].key, "A");
  EXPECT_EQ(ValueOf(f, "OK"), "fine");
  // Malformed values still count as set (no default silently replaces them).
  for (const DotenvEntry& e : f.entries) {
    if (e.key == "A" || e.key == "B" || e.key == "C" || e.key == "D") {
      EXPECT_TRUE(e.malformed) << e.key;
    }
  }
}

TEST(DotenvTest, HandlesEmptyAndOddInputs) {
  EXPECT_TRUE(ParseDotenv("").entries.empty());
  EXPECT_TRUE(ParseDotenv("\n\n").problems.empty());
  DotenvFile f = ParseDotenv("=x\nA=\"\\");
  EXPECT_EQ(f.problems.size(), 2u);
  EXPECT_EQ(ParseDotenv(std::string("A=x\0y", 5)).entries.size(), 1u);
}

TEST(DotenvTest, FormatsProblemsLikeACompiler) {
  EXPECT_EQ(FormatProblem(".env", {.line = 3, .key = "K", .message = "bad"}), ".env:3: K: bad");
  EXPECT_EQ(FormatProblem(".env", {.key = "K", .message = "required"}), ".env: K: required");
  EXPECT_EQ(FormatProblem("a/.env", {.line = 1, .key = "K", .message = "m", .warning = true}),
            "a/.env:1: warning: K: m");
}

}  // namespace
}  // namespace gatescope::deploy
