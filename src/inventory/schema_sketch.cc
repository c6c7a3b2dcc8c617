#include "inventory/schema_sketch.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "core/ascii.h"
#include "core/json_prefix.h"
#include "core/utf8.h"
#include "inventory/internal/wire.h"

namespace gatescope::inventory {
namespace {

using Json = nlohmann::ordered_json;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Type bits of a node.
constexpr uint8_t kNull = 1;
constexpr uint8_t kBool = 2;
constexpr uint8_t kInt = 4;
constexpr uint8_t kNumber = 8;
constexpr uint8_t kString = 16;
constexpr uint8_t kObject = 32;
constexpr uint8_t kArray = 64;

// Node flags.
constexpr uint8_t kMap = 1;            // An object whose keys are data: one value node.
constexpr uint8_t kDataKey = 2;        // This property's name looks like data (number, uuid...).
constexpr uint8_t kDepthCut = 4;       // Contents beyond max_depth were not described.
constexpr uint8_t kEnumDead = 8;       // Can no longer be an enum; values dropped for good.
constexpr uint8_t kItemsOmitted = 16;  // Array elements not described (max_nodes reached).
constexpr uint8_t kForm = 32;          // A form field: a repeated key made it an array.

// Format state: "unset" until a complete string is seen, then the format every value had, or
// kNone (0) once two differ.
constexpr uint8_t kFormatUnset = 0xFF;

// Objects with more children than this get a hash index; smaller ones are scanned (after the
// "same order as last time" hint, which finds most keys at once).
constexpr size_t kIndexThreshold = 16;

// ScanJsonPrefix skips containers nested 32 deep, so no node can sit deeper than 31.
constexpr size_t kScannerMaxDepth = 31;

constexpr std::string_view kFormatNames[] = {"",     "date-time", "date", "time", "email",
                                             "uuid", "ipv4",      "ipv6", "uri"};

// A deep-copying owning pointer: rare per-node data (enum candidates, sensitive info, index)
// costs 8 bytes when absent, and the sketch stays copyable.
template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(Boxed&&) noexcept = default;

  T* get() const { return p_.get(); }
  T& Ensure() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T> p_;
};

using EnumValues = std::vector<std::pair<std::string, uint64_t>>;

struct SensitiveInfo {
  uint32_t tags = 0;
  uint64_t count = 0;
  // The example is the redaction of the value with the smallest hash, so that it does not
  // depend on the order of bodies and merges.
  size_t example_hash = 0;
  bool has_example = false;
  std::string example;
};

size_t HeapBytes(const std::string& s) {
  // libstdc++ keeps up to 15 characters inline.
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

uint8_t MeetFormat(uint8_t a, uint8_t b) {
  if (a == kFormatUnset) return b;
  if (b == kFormatUnset) return a;
  return a == b ? a : 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsIntegerLiteral(std::string_view raw) {
  if (!raw.empty() && raw.front() == '-') raw.remove_prefix(1);
  if (raw.empty()) return false;
  return std::all_of(raw.begin(), raw.end(), IsDigit);
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if invalid. Surrogates are
// decoded (the caller decides), overlong forms and values above U+10FFFF are invalid.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (cc & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF) return 0;
  return len;
}

// Makes `s` valid UTF-8 for nlohmann (which refuses to serialise anything else). Invalid bytes
// become U+FFFD. A surrogate pair written as two 3-byte sequences (what ScanJsonPrefix makes of
// "\ud83d\ude00") is re-encoded as the 4-byte character it stands for.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    uint32_t low = 0;
    if (len == 3 && cp <= 0xDBFF && i + 6 <= s.size() && DecodeUtf8(s, i + 3, &low) == 3 &&
        low >= 0xDC00 && low <= 0xDFFF) {
      AppendUtf8(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), out);
      i += 6;
      continue;
    }
    out.append("\xEF\xBF\xBD");
    ++i;
  }
  return out;
}

// RFC 6901: "~" -> "~0", "/" -> "~1".
void AppendPointerToken(std::string_view token, std::string& out) {
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}


size_t EffectiveMaxDepth(const SchemaOptions& o) { return std::min(o.max_depth, kScannerMaxDepth); }

// What only object nodes need, boxed: most nodes are leaves, and this halves their size.
struct ObjectInfo {
  std::vector<uint32_t> children;  // Properties in first-seen order (none for maps).
  std::vector<uint32_t> slots;     // Open-addressing index: child position + 1, 0 = empty.
  uint64_t objects = 0;            // Times the node was an object.
  uint64_t objects_complete = 0;   // ...complete ones, the base of `required`.
  uint64_t omitted = 0;            // Key occurrences not described because of a bound.
};
const ObjectInfo kNoObject;

}  // namespace

struct SchemaSketch::Node {
  std::string key;  // Property name as sent; empty for root, items, map value.
  Boxed<ObjectInfo> obj;
  Boxed<EnumValues> enum_values;
  Boxed<SensitiveInfo> sensitive;
  uint64_t present = 0;           // Parent instances (or elements, map entries) holding it.
  uint64_t present_complete = 0;  // ...of which complete parent instances.
  // Id of the last container instance that held this property, so that a key repeated in one
  // object counts once.
  uint32_t stamp = 0;
  uint32_t items = kNone;      // Array element node.
  uint32_t map_value = kNone;  // Value node when kMap.
  uint32_t name_tags = 0;      // Sensitive tags implied by the property name.
  uint8_t types = 0;
  uint8_t format = kFormatUnset;
  uint8_t flags = 0;

  ObjectInfo& object() { return obj.Ensure(); }
  const ObjectInfo& object_view() const { return obj ? *obj.get() : kNoObject; }
  const std::vector<uint32_t>& children() const { return object_view().children; }
};

// The sketch's algorithms, as statics with access to the private state.
struct SchemaSketch::Impl {
  class JsonRecorder;

  static size_t Live(const SchemaSketch& s) { return s.nodes_.size() - s.free_.size(); }

  static uint32_t Alloc(SchemaSketch& s) {
    if (!s.free_.empty()) {
      uint32_t n = s.free_.back();
      s.free_.pop_back();
      return n;
    }
    // Grow by 8 nodes, or a quarter when larger, not double: the slack is paid per sketch,
    // times tens of thousands of sketches.
    if (s.nodes_.size() == s.nodes_.capacity()) {
      s.nodes_.reserve(s.nodes_.capacity() + std::max<size_t>(8, s.nodes_.capacity() / 4));
    }
    s.nodes_.emplace_back();
    return static_cast<uint32_t>(s.nodes_.size() - 1);
  }

