// Feeds arbitrary bytes to every CloudWatch Logs response parser, as if the service (or a proxy
// in between) had answered with them. Checks that a failed parse leaves the reused page empty
// and that a page parsed into reused buffers equals a fresh parse.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/cloudwatch_logs_client.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);

  // Reused page: first filled with something stale, then parsed into.
  aws::FilterLogEventsPage reused;
  reused.events.resize(3);
  reused.events[0].message = "stale";
  reused.events[1].event_id = "stale";
  reused.next_token = "stale";
  Status status = aws::ParseFilterLogEventsResponse(body, reused);
  Result<aws::FilterLogEventsPage> fresh = aws::ParseFilterLogEventsResponse(body);
  if (status.ok() != fresh.ok()) std::abort();
  if (!status.ok()) {
    if (!reused.events.empty() || !reused.next_token.empty()) std::abort();
  } else {
    if (reused.events.size() != fresh->events.size()) std::abort();
    if (reused.next_token != fresh->next_token) std::abort();
    for (size_t i = 0; i < reused.events.size(); ++i) {
      const aws::FilteredLogEvent& a = reused.events[i];
      const aws::FilteredLogEvent& b = fresh->events[i];
      if (a.message != b.message || a.event_id != b.event_id ||
          a.log_stream_name != b.log_stream_name || a.timestamp_ms != b.timestamp_ms ||
          a.ingestion_time_ms != b.ingestion_time_ms) {
        std::abort();
      }
    }
  }

  (void)aws::ParseGetLogEventsResponse(body);
  (void)aws::ParseDescribeLogGroupsResponse(body);
  (void)aws::ParseDescribeLogStreamsResponse(body);
  (void)aws::ParseDescribeSubscriptionFiltersResponse(body);
  return 0;
}
