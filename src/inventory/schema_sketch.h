#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "classify/value_classifier.h"

namespace gatescope::inventory {

namespace internal {
class WireReader;
class WireWriter;
}  // namespace internal

// Seams to the value classifier, so that tests can inject small fakes. The defaults are the
// real functions of classify/value_classifier.h.
using ValueClassifierFn = classify::ValueClass (*)(std::string_view value);
using NameTaggerFn = uint32_t (*)(std::string_view name);
using RedactFn = std::string (*)(std::string_view value, uint32_t tags);
using TagLabelFn = std::string_view (*)(classify::SensitiveTag tag);

// Thresholds of a SchemaSketch. Pass the same options to every call on a sketch and on the
// sketches merged into it. The defaults aim at "10 million transactions over 10,000 endpoints
// in 256 MB": a 30-field body costs about 5 KB, and no input can make a sketch hold more than
// about max_nodes * (150 B + enum_max_values * (enum_max_length + 40 B)).
struct SchemaOptions {
  // --- Bounds. What they cut is counted and shown, never dropped silently. ---
  // Nesting levels described below the root (the root is level 0). A container at this level
  // keeps its type but not its contents, and carries an "x-gatescope-note". 16 covers every
  // real API we know of; the JSON scanner stops at 32, so values above 31 act as 31.
  size_t max_depth = 16;
  // Distinct properties kept per object. On reaching it, an object whose values share one type
  // or whose keys are mostly absent becomes a map (see below); otherwise further keys are
  // counted in "x-gatescope-omitted-properties". Akita treats > 100 fields as a map; 200 leaves
  // room for wide structs such as GitHub's repository object (~95 fields).
  size_t max_properties_per_object = 200;
  // Schema nodes (one per property, array items or map value) per sketch: the hard memory
  // bound. 512 holds the largest real bodies we measured (~150 nodes for a Stripe charge).
  size_t max_nodes = 512;

  // --- Enums: closed sets of strings. ---
  // At most this many distinct values; one more and the node's values are dropped for good.
  size_t enum_max_values = 10;
  // Longer values are not enum members (they are names, ids or text).
  size_t enum_max_length = 32;
  // An enum is emitted only after this many string values were seen at the node...
  size_t enum_min_samples = 20;
  // ...and at least this many per distinct value, so that 10 ids seen once are not an enum.
  size_t enum_min_samples_per_value = 4;

  // --- Maps: objects whose keys are data, rendered as additionalProperties. ---
  // An object becomes a map when every key looks like data (a number, or a value the
  // classifier gives a uuid, date, date-time, email or ip format), or when it has more than
  // `map_min_keys` distinct keys (Akita's 50), its values share one type, and a key is on
  // average present in fewer than `map_max_presence_percent` of the object's instances.
  size_t map_min_keys = 50;
  size_t map_max_presence_percent = 50;

  // --- Types. ---
  // Variants of a oneOf (at most one object and one array variant, as Akita does; each
  // primitive type and null are one variant each). Beyond it the schema is unconstrained,
  // with an "x-gatescope-note" naming the types seen.
  size_t max_one_of = 4;

  // --- Output. ---
  // Properties, and `required`, in first-seen order (false: reads like the API's own
  // documentation) or sorted by key bytes (true: identical output whatever order bodies and
  // merges came in, for golden tests).
  bool sort_properties = false;

  // --- Required. ---
  // By default a body flagged as cut says nothing about `required`. When true, objects that
  // closed inside a cut body count as complete instances (their key set is exact). Useful
  // when every body of an endpoint exceeds the 1 KB execution-log limit.
  bool required_from_cut_bodies = false;

  // --- Classifier seams. ---
  ValueClassifierFn classify = &::gatescope::classify::ClassifyValue;
  NameTaggerFn tag_name = &::gatescope::classify::SensitiveTagsForName;
  RedactFn redact = &::gatescope::classify::RedactValue;
  TagLabelFn tag_label = &::gatescope::classify::SensitiveTagName;
};

// A compact, mergeable summary of the JSON or form-urlencoded bodies seen for one (endpoint,
// direction, status, content type), rendered as a JSON Schema (2020-12, as OpenAPI 3.1 uses).
//
// What it learns per schema node: the types seen (null, boolean, integer, number, string,
// object, array), a string format kept only if every value had it, a small enum, sensitive-data
// tags with a count and one redacted example, and for objects how many complete instances held
// each property (for `required`). Memory is bounded by the schema's size (SchemaOptions), never
// by the number of bodies. No raw value is stored except enum candidates, which are never
// sensitive (a value or field name with a sensitive tag disqualifies the node), and property
// names.
//
// Thread-safety: not thread-safe; one per worker, Merge() to combine. Copyable and movable.
class SchemaSketch {
 public:
  SchemaSketch();
  ~SchemaSketch();
  SchemaSketch(const SchemaSketch&);
  SchemaSketch& operator=(const SchemaSketch&);
  SchemaSketch(SchemaSketch&&) noexcept;
  SchemaSketch& operator=(SchemaSketch&&) noexcept;