  static void Release(SchemaSketch& s, uint32_t n) {
    std::vector<uint32_t> kids = s.nodes_[n].children();
    for (uint32_t c : kids) Release(s, c);
    if (uint32_t i = s.nodes_[n].items; i != kNone) Release(s, i);
    if (uint32_t m = s.nodes_[n].map_value; m != kNone) Release(s, m);
    s.nodes_[n] = Node{};
    s.free_.push_back(n);
  }

  static uint32_t Root(SchemaSketch& s) {
    if (s.nodes_.empty()) Alloc(s);
    return 0;
  }

  // Before a body with up to `containers` containers: stamps must not wrap inside a body.
  static void PrepareStamps(SchemaSketch& s, size_t containers) {
    constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
    if (containers < kMax - 2 && s.stamp_ < kMax - containers - 2) return;
    for (Node& n : s.nodes_) n.stamp = 0;
    s.stamp_ = 0;
  }

  static size_t HashKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

  static void RebuildIndex(SchemaSketch& s, uint32_t parent) {
    ObjectInfo& p = s.nodes_[parent].object();
    size_t size = 64;
    while (size < p.children.size() * 2) size *= 2;
    std::vector<uint32_t>& slots = p.slots;
    slots.assign(size, 0);
    for (size_t pos = 0; pos < p.children.size(); ++pos) {
      size_t h = HashKey(s.nodes_[p.children[pos]].key) & (size - 1);
      while (slots[h] != 0) h = (h + 1) & (size - 1);
      slots[h] = static_cast<uint32_t>(pos + 1);
    }
  }

  // After appending a child to `parent`.
  static void IndexNewChild(SchemaSketch& s, uint32_t parent) {
    ObjectInfo& p = s.nodes_[parent].object();
    if (p.children.size() <= kIndexThreshold) return;
    if (p.children.size() * 2 > p.slots.size()) {
      RebuildIndex(s, parent);
      return;
    }
    size_t mask = p.slots.size() - 1;
    size_t h = HashKey(s.nodes_[p.children.back()].key) & mask;
    while (p.slots[h] != 0) h = (h + 1) & mask;
    p.slots[h] = static_cast<uint32_t>(p.children.size());
  }

  // The child of `parent` named `key`, or kNone. `hint` is the position expected next: bodies
  // of one endpoint usually list their keys in the same order.
  static uint32_t FindChild(const SchemaSketch& s, uint32_t parent, std::string_view key,
                            uint32_t* hint) {
    const ObjectInfo& p = s.nodes_[parent].object_view();
    const std::vector<uint32_t>& ch = p.children;
    if (*hint < ch.size() && s.nodes_[ch[*hint]].key == key) return ch[(*hint)++];
    if (!p.slots.empty()) {
      size_t mask = p.slots.size() - 1;
      for (size_t h = HashKey(key) & mask; p.slots[h] != 0; h = (h + 1) & mask) {
        uint32_t pos = p.slots[h] - 1;
        if (s.nodes_[ch[pos]].key == key) {
          *hint = pos + 1;
          return ch[pos];
        }
      }
      return kNone;
    }
    for (uint32_t pos = 0; pos < ch.size(); ++pos) {
      if (s.nodes_[ch[pos]].key == key) {
        *hint = pos + 1;
        return ch[pos];
      }
    }
    return kNone;
  }

  static bool IsDataKey(std::string_view key, const SchemaOptions& o) {
    if (IsIntegerLiteral(key) && key.size() <= 20) return true;
    using classify::StringFormat;
    switch (o.classify(key).format) {
      case StringFormat::kUuid:
      case StringFormat::kDate:
      case StringFormat::kDateTime:
      case StringFormat::kEmail:
      case StringFormat::kIpv4:
      case StringFormat::kIpv6:
        return true;
      default:
        return false;
    }
  }

  // Whether object node `n` holds data keys rather than fields. `at_cap`: it is about to exceed
  // max_properties_per_object, itself strong evidence, so one more sign suffices.
  static bool LooksLikeMap(const SchemaSketch& s, uint32_t n, const SchemaOptions& o, bool at_cap) {
    const Node& node = s.nodes_[n];
    size_t keys = 0;
    bool data_like = true;
    uint64_t presence = 0;
    uint8_t shape = 0;
    bool homogeneous = true;
    const ObjectInfo& info = node.object_view();
    for (uint32_t c : info.children) {
      const Node& child = s.nodes_[c];
      if (child.present == 0) continue;
      ++keys;
      data_like = data_like && (child.flags & kDataKey) != 0;
      presence += child.present;
      uint8_t t = child.types & ~kNull;
      if (t & kInt) t = static_cast<uint8_t>((t & ~kInt) | kNumber);
      if (t != 0) {
        if (shape == 0) shape = t;
        homogeneous = homogeneous && t == shape;
      }
    }
    if (keys == 0) return false;
    if (data_like) return true;
    // Mean share of instances holding a key, below the threshold (in doubles: the product of
    // counts could overflow 64 bits, and a heuristic needs no exactness).
    bool sparse = info.objects > 0 && static_cast<double>(presence) * 100.0 <
                                          static_cast<double>(keys) *
                                              static_cast<double>(info.objects) *
                                              static_cast<double>(o.map_max_presence_percent);
    if (at_cap) return sparse || homogeneous;
    return keys > o.map_min_keys && sparse && homogeneous;
  }

  // Turns object node `n` into a map: its properties fold into one value node.
  static void ConvertToMap(SchemaSketch& s, uint32_t n, size_t depth, const SchemaOptions& o) {
    SchemaSketch folded;
    uint32_t root = Root(folded);
    std::vector<uint32_t> kids = std::move(s.nodes_[n].object().children);
    s.nodes_[n].object().children.clear();
    s.nodes_[n].object().slots.clear();
    s.nodes_[n].object().slots.shrink_to_fit();
    for (uint32_t c : kids) MergeNode(folded, root, s, c, depth + 1, o, false);
    for (uint32_t c : kids) Release(s, c);
    s.nodes_[n].flags |= kMap;
    uint32_t value = EnsureMapValue(s, n, o);
    if (value != kNone) MergeNode(s, value, folded, root, depth + 1, o, false);
  }

