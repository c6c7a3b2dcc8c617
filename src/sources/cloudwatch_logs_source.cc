#include "sources/cloudwatch_logs_source.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "model/raw_record.h"

namespace gatescope::sources {

CloudWatchLogsSource::CloudWatchLogsSource(PullOptions options, aws::CloudWatchLogsClient& logs,
                                           const Clock& clock)
    : options_(std::move(options)), logs_(logs), clock_(clock) {}

Result<PullStats> CloudWatchLogsSource::Read(Checkpoint* checkpoint,
                                             std::chrono::steady_clock::time_point deadline,
                                             const pipeline::RecordCallback& emit,
                                             pipeline::EventCounters& counters) {
  Checkpoint& cp = *checkpoint;
  if (cp.log_group.empty()) return InvalidArgumentError("cloudwatch_logs source: empty log group");
  const int64_t now_ms = UnixMillis(clock_);
  const int64_t lookback_ms = options_.lookback.count();
  const int64_t target_ms = std::max<int64_t>(0, now_ms - options_.lag.count());
  // A window must move forward even if misconfigured to zero.
  const int64_t max_window_ms = std::max<int64_t>(1, options_.max_window.count());

  int64_t read_start_ms = 0;
  if (cp.end_ms < 0) {
    // First read: nothing before the start was read, so there is nothing to look back over.
    // The start is fixed in the checkpoint at once, so that a run stopped by its deadline does
    // not let the next one start later and skip what lies between.
    cp.end_ms = std::max<int64_t>(0, target_ms - options_.first_lookback.count());
    read_start_ms = cp.end_ms;
  } else {
    read_start_ms = std::max<int64_t>(0, cp.end_ms - lookback_ms);
  }
  cp.Prune(read_start_ms);

  PullStats stats;
  auto deadline_passed = [&] { return clock_.MonotonicNow() >= deadline; };
  bool stopped = false;
  bool first_window = true;
  Status error;
  while (cp.end_ms < target_ms) {
    if (deadline_passed()) {
      stopped = true;
      break;
    }
    const int64_t window_start_ms = first_window ? read_start_ms : cp.end_ms;
    const int64_t window_end_ms = std::min(target_ms, cp.end_ms + max_window_ms);
    first_window = false;

    aws::FilterLogEventsRequest request{.log_group = cp.log_group,
                                        .start_time_ms = window_start_ms,
                                        // endTime is inclusive: the window is [start, end).
                                        .end_time_ms = window_end_ms - 1,
                                        .limit = options_.page_limit};
    // The timestamp of the last event of the last page read whole: pages are sorted by
    // timestamp, so every event before it has been read (AWS FilterLogEvents documentation).
    std::optional<int64_t> last_read_ms;
    Status status = logs_.FilterAllPages(request, [&](const aws::FilterLogEventsPage& page) {
      ++stats.api_calls;
      if (!page.events.empty()) ++stats.pages;
      for (const aws::FilteredLogEvent& event : page.events) {
        counters.AddReceived();
        if (cp.Seen(event.event_id)) {
          counters.AddDrop(pipeline::DropReason::kDuplicateEvent);
          ++stats.duplicates;
          continue;
        }
        emit(model::RawRecord{.message = event.message,
                              .timestamp_ms = event.timestamp_ms,
                              .log_group = cp.log_group,
                              .log_stream = event.log_stream_name,
                              .event_id = event.event_id});
        cp.Add(event.timestamp_ms, event.event_id);
        ++stats.events;
        if (!stats.streams.contains(event.log_stream_name)) {
          stats.streams.insert(event.log_stream_name);
        }
      }
      if (!page.events.empty()) last_read_ms = page.events.back().timestamp_ms;
      if (!page.next_token.empty() && deadline_passed()) {
        stopped = true;
        return Status(StatusCode::kCancelled, "deadline");
      }
      return Status::Ok();
    });
    if (status.ok()) {
      cp.end_ms = window_end_ms;
      cp.Prune(cp.end_ms - lookback_ms);
      continue;
    }
    // Part of the window was read: move to the last millisecond read in part. Events of that
    // millisecond already read are in the seen set; the next run reads it again.
    if (last_read_ms.has_value()) {
      cp.end_ms = std::max(cp.end_ms, std::min(*last_read_ms, window_end_ms));
      cp.Prune(cp.end_ms - lookback_ms);
    }
    if (!stopped) error = std::move(status);
    break;
  }
  if (!error.ok()) return error;
  stats.read_until_ms = cp.end_ms;
  stats.caught_up = !stopped && cp.end_ms >= target_ms;
  return stats;
}

}  // namespace gatescope::sources
