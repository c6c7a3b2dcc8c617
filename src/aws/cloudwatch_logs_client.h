#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/result.h"

namespace gatescope::aws {

// True for a valid CloudWatch Logs log group name: 1-512 of [.\-_/#A-Za-z0-9]. The connector's
// configuration and the deployment .env check names with it.
bool IsValidLogGroupName(std::string_view name);

// The awsJson 1.1 target prefix of every CloudWatch Logs operation (botocore metadata).
inline constexpr std::string_view kLogsTargetPrefix = "Logs_20140328";

// Service limits the client enforces before sending, so that a bad request fails fast with a
// clear message instead of a generic InvalidParameterException (botocore shapes, 2026).
inline constexpr int kMaxFilterLogEventsLimit = 10000;
inline constexpr int kMaxDescribeLimit = 50;  // DescribeLogGroups / DescribeLogStreams.
inline constexpr size_t kMaxFilterStreamNames = 100;
inline constexpr size_t kMaxPutLogEventsCount = 10000;
inline constexpr size_t kMaxPutLogEventsBytes = 1048576;
// PutLogEvents counts each event as its UTF-8 message bytes plus this overhead.
inline constexpr size_t kPutLogEventOverheadBytes = 26;
// One PutLogEvents batch may not span more than 24 hours of event timestamps.
inline constexpr int64_t kMaxPutLogEventsSpanMs = int64_t{24} * 3600 * 1000;

// One entry of DescribeLogGroups. Fields the service omitted stay at their defaults (with a
// logGroupNamePattern the service returns only name, arn and creation time).
struct LogGroup {
  std::string name;
  // As returned in `arn`: "arn:aws:logs:<region>:<account>:log-group:<name>:*". Accepted by
  // the requests whose `log_group` takes a name or an ARN (the ":*" is cut before sending).
  std::string arn;
  int64_t creation_time_ms = 0;
  std::optional<int32_t> retention_days;  // nullopt: never expire.
  std::string log_group_class;            // "STANDARD", "INFREQUENT_ACCESS", "DELIVERY" or empty.
  int64_t stored_bytes = 0;
};

struct DescribeLogGroupsRequest {
  // At most one of the two; empty means unset. A pattern matches a substring of the name.
  std::string name_prefix;
  std::string name_pattern;
  int limit = 0;           // 1..50; 0 leaves the service default (50).
  std::string next_token;  // Empty for the first page.
};

struct LogGroupsPage {
  std::vector<LogGroup> log_groups;  // ASCII-sorted by name (AWS).
  std::string next_token;            // Empty: this was the last page.
};

// One entry of DescribeLogStreams. Event times are absent for a stream with no events, and
// lag ingestion by up to an hour on AWS: never use them to skip streams.
struct LogStream {
  std::string name;
  std::string arn;
  int64_t creation_time_ms = 0;
  std::optional<int64_t> first_event_timestamp_ms;
  std::optional<int64_t> last_event_timestamp_ms;
  std::optional<int64_t> last_ingestion_time_ms;
};

enum class LogStreamOrder { kLogStreamName, kLastEventTime };

struct DescribeLogStreamsRequest {
  std::string log_group;    // Name or ARN (see FilterLogEventsRequest::log_group).
  std::string name_prefix;  // Not allowed with kLastEventTime (AWS rejects it).
  LogStreamOrder order_by = LogStreamOrder::kLogStreamName;
  bool descending = false;
  int limit = 0;  // 1..50; 0 leaves the service default (50).
  std::string next_token;
};

struct LogStreamsPage {
  std::vector<LogStream> log_streams;
  std::string next_token;  // Empty: this was the last page.
};

struct FilterLogEventsRequest {
  // A log group name, or an ARN (starts with "arn:"; a trailing ":*" is cut). Names are sent
  // as logGroupName, ARNs as logGroupIdentifier, as the API wants exactly one of them.
  std::string log_group;
  // At most one of the two (1..100 names). Empty means every stream of the group.
  std::vector<std::string> stream_names;
  std::string stream_name_prefix;
  // Milliseconds since the epoch. start is inclusive; AWS also returns events whose timestamp
  // equals end ("events later than this time are not returned").
  std::optional<int64_t> start_time_ms;
  std::optional<int64_t> end_time_ms;
  std::string filter_pattern;  // Empty: every event.
  int limit = 0;               // 1..10000 events per page; 0 leaves the default (10,000).
  std::string next_token;      // Empty for the first page.
};

// One event of a FilterLogEvents page.
struct FilteredLogEvent {
  std::string log_stream_name;
  int64_t timestamp_ms = 0;
  int64_t ingestion_time_ms = 0;
  std::string event_id;  // Unique within the log group: the key to dedupe overlapping windows.
  std::string message;
};

// One page. A page may be partly full or empty and still carry a next_token: only an absent
// token ends the pagination (AWS FilterLogEvents documentation).
struct FilterLogEventsPage {
  std::vector<FilteredLogEvent> events;  // Sorted by timestamp, then ingestion (AWS).
  std::string next_token;                // Empty: the last page.
};

struct GetLogEventsRequest {
  std::string log_group;  // Name or ARN.
  std::string log_stream;
  // start inclusive; end exclusive ("events with a timestamp equal to or later than this time
  // are not included"). Note moto (5.2) includes events equal to end.
  std::optional<int64_t> start_time_ms;
  std::optional<int64_t> end_time_ms;
  // Always sent. AWS defaults to false (newest first); forward iteration with
  // next_forward_token requires true, hence our default.
  bool start_from_head = true;
  int limit = 0;  // 1..10000; 0 leaves the default (up to 1 MB / 10,000 events).
  std::string next_token;
};

struct OutputLogEvent {
  int64_t timestamp_ms = 0;
  int64_t ingestion_time_ms = 0;
  std::string message;
};

struct GetLogEventsPage {
  std::vector<OutputLogEvent> events;
  // At the end of the stream the service returns the token it was given.
  std::string next_forward_token;
  std::string next_backward_token;
};

struct SubscriptionFilter {
  std::string filter_name;
  std::string log_group_name;
  std::string filter_pattern;
  std::string destination_arn;
  std::string role_arn;
  std::string distribution;  // "ByLogStream" or "Random".
  int64_t creation_time_ms = 0;
};

struct PutSubscriptionFilterRequest {
  std::string log_group_name;
  std::string filter_name;
  std::string filter_pattern;  // Empty matches every event.
  std::string destination_arn;
  std::string role_arn;      // Empty: none (Lambda destinations need none).
  std::string distribution;  // Empty: the service default (ByLogStream).
};

struct SubscriptionFiltersPage {
  std::vector<SubscriptionFilter> filters;
  std::string next_token;
};

struct InputLogEvent {
  int64_t timestamp_ms = 0;
  std::string message;  // Valid UTF-8, not empty.
};

// What the service refused, summed over all batches (rejectedLogEventsInfo). Events rejected
// this way are not an error: AWS stores the rest of the batch.
struct PutLogEventsResult {
  int batches = 0;
  int64_t too_new = 0;  // More than 2 hours in the future.
  int64_t too_old = 0;  // Older than 14 days.
  int64_t expired = 0;  // Older than the group's retention.
};

// Response parsers, shared by the client and the fuzzer. Each reads one response body; members
// it does not know are skipped and null is read as absent. Returns kParseError, naming the
// operation and simdjson's reason, when the body is not JSON or a known member has the wrong
// type. Nothing refers into `body` after the call.

// Parses into `page`, reusing its vectors and strings (the hot path: pages up to 1 MB).
Status ParseFilterLogEventsResponse(std::string_view body, FilterLogEventsPage& page);
Result<FilterLogEventsPage> ParseFilterLogEventsResponse(std::string_view body);
Result<GetLogEventsPage> ParseGetLogEventsResponse(std::string_view body);
Result<LogGroupsPage> ParseDescribeLogGroupsResponse(std::string_view body);
Result<LogStreamsPage> ParseDescribeLogStreamsResponse(std::string_view body);
Result<SubscriptionFiltersPage> ParseDescribeSubscriptionFiltersResponse(std::string_view body);

// Splits `events` into PutLogEvents batches in timestamp order: the sort is stable, so events
// with equal timestamps keep their order. Each batch holds at most 10,000 events, at most
// 1,048,576 bytes counting 26 bytes per event, and spans at most 24 hours. Returns
// kInvalidArgument, naming the event's original index, for an empty message, a message that is
// not valid UTF-8 or one too large for any batch; nothing is split then.
Result<std::vector<std::vector<InputLogEvent>>> SplitPutLogEventsBatches(
    std::vector<InputLogEvent> events);

struct CloudWatchLogsClientOptions {
  // A paginated call stops with kUnavailable when the service hands back the token it was sent
  // this many times in a row (a stuck cursor would otherwise loop for ever). Empty pages with
  // fresh tokens are normal and never count.
  int max_repeated_tokens = 3;
};

// Typed CloudWatch Logs API over an AwsServiceClient (which signs, retries throttling, 5xx and
// timeouts, and maps AWS errors to Status: ResourceNotFoundException is kNotFound,
// InvalidParameterException kInvalidArgument, exhausted throttling retries kResourceExhausted,
// each message carrying the AWS code).
//
// Every call returns those Statuses, plus kInvalidArgument for a request that breaks a
// documented limit (checked before sending) and kParseError for an unreadable response.
//
// Thread-safety: holds no mutable state; as thread-safe as the borrowed AwsServiceClient,
// which must outlive this client.
class CloudWatchLogsClient {
 public:
  explicit CloudWatchLogsClient(AwsServiceClient& aws, CloudWatchLogsClientOptions options = {});