  // Adds property `key` to object node `parent` (at `depth`). Returns kNone when a bound stops
  // it; `parent` may then have become a map, which the caller checks.
  static uint32_t AddChild(SchemaSketch& s, uint32_t parent, std::string_view key, size_t depth,
                           const SchemaOptions& o) {
    if (s.nodes_[parent].children().size() >= o.max_properties_per_object) {
      if (LooksLikeMap(s, parent, o, true)) ConvertToMap(s, parent, depth, o);
      return kNone;
    }
    if (Live(s) >= o.max_nodes) return kNone;
    uint32_t c = Alloc(s);
    Node& child = s.nodes_[c];
    child.key.assign(key);
    child.name_tags = o.tag_name(key);
    if (child.name_tags != 0) child.flags |= kEnumDead;
    if (IsDataKey(key, o)) child.flags |= kDataKey;
    s.nodes_[parent].object().children.push_back(c);
    IndexNewChild(s, parent);
    return c;
  }

  // Items and map values inherit the name's tags: "emails": ["a@b.c"] is about emails.
  static uint32_t NewInheriting(SchemaSketch& s, uint32_t parent, const SchemaOptions& o) {
    if (Live(s) >= o.max_nodes) return kNone;
    uint32_t c = Alloc(s);
    s.nodes_[c].name_tags = s.nodes_[parent].name_tags;
    if (s.nodes_[c].name_tags != 0) s.nodes_[c].flags |= kEnumDead;
    return c;
  }

  static uint32_t EnsureItems(SchemaSketch& s, uint32_t n, const SchemaOptions& o) {
    if (s.nodes_[n].items != kNone) return s.nodes_[n].items;
    uint32_t c = NewInheriting(s, n, o);
    if (c == kNone) {
      s.nodes_[n].flags |= kItemsOmitted;
      return kNone;
    }
    s.nodes_[n].items = c;
    return c;
  }

  static uint32_t EnsureMapValue(SchemaSketch& s, uint32_t n, const SchemaOptions& o) {
    if (s.nodes_[n].map_value != kNone) return s.nodes_[n].map_value;
    uint32_t c = NewInheriting(s, n, o);
    if (c != kNone) s.nodes_[n].map_value = c;
    return c;
  }

  static void KillEnum(Node& node) {
    node.flags |= kEnumDead;
    node.enum_values.reset();
  }

  static void AddEnumValue(Node& node, std::string_view value, uint64_t count,
                           const SchemaOptions& o) {
    EnumValues& values = node.enum_values.Ensure();
    for (auto& [v, c] : values) {
      if (v == value) {
        c += count;
        return;
      }
    }
    if (values.size() >= o.enum_max_values) {
      KillEnum(node);
      return;
    }
    values.emplace_back(std::string(value), count);
  }

  static void TakeExample(SensitiveInfo& si, size_t hash, std::string example) {
    if (!si.has_example || hash < si.example_hash ||
        (hash == si.example_hash && example < si.example)) {
      si.has_example = true;
      si.example_hash = hash;
      si.example = std::move(example);
    }
  }

  static void NoteSensitive(Node& node, std::string_view value, uint32_t tags,
                            const SchemaOptions& o) {
    SensitiveInfo& si = node.sensitive.Ensure();
    si.tags |= tags;
    ++si.count;
    size_t h = HashKey(value);
    // Redact only when the example would change (rarely, after the first few values).
    if (!si.has_example || h <= si.example_hash) TakeExample(si, h, o.redact(value, tags));
  }

  static void RecordString(SchemaSketch& s, uint32_t n, std::string_view value, bool complete,
                           const SchemaOptions& o) {
    Node& node = s.nodes_[n];
    node.types |= kString;
    uint32_t tags = node.name_tags;
    // A cut value's format and tags are unreliable ("2024-05-" is no date): it adds its type.
    if (complete) {
      classify::ValueClass vc = o.classify(value);
      uint8_t format = static_cast<uint8_t>(vc.format);
      node.format = MeetFormat(node.format, format);
      tags |= vc.tags;
      if ((node.flags & kEnumDead) == 0) {
        if (format != 0 || tags != 0 || value.size() > o.enum_max_length) {
          KillEnum(node);
        } else {
          AddEnumValue(node, value, 1, o);
        }
      }
    }
    if (tags != 0) NoteSensitive(node, value, tags, o);
  }

  static void RecordScalar(SchemaSketch& s, uint32_t n, std::string_view raw,
                           const SchemaOptions& o) {
    Node& node = s.nodes_[n];
    if (raw == "null") {
      node.types |= kNull;
      return;
    }
    if (raw == "true" || raw == "false") {
      node.types |= kBool;
      return;
    }
    if (!IsIntegerLiteral(raw)) {
      node.types |= kNumber;
      return;
    }
    node.types |= kInt;
    // Card numbers and account ids are sometimes sent as numbers. The name's tags apply too,
    // except "credential": numbers under such names are durations and counts
    // ("token_expires_in"), not secrets.
    uint32_t tags = node.name_tags & ~static_cast<uint32_t>(classify::kTagCredential);
    std::string_view digits = raw.front() == '-' ? raw.substr(1) : raw;
    if (digits.size() >= 12) tags |= o.classify(digits).tags;
    if (tags != 0) NoteSensitive(node, raw, tags, o);
  }

