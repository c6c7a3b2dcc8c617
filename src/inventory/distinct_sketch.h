#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/string_hash.h"

namespace gatescope::inventory {

// Estimates how many distinct values were added, in 64 bytes: a HyperLogLog with 64
// registers (standard error about 13%, exact enough to tell 3 ids from 300), with linear
// counting for small sets. Mergeable: the union of two sketches is their register maximum.
class DistinctSketch {
 public:
  void Add(std::string_view value) {
    uint64_t h = MixBits(std::hash<std::string_view>{}(value));
    uint8_t& reg = registers_[h & 63];
    uint64_t rest = h >> 6;
    uint8_t rank = rest == 0 ? kMaxRank : static_cast<uint8_t>(__builtin_ctzll(rest) + 1);
    if (rank > reg) reg = rank;
  }
  void Merge(const DistinctSketch& other) {
    for (size_t i = 0; i < registers_.size(); ++i) {
      if (other.registers_[i] > registers_[i]) registers_[i] = other.registers_[i];
    }
  }
  // The registers, for the inventory codec (inventory_codec.h): each the largest rank seen
  // among the values that hashed to it, 0 when none did.
  static constexpr uint8_t kMaxRank = 59;
  const std::array<uint8_t, 64>& registers() const { return registers_; }
  // Sets one register. Returns false, changing nothing, when `index` or `rank` are out of
  // range (a rank above kMaxRank cannot come from Add).
  bool SetRegister(size_t index, uint8_t rank) {
    if (index >= registers_.size() || rank > kMaxRank) return false;
    registers_[index] = rank;
    return true;
  }
  bool empty() const {
    for (uint8_t r : registers_) {
      if (r != 0) return false;
    }
    return true;
  }

  uint64_t Estimate() const {
    double sum = 0;
    int zeros = 0;
    for (uint8_t r : registers_) {
      sum += std::ldexp(1.0, -r);
      zeros += r == 0;
    }
    constexpr double m = 64;
    double raw = 0.709 * m * m / sum;
    if (raw <= 2.5 * m && zeros > 0) raw = m * std::log(m / zeros);  // Linear counting.
    return static_cast<uint64_t>(raw + 0.5);
  }

 private:
  std::array<uint8_t, 64> registers_{};
};

}  // namespace gatescope::inventory