  // One page of log groups.
  Result<LogGroupsPage> DescribeLogGroups(const DescribeLogGroupsRequest& request);
  // Every log group whose name starts with `prefix` (empty: all), following every page.
  Result<std::vector<LogGroup>> ListLogGroups(std::string_view prefix = {});

  // One page of the streams of a log group.
  Result<LogStreamsPage> DescribeLogStreams(const DescribeLogStreamsRequest& request);
  // Every stream of `log_group` whose name starts with `prefix`, by name, following every page.
  Result<std::vector<LogStream>> ListLogStreams(std::string_view log_group,
                                                std::string_view prefix = {});

  // One page of events. The overload taking `page` refills it in place, reusing its buffers.
  Result<FilterLogEventsPage> FilterLogEvents(const FilterLogEventsRequest& request);
  Status FilterLogEvents(const FilterLogEventsRequest& request, FilterLogEventsPage& page);

  // Called once per page, empty pages included; the page is reused after the call returns.
  // A non-ok Status stops the iteration and is returned as is.
  using FilterPageCallback = std::function<Status(const FilterLogEventsPage& page)>;

  // Every page from request.next_token (empty: the start) until a page comes without a
  // nextToken; pages that are empty but carry a token are followed. Returns the first error
  // from the service or `on_page`, or kUnavailable when the same token comes back
  // max_repeated_tokens times in a row.
  Status FilterAllPages(FilterLogEventsRequest request, const FilterPageCallback& on_page);