  // Adds what node `si` of `src` learnt into node `d` of `dst` (at `depth`). `shallow`: the
  // node's own statistics only, not its properties, items or map value. REQUIRES: &dst != &src.
  static void MergeNode(SchemaSketch& dst, uint32_t d, const SchemaSketch& src, uint32_t si,
                        size_t depth, const SchemaOptions& o, bool shallow) {
    const Node& sn = src.nodes_[si];
    {
      Node& dn = dst.nodes_[d];
      dn.types |= sn.types;
      dn.present += sn.present;
      dn.present_complete += sn.present_complete;
      if (const ObjectInfo* so = sn.obj.get(); so != nullptr) {
        ObjectInfo& dobj = dn.object();
        dobj.objects += so->objects;
        dobj.objects_complete += so->objects_complete;
        dobj.omitted += so->omitted;
      }
      dn.name_tags |= sn.name_tags;
      dn.format = MeetFormat(dn.format, sn.format);
      dn.flags |= sn.flags & (kDataKey | kDepthCut | kItemsOmitted | kForm);
      if ((sn.flags & kEnumDead) != 0 || dn.name_tags != 0) {
        KillEnum(dn);
      } else if (const EnumValues* values = sn.enum_values.get();
                 values != nullptr && (dn.flags & kEnumDead) == 0) {
        for (const auto& [v, c] : *values) {
          AddEnumValue(dn, v, c, o);
          if ((dn.flags & kEnumDead) != 0) break;
        }
      }
      if (const SensitiveInfo* ssi = sn.sensitive.get(); ssi != nullptr) {
        SensitiveInfo& dsi = dn.sensitive.Ensure();
        dsi.tags |= ssi->tags;
        dsi.count += ssi->count;
        if (ssi->has_example) TakeExample(dsi, ssi->example_hash, ssi->example);
      }
    }
    if (shallow) return;

    bool has_members = !sn.children().empty() || sn.map_value != kNone;
    if (has_members || sn.items != kNone) {
      if (depth >= EffectiveMaxDepth(o)) {
        dst.nodes_[d].flags |= kDepthCut;
        return;
      }
    }
    if ((sn.flags & kMap) != 0 && (dst.nodes_[d].flags & kMap) == 0) {
      ConvertToMap(dst, d, depth, o);
    }
    // Into a map, every source member folds into the value node.
    auto fold = [&](uint32_t member) {
      uint32_t value = EnsureMapValue(dst, d, o);
      if (value == kNone) {
        dst.nodes_[d].object().omitted += src.nodes_[member].present;
        return;
      }
      MergeNode(dst, value, src, member, depth + 1, o, false);
    };
    if (sn.map_value != kNone) fold(sn.map_value);
    bool refused = false;  // As in JsonRecorder::WantKey: one refusal per merge.
    uint32_t hint = 0;
    for (uint32_t c : sn.children()) {
      if ((dst.nodes_[d].flags & kMap) != 0) {
        fold(c);
        continue;
      }
      const std::string& key = src.nodes_[c].key;
      uint32_t dc = FindChild(dst, d, key, &hint);
      if (dc == kNone && !refused) {
        dc = AddChild(dst, d, key, depth, o);
        refused = dc == kNone;
      }
      if ((dst.nodes_[d].flags & kMap) != 0) {
        fold(c);
        continue;
      }
      if (dc == kNone) {
        dst.nodes_[d].object().omitted += src.nodes_[c].present;
        continue;
      }
      MergeNode(dst, dc, src, c, depth + 1, o, false);
    }
    if (sn.items != kNone) {
      uint32_t items = EnsureItems(dst, d, o);
      if (items != kNone) MergeNode(dst, items, src, sn.items, depth + 1, o, false);
    }
  }

  // --- Codec (inventory_codec.h). ---

  static constexpr size_t kMaxDecodeDepth = 64;
  static constexpr size_t kMaxDecodeNodes = size_t{1} << 16;
  static constexpr size_t kMaxDecodeEnumValues = 256;

  // Which optional parts of a node follow it.
  static constexpr uint8_t kHasObject = 1;
  static constexpr uint8_t kHasEnum = 2;
  static constexpr uint8_t kHasSensitive = 4;
  static constexpr uint8_t kHasItems = 8;
  static constexpr uint8_t kHasMapValue = 16;

  static void EncodeNode(const SchemaSketch& s, uint32_t n, internal::WireWriter& out) {
    const Node& node = s.nodes_[n];
    const ObjectInfo* obj = node.obj.get();
    const EnumValues* values = node.enum_values.get();
    const SensitiveInfo* si = node.sensitive.get();
    uint8_t parts = static_cast<uint8_t>(
        (obj != nullptr ? kHasObject : 0) | (values != nullptr ? kHasEnum : 0) |
        (si != nullptr ? kHasSensitive : 0) | (node.items != kNone ? kHasItems : 0) |
        (node.map_value != kNone ? kHasMapValue : 0));
    out.String(node.key);
    out.Varint(node.present);
    out.Varint(node.present_complete);
    out.Varint(node.name_tags);
    out.Byte(node.types);
    out.Byte(node.format);
    out.Byte(node.flags);
    out.Byte(parts);
    if (obj != nullptr) {
      out.Varint(obj->objects);
      out.Varint(obj->objects_complete);
      out.Varint(obj->omitted);
      out.Varint(obj->children.size());
      for (uint32_t c : obj->children) EncodeNode(s, c, out);
    }
    if (values != nullptr) {
      out.Varint(values->size());
      for (const auto& [value, count] : *values) {
        out.String(value);
        out.Varint(count);
      }
    }
    if (si != nullptr) {
      out.Varint(si->tags);
      out.Varint(si->count);
      out.Byte(si->has_example ? 1 : 0);
      out.Varint(si->example_hash);
      out.String(si->example);
    }
    if (node.items != kNone) EncodeNode(s, node.items, out);
    if (node.map_value != kNone) EncodeNode(s, node.map_value, out);
  }

  // Appends the node the input holds (and its descendants) to `s`; kNone on error.
  static uint32_t DecodeNode(SchemaSketch& s, internal::WireReader& in, size_t depth) {
    if (depth > kMaxDecodeDepth) return in.Fail("schema nesting"), kNone;
    if (Live(s) >= kMaxDecodeNodes) return in.Fail("schema node count"), kNone;
    uint32_t n = Alloc(s);
    uint8_t parts = 0;
    {
      Node& node = s.nodes_[n];  // Not held across the recursive calls below (they grow nodes_).
      node.key.assign(in.String("schema key"));
      node.present = in.Varint("schema presence");
      node.present_complete = in.Varint("schema presence");
      node.name_tags = static_cast<uint32_t>(
          in.Bounded("schema tags", std::numeric_limits<uint32_t>::max()));
      node.types = in.Enum("schema types", kNull | kBool | kInt | kNumber | kString | kObject | kArray);
      node.format = in.Byte("schema format");
      if (node.format != kFormatUnset && node.format >= std::size(kFormatNames)) {
        return in.Fail("schema format"), kNone;
      }
      node.flags = in.Enum("schema flags", kMap | kDataKey | kDepthCut | kEnumDead | kItemsOmitted | kForm);
      parts = in.Enum("schema parts", kHasObject | kHasEnum | kHasSensitive | kHasItems | kHasMapValue);
      if ((parts & kHasObject) != 0) {
        ObjectInfo& obj = node.object();
        obj.objects = in.Varint("schema objects");
        obj.objects_complete = in.Varint("schema objects");
        obj.omitted = in.Varint("schema omitted");
      }
    }
    if (!in.ok()) return kNone;
    if ((parts & kHasObject) != 0) {
      size_t children = in.Count("schema properties", kMaxDecodeNodes);
      for (size_t k = 0; k < children && in.ok(); ++k) {
        uint32_t c = DecodeNode(s, in, depth + 1);
        if (c == kNone) return kNone;
        s.nodes_[n].object().children.push_back(c);
      }
      if (s.nodes_[n].children().size() > kIndexThreshold) RebuildIndex(s, n);
    }
    if ((parts & kHasEnum) != 0) {
      size_t count = in.Count("schema enum", kMaxDecodeEnumValues);
      EnumValues& values = s.nodes_[n].enum_values.Ensure();
      for (size_t k = 0; k < count && in.ok(); ++k) {
        std::string_view value = in.String("schema enum value");
        uint64_t samples = in.Varint("schema enum count");
        values.emplace_back(std::string(value), samples);
      }
    }
    if ((parts & kHasSensitive) != 0) {
      SensitiveInfo& si = s.nodes_[n].sensitive.Ensure();
      si.tags = static_cast<uint32_t>(
          in.Bounded("schema sensitive tags", std::numeric_limits<uint32_t>::max()));
      si.count = in.Varint("schema sensitive count");
      si.has_example = in.Enum("schema sensitive example", 1) != 0;
      si.example_hash = static_cast<size_t>(in.Varint("schema sensitive example"));
      si.example.assign(in.String("schema sensitive example"));
    }
    if (!in.ok()) return kNone;
    if ((parts & kHasItems) != 0) {
      uint32_t c = DecodeNode(s, in, depth + 1);
      if (c == kNone) return kNone;
      s.nodes_[n].items = c;
    }
    if ((parts & kHasMapValue) != 0) {
      uint32_t c = DecodeNode(s, in, depth + 1);
      if (c == kNone) return kNone;
      s.nodes_[n].map_value = c;
    }
    return in.ok() ? n : kNone;
  }

