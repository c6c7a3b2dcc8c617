#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"

namespace gatescope::model {

// One name/value pair of a header, query-string or path-parameter map.
struct Field {
  std::string name;
  std::string value;
  bool value_truncated = false;  // The log cut this value; only its prefix is known.
};

// An ordered list of fields that reuses its storage: Clear() keeps every string's capacity, so
// a transaction object refilled for each request stops allocating once warm.
//
// `logged` says the log showed the map at all (an empty map is still an observation);
// `truncated` says the list is incomplete (the log cut the map before its end), so a name
// missing from it may still have been sent.
//
// Thread-safety: a value type; not thread-safe.
class FieldList {
 public:
  void Clear() {
    size_ = 0;
    logged = truncated = false;
  }

  // Appends a field and returns it.
  Field& Add(std::string_view name, std::string_view value, bool value_truncated = false) {
    if (size_ == fields_.size()) fields_.emplace_back();
    Field& f = fields_[size_++];
    f.name.assign(name);
    f.value.assign(value);
    f.value_truncated = value_truncated;
    return f;
  }

  // The first field named `name`, compared ignoring ASCII case (header names are
  // case-insensitive; parameter maps never hold two names differing only by case in practice).
  const Field* Find(std::string_view name) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Field& operator[](size_t i) const { return fields_[i]; }
  Field& operator[](size_t i) { return fields_[i]; }
  const Field* begin() const { return fields_.data(); }
  const Field* end() const { return fields_.data() + size_; }

  bool logged = false;     // The log showed this map (possibly empty).
  bool truncated = false;  // The log cut it: names may be missing.

 private:
  std::vector<Field> fields_;
  size_t size_ = 0;
};

// A request or response body as logged.
struct Body {
  bool present = false;    // The log showed this body (even if empty).
  bool truncated = false;  // The log cut it: `text` is a prefix, never the whole body.
  // `text` is not the logged body but a small indicator body put in its place by the
  // connector (a body cut or too large to ship, or an API kind that logs no bodies). Never
  // infer a schema from it.
  bool indicator = false;
  std::string text;
  std::string content_type;  // From the matching Content-Type header, lowercased, no parameters.

  void Clear() {
    present = truncated = indicator = false;
    text.clear();
    content_type.clear();
  }
};

}  // namespace gatescope::model