  // One page of one stream.
  Result<GetLogEventsPage> GetLogEvents(const GetLogEventsRequest& request);

  using GetPageCallback = std::function<Status(const GetLogEventsPage& page)>;

  // Reads forward from request.next_token (empty: the head of the window) with
  // startFromHead=true, calling `on_page` for every page that has events, until the service
  // returns the forward token it was sent (the end of the stream). On AWS, without an end time
  // a stream still being written never ends: pass end_time_ms or stop from `on_page`.
  Status GetAllLogEvents(GetLogEventsRequest request, const GetPageCallback& on_page);

  // Creates or replaces (same name) a subscription filter; a log group has at most two.
  Status PutSubscriptionFilter(const PutSubscriptionFilterRequest& request);
  // Every subscription filter of the group whose name starts with `filter_name_prefix`.
  Result<std::vector<SubscriptionFilter>> DescribeSubscriptionFilters(
      std::string_view log_group_name, std::string_view filter_name_prefix = {});
  // kNotFound when the group or the filter does not exist.
  Status DeleteSubscriptionFilter(std::string_view log_group_name, std::string_view filter_name);

  // Fails (kInvalidArgument, ResourceAlreadyExistsException in the message) if it exists.
  Status CreateLogGroup(std::string_view log_group_name);
  // Sets the group's retention (days; one of CloudWatch's values, which the service checks).
  Status PutRetentionPolicy(std::string_view log_group_name, int retention_days);
  Status CreateLogStream(std::string_view log_group_name, std::string_view log_stream_name);

  // Stores `events` (any order) with as few PutLogEvents calls as SplitPutLogEventsBatches
  // allows. Everything is validated before the first call; if a later batch fails, the batches
  // before it stay stored and the error is returned.
  Result<PutLogEventsResult> PutLogEvents(std::string_view log_group_name,
                                          std::string_view log_stream_name,
                                          std::vector<InputLogEvent> events);

 private:
  Result<std::string> Call(std::string_view action, std::string body);

  AwsServiceClient& aws_;
  const CloudWatchLogsClientOptions options_;
};

}  // namespace gatescope::aws