  // --- Rendering. ---

  static Json SensitiveLabels(uint32_t tags, const SchemaOptions& o) {
    Json labels = Json::array();
    for (uint32_t bit = 0; bit < 32; ++bit) {
      uint32_t tag = 1u << bit;
      if ((tags & tag) == 0) continue;
      std::string_view label = o.tag_label(static_cast<classify::SensitiveTag>(tag));
      labels.push_back(label.empty() ? "tag_" + std::to_string(bit) : SanitizeUtf8(label));
    }
    return labels;
  }

  static bool EnumQualifies(const Node& node, const SchemaOptions& o) {
    const EnumValues* values = node.enum_values.get();
    if ((node.flags & kEnumDead) != 0 || values == nullptr || values->empty() || node.sensitive) {
      return false;
    }
    uint64_t samples = 0;
    for (const auto& entry : *values) samples += entry.second;
    return samples >= o.enum_min_samples &&
           samples >= static_cast<uint64_t>(o.enum_min_samples_per_value) * values->size();
  }

  // Sorted, valid UTF-8, without duplicates.
  static Json EnumJson(const Node& node, bool with_null) {
    std::vector<std::string> values;
    for (const auto& entry : *node.enum_values.get()) values.push_back(entry.first);
    std::sort(values.begin(), values.end());
    Json out = Json::array();
    std::string last;
    for (size_t i = 0; i < values.size(); ++i) {
      std::string v = SanitizeUtf8(values[i]);
      if (i > 0 && v == last) continue;
      out.push_back(v);
      last = std::move(v);
    }
    if (with_null) out.push_back(nullptr);
    return out;
  }

  // format and enum of a node's string values, added to `schema`.
  static void AddStringKeywords(const Node& node, bool enum_allowed, bool nullable,
                                const SchemaOptions& o, Json& schema) {
    if (node.format != kFormatUnset && node.format != 0 && node.format < std::size(kFormatNames)) {
      schema["format"] = kFormatNames[node.format];
    }
    if (enum_allowed && EnumQualifies(node, o)) schema["enum"] = EnumJson(node, nullable);
  }

