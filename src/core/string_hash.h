#pragma once

#include <functional>
#include <string_view>

namespace gatescope {

// A transparent hash for std::string keys, so unordered containers declared with
// `StringHash, std::equal_to<>` can be searched with a std::string_view without allocating.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace gatescope
