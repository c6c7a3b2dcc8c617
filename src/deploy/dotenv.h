#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gatescope::deploy {

// One thing wrong (or worth a warning) in a deployment `.env` or a file it names.
struct Problem {
  int line = 0;          // 1-based line in the `.env`; 0 when the key is missing from the file.
  std::string key;       // The setting concerned, e.g. "GATESCOPE_REGIONS"; may be empty.
  std::string message;   // What is wrong and what is accepted. Never holds a secret's value.
  bool warning = false;  // Warnings are reported but do not fail the check.
};

// "FILE:LINE: KEY: message" (LINE left out when 0, KEY when empty), with "warning: " before KEY
// for warnings, as compilers print them.
std::string FormatProblem(std::string_view file, const Problem& problem);

// One `KEY=VALUE` assignment as read.
struct DotenvEntry {
  std::string key;
  std::string value;  // Unquoted and unescaped.
  int line = 0;       // 1-based.
  // The value could not be read (a Problem says why); `value` is empty. Kept so that the key
  // counts as set: no default replaces it and no second problem is reported about it.
  bool malformed = false;
};

// A parsed `.env`: the assignments in file order (the first of a duplicated key only) and the
// problems found.
struct DotenvFile {
  std::vector<DotenvEntry> entries;
  std::vector<Problem> problems;
};

// Parses `.env` text as docs/specs/deployment.md ("The .env") defines it:
//   - one `KEY=VALUE` per line; LF or CRLF line ends; a UTF-8 byte order mark is skipped;
//   - blank lines and lines whose first non-blank character is `#` are ignored;
//   - an `export ` prefix is accepted;
//   - 'single-quoted' values are literal; "double-quoted" values understand \" \\ and \n (any
//     other backslash stays as written, as in bash); after the closing quote only blanks and a
//     `#` comment may follow; quotes do not span lines;
//   - unquoted values end at a `#` that follows a blank (a comment) and are trimmed;
//   - no `$VAR` expansion: `$` is literal everywhere.
// Every line that breaks these rules, and every key set a second time, is one Problem naming
// its line (and key when one could be read); the rest of the file is still read. Never throws.
DotenvFile ParseDotenv(std::string_view text);

}  // namespace gatescope::deploy