  static std::vector<uint32_t> RenderOrder(const SchemaSketch& s, const Node& node,
                                           const SchemaOptions& o) {
    std::vector<uint32_t> order;
    for (uint32_t c : node.children()) {
      if (s.nodes_[c].present > 0) order.push_back(c);
    }
    if (o.sort_properties) {
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return s.nodes_[a].key < s.nodes_[b].key; });
    }
    return order;
  }

  static Json ObjectSchema(const SchemaSketch& s, uint32_t n, size_t depth,
                           const SchemaOptions& o) {
    const Node& node = s.nodes_[n];
    Json schema = Json::object();
    schema["type"] = "object";
    if ((node.flags & kMap) != 0) {
      schema["additionalProperties"] =
          node.map_value != kNone ? Render(s, node.map_value, depth + 1, o) : Json::object();
    } else if (LooksLikeMap(s, n, o, false)) {
      SchemaSketch folded;
      uint32_t root = Root(folded);
      for (uint32_t c : node.children()) MergeNode(folded, root, s, c, depth + 1, o, false);
      schema["additionalProperties"] = Render(folded, root, depth + 1, o);
    } else {
      Json properties = Json::object();
      Json required = Json::array();
      uint64_t collided = 0;
      for (uint32_t c : RenderOrder(s, node, o)) {
        const Node& child = s.nodes_[c];
        std::string name = SanitizeUtf8(child.key);
        if (properties.contains(name)) {
          collided += child.present;
          continue;
        }
        properties[name] = Render(s, c, depth + 1, o);
        uint64_t base = node.object_view().objects_complete;
        if (base > 0 && child.present_complete >= base) {
          required.push_back(std::move(name));
        }
      }
      if (!properties.empty()) schema["properties"] = std::move(properties);
      if (!required.empty()) schema["required"] = std::move(required);
      uint64_t omitted = node.object_view().omitted + collided;
      if (omitted > 0) schema["x-gatescope-omitted-properties"] = omitted;
    }
    return schema;
  }

  static Json ArraySchema(const SchemaSketch& s, uint32_t n, size_t depth, const SchemaOptions& o) {
    const Node& node = s.nodes_[n];
    Json schema = Json::object();
    schema["type"] = "array";
    if (node.items != kNone && s.nodes_[node.items].types != 0) {
      schema["items"] = Render(s, node.items, depth + 1, o);
    }
    if ((node.flags & kItemsOmitted) != 0) {
      schema["x-gatescope-note"] = "some elements not described: schema node limit reached";
    }
    return schema;
  }

  // A form field sent both once ("b=x") and repeated ("b=x&b=y"): one array of strings, as
  // OpenAPI's form style with explode reads both.
  static Json FormArraySchema(const SchemaSketch& s, uint32_t n, size_t depth,
                              const SchemaOptions& o) {
    const Node& node = s.nodes_[n];
    SchemaSketch folded;
    uint32_t root = Root(folded);
    uint8_t item_types = kString;
    if (node.items != kNone) {
      MergeNode(folded, root, s, node.items, depth + 1, o, false);
      item_types |= s.nodes_[node.items].types;
    }
    MergeNode(folded, root, s, n, depth + 1, o, true);
    folded.nodes_[root].types = item_types;
    Json schema = Json::object();
    schema["type"] = "array";
    schema["items"] = Render(folded, root, depth + 1, o);
    return schema;
  }

  static const char* PrimitiveName(uint8_t type) {
    switch (type) {
      case kString:
        return "string";
      case kInt:
        return "integer";
      case kNumber:
        return "number";
      case kBool:
        return "boolean";
      case kObject:
        return "object";
      case kArray:
        return "array";
      default:
        return "null";
    }
  }

  static Json Render(const SchemaSketch& s, uint32_t n, size_t depth, const SchemaOptions& o) {
    const Node& node = s.nodes_[n];
    Json schema = Json::object();
    uint8_t types = node.types;
    if ((types & kInt) && (types & kNumber)) types = static_cast<uint8_t>(types & ~kInt);
    bool form_array = (node.flags & kForm) != 0 && (types & kArray) && (types & kString);
    if (form_array) types = static_cast<uint8_t>(types & ~kString);
    bool nullable = (types & kNull) != 0;

    std::vector<uint8_t> primitives;
    for (uint8_t t : {kString, kInt, kNumber, kBool}) {
      if (types & t) primitives.push_back(t);
    }
    bool object = (types & kObject) != 0;
    bool array = (types & kArray) != 0;

    if (!object && !array) {
      if (primitives.empty() && !nullable) return schema;  // Nothing seen: unconstrained.
      if (primitives.size() + nullable == 1) {
        schema["type"] = nullable ? "null" : PrimitiveName(primitives[0]);
      } else {
        Json list = Json::array();
        for (uint8_t t : primitives) list.push_back(PrimitiveName(t));
        if (nullable) list.push_back("null");
        schema["type"] = std::move(list);
      }
      if (types & kString) AddStringKeywords(node, primitives.size() == 1, nullable, o, schema);
    } else if (primitives.empty() && !(object && array)) {
      schema = object
                   ? ObjectSchema(s, n, depth, o)
                   : (form_array ? FormArraySchema(s, n, depth, o) : ArraySchema(s, n, depth, o));
      if (nullable) schema["type"] = Json::array({object ? "object" : "array", "null"});
    } else {
      size_t variants = object + array + primitives.size() + nullable;
      if (variants > o.max_one_of) {
        std::string seen;
        for (uint8_t t : {kObject, kArray, kString, kInt, kNumber, kBool, kNull}) {
          if ((types & t) == 0) continue;
          if (!seen.empty()) seen += ", ";
          seen += PrimitiveName(t);
        }
        schema["x-gatescope-note"] = "seen as " + seen + ": too many shapes to describe";
        return schema;
      }
      Json one_of = Json::array();
      if (object) one_of.push_back(ObjectSchema(s, n, depth, o));
      if (array) {
        one_of.push_back(form_array ? FormArraySchema(s, n, depth, o)
                                    : ArraySchema(s, n, depth, o));
      }
      for (uint8_t t : primitives) {
        Json variant = Json::object();
        variant["type"] = PrimitiveName(t);
        if (t == kString) AddStringKeywords(node, true, false, o, variant);
        one_of.push_back(std::move(variant));
      }
      if (nullable) one_of.push_back(Json::object({{"type", "null"}}));
      schema["oneOf"] = std::move(one_of);
    }
    if (!form_array && node.sensitive) {
      schema["x-gatescope-sensitive"] = SensitiveLabels(node.sensitive.get()->tags, o);
    }
    if ((node.flags & kDepthCut) != 0) {
      schema["x-gatescope-note"] =
          "nested deeper than " + std::to_string(EffectiveMaxDepth(o)) + " levels: not described";
    }
    return schema;
  }

  // --- Sensitive fields. ---

  struct Collected {
    SchemaSketch::SensitiveField field;
    size_t example_hash = 0;
    bool has_example = false;
  };

  static void CollectSensitive(const SchemaSketch& s, uint32_t n, size_t depth,
                               std::string& pointer, const SchemaOptions& o,
                               std::vector<Collected>& out) {
    const Node& node = s.nodes_[n];
    if (const SensitiveInfo* si = node.sensitive.get(); si != nullptr) {
      Collected c;
      c.field.pointer = SanitizeUtf8(pointer);
      c.field.tags = si->tags;
      c.field.count = si->count;
      c.field.example = SanitizeUtf8(si->example);
      c.example_hash = si->example_hash;
      c.has_example = si->has_example;
      out.push_back(std::move(c));
    }
    size_t mark = pointer.size();
    if (node.items != kNone) {
      pointer += "/*";
      CollectSensitive(s, node.items, depth + 1, pointer, o, out);
      pointer.resize(mark);
    }
    if (node.map_value != kNone) {
      pointer += "/*";
      CollectSensitive(s, node.map_value, depth + 1, pointer, o, out);
      pointer.resize(mark);
    }
    // A map's keys are data (user ids, emails...): never put them in a pointer.
    bool map = !node.children().empty() && LooksLikeMap(s, n, o, false);
    for (uint32_t c : RenderOrder(s, node, o)) {
      if (map) {
        pointer += "/*";
      } else {
        AppendPointerToken(s.nodes_[c].key, pointer);
      }
      CollectSensitive(s, c, depth + 1, pointer, o, out);
      pointer.resize(mark);
    }
  }
};

// Feeds ScanJsonPrefix's callbacks into the sketch. One per body.
class SchemaSketch::Impl::JsonRecorder final : public JsonPrefixVisitor {
 public:
  JsonRecorder(SchemaSketch& s, const SchemaOptions& o, bool counts_required)
      : s_(s), o_(o), max_depth_(EffectiveMaxDepth(o)), counts_required_(counts_required) {}

  bool visited() const { return visited_; }

  void OnString(std::span<const std::string_view> /*path*/, std::string_view value,
                bool complete) override {
    uint32_t n = ValueNode();
    if (n != kNone) RecordString(s_, n, value, complete, o_);
  }

