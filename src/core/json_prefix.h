#pragma once

#include <span>
#include <string>
#include <string_view>

namespace gatescope {

// Receives what ScanJsonPrefix finds. `path` holds the object keys from the root to the value
// ("[]" for an array element); the views are valid only during the call.
class JsonPrefixVisitor {
 public:
  virtual ~JsonPrefixVisitor() = default;
  // A string value, unescaped; `complete` is false when the text ended inside it.
  virtual void OnString(std::span<const std::string_view> path, std::string_view value,
                        bool complete) = 0;
  // A number, true, false or null, as written.
  virtual void OnScalar(std::span<const std::string_view> path, std::string_view raw) = 0;
  // An object or array opens at `path`.
  virtual void OnContainerStart(std::span<const std::string_view> /*path*/, bool /*is_array*/) {}
  // An object or array closed (`complete`), or was left open by the end of the text.
  virtual void OnContainerEnd(std::span<const std::string_view> path, bool complete) = 0;
  // Called before each key of an object at `path`: return false to skip the key's value
  // without visiting it (cheaper than visiting what nobody reads).
  virtual bool WantKey(std::span<const std::string_view> path, std::string_view key) = 0;
};

// Walks a JSON value that the log may have cut short, visiting everything before the cut or
// the first syntax error. Returns true only when `text` is one whole, valid JSON value.
// Nesting deeper than 32 levels is skipped, not visited. Never fails on any input.
bool ScanJsonPrefix(std::string_view text, JsonPrefixVisitor& visitor);

}  // namespace gatescope
