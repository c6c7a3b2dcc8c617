#include "delivery/batcher.h"

#include <libdeflate.h>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>

#include "core/check.h"
#include "core/sha256.h"
#include "model/transaction_json.h"
#include "transform/transaction_transformer.h"

namespace gatescope::delivery {
namespace {

// Compress once the estimated wire size reaches this share of the cap, and close the batch when
// the measured size has reached kEmitFill of it. The estimate comes from the previous measured
// ratio and is typically within a few per cent, so most batches take one compression and land
// between the two. When a compression overshoots the cap, the prefix kept is scaled to
// kSplitFill of it.
constexpr double kTriggerFill = 0.975;
constexpr double kEmitFill = 0.90;
constexpr double kSplitFill = 0.97;

// Cuts `s` to at most `max_bytes`, backing off so as not to split a UTF-8 sequence. Returns
// true if it cut.
bool CutUtf8(std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return false;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return true;
}

void CutValues(model::FieldList& fields, size_t max_bytes) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (CutUtf8(fields[i].value, max_bytes)) fields[i].value_truncated = true;
  }
}

// Keeps the map's "logged" bit and says that its entries are missing.
void DropFields(model::FieldList& fields) {
  if (fields.empty()) return;
  fields.Clear();
  fields.logged = true;
  fields.truncated = true;
}

constexpr int kShrinkLevels = 6;

// Applies shrink step `level` (1..kShrinkLevels) on top of the previous ones. The last step
// keeps the id, numbers, flags and six identity fields of at most 32 bytes (at most 192 bytes
// each when every byte must be escaped as \u00XX): about 2 KB of JSON at worst, so it always
// fits kMinBatchBytes, gzip's overhead included.
void ShrinkStep(model::HttpTransaction& tx, int level) {
  switch (level) {
    case 1:
      transform::ReplaceWithIndicator(&tx.request_body);
      transform::ReplaceWithIndicator(&tx.response_body);
      break;
    case 2:
      for (model::FieldList* fields :
           {&tx.request_headers, &tx.response_headers, &tx.path_params, &tx.query_params}) {
        CutValues(*fields, 256);
      }
      break;
    case 3:
      DropFields(tx.request_headers);
      DropFields(tx.response_headers);
      CutValues(tx.path_params, 64);
      CutValues(tx.query_params, 64);
      break;
    case 4:
      DropFields(tx.path_params);
      DropFields(tx.query_params);
      model::ForEachTextField(tx, [](std::string& s) { CutUtf8(s, 256); });
      break;
    case 5:
      model::ForEachTextField(tx, [](std::string& s) { CutUtf8(s, 32); });
      tx.request_body.Clear();
      tx.response_body.Clear();
      break;
    default: {
      const std::string* const keep[] = {&tx.request_id, &tx.api_id,        &tx.stage,
                                         &tx.method,     &tx.resource_path, &tx.route_key};
      model::ForEachTextField(tx, [&](std::string& s) {
        if (std::find(std::begin(keep), std::end(keep), &s) == std::end(keep)) s.clear();
      });
      break;
    }
  }
}

}  // namespace

Batcher::Batcher(const BatcherOptions& options) : options_(options) {
  options_.max_bytes = std::max(options_.max_bytes, kMinBatchBytes);
  options_.max_records = std::max<size_t>(options_.max_records, 1);
  options_.gzip_level = std::clamp(options_.gzip_level, 1, 12);
  if (options_.gzip) {
    compressor_ = libdeflate_alloc_compressor(options_.gzip_level);
    GS_CHECK(compressor_ != nullptr);
  }
}

Batcher::~Batcher() {
  if (compressor_ != nullptr) {
    libdeflate_free_compressor(static_cast<libdeflate_compressor*>(compressor_));
  }
}

void Batcher::Serialize(const model::HttpTransaction& tx, bool shrunk, std::string* line) {
  line->clear();
  model::AppendTransactionJson(tx, line);
  if (shrunk) {
    // The flag goes last, as a top-level member: {"a":1} -> {"a":1,"shrunk":true}.
    GS_DCHECK(!line->empty() && line->back() == '}');
    line->pop_back();
    if (line->size() > 1) line->push_back(',');
    line->append("\"shrunk\":true}");
  }
}

bool Batcher::FitsAlone(const std::string& line) {
  const size_t size = line.size() + 1;
  if (!options_.gzip) return size <= options_.max_bytes;
  auto* c = static_cast<libdeflate_compressor*>(compressor_);
  if (libdeflate_gzip_compress_bound(c, size) <= options_.max_bytes) return true;
  // Rare (a line over about the cap): compress it alone to know.
  std::string with_newline;
  with_newline.reserve(size);
  with_newline.append(line).push_back('\n');
  std::string out(libdeflate_gzip_compress_bound(c, size), '\0');
  const auto start = std::chrono::steady_clock::now();
  const size_t n = libdeflate_gzip_compress(c, with_newline.data(), size, out.data(), out.size());
  stats_.compress_ns += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  ++stats_.compressions;
  GS_CHECK(n > 0);
  return n <= options_.max_bytes;
}

void Batcher::Add(model::HttpTransaction& tx) {
  Serialize(tx, false, &line_);
  bool shrunk = false;
  for (int level = 1; level <= kShrinkLevels && !FitsAlone(line_); ++level) {
    ShrinkStep(tx, level);
    Serialize(tx, true, &line_);
    shrunk = true;
  }
  GS_DCHECK(FitsAlone(line_));
  pending_.append(line_).push_back('\n');
  if (tx.id.empty()) {
    ids_.append(Sha256Hex(line_));
  } else {
    ids_.append(tx.id);
  }
  ids_.push_back('\n');
  lines_.push_back(
      {.end = pending_.size(), .id_end = ids_.size(), .events = tx.event_count, .shrunk = shrunk});
  MaybeClose();
}

