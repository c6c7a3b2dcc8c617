#include "ingest/transaction_reader.h"

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace gatescope::ingest {
namespace {

namespace sj = simdjson::ondemand;
using model::HttpTransaction;

constexpr std::string_view kFormatName = "gatescope.transaction/v1";

// Every member AppendTransactionJson writes (src/model/transaction_json.cc), and how to read it.
enum class Kind : uint8_t {
  kString,   // A std::string member.
  kNumber,   // A non-negative integer member (int32, int64 or uint32).
  kTrue,     // A bool member written only when true.
  kFields,   // A FieldList.
  kBody,     // A Body.
  kSpecial,  // format, enums and api_key_required.
};

enum class Special : uint8_t {
  kNone,
  kFormat,
  kSource,
  kApiKind,
  kCoverage,
  kPartial,
  kErrorKind,
  kApiKeyRequired
};

struct Member {
  std::string_view name;
  Kind kind;
  Special special = Special::kNone;
  std::string HttpTransaction::*string = nullptr;
  model::FieldList HttpTransaction::*fields = nullptr;
  model::Body HttpTransaction::*body = nullptr;
  bool HttpTransaction::*flag = nullptr;
  int number = -1;  // Index into the number setters below.
};

constexpr Member S(std::string_view name, std::string HttpTransaction::*m) {
  return {name, Kind::kString, Special::kNone, m, nullptr, nullptr, nullptr, -1};
}
constexpr Member F(std::string_view name, model::FieldList HttpTransaction::*m) {
  return {name, Kind::kFields, Special::kNone, nullptr, m, nullptr, nullptr, -1};
}
constexpr Member B(std::string_view name, model::Body HttpTransaction::*m) {
  return {name, Kind::kBody, Special::kNone, nullptr, nullptr, m, nullptr, -1};
}
constexpr Member T(std::string_view name, bool HttpTransaction::*m) {
  return {name, Kind::kTrue, Special::kNone, nullptr, nullptr, nullptr, m, -1};
}
constexpr Member N(std::string_view name, int index) {
  return {name, Kind::kNumber, Special::kNone, nullptr, nullptr, nullptr, nullptr, index};
}
constexpr Member X(std::string_view name, Special special) {
  return {name, Kind::kSpecial, special, nullptr, nullptr, nullptr, nullptr, -1};
}

enum NumberField : int {
  kStatus,
  kResponseLength,
  kResponseLatency,
  kIntegrationStatus,
  kIntegrationLatency,
  kRequestTime,
  kEndTime,
  kEventCount,
};

constexpr Member kMembers[] = {
    X("format", Special::kFormat),
    X("source", Special::kSource),
    S("id", &HttpTransaction::id),
    S("request_id", &HttpTransaction::request_id),
    S("extended_request_id", &HttpTransaction::extended_request_id),
    S("api_id", &HttpTransaction::api_id),
    S("stage", &HttpTransaction::stage),
    X("api_kind", Special::kApiKind),
    S("account_id", &HttpTransaction::account_id),
    S("region", &HttpTransaction::region),
    S("domain_name", &HttpTransaction::domain_name),
    S("method", &HttpTransaction::method),
    S("path", &HttpTransaction::path),
    S("query", &HttpTransaction::query),
    S("resource_path", &HttpTransaction::resource_path),
    T("resource_path_rebuilt", &HttpTransaction::resource_path_rebuilt),
    S("route_key", &HttpTransaction::route_key),
    S("protocol", &HttpTransaction::protocol),
    F("path_parameters", &HttpTransaction::path_params),
    F("query_parameters", &HttpTransaction::query_params),
    F("request_headers", &HttpTransaction::request_headers),
    B("request_body", &HttpTransaction::request_body),
    N("status", kStatus),
    F("response_headers", &HttpTransaction::response_headers),
    B("response_body", &HttpTransaction::response_body),
    N("response_length", kResponseLength),
    N("response_latency_ms", kResponseLatency),
    S("integration_uri", &HttpTransaction::integration_uri),
    N("integration_status", kIntegrationStatus),
    N("integration_latency_ms", kIntegrationLatency),
    S("integration_request_id", &HttpTransaction::integration_request_id),
    S("xray_trace_id", &HttpTransaction::xray_trace_id),
    S("authorizer_id", &HttpTransaction::authorizer_id),
    S("authorizer_principal", &HttpTransaction::authorizer_principal),
    S("api_key", &HttpTransaction::api_key),
    X("api_key_required", Special::kApiKeyRequired),
    X("error_kind", Special::kErrorKind),
    S("error_message", &HttpTransaction::error_message),
    S("source_ip", &HttpTransaction::source_ip),
    S("user_agent", &HttpTransaction::user_agent),
    S("caller", &HttpTransaction::caller),
    S("user", &HttpTransaction::user),
    S("event_type", &HttpTransaction::event_type),
    S("connection_id", &HttpTransaction::connection_id),
    N("request_time_ms", kRequestTime),
    N("end_time_ms", kEndTime),
    X("coverage", Special::kCoverage),
    X("partial", Special::kPartial),
    T("supplement", &HttpTransaction::supplement),
    S("log_group", &HttpTransaction::log_group),
    S("log_stream", &HttpTransaction::log_stream),
    S("event_id", &HttpTransaction::event_id),
    N("event_count", kEventCount),
};
constexpr size_t kMemberCount = sizeof(kMembers) / sizeof(kMembers[0]);

// An open-addressing table from member name to its index in kMembers: a line has ~20 keys and
// the reader's budget is about a microsecond, so a linear scan over 53 names would cost too
// much. The hash mixes the length with the first, middle and last bytes, which is cheap and
// spreads these names well; every hit is confirmed by a full comparison.
class MemberTable {
 public:
  MemberTable() {
    slots_.fill(kEmpty);
    for (size_t i = 0; i < kMemberCount; ++i) {
      size_t h = Hash(kMembers[i].name);
      while (slots_[h] != kEmpty) h = (h + 1) & kMask;
      slots_[h] = static_cast<uint8_t>(i);
    }
  }

  // The member named `key`, or nullptr for a field this version does not know.
  const Member* Find(std::string_view key) const {
    if (key.empty()) return nullptr;
    for (size_t h = Hash(key);; h = (h + 1) & kMask) {
      uint8_t i = slots_[h];
      if (i == kEmpty) return nullptr;
      if (kMembers[i].name == key) return &kMembers[i];
    }
  }

 private:
  static constexpr size_t kSize = 256;  // Power of two, under 25% full: short probes.
  static constexpr size_t kMask = kSize - 1;
  static constexpr uint8_t kEmpty = 0xFF;

  static size_t Hash(std::string_view k) {
    auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(k[i])); };
    return (k.size() * 31 + b(0) * 7 + b(k.size() / 2) * 3 + b(k.size() - 1) * 13) & kMask;
  }

  std::array<uint8_t, kSize> slots_;
};

