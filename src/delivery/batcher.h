#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "delivery/batch.h"
#include "model/http_transaction.h"

namespace gatescope::delivery {

struct BatcherOptions {
  // Cap on the wire (after gzip when gzip is on). Hard: never exceeded. Values under
  // kMinBatchBytes are raised to it, so that a fully shrunk transaction always fits.
  size_t max_bytes = 1000000;
  size_t max_records = 10000;  // Values under 1 are raised to 1.
  bool gzip = true;
  int gzip_level = 6;  // libdeflate level 1..12 (clamped).
};

// The smallest cap a Batcher accepts (see BatcherOptions::max_bytes).
inline constexpr size_t kMinBatchBytes = 4096;

// What a Batcher has done since it was built. Counts only emitted batches (not the open one),
// except compress_ns and compressions, which include trial compressions.
struct BatcherStats {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t raw_bytes = 0;     // NDJSON bytes of the emitted batches.
  uint64_t wire_bytes = 0;    // Bytes of their bodies (gzip, or NDJSON when gzip is off).
  uint64_t compress_ns = 0;   // CPU time spent in gzip, trial compressions included.
  uint64_t compressions = 0;  // gzip runs; about 1.1 per batch in steady state.
  uint64_t shrunk = 0;        // Transactions shrunk to fit the cap.
};

// Packs transactions into Batches of at most max_records transactions and max_bytes bytes on
// the wire, filling each batch close to the byte cap (>= 90% when the input allows it).
//
// With gzip on, the compressed size is only known after compressing, so the Batcher keeps the
// serialized lines, estimates the compressed size from the last measured compression ratio, and
// compresses when the estimate nears the cap; a result over the cap moves trailing lines to the
// next batch. Batches come out in the order of their transactions, and every transaction is in
// exactly one batch.
//
// Thread-safety: not thread-safe; one Batcher per pipeline thread. Owns its libdeflate
// compressor; the Batcher is movable only by pointer (not copyable).
class Batcher {
 public:
  explicit Batcher(const BatcherOptions& options);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Serializes *tx and adds it; completed batches become available through TakeReady().
  // A transaction that alone cannot fit is shrunk (bodies replaced by indicator bodies, then
  // header and parameter values cut, then headers dropped, then every long field cut), flagged
  // with a top-level "shrunk": true in its JSON line, counted in Batch::shrunk; never dropped.
  // Shrinking modifies *tx the same way (the caller sees what was shipped).
  void Add(model::HttpTransaction& tx);

  // The oldest completed batch, or nullopt when none is ready.
  std::optional<Batch> TakeReady();

  // Closes the open batch (splitting it if it exceeds the cap); TakeReady then returns it.
  void Flush();

  // Nothing open and nothing ready.
  bool empty() const { return lines_.empty() && ready_.empty(); }

  // Transactions added but not yet in a completed batch.
  size_t open_records() const { return lines_.size(); }

  const BatcherStats& stats() const { return stats_; }
  const BatcherOptions& options() const { return options_; }

 private:
  struct Line {
    size_t end = 0;     // Offset just past this line's '\n' in pending_.
    size_t id_end = 0;  // Offset just past this line's id in ids_.
    uint32_t events = 0;
    bool shrunk = false;
  };

  // Serializes `tx` (with the shrunk flag when `shrunk`) into `line`, without the newline.
  static void Serialize(const model::HttpTransaction& tx, bool shrunk, std::string* line);
  // True if `line` (plus its newline) alone fits in one batch.
  bool FitsAlone(const std::string& line);
  // Compresses the first `n` open lines into `out`; returns its size.
  size_t Compress(size_t n, std::string* out);
  // Emits the first `n` open lines as a batch whose body is `body`.
  void Emit(size_t n, std::string body);
  // Compresses the open lines and emits the longest prefix that fits (all of them if they do),
  // measured from a compression of all `n` lines of size `compressed`, already in scratch_.
  void EmitFitting(size_t n, size_t compressed);
  // Closes a batch if the open lines reached a cap.
  void MaybeClose();
  size_t RawBytes(size_t n) const { return n == 0 ? 0 : lines_[n - 1].end; }

  BatcherOptions options_;
  void* compressor_ = nullptr;  // struct libdeflate_compressor*; kept out of this header.
  std::string pending_;         // The open lines, each ending in '\n'.
  std::string ids_;             // Their ids (or line hashes), concatenated.
  std::vector<Line> lines_;
  std::deque<Batch> ready_;
  std::string scratch_;  // Trial compression output.
  std::string line_;     // Serialization buffer.
  // Estimated compressed/raw ratio: conservative (1.0) until the first compression measures it.
  double ratio_ = 1.0;
  // The last compression of the open batch: how many raw bytes it covered and its size. The
  // estimate is measured_wire_ + (raw - measured_raw_) * ratio_.
  size_t measured_raw_ = 0;
  size_t measured_wire_ = 0;
  BatcherStats stats_;
};

}  // namespace gatescope::delivery
