#include "deploy/dotenv.h"

#include <map>

namespace gatescope::deploy {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool IsKeyStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsKeyChar(char c) { return IsKeyStart(c) || (c >= '0' && c <= '9'); }

bool IsKey(std::string_view s) {
  if (s.empty() || !IsKeyStart(s.front())) return false;
  for (char c : s) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

// What may follow a closing quote: blanks, then nothing or a comment.
bool IsTrailerOk(std::string_view rest) {
  rest = TrimBlanks(rest);
  return rest.empty() || rest.front() == '#';
}

struct ValueResult {
  std::string value;
  std::string error;  // Empty when the value was read.
};

ValueResult ReadValue(std::string_view raw) {
  ValueResult r;
  std::string_view v = raw;
  while (!v.empty() && IsBlank(v.front())) v.remove_prefix(1);
  if (!v.empty() && v.front() == '\'') {
    size_t end = v.find('\'', 1);
    if (end == std::string_view::npos) {
      r.error = "missing closing ' (quoted values end on the same line)";
      return r;
    }
    if (!IsTrailerOk(v.substr(end + 1))) {
      r.error = "unexpected text after the closing ' (only a # comment may follow)";
      return r;
    }
    r.value = std::string(v.substr(1, end - 1));
    return r;
  }
  if (!v.empty() && v.front() == '"') {
    for (size_t i = 1; i < v.size(); ++i) {
      char c = v[i];
      if (c == '"') {
        if (!IsTrailerOk(v.substr(i + 1))) {
          r.error = "unexpected text after the closing \" (only a # comment may follow)";
          r.value.clear();
        }
        return r;
      }
      if (c == '\\' && i + 1 < v.size()) {
        char n = v[i + 1];
        if (n == '"' || n == '\\') {
          r.value.push_back(n);
          ++i;
          continue;
        }
        if (n == 'n') {
          r.value.push_back('\n');
          ++i;
          continue;
        }
      }
      r.value.push_back(c);
    }
    r.value.clear();
    r.error = "missing closing \" (quoted values end on the same line)";
    return r;
  }
  // Unquoted: a comment starts at a '#' preceded by a blank (in `raw`, so `KEY= #c` is empty).
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '#' && (i == 0 || IsBlank(raw[i - 1]))) {
      if (i == 0) break;  // `KEY=#x`: the '#' is part of the value.
      raw = raw.substr(0, i);
      break;
    }
  }
  r.value = std::string(TrimBlanks(raw));
  return r;
}

}  // namespace

std::string FormatProblem(std::string_view file, const Problem& problem) {
  std::string out(file);
  if (problem.line > 0) out += ":" + std::to_string(problem.line);
  out += ": ";
  if (problem.warning) out += "warning: ";
  if (!problem.key.empty()) out += problem.key + ": ";
  out += problem.message;
  return out;
}

DotenvFile ParseDotenv(std::string_view text) {
  DotenvFile file;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::map<std::string, int, std::less<>> first_line;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view body = TrimBlanks(line);
    if (body.empty() || body.front() == '#') continue;
    if (body.starts_with("export ") || body.starts_with("export\t")) {
      body = TrimBlanks(body.substr(7));
    }
    size_t eq = body.find('=');
    if (eq == std::string_view::npos) {
      std::string_view word = body.substr(0, body.find_first_of(" \t"));
      file.problems.push_back({.line = line_no,
                               .key = IsKey(word) ? std::string(word) : std::string(),
                               .message = "expected KEY=VALUE (no '=' on this line)"});
      continue;
    }
    std::string_view key = TrimBlanks(body.substr(0, eq));
    if (!IsKey(key)) {
      file.problems.push_back(
          {.line = line_no,
           .message = "\"" + std::string(key.substr(0, 64)) +
                      "\" is not a key (letters, digits and _, not starting with a digit)"});
      continue;
    }
    ValueResult value = ReadValue(body.substr(eq + 1));
    if (!value.error.empty()) {
      file.problems.push_back({.line = line_no, .key = std::string(key), .message = value.error});
      // Still counts as set, so that a later duplicate is reported and a default is not used.
    }
    auto [it, inserted] = first_line.emplace(std::string(key), line_no);
    if (!inserted) {
      file.problems.push_back(
          {.line = line_no,
           .key = std::string(key),
           .message = "set twice (first on line " + std::to_string(it->second) + "); keep one"});
      continue;
    }
    file.entries.push_back({.key = std::string(key),
                            .value = std::move(value.value),
                            .line = line_no,
                            .malformed = !value.error.empty()});
  }
  return file;
}

}  // namespace gatescope::deploy