// The writer puts members in kMembers' order, leaving empty ones out: the next key is almost
// always one of the few members after the last one read. Matching the raw key in place
// against those (name then closing quote: an exact, escape-free match) costs less than finding
// the key's end and hashing it. Returns nullptr when no later member matches.
const Member* NextInWriterOrder(const char* raw_key, size_t* next) {
  for (size_t i = *next; i < kMemberCount; ++i) {
    std::string_view name = kMembers[i].name;
    // Reading up to name.size() bytes past a shorter key stays inside the padded buffer.
    if (raw_key[0] == name[0] && std::memcmp(raw_key, name.data(), name.size()) == 0 &&
        raw_key[name.size()] == '"') {
      *next = i + 1;
      return &kMembers[i];
    }
  }
  return nullptr;
}

const MemberTable& Members() {
  static const MemberTable table;
  return table;
}

// Enum names as TransactionToJson writes them (model::*Name); unknown names are errors, since
// a value read wrongly would be silently counted under another label.
template <typename E, size_t N>
bool EnumByName(std::string_view name, std::string_view (*namer)(E), E* out) {
  for (size_t i = 0; i < N; ++i) {
    E e = static_cast<E>(i);
    if (namer(e) == name) {
      *out = e;
      return true;
    }
  }
  return false;
}

