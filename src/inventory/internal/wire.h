#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gatescope::inventory::internal {

// Appends the primitives of the inventory codec (inventory_codec.h) to a string: LEB128
// varints, zigzag signed varints, single bytes and strings.
//
// Strings are interned: the names an inventory repeats (methods, routes, header and property
// names, media types, API ids) are written once. A string is one varint `v`, then: v even, a
// new string of v / 2 bytes follows (non-empty ones join the table, numbered from 0 in order);
// v odd, it is the table's string number v / 2.
//
// Thread-safety: not thread-safe. Borrows `out`, which must outlive the writer, as must every
// string passed to String() (the table keeps views of them).
class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}

  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_->append(buf, n);
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void String(std::string_view s) {
    if (!s.empty()) {
      auto [it, inserted] = table_.try_emplace(s, static_cast<uint64_t>(table_.size()));
      if (!inserted) {
        Varint(it->second * 2 + 1);
        return;
      }
    }
    Varint(s.size() * 2);
    out_->append(s);
  }
  void Raw(std::string_view s) { out_->append(s); }

 private:
  std::string* out_;
  std::unordered_map<std::string_view, uint64_t> table_;
};

// Reads what WireWriter wrote, from a view of untrusted bytes. Errors are sticky: the first
// failure records what was being read, and every later read returns zero or empty, so a
// decoder checks ok() once per record instead of after every field. Counts are checked
// against the bytes left (every element takes at least one byte), so no count read from the
// input can make a decoder allocate more than the input's size (the string table, too, grows
// by at most one entry per byte read).
//
// Thread-safety: not thread-safe. Views returned by String() point into the input, which must
// outlive them.
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}

  bool ok() const { return error_ == nullptr; }
  // What was being read when the first error happened ("" when none).
  std::string_view error() const { return error_ == nullptr ? std::string_view() : error_; }
  size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }

  // Records an error (the first one wins) and stops reading. Returns false.
  bool Fail(const char* what) {
    if (error_ == nullptr) error_ = what;
    pos_ = in_.size();
    return false;
  }

  uint8_t Byte(const char* what) {
    if (pos_ >= in_.size()) return Fail(what), 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  // A byte that must be at most `max` (an enum).
  uint8_t Enum(const char* what, uint8_t max) {
    uint8_t b = Byte(what);
    if (b > max) return Fail(what), 0;
    return b;
  }
  uint64_t Varint(const char* what) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail(what), 0;
      auto b = static_cast<uint8_t>(in_[pos_++]);
      // The tenth byte holds the 64th bit only.
      if (shift == 63 && b > 1) return Fail(what), 0;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail(what), 0;
  }
  // A varint that must be at most `max`.
  uint64_t Bounded(const char* what, uint64_t max) {
    uint64_t v = Varint(what);
    if (v > max) return Fail(what), 0;
    return v;
  }
  int64_t Signed(const char* what) {
    uint64_t z = Varint(what);
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  // A count of elements that take at least one byte each: at most `max` and at most the bytes
  // left.
  size_t Count(const char* what, uint64_t max) {
    uint64_t n = Varint(what);
    if (n > max || n > remaining()) return Fail(what), 0;
    return static_cast<size_t>(n);
  }
  std::string_view String(const char* what) {
    uint64_t v = Varint(what);
    if ((v & 1) != 0) {
      if (v / 2 >= table_.size()) return Fail(what), std::string_view();
      return table_[static_cast<size_t>(v / 2)];
    }
    uint64_t n = v / 2;
    if (n > remaining()) return Fail(what), std::string_view();
    std::string_view s = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    if (!s.empty()) table_.push_back(s);
    return s;
  }
  // `n` raw bytes.
  std::string_view Raw(const char* what, size_t n) {
    if (n > remaining()) return Fail(what), std::string_view();
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  std::vector<std::string_view> table_;  // Interned strings (see WireWriter).
};

}  // namespace gatescope::inventory::internal
