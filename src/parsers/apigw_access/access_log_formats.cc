#include "parsers/apigw_access/access_log_formats.h"

namespace gatescope::parsers::apigw_access {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '$' || c == '-';
}

// Finds `"key" : "$context.x"` / `"key": $context.x` / `"key": "x"` pairs without requiring
// the format to be valid JSON (unquoted variables make it invalid). Nested objects are
// flattened into "parentchild" keys, matching how the parser normalizes nested fields.
void ScanJsonFormat(std::string_view f, std::unordered_map<std::string, ContextVar>* out) {
  std::vector<std::string> parents;
  std::string pending_key;
  // Maps the pending key, flattened under its parents, to the variable `value` names.
  auto record = [&](std::string_view value) {
    std::string key;
    for (const std::string& p : parents) key += p;
    key += NormalizeFieldName(pending_key);
    ContextVar var = ContextVarFromName(value);
    if (var != ContextVar::kIgnored) (*out)[key] = var;
    pending_key.clear();
  };
  size_t i = 0;
  while (i < f.size()) {
    char c = f[i];
    if (c == '"') {
      size_t end = f.find('"', i + 1);
      if (end == std::string_view::npos) return;
      std::string_view text = f.substr(i + 1, end - i - 1);
      size_t j = end + 1;
      while (j < f.size() && (f[j] == ' ' || f[j] == '\t' || f[j] == '\n' || f[j] == '\r')) ++j;
      if (j < f.size() && f[j] == ':') {
        pending_key = std::string(text);
        i = j + 1;
        continue;
      }
      if (!pending_key.empty()) record(text);
      i = end + 1;
      continue;
    }
    if (c == '{') {
      if (!pending_key.empty()) parents.push_back(NormalizeFieldName(pending_key));
      pending_key.clear();
    } else if (c == '}') {
      if (!parents.empty()) parents.pop_back();
    } else if (c == '$' && !pending_key.empty()) {
      size_t end = i;
      while (end < f.size() && IsNameChar(f[end])) ++end;
      record(f.substr(i, end - i));
      i = end;
      continue;
    }
    ++i;
  }
}

}  // namespace

Status AccessLogFormats::Add(std::string_view format, std::string_view origin) {
  size_t first = format.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return InvalidArgumentError(std::string(origin) + ": access-log format is empty");
  }
  format.remove_prefix(first);
  if (format[0] == '{') {
    std::unordered_map<std::string, ContextVar> keys;
    ScanJsonFormat(format, &keys);
    if (keys.empty()) {
      return InvalidArgumentError(std::string(origin) +
                                  ": JSON access-log format maps no field to a $context "
                                  "variable we use");
    }
    for (auto& [k, v] : keys) json_keys_[k] = v;
    // Also keep it as a text template, to recover lines that are not valid JSON.
    Result<TextTemplate> t = TextTemplate::Compile(format);
    if (t.ok()) templates_.push_back(std::move(*t));
    return Status::Ok();
  }
  Result<TextTemplate> t = TextTemplate::Compile(format);
  if (!t.ok()) return t.status().WithContext(origin);
  templates_.push_back(std::move(*t));
  return Status::Ok();
}

bool AccessLogFormats::LookupJsonKey(std::string_view normalized_key, ContextVar* var) const {
  auto it = json_keys_.find(std::string(normalized_key));
  if (it == json_keys_.end()) return false;
  *var = it->second;
  return true;
}

}  // namespace gatescope::parsers::apigw_access