// The error of one field: names it, never quotes its value (values may be credentials).
// `index` >= 0 names an entry of a field list.
Status FieldError(std::string_view field, std::string_view what, int64_t index = -1,
                  std::string_view sub = {}) {
  std::string m = "transaction: ";
  m.append(field);
  if (index >= 0) {
    m += ".entries[";
    m += std::to_string(index);
    m += ']';
  }
  if (!sub.empty()) {
    m += '.';
    m.append(sub);
  }
  m += ": ";
  m.append(what);
  return ParseError(std::move(m));
}

Status JsonError(std::string_view field, simdjson::error_code error) {
  // simdjson's messages are fixed texts about the syntax, never the document's bytes.
  return FieldError(field, simdjson::error_message(error));
}

// A member's key. Keys without escapes (every key the writer writes) are read in place,
// skipping simdjson's unescaping copy: that copy was a sixth of the reading time.
simdjson::error_code KeyOf(simdjson::simdjson_result<sj::field>& member, std::string_view* key) {
  if (member.error() != simdjson::SUCCESS) return member.error();
  sj::field& f = member.value_unsafe();
  // Stage 1 validated the string, so its closing quote is there; the first quote is it when
  // no backslash comes before.
  const char* start = f.key().raw();
  for (const char* p = start;; ++p) {
    if (*p == '"') {
      *key = std::string_view(start, static_cast<size_t>(p - start));
      return simdjson::SUCCESS;
    }
    if (*p == '\\') break;
  }
  return f.unescaped_key().get(*key);
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads a string value into `*out` (assign keeps the capacity: no allocation once warm). A
// string without escapes is copied straight from the line: its raw token runs from the opening
// quote to the next structural character; the value is left unconsumed, which the object
// iteration then skips.
bool ReadString(sj::value& v, std::string* out) {
  std::string_view token = v.raw_json_token();
  if (token.empty() || token[0] != '"') return false;
  size_t end = token.size();
  while (end > 1 && IsJsonSpace(token[end - 1])) --end;
  if (end >= 2 && token[end - 1] == '"') {
    std::string_view inner = token.substr(1, end - 2);
    if (std::memchr(inner.data(), '\\', inner.size()) == nullptr) {
      out->assign(inner.data(), inner.size());
      return true;
    }
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return false;
  out->assign(s.data(), s.size());
  return true;
}

bool ReadBool(sj::value& v, bool* out) { return v.get_bool().get(*out) == simdjson::SUCCESS; }

Status ReadFieldList(std::string_view name, sj::value& v, model::FieldList* list) {
  list->Clear();
  list->logged = true;
  sj::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return FieldError(name, "expected an object");
  for (auto member : obj) {
    std::string_view key;
    if (KeyOf(member, &key) != simdjson::SUCCESS) return FieldError(name, "invalid JSON");
    sj::value value;
    if (member.value().get(value) != simdjson::SUCCESS) return FieldError(name, "invalid JSON");
    if (key == "truncated") {
      if (!ReadBool(value, &list->truncated)) return FieldError(name, "expected a boolean", -1, key);
      continue;
    }
    if (key != "entries") continue;
    bool truncated = list->truncated;  // A repeated "entries" replaces the first one.
    list->Clear();
    list->logged = true;
    list->truncated = truncated;
    sj::array entries;
    if (value.get_array().get(entries) != simdjson::SUCCESS) {
      return FieldError(name, "expected an array", -1, "entries");
    }
    int64_t index = 0;
    for (auto element : entries) {
      sj::object entry;
      if (element.get_object().get(entry) != simdjson::SUCCESS) {
        return FieldError(name, "expected an object", index);
      }
      model::Field& f = list->Add({}, {});
      for (auto part : entry) {
        std::string_view part_key;
        if (KeyOf(part, &part_key) != simdjson::SUCCESS) {
          return FieldError(name, "invalid JSON", index);
        }
        sj::value part_value;
        if (part.value().get(part_value) != simdjson::SUCCESS) {
          return FieldError(name, "invalid JSON", index);
        }
        if (part_key == "name") {
          if (!ReadString(part_value, &f.name)) {
            return FieldError(name, "expected a string", index, part_key);
          }
        } else if (part_key == "value") {
          if (!ReadString(part_value, &f.value)) {
            return FieldError(name, "expected a string", index, part_key);
          }
        } else if (part_key == "value_truncated") {
          if (!ReadBool(part_value, &f.value_truncated)) {
            return FieldError(name, "expected a boolean", index, part_key);
          }
        }
      }
      ++index;
    }
  }
  return Status::Ok();
}

Status ReadBody(std::string_view name, sj::value& v, model::Body* body) {
  body->Clear();
  body->present = true;
  sj::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return FieldError(name, "expected an object");
  for (auto member : obj) {
    std::string_view key;
    if (KeyOf(member, &key) != simdjson::SUCCESS) return FieldError(name, "invalid JSON");
    sj::value value;
    if (member.value().get(value) != simdjson::SUCCESS) return FieldError(name, "invalid JSON");
    bool ok = true;
    if (key == "text") {
      ok = ReadString(value, &body->text);
    } else if (key == "content_type") {
      ok = ReadString(value, &body->content_type);
    } else if (key == "truncated") {
      ok = ReadBool(value, &body->truncated);
    } else if (key == "indicator") {
      ok = ReadBool(value, &body->indicator);
    }
    if (!ok) {
      return FieldError(name, key == "text" || key == "content_type" ? "expected a string"
                                                                      : "expected a boolean",
                        -1, key);
    }
  }
  return Status::Ok();
}

// Non-negative integers only: the writer leaves unknown (negative) values out, so a negative
// number or one past the member's range is not something it could have written.
Status ReadNumber(const Member& m, sj::value& v, HttpTransaction* tx) {
  int64_t n = 0;
  if (v.get_int64().get(n) != simdjson::SUCCESS) {
    return FieldError(m.name, "expected an integer within the field's range");
  }
  if (n < 0) return FieldError(m.name, "expected a non-negative integer");
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  constexpr int64_t kUint32Max = std::numeric_limits<uint32_t>::max();
  switch (m.number) {
    case kStatus:
    case kIntegrationStatus:
      if (n > kInt32Max) return FieldError(m.name, "number out of range");
      (m.number == kStatus ? tx->status : tx->integration_status) = static_cast<int32_t>(n);
      break;
    case kEventCount:
      if (n > kUint32Max) return FieldError(m.name, "number out of range");
      tx->event_count = static_cast<uint32_t>(n);
      break;
    case kResponseLength: tx->response_length = n; break;
    case kResponseLatency: tx->response_latency_ms = n; break;
    case kIntegrationLatency: tx->integration_latency_ms = n; break;
    case kRequestTime: tx->request_time_ms = n; break;
    case kEndTime: tx->end_time_ms = n; break;
    default: break;
  }
  return Status::Ok();
}

// Reads an enum written by name.
template <typename E, size_t N>
Status ReadEnum(const Member& m, sj::value& v, std::string_view (*namer)(E), E* out) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return FieldError(m.name, "expected a string");
  if (!EnumByName<E, N>(s, namer, out)) return FieldError(m.name, "unknown value");
  return Status::Ok();
}

Status ReadSpecial(const Member& m, sj::value& v, HttpTransaction* tx, bool* saw_format) {
  switch (m.special) {
    case Special::kFormat: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return FieldError(m.name, "expected a string");
      if (s != kFormatName) return FieldError(m.name, "not gatescope.transaction/v1");
      *saw_format = true;
      return Status::Ok();
    }
    case Special::kSource:
      return ReadEnum<model::LogSource, 3>(m, v, model::LogSourceName, &tx->source);
    case Special::kApiKind:
      return ReadEnum<model::ApiKind, 4>(m, v, model::ApiKindName, &tx->api_kind);
    case Special::kCoverage:
      return ReadEnum<model::Coverage, 3>(m, v, model::CoverageName, &tx->coverage);
    case Special::kErrorKind:
      return ReadEnum<model::ErrorKind, 10>(m, v, model::ErrorKindName, &tx->error_kind);
    case Special::kPartial:
      // Present only when partial; the value says why ("none" if the reason was unknown).
      GS_RETURN_IF_ERROR((ReadEnum<model::PartialReason, model::kPartialReasonCount>(
          m, v, model::PartialReasonName, &tx->partial_reason)));
      tx->partial = true;
      return Status::Ok();
    case Special::kApiKeyRequired: {
      bool b = false;
      if (!ReadBool(v, &b)) return FieldError(m.name, "expected a boolean");
      tx->api_key_required = b ? 1 : 0;
      return Status::Ok();
    }
    case Special::kNone:
      break;
  }
  return Status::Ok();
}