size_t Batcher::Compress(size_t n, std::string* out) {
  auto* c = static_cast<libdeflate_compressor*>(compressor_);
  const size_t raw = RawBytes(n);
  // CPU time of the compression itself; not the injected Clock, which may be a fake.
  const auto start = std::chrono::steady_clock::now();
  out->resize(libdeflate_gzip_compress_bound(c, raw));
  const size_t size = libdeflate_gzip_compress(c, pending_.data(), raw, out->data(), out->size());
  GS_CHECK(size > 0);  // The output buffer is the documented bound.
  out->resize(size);
  stats_.compress_ns += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  ++stats_.compressions;
  if (raw > 0) ratio_ = static_cast<double>(size) / static_cast<double>(raw);
  return size;
}

void Batcher::Emit(size_t n, std::string body) {
  GS_DCHECK(n > 0 && n <= lines_.size());
  GS_DCHECK(body.size() <= options_.max_bytes);
  Batch batch;
  batch.body = std::move(body);
  batch.gzip = options_.gzip;
  batch.records = static_cast<uint32_t>(n);
  batch.raw_bytes = RawBytes(n);
  for (size_t i = 0; i < n; ++i) {
    batch.events += lines_[i].events;
    batch.shrunk += lines_[i].shrunk ? 1 : 0;
  }
  const size_t ids_end = lines_[n - 1].id_end;
  batch.idempotency_key = Sha256Hex(std::string_view(ids_).substr(0, ids_end));

  ++stats_.batches;
  stats_.records += batch.records;
  stats_.events += batch.events;
  stats_.raw_bytes += batch.raw_bytes;
  stats_.wire_bytes += batch.body.size();
  stats_.shrunk += batch.shrunk;

  const size_t raw_end = batch.raw_bytes;
  pending_.erase(0, raw_end);
  ids_.erase(0, ids_end);
  lines_.erase(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(n));
  for (Line& line : lines_) {
    line.end -= raw_end;
    line.id_end -= ids_end;
  }
  measured_raw_ = 0;
  measured_wire_ = 0;
  ready_.push_back(std::move(batch));
}

void Batcher::EmitFitting(size_t n, size_t compressed) {
  // `compressed` (> max_bytes) measured the first n lines. Scale the prefix down by the measured
  // ratio until it fits; a single line always fits (Add shrank it if not), so this ends.
  size_t measured_n = n;
  size_t measured = compressed;
  while (measured > options_.max_bytes) {
    GS_CHECK(measured_n > 1);
    const double target = static_cast<double>(RawBytes(measured_n)) * kSplitFill *
                          static_cast<double>(options_.max_bytes) / static_cast<double>(measured);
    // The longest prefix shorter than measured_n whose raw size is within the target.
    size_t k = static_cast<size_t>(
        std::upper_bound(lines_.begin(), lines_.begin() + static_cast<std::ptrdiff_t>(measured_n),
                         target,
                         [](double t, const Line& l) { return t < static_cast<double>(l.end); }) -
        lines_.begin());
    k = std::clamp<size_t>(k, 1, measured_n - 1);
    measured_n = k;
    measured = Compress(k, &scratch_);
  }
  Emit(measured_n, std::move(scratch_));
}

void Batcher::MaybeClose() {
  if (!options_.gzip) {
    // Exact: the wire size is the raw size. Before the last Add the open lines fitted.
    if (pending_.size() > options_.max_bytes) {
      const size_t n = lines_.size() - 1;
      Emit(n, pending_.substr(0, RawBytes(n)));
    }
    if (lines_.size() >= options_.max_records) Emit(lines_.size(), pending_);
    return;
  }
  while (!lines_.empty()) {
    const size_t n = lines_.size();
    const bool at_count = n >= options_.max_records;
    const double estimate = static_cast<double>(measured_wire_) +
                            static_cast<double>(pending_.size() - measured_raw_) * ratio_;
    if (!at_count && estimate < kTriggerFill * static_cast<double>(options_.max_bytes)) return;
    const size_t compressed = Compress(n, &scratch_);
    if (compressed > options_.max_bytes) {
      EmitFitting(n, compressed);  // Leaves the trailing lines open: look at them again.
      continue;
    }
    if (at_count ||
        static_cast<double>(compressed) >= kEmitFill * static_cast<double>(options_.max_bytes)) {
      Emit(n, std::move(scratch_));
      return;
    }
    // Fits with room to spare: keep adding, estimating from this measurement.
    measured_raw_ = pending_.size();
    measured_wire_ = compressed;
    return;
  }
}

void Batcher::Flush() {
  while (!lines_.empty()) {
    const size_t n = lines_.size();
    if (!options_.gzip) {
      Emit(n, pending_);
      continue;
    }
    const size_t compressed = Compress(n, &scratch_);
    if (compressed <= options_.max_bytes) {
      Emit(n, std::move(scratch_));
    } else {
      EmitFitting(n, compressed);
    }
  }
}

std::optional<Batch> Batcher::TakeReady() {
  if (ready_.empty()) return std::nullopt;
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  return batch;
}

}  // namespace gatescope::delivery