  void OnScalar(std::span<const std::string_view> /*path*/, std::string_view raw) override {
    uint32_t n = ValueNode();
    if (n != kNone) RecordScalar(s_, n, raw, o_);
  }

  void OnContainerStart(std::span<const std::string_view> path, bool is_array) override {
    uint32_t n = ValueNode();
    Frame f;
    f.node = n;
    f.depth = path.size();
    f.is_array = is_array;
    f.seen_begin = seen_.size();
    if (n != kNone) {
      Node& node = s_.nodes_[n];
      node.types |= is_array ? kArray : kObject;
      if (!is_array) ++node.object().objects;
      f.stamp = ++s_.stamp_;
    }
    frames_.push_back(f);
  }

  void OnContainerEnd(std::span<const std::string_view> /*path*/, bool complete) override {
    if (frames_.empty()) return;
    Frame f = frames_.back();
    frames_.pop_back();
    if (f.node != kNone && !f.is_array && complete && counts_required_) {
      Node& node = s_.nodes_[f.node];
      if ((node.flags & kMap) == 0) {
        ++node.object().objects_complete;
        for (size_t i = f.seen_begin; i < seen_.size(); ++i) ++s_.nodes_[seen_[i]].present_complete;
      }
    }
    seen_.resize(f.seen_begin);
  }

  bool WantKey(std::span<const std::string_view> /*path*/, std::string_view key) override {
    if (frames_.empty()) return false;
    Frame& f = frames_.back();
    if (f.node == kNone) return false;
    if (f.depth >= max_depth_) {
      s_.nodes_[f.node].flags |= kDepthCut;
      return false;
    }
    uint32_t c = kNone;
    if ((s_.nodes_[f.node].flags & kMap) == 0) {
      c = FindChild(s_, f.node, key, &f.hint);
      // Once a bound refused a key, the rest of this instance's new keys are refused without
      // asking again (each ask scans the object: 10,000 keys must not cost 10,000 scans).
      if (c == kNone && !f.refused) {
        c = AddChild(s_, f.node, key, f.depth, o_);
        f.refused = c == kNone;
      }
      if ((s_.nodes_[f.node].flags & kMap) != 0) {
        // Just turned into a map: the properties this instance saw are gone.
        seen_.resize(f.seen_begin);
        f.hint = 0;
      }
    }
    if ((s_.nodes_[f.node].flags & kMap) != 0) c = EnsureMapValue(s_, f.node, o_);
    if (c == kNone) {
      ++s_.nodes_[f.node].object().omitted;
      return false;
    }
    f.pending = c;
    return true;
  }

 private:
  struct Frame {
    uint32_t node = kNone;     // kNone: not described (beyond a bound).
    uint32_t pending = kNone;  // Object: the key being read. Array: the items node.
    uint32_t hint = 0;
    uint32_t stamp = 0;
    size_t depth = 0;
    size_t seen_begin = 0;  // This instance's properties start here in seen_.
    bool is_array = false;
    bool refused = false;  // A bound refused a new key of this instance.
  };

  // The node the value now reported belongs to, with its presence counted; kNone if the value
  // is not described.
  uint32_t ValueNode() {
    if (frames_.empty()) {
      visited_ = true;
      uint32_t root = Root(s_);
      ++s_.nodes_[root].present;
      return root;
    }
    Frame& f = frames_.back();
    if (f.node == kNone) return kNone;
    if (f.is_array) {
      if (f.depth >= max_depth_) {
        s_.nodes_[f.node].flags |= kDepthCut;
        return kNone;
      }
      if (f.pending == kNone) f.pending = EnsureItems(s_, f.node, o_);
      if (f.pending == kNone) return kNone;
      ++s_.nodes_[f.pending].present;
      return f.pending;
    }
    uint32_t c = f.pending;
    f.pending = kNone;
    if (c == kNone) return kNone;
    Node& child = s_.nodes_[c];
    if ((s_.nodes_[f.node].flags & kMap) != 0) {
      ++child.present;  // Every map entry counts.
    } else if (child.stamp != f.stamp) {
      child.stamp = f.stamp;
      ++child.present;
      seen_.push_back(c);
    }
    return c;
  }

  SchemaSketch& s_;
  const SchemaOptions& o_;
  size_t max_depth_;
  bool counts_required_;
  bool visited_ = false;
  std::vector<Frame> frames_;
  std::vector<uint32_t> seen_;  // Properties seen by the open object instances, stacked.
};

SchemaSketch::SchemaSketch() = default;
SchemaSketch::~SchemaSketch() = default;
SchemaSketch::SchemaSketch(const SchemaSketch&) = default;
SchemaSketch& SchemaSketch::operator=(const SchemaSketch&) = default;
SchemaSketch::SchemaSketch(SchemaSketch&&) noexcept = default;
SchemaSketch& SchemaSketch::operator=(SchemaSketch&&) noexcept = default;

size_t SchemaSketch::node_count() const { return nodes_.size() - free_.size(); }

void SchemaSketch::AddJson(std::string_view body, bool truncated, const SchemaOptions& options) {
  ++bodies_;
  Impl::PrepareStamps(*this, body.size());
  Impl::JsonRecorder recorder(*this, options, !truncated || options.required_from_cut_bodies);
  bool whole = ScanJsonPrefix(body, recorder);
  if (!recorder.visited() && !truncated) {
    // ScanJsonPrefix never reports a scalar that ends the text (it might be cut): a whole
    // body "42" or "true" is read again followed by a space.
    std::string_view t = TrimAsciiSpace(body);
    if (!t.empty() && (IsDigit(t[0]) || t[0] == '-' || t[0] == 't' || t[0] == 'f' || t[0] == 'n')) {
      std::string padded(t);
      padded.push_back(' ');
      whole = ScanJsonPrefix(padded, recorder);
    }
  }
  if (!recorder.visited()) {
    ++unparsed_;
    return;
  }
  if (whole && !truncated) ++complete_bodies_;
}

