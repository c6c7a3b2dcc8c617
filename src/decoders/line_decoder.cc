#include "decoders/line_decoder.h"

#include <cstring>

#include "core/time_format.h"
#include "decoders/internal/buffered_reader.h"

namespace gatescope::decoders {

void LineDecoder::FlushPending(const pipeline::RecordCallback& emit) {
  if (!pending_) return;
  pending_ = false;
  pending_blank_lines_ = 0;
  if (pending_too_long_) return;  // Counted when it grew too long.
  model::RawRecord record;
  record.log_group = options_.default_log_group;
  record.timestamp_ms = pending_timestamp_ms_;
  record.message = pending_message_;
  emit(record);
}

void LineDecoder::OnLine(std::string_view line, const pipeline::RecordCallback& emit,
                         pipeline::EventCounters& counters) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t consumed = 0;
  std::optional<int64_t> ts = ParseIso8601Prefix(line, &consumed);
  bool timestamped = ts.has_value() && consumed < line.size() && line[consumed] == ' ';
  if (!timestamped && pending_) {
    // A continuation of the held event's message.
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++pending_blank_lines_;
      return;
    }
    if (pending_too_long_) return;
    size_t added = pending_blank_lines_ + 1 + line.size();
    if (pending_message_.size() + added > options_.max_line_bytes) {
      counters.AddDrop(pipeline::DropReason::kLineTooLong);
      pending_too_long_ = true;
      return;
    }
    pending_message_.append(pending_blank_lines_ + 1, '\n');
    pending_message_.append(line);
    pending_blank_lines_ = 0;
    return;
  }
  FlushPending(emit);
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return;
  if (line.size() >= first + 2 && line[first] == '#' && line[first + 1] == ' ') return;
  counters.AddReceived();
  if (timestamped) {
    pending_ = true;
    pending_too_long_ = false;
    pending_timestamp_ms_ = *ts;
    pending_message_.assign(line.substr(consumed + 1));
    return;
  }
  model::RawRecord record;
  record.log_group = options_.default_log_group;
  record.message = line;
  emit(record);
}

Status LineDecoder::Decode(env::ByteSource& input, const pipeline::RecordCallback& emit,
                           pipeline::EventCounters& counters) {
  internal::BufferedReader reader(input);
  size_t scanned = 0;        // Bytes of the current line already searched for '\n'.
  bool skipping = false;     // Inside a line already dropped as too long.
  while (true) {
    const char* data = reader.data();
    const void* nl = std::memchr(data + scanned, '\n', reader.size() - scanned);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - data;
      if (!skipping) OnLine(std::string_view(data, len), emit, counters);
      skipping = false;
      reader.Consume(len + 1);
      scanned = 0;
      continue;
    }
    scanned = reader.size();
    if (!skipping && scanned > options_.max_line_bytes) {
      FlushPending(emit);
      counters.AddReceived();
      counters.AddDrop(pipeline::DropReason::kLineTooLong);
      skipping = true;
    }
    if (skipping) {
      // Forget the oversized line's bytes as they come, so memory stays bounded.
      reader.Consume(scanned);
      scanned = 0;
    }
    Result<bool> more = reader.Fill();
    // On a read fault the unfinished last line is not emitted: it is most likely cut.
    if (!more.ok()) {
      FlushPending(emit);
      return more.status();
    }
    if (!*more) {
      if (!skipping && reader.size() > 0) {
        OnLine(std::string_view(reader.data(), reader.size()), emit, counters);
      }
      reader.Consume(reader.size());
      FlushPending(emit);
      return Status::Ok();
    }
  }
}

}  // namespace gatescope::decoders