Status ReadMember(const Member& m, sj::value& v, HttpTransaction* tx, bool* saw_format) {
  switch (m.kind) {
    case Kind::kString:
      if (!ReadString(v, &(tx->*m.string))) return FieldError(m.name, "expected a string");
      return Status::Ok();
    case Kind::kNumber:
      return ReadNumber(m, v, tx);
    case Kind::kTrue:
      if (!ReadBool(v, &(tx->*m.flag))) return FieldError(m.name, "expected a boolean");
      return Status::Ok();
    case Kind::kFields:
      return ReadFieldList(m.name, v, &(tx->*m.fields));
    case Kind::kBody:
      return ReadBody(m.name, v, &(tx->*m.body));
    case Kind::kSpecial:
      return ReadSpecial(m, v, tx, saw_format);
  }
  return Status::Ok();
}

}  // namespace

struct TransactionReader::Impl {
  sj::parser parser;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: lines are copied into this
  // buffer, which only grows, so that steady reading allocates nothing.
  std::string padded;

  Status Read(std::string_view line, HttpTransaction* tx) {
    const MemberTable& members = Members();
    if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      padded.resize(line.size() + line.size() / 2 + simdjson::SIMDJSON_PADDING);
    }
    if (!line.empty()) std::memcpy(padded.data(), line.data(), line.size());
    sj::document doc;
    if (auto e = parser.iterate(padded.data(), line.size(), padded.size()).get(doc)) {
      return JsonError("document", e);
    }
    sj::object obj;
    if (auto e = doc.get_object().get(obj)) {
      return e == simdjson::INCORRECT_TYPE ? FieldError("document", "expected an object")
                                           : JsonError("document", e);
    }
    bool saw_format = false;
    size_t next = 0;  // Where in kMembers the next key is expected.
    for (auto field : obj) {
      if (auto e = field.error()) return JsonError("document", e);
      const Member* m = NextInWriterOrder(field.value_unsafe().key().raw(), &next);
      if (m == nullptr) {
        std::string_view key;
        if (auto e = KeyOf(field, &key)) return JsonError("document", e);
        m = members.Find(key);
      }
      sj::value value;
      if (auto e = field.value().get(value)) return JsonError("document", e);
      if (m == nullptr) continue;  // A newer writer's field: skipped (and still validated).
      GS_RETURN_IF_ERROR(ReadMember(*m, value, tx, &saw_format));
    }
    // The object is read; anything after it but whitespace makes the line invalid.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) {
      return FieldError("document", "trailing content after the object");
    }
    if (!saw_format) return FieldError("format", "missing");
    return Status::Ok();
  }
};

TransactionReader::TransactionReader() : impl_(std::make_unique<Impl>()) {}
TransactionReader::~TransactionReader() = default;

Status TransactionReader::Read(std::string_view line, model::HttpTransaction* tx) {
  tx->Clear();
  return impl_->Read(line, tx);
}

}  // namespace gatescope::ingest
