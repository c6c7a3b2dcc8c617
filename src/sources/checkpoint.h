#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gatescope::sources {

// Where the pull reading of one log group stands. Every event with timestamp < end_ms - lookback
// has been read and delivered or spilled; the ids of events read with timestamp
// >= end_ms - lookback are remembered (as 64-bit hashes), so re-reading the look-back window
// delivers nothing twice.
//
// More precisely, the reader keeps end_ms as an exclusive bound: every event with a timestamp
// < end_ms that CloudWatch had ingested when it was read has been read.
//
// Event ids are remembered as a stable 64-bit hash (FNV-1a, finalised), the same on every build
// and machine, so that a checkpoint written by one process is understood by the next. Two ids
// that collide (about 1 in 10^8 for 300,000 ids) would make the second event look seen.
//
// Thread-safety: a value type; not thread-safe.
struct Checkpoint {
  std::string log_group;
  int64_t end_ms = -1;  // -1: never read.

  // True when an event with this id was Add()ed and not pruned since.
  bool Seen(std::string_view event_id) const;
  // Remembers `event_id`, read with `timestamp_ms`. Adding a seen id again does nothing.
  void Add(int64_t timestamp_ms, std::string_view event_id);
  // Forgets ids of events older than before_ms (timestamp < before_ms).
  void Prune(int64_t before_ms);
  size_t seen_size() const { return id_hashes.size(); }

  // The stable hash under which Seen() and Add() remember `event_id`.
  static uint64_t HashEventId(std::string_view event_id);

  // Low level, for serialisation: remembers a hash directly. Duplicates do nothing.
  void AddHash(int64_t timestamp_ms, uint64_t hash);
  // The remembered (timestamp, hash) pairs, in the order they were added.
  const std::vector<std::pair<int64_t, uint64_t>>& entries() const { return id_entries; }

  // Storage, public only so that Checkpoint stays an aggregate ({.log_group = ..., .end_ms = ...}):
  // use the methods above. Invariant: id_hashes holds exactly the hashes of id_entries.
  std::unordered_set<uint64_t> id_hashes;
  std::vector<std::pair<int64_t, uint64_t>> id_entries;  // (timestamp_ms, hash), one per hash.
};

// Serialises `cp` as one line of JSON:
//   {"version":1,"log_group":"...","end_ms":123,"id_count":2,"ids":"<base64>"}
// The ids are packed sorted by (timestamp, hash): for each, the LEB128 varint of the timestamp
// minus the previous one (the first minus 0; timestamps below 0 are stored as 0), then the
// 8-byte little-endian hash. About 9-10 bytes per id before base64: 300,000 ids take about 4 MB.
std::string SerializeCheckpoint(const Checkpoint& cp);

// Parses what SerializeCheckpoint wrote. Returns kParseError on anything malformed: not JSON,
// a version other than 1, a missing or mistyped member, an empty log group, end_ms < -1, bad
// base64, ids that do not decode into exactly id_count entries, a timestamp overflow.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace gatescope::sources