  // Adds one JSON body. `truncated`: the log cut it. Complete values of a cut body still add
  // their types, formats and tags, but the body never makes a property required nor optional
  // (unless SchemaOptions::required_from_cut_bodies), and an object left open says nothing
  // about its missing keys. A body that is not JSON at all (nothing could be read) is counted
  // in unparsed() and adds nothing. Never fails; keeps no reference to `body`.
  void AddJson(std::string_view body, bool truncated, const SchemaOptions& options);

  // Adds one application/x-www-form-urlencoded body: "a=1&b=x&b=y" is an object whose values
  // are percent-decoded strings ("+" is a space); a repeated key is an array of strings. When
  // `truncated`, the last pair (possibly cut) is dropped and the body does not count for
  // `required`. Keys are kept as sent ("a[b]" is one flat key).
  void AddForm(std::string_view body, bool truncated, const SchemaOptions& options);

  // Adds everything `other` learnt. Commutative and associative as far as the rendered schema
  // goes, except: property order when SchemaOptions::sort_properties is false, and, once a
  // bound is reached, which properties were kept and when an object turned into a map.
  // `other` may be *this.
  void Merge(const SchemaSketch& other, const SchemaOptions& options);

  // Bodies added (JSON and form, including unparsed ones), of which complete (not truncated
  // and, for JSON, one whole valid value), and of which not JSON at all.
  uint64_t bodies() const { return bodies_; }
  uint64_t complete_bodies() const { return complete_bodies_; }
  uint64_t unparsed() const { return unparsed_; }

  // The JSON Schema of the bodies seen; {} when nothing was learnt. Property names and enum
  // values are made valid UTF-8 (invalid sequences become U+FFFD; names that then collide keep
  // the first), so the result always serialises. Extensions: "x-gatescope-sensitive" (tag
  // names, on the property), "x-gatescope-omitted-properties" (key occurrences not described
  // because of a bound), "x-gatescope-note" (why a schema is less precise than usual).
  nlohmann::ordered_json ToJsonSchema(const SchemaOptions& options) const;

  // A field that carried sensitive data.
  struct SensitiveField {
    // JSON Pointer to the value in the body (RFC 6901 escaping, valid UTF-8); "*" stands for
    // any array element or any value of a map: "/users/*/email".
    std::string pointer;
    uint32_t tags = 0;    // classify::SensitiveTag bits, from values and the field's name.
    uint64_t count = 0;   // Values that carried a tag.
    std::string example;  // SchemaOptions::redact of one value; never the value itself.
  };
  // Sensitive fields in schema order. Maps use the same detection as ToJsonSchema, hence the
  // options.
  std::vector<SensitiveField> SensitiveFields(const SchemaOptions& options) const;

  // The sketch as the inventory codec stores it (inventory_codec.h): every live node, in
  // depth-first order, with what it learnt. Deterministic for a given sketch.
  void Encode(internal::WireWriter& out) const;
  // Replaces this sketch by one Encode() wrote. Returns false, with the reason recorded in
  // `in`, when the input is corrupt (a bad type, format or flag, nesting deeper than 64
  // levels, more than 65,536 nodes); the sketch is then unchanged. A decoded sketch is meant
  // to be merged: Merge() applies the SchemaOptions bounds it may exceed.
  bool Decode(internal::WireReader& in);

  // Heap and inline bytes held, approximately (within ~10%); for memory accounting and tests.
  size_t ApproximateBytes() const;
  // Live schema nodes (bounded by SchemaOptions::max_nodes).
  size_t node_count() const;

 private:
  struct Node;  // Defined in the .cc: the header stays free of the sketch's internals.
  struct Impl;
  friend struct Impl;

  std::vector<Node> nodes_;     // nodes_[0] is the root once anything was added.
  std::vector<uint32_t> free_;  // Released slots of nodes_ (objects turned into maps).
  uint64_t bodies_ = 0;
  uint64_t complete_bodies_ = 0;
  uint64_t unparsed_ = 0;
  uint32_t stamp_ = 0;  // Last container-instance id handed out (see Node::stamp).
};

}  // namespace gatescope::inventory