void SchemaSketch::AddForm(std::string_view body, bool truncated, const SchemaOptions& options) {
  ++bodies_;
  if (truncated) {
    // The last pair may be cut ("email=jo"): drop it.
    size_t amp = body.rfind('&');
    body = amp == std::string_view::npos ? std::string_view() : body.substr(0, amp);
  } else {
    ++complete_bodies_;
  }
  Impl::PrepareStamps(*this, 1);
  uint32_t root = Impl::Root(*this);
  {
    Node& r = nodes_[root];
    r.types |= kObject;
    ++r.object().objects;
    ++r.present;
  }
  // Decode, then group repeated keys (first-seen order).
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t pos = 0; pos <= body.size();) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      pairs.emplace_back(FormDecode(pair), std::string());
    } else {
      pairs.emplace_back(FormDecode(pair.substr(0, eq)), FormDecode(pair.substr(eq + 1)));
    }
  }
  std::vector<std::pair<std::string_view, std::vector<std::string_view>>> fields;
  std::unordered_map<std::string_view, size_t> field_index;
  for (const auto& [key, value] : pairs) {
    auto [it, inserted] = field_index.emplace(key, fields.size());
    if (inserted) fields.emplace_back(key, std::vector<std::string_view>());
    fields[it->second].second.push_back(value);
  }

  size_t max_depth = EffectiveMaxDepth(options);
  std::vector<uint32_t> seen;
  uint32_t hint = 0;
  bool refused = false;  // As in JsonRecorder::WantKey: one refusal per body.
  for (const auto& [key, values] : fields) {
    if (max_depth == 0) {
      nodes_[root].flags |= kDepthCut;
      break;
    }
    uint32_t c = kNone;
    if ((nodes_[root].flags & kMap) == 0) {
      c = Impl::FindChild(*this, root, key, &hint);
      if (c == kNone && !refused) {
        c = Impl::AddChild(*this, root, key, 0, options);
        refused = c == kNone;
      }
      if ((nodes_[root].flags & kMap) != 0) seen.clear();
    }
    bool map = (nodes_[root].flags & kMap) != 0;
    if (map) c = Impl::EnsureMapValue(*this, root, options);
    if (c == kNone) {
      ++nodes_[root].object().omitted;
      continue;
    }
    ++nodes_[c].present;
    if (!map) seen.push_back(c);
    nodes_[c].flags |= kForm;
    if (values.size() == 1) {
      Impl::RecordString(*this, c, values[0], true, options);
      continue;
    }
    nodes_[c].types |= kArray;
    if (max_depth < 2) {
      nodes_[c].flags |= kDepthCut;
      continue;
    }
    uint32_t items = Impl::EnsureItems(*this, c, options);
    if (items == kNone) continue;
    nodes_[items].present += values.size();
    for (std::string_view v : values) Impl::RecordString(*this, items, v, true, options);
  }
  if ((!truncated || options.required_from_cut_bodies) && (nodes_[root].flags & kMap) == 0) {
    ++nodes_[root].object().objects_complete;
    for (uint32_t c : seen) ++nodes_[c].present_complete;
  }
}

void SchemaSketch::Merge(const SchemaSketch& other, const SchemaOptions& options) {
  if (&other == this) {
    SchemaSketch copy(other);
    Merge(copy, options);
    return;
  }
  bodies_ += other.bodies_;
  complete_bodies_ += other.complete_bodies_;
  unparsed_ += other.unparsed_;
  if (other.nodes_.empty()) return;
  uint32_t root = Impl::Root(*this);
  Impl::MergeNode(*this, root, other, 0, 0, options, false);
}

nlohmann::ordered_json SchemaSketch::ToJsonSchema(const SchemaOptions& options) const {
  if (nodes_.empty()) return Json::object();
  return Impl::Render(*this, 0, 0, options);
}

std::vector<SchemaSketch::SensitiveField> SchemaSketch::SensitiveFields(
    const SchemaOptions& options) const {
  std::vector<SensitiveField> fields;
  if (nodes_.empty()) return fields;
  std::vector<Impl::Collected> collected;
  std::string pointer;
  Impl::CollectSensitive(*this, 0, 0, pointer, options, collected);
  // Map values share one pointer ("/users/*/email"): combine them.
  std::unordered_map<std::string, size_t> index;
  std::vector<Impl::Collected> merged;
  for (Impl::Collected& c : collected) {
    auto [it, inserted] = index.emplace(c.field.pointer, merged.size());
    if (inserted) {
      merged.push_back(std::move(c));
      continue;
    }
    Impl::Collected& m = merged[it->second];
    m.field.tags |= c.field.tags;
    m.field.count += c.field.count;
    if (c.has_example &&
        (!m.has_example || c.example_hash < m.example_hash ||
         (c.example_hash == m.example_hash && c.field.example < m.field.example))) {
      m.has_example = true;
      m.example_hash = c.example_hash;
      m.field.example = std::move(c.field.example);
    }
  }
  for (Impl::Collected& m : merged) fields.push_back(std::move(m.field));
  return fields;
}

void SchemaSketch::Encode(internal::WireWriter& out) const {
  out.Varint(bodies_);
  out.Varint(complete_bodies_);
  out.Varint(unparsed_);
  out.Byte(nodes_.empty() ? 0 : 1);
  if (!nodes_.empty()) Impl::EncodeNode(*this, 0, out);
}

bool SchemaSketch::Decode(internal::WireReader& in) {
  SchemaSketch decoded;
  decoded.bodies_ = in.Varint("schema bodies");
  decoded.complete_bodies_ = in.Varint("schema bodies");
  decoded.unparsed_ = in.Varint("schema bodies");
  bool has_root = in.Enum("schema root", 1) != 0;
  if (!in.ok()) return false;
  if (has_root && Impl::DecodeNode(decoded, in, 0) == kNone) return false;
  // Container-instance stamps are per body: all zero is a valid start.
  *this = std::move(decoded);
  return true;
}

size_t SchemaSketch::ApproximateBytes() const {
  size_t bytes =
      sizeof(*this) + nodes_.capacity() * sizeof(Node) + free_.capacity() * sizeof(uint32_t);
  for (const Node& n : nodes_) {
    bytes += HeapBytes(n.key);
    if (const ObjectInfo* info = n.obj.get(); info != nullptr) {
      bytes +=
          sizeof(*info) + (info->children.capacity() + info->slots.capacity()) * sizeof(uint32_t);
    }
    if (const EnumValues* values = n.enum_values.get(); values != nullptr) {
      bytes += sizeof(*values) + values->capacity() * sizeof(EnumValues::value_type);
      for (const auto& entry : *values) bytes += HeapBytes(entry.first);
    }
    if (const SensitiveInfo* si = n.sensitive.get(); si != nullptr) {
      bytes += sizeof(*si) + HeapBytes(si->example);
    }
  }
  return bytes;
}

}  // namespace gatescope::inventory
