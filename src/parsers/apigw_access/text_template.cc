#include "parsers/apigw_access/text_template.h"

#include "core/time_format.h"

namespace gatescope::parsers::apigw_access {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsVarChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}
bool AllDigits(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
bool IsMethod(std::string_view v) {
  if (v.empty() || v.size() > 16) return false;
  for (char c : v) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}
bool NoSpace(std::string_view v) {
  return !v.empty() && v.find_first_of(" \t") == std::string_view::npos;
}

bool IsOpener(char c) { return c == '"' || c == '[' || c == '<'; }
bool IsCloser(char c) { return c == ']' || c == '>' || c == ','; }

// Matches `lit` at line[pos...] with flexible whitespace; returns the end, or npos.
size_t MatchLiteralAt(std::string_view line, size_t pos, std::string_view lit) {
  bool only_space = lit.find_first_not_of(" \t") == std::string_view::npos;
  size_t i = 0;
  while (i < lit.size()) {
    if (IsSpace(lit[i])) {
      while (i < lit.size() && IsSpace(lit[i])) ++i;
      size_t start = pos;
      while (pos < line.size() && IsSpace(line[pos])) ++pos;
      if (only_space && pos == start) return std::string_view::npos;
      continue;
    }
    // Around brackets, quotes and separators real lines vary in spacing: the console's REST
    // CLF has no space in `]"` while many deployments write `] "` (apigw-logs.md §2.2).
    if (i > 0 && IsOpener(lit[i])) {
      while (pos < line.size() && IsSpace(line[pos])) ++pos;
    }
    if (pos >= line.size() || line[pos] != lit[i]) return std::string_view::npos;
    ++pos;
    if (IsCloser(lit[i]) && i + 1 < lit.size()) {
      while (pos < line.size() && IsSpace(line[pos])) ++pos;
    }
    ++i;
  }
  return pos;
}

}  // namespace

bool PlausibleValue(ContextVar var, std::string_view v) {
  if (v == "-") return true;
  if (v.empty()) {
    return var == ContextVar::kIgnored || var == ContextVar::kUserAgent ||
           var == ContextVar::kErrorMessage;
  }
  switch (var) {
    case ContextVar::kHttpMethod:
      return IsMethod(v);
    case ContextVar::kStatus:
    case ContextVar::kIntegrationStatus:
    case ContextVar::kResponseLength:
    case ContextVar::kResponseLatency:
    case ContextVar::kIntegrationLatency:
    case ContextVar::kRequestTimeEpoch:
      return AllDigits(v);
    case ContextVar::kPath:
    case ContextVar::kResourcePath:
    case ContextVar::kUri:
      return v[0] == '/' && NoSpace(v);
    case ContextVar::kRouteKey: {
      // "$default", "$connect", a WebSocket route such as "sendmessage", or "VERB /path".
      size_t sp = v.find(' ');
      if (sp == std::string_view::npos) return v[0] != '/';  // A bare path is never a route.
      return IsMethod(v.substr(0, sp)) && v.size() > sp + 1 && v[sp + 1] == '/' &&
             NoSpace(v.substr(sp + 1));
    }
    case ContextVar::kEventType:
      return v == "CONNECT" || v == "MESSAGE" || v == "DISCONNECT";
    case ContextVar::kRequestTime:
      return ParseClfTime(v).has_value();
    case ContextVar::kProtocol:
    case ContextVar::kRequestId:
    case ContextVar::kExtendedRequestId:
    case ContextVar::kApiId:
    case ContextVar::kStage:
    case ContextVar::kAccountId:
    case ContextVar::kDomainName:
    case ContextVar::kSourceIp:
    case ContextVar::kCaller:
    case ContextVar::kUser:
    case ContextVar::kConnectionId:
      return NoSpace(v);
    case ContextVar::kIgnored:
    case ContextVar::kUserAgent:
    case ContextVar::kErrorMessage:
      return true;
  }
  return true;
}

Result<TextTemplate> TextTemplate::Compile(std::string_view format) {
  TextTemplate t;
  t.format_ = std::string(format);
  while (!format.empty() && (format.back() == '\n' || format.back() == '\r')) {
    format.remove_suffix(1);  // "You can add a newline character at the end" (AGDG-2023).
  }
  static constexpr std::string_view kPrefix = "$context.";
  std::string literal;
  bool have_var = false;
  size_t i = 0;
  while (i < format.size()) {
    if (format.compare(i, kPrefix.size(), kPrefix) == 0) {
      size_t end = i + kPrefix.size();
      while (end < format.size() && IsVarChar(format[end])) ++end;
      size_t name_end = end;
      while (name_end > i + kPrefix.size() && format[name_end - 1] == '.') --name_end;
      end = name_end;
      if (name_end == i + kPrefix.size()) {
        literal += format[i++];
        continue;
      }
      if (have_var) {
        if (literal.empty()) {
          return InvalidArgumentError("access-log format has two variables with nothing "
                                      "between them near '" +
                                      std::string(format.substr(i, 40)) + "'");
        }
        t.parts_.back().literal_after = std::move(literal);
      } else {
        t.leading_literal_ = std::move(literal);
      }
      literal.clear();
      t.parts_.push_back({ContextVarFromName(format.substr(i, name_end - i)), ""});
      have_var = true;
      i = end;
      continue;
    }
    literal += format[i++];
  }
  if (!have_var) return InvalidArgumentError("access-log format has no $context variable");
  // Trailing whitespace after the last variable is not significant.
  while (!literal.empty() && IsSpace(literal.back())) literal.pop_back();
  t.parts_.back().literal_after = std::move(literal);
  return t;
}

bool TextTemplate::Match(std::string_view line, std::vector<Field>* fields) const {
  while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
  size_t pos = MatchLiteralAt(line, 0, leading_literal_);
  if (pos == std::string_view::npos) return false;
  fields->clear();
  int budget = 256;  // Bounds backtracking on adversarial lines.
  return MatchFrom(line, 0, pos, fields, &budget);
}

bool TextTemplate::MatchFrom(std::string_view line, size_t k, size_t pos,
                             std::vector<Field>* fields, int* budget) const {
  const Part& part = parts_[k];
  bool last = k + 1 == parts_.size();
  if (last && part.literal_after.empty()) {
    std::string_view value = line.substr(pos);
    if (!PlausibleValue(part.var, value)) return false;
    fields->push_back({part.var, value});
    return true;
  }
  const std::string& lit = part.literal_after;
  size_t anchor_offset = lit.find_first_not_of(" \t");
  for (size_t q = pos; q <= line.size(); ++q) {
    if (--*budget < 0) return false;
    size_t value_end;
    if (anchor_offset == std::string_view::npos) {
      // All-whitespace literal: the value ends where a whitespace run starts.
      q = line.find_first_of(" \t", q);
      if (q == std::string_view::npos) return false;
      value_end = q;
    } else {
      q = line.find(lit[anchor_offset], q);
      if (q == std::string_view::npos) return false;
      value_end = q;
      if (anchor_offset > 0) {
        while (value_end > pos && IsSpace(line[value_end - 1])) --value_end;
      }
    }
    size_t after = MatchLiteralAt(line, anchor_offset == std::string_view::npos ? q : value_end, lit);
    if (after == std::string_view::npos) continue;
    std::string_view value = line.substr(pos, value_end - pos);
    if (!PlausibleValue(part.var, value)) continue;
    fields->push_back({part.var, value});
    if (last ? after == line.size() : MatchFrom(line, k + 1, after, fields, budget)) return true;
    fields->pop_back();
  }
  return false;
}

}  // namespace gatescope::parsers::apigw_access
