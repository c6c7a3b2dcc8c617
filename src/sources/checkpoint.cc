#include "sources/checkpoint.h"

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/string_hash.h"

namespace gatescope::sources {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string EncodeBase64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(data[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(data[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(data[i + 2])};
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(data[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<uint8_t>(data[i + 1])} << 8;
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict: padded to a multiple of 4, nothing but the alphabet and final '='.
std::optional<std::string> DecodeBase64Strict(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    size_t usable = last ? 4 - pad : 4;
    uint32_t n = 0;
    for (size_t j = 0; j < 4; ++j) {
      int v = 0;
      if (j < usable) {
        v = Base64Value(text[i + j]);
        if (v < 0) return std::nullopt;
      }
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (usable > 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (usable > 3) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    uint8_t byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return false;
    v |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

Status Malformed(std::string_view what) { return ParseError("checkpoint: " + std::string(what)); }

}  // namespace

uint64_t Checkpoint::HashEventId(std::string_view event_id) {
  // FNV-1a 64, then a finaliser: stable across builds, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : event_id) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return MixBits(h);
}

bool Checkpoint::Seen(std::string_view event_id) const {
  return id_hashes.count(HashEventId(event_id)) != 0;
}

void Checkpoint::Add(int64_t timestamp_ms, std::string_view event_id) {
  AddHash(timestamp_ms, HashEventId(event_id));
}

void Checkpoint::AddHash(int64_t timestamp_ms, uint64_t hash) {
  if (id_hashes.insert(hash).second) id_entries.emplace_back(timestamp_ms, hash);
}

void Checkpoint::Prune(int64_t before_ms) {
  std::erase_if(id_entries, [&](const std::pair<int64_t, uint64_t>& entry) {
    if (entry.first >= before_ms) return false;
    id_hashes.erase(entry.second);
    return true;
  });
}

std::string SerializeCheckpoint(const Checkpoint& cp) {
  std::vector<std::pair<int64_t, uint64_t>> sorted = cp.entries();
  for (auto& entry : sorted) entry.first = std::max<int64_t>(entry.first, 0);
  std::sort(sorted.begin(), sorted.end());
  std::string packed;
  packed.reserve(sorted.size() * 10);
  int64_t previous = 0;
  for (const auto& [timestamp_ms, hash] : sorted) {
    PutVarint(packed, static_cast<uint64_t>(timestamp_ms - previous));
    previous = timestamp_ms;
    for (int i = 0; i < 8; ++i) packed.push_back(static_cast<char>((hash >> (8 * i)) & 0xff));
  }
  Json doc = Json::object();
  doc["version"] = 1;
  doc["log_group"] = cp.log_group;
  doc["end_ms"] = cp.end_ms;
  doc["id_count"] = sorted.size();
  doc["ids"] = EncodeBase64(packed);
  // Log group names are ASCII in CloudWatch; replace keeps dump() from throwing on anything else.
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Malformed("not JSON");
  if (!doc.is_object()) return Malformed("not a JSON object");
  auto member = [&](const char* name) -> const Json* {
    auto it = doc.find(name);
    return it == doc.end() ? nullptr : &*it;
  };
  const Json* version = member("version");
  if (version == nullptr || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return Malformed("missing or unsupported version (want 1)");
  }
  const Json* log_group = member("log_group");
  if (log_group == nullptr || !log_group->is_string() ||
      log_group->get_ref<const std::string&>().empty()) {
    return Malformed("missing or empty log_group");
  }
  const Json* end_ms = member("end_ms");
  if (end_ms == nullptr || !end_ms->is_number_integer()) return Malformed("missing end_ms");
  // An unsigned value above INT64_MAX would wrap in get<int64_t>().
  if (end_ms->is_number_unsigned() &&
      end_ms->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Malformed("end_ms out of range");
  }
  if (end_ms->get<int64_t>() < -1) return Malformed("end_ms below -1");
  const Json* id_count = member("id_count");
  if (id_count == nullptr || !id_count->is_number_unsigned()) return Malformed("missing id_count");
  const Json* ids = member("ids");
  if (ids == nullptr || !ids->is_string()) return Malformed("missing ids");

  std::optional<std::string> packed = DecodeBase64Strict(ids->get_ref<const std::string&>());
  if (!packed.has_value()) return Malformed("ids are not base64");
  const uint64_t count = id_count->get<uint64_t>();
  // Each entry takes at least 9 bytes: reject a count the bytes cannot hold before reserving.
  if (count > packed->size() / 9) return Malformed("id_count does not match ids");

  Checkpoint cp;
  cp.log_group = log_group->get<std::string>();
  cp.end_ms = end_ms->get<int64_t>();
  std::string_view in = *packed;
  uint64_t timestamp = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta = 0;
    if (!GetVarint(in, delta)) return Malformed("truncated ids");
    if (delta > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - timestamp) {
      return Malformed("timestamp overflow in ids");
    }
    timestamp += delta;
    if (in.size() < 8) return Malformed("truncated ids");
    uint64_t hash = 0;
    for (int b = 0; b < 8; ++b) hash |= uint64_t{static_cast<uint8_t>(in[b])} << (8 * b);
    in.remove_prefix(8);
    cp.AddHash(static_cast<int64_t>(timestamp), hash);
  }
  if (!in.empty()) return Malformed("trailing bytes in ids");
  return cp;
}

}  // namespace gatescope::sources
