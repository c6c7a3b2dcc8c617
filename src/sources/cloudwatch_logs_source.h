#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "aws/cloudwatch_logs_client.h"
#include "core/clock.h"
#include "core/result.h"
#include "pipeline/decoder.h"
#include "pipeline/event_counters.h"
#include "sources/checkpoint.h"

namespace gatescope::sources {

struct PullOptions {
  // Re-read window for late ingestion: each run reads again from end_ms - lookback.
  std::chrono::milliseconds lookback{std::chrono::minutes(5)};
  // The window ends at now - lag.
  std::chrono::milliseconds lag{std::chrono::seconds(60)};
  // Longest span of new time read per FilterLogEvents query (the first query of a run also
  // re-reads the look-back window before it); a group far behind catches up window by window.
  std::chrono::milliseconds max_window{std::chrono::minutes(15)};
  // Where a group with no checkpoint starts: now - lag - first_lookback.
  std::chrono::milliseconds first_lookback{std::chrono::minutes(5)};
  int page_limit = 10000;  // FilterLogEvents limit per page, 1..10000.
};

// What one Read() did.
struct PullStats {
  uint64_t events = 0;            // Events emitted.
  uint64_t duplicates = 0;        // Events read again and filtered (already Seen).
  uint64_t pages = 0;             // Pages that carried at least one event.
  uint64_t api_calls = 0;         // FilterLogEvents calls made (pages, empty ones included).
  std::set<std::string> streams;  // Log streams of the emitted events.
  int64_t read_until_ms = -1;     // checkpoint->end_ms after the run.
  bool caught_up = false;         // The read reached now - lag.
};

// The pull Source: reads one log group with FilterLogEvents window by window, from where its
// Checkpoint stands to now - lag, re-reading a look-back window each run for late-ingested
// events and filtering by event id what was already delivered.
//
// Thread-safety: Read() may be called from several threads for different checkpoints; the
// client and clock are borrowed and must outlive the source.
class CloudWatchLogsSource {
 public:
  CloudWatchLogsSource(PullOptions options, aws::CloudWatchLogsClient& logs, const Clock& clock);

  // Reads checkpoint->log_group from max(checkpoint->end_ms - lookback, 0) up to now - lag (on
  // a first read, end_ms == -1, from now - lag - first_lookback), at most max_window of new time
  // per query, following nextToken to the end even through empty pages. Each event not yet
  // Seen is emitted as a model::RawRecord (message, timestamp, log_group, log_stream, event_id;
  // views valid during the call) and counted received in `counters`; an event already seen is
  // counted received and then filtered (DropReason::kDuplicateEvent), not emitted. Emitted
  // events are Add()ed to the checkpoint, end_ms advances as windows complete, and ids older
  // than end_ms - lookback are pruned.
  //
  // Stops before a request once MonotonicNow() of the clock reaches `deadline`: then end_ms is
  // the last fully read millisecond bound (pages are sorted by timestamp; the ids of that
  // millisecond are in the seen set), never beyond anything unread, and caught_up is false.
  // A deadline already passed reads nothing (a first-read checkpoint then gets its start).
  //
  // Returns the client's errors (kResourceExhausted when throttling outlasts retries,
  // kPermissionDenied, kNotFound for a missing group, ...): events emitted before stay emitted
  // and in the checkpoint, whose end_ms is as after a deadline; the caller should not save it.
  // kInvalidArgument for an empty log group.
  Result<PullStats> Read(Checkpoint* checkpoint, std::chrono::steady_clock::time_point deadline,
                         const pipeline::RecordCallback& emit, pipeline::EventCounters& counters);

 private:
  const PullOptions options_;
  aws::CloudWatchLogsClient& logs_;
  const Clock& clock_;
};

}  // namespace gatescope::sources
