#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace gatescope {

// Finishes a hash (splitmix64's finaliser) so that every bit depends on every input bit: for
// tables and sketches that take their index from the low bits.
inline uint64_t MixBits(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A transparent hash for std::string keys, so unordered containers declared with
// `StringHash, std::equal_to<>` can be searched with a std::string_view without allocating.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace gatescope
