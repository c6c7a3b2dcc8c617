#include "aws/cloudwatch_logs_client.h"

#include <simdjson.h>

#include <algorithm>
#include <iterator>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

namespace gatescope::aws {

namespace sj = simdjson::ondemand;
using simdjson::error_code;

namespace {

// Appends `s` as a JSON string. Bytes from 0x80 up pass through unchanged (callers validate
// UTF-8 where the service would reject it); quotes, backslashes and control characters are
// escaped, the latter as \u00XX unless JSON has a short form.
void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

// A flat JSON object, built member by member.
class JsonObject {
 public:
  JsonObject() : out_("{") {}

  JsonObject& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(out_, value);
    return *this;
  }
  // Omitted when empty: the API treats an absent member as unset, and some members (tokens,
  // prefixes) reject the empty string.
  JsonObject& StrIfSet(std::string_view key, std::string_view value) {
    return value.empty() ? *this : Str(key, value);
  }
  JsonObject& Int(std::string_view key, int64_t value) {
    Key(key);
    out_.append(std::to_string(value));
    return *this;
  }
  JsonObject& IntIfSet(std::string_view key, const std::optional<int64_t>& value) {
    return value ? Int(key, *value) : *this;
  }
  JsonObject& Bool(std::string_view key, bool value) {
    Key(key);
    out_.append(value ? "true" : "false");
    return *this;
  }
  JsonObject& StrArray(std::string_view key, const std::vector<std::string>& values) {
    Key(key);
    out_.push_back('[');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out_.push_back(',');
      AppendJsonString(out_, values[i]);
    }
    out_.push_back(']');
    return *this;
  }
  // Starts a member whose value the caller appends to raw().
  std::string& RawMember(std::string_view key) {
    Key(key);
    return out_;
  }
  std::string Done() && {
    out_.push_back('}');
    return std::move(out_);
  }

 private:
  void Key(std::string_view key) {
    if (out_.size() > 1) out_.push_back(',');
    AppendJsonString(out_, key);
    out_.push_back(':');
  }
  std::string out_;
};

// Names go out as logGroupName and ARNs as logGroupIdentifier: the API takes exactly one.
// DescribeLogGroups returns ARNs ending in ":*", which logGroupIdentifier does not accept.
void AddLogGroup(JsonObject& body, std::string_view log_group) {
  if (log_group.starts_with("arn:")) {
    if (log_group.ends_with(":*")) log_group.remove_suffix(2);
    body.Str("logGroupIdentifier", log_group);
  } else {
    body.Str("logGroupName", log_group);
  }
}

Status CheckLimit(std::string_view action, int limit, int max) {
  if (limit < 0 || limit > max) {
    return InvalidArgumentError(std::string(action) + ": limit " + std::to_string(limit) +
                                " is outside 1.." + std::to_string(max));
  }
  return Status::Ok();
}

Status CheckLogGroup(std::string_view action, std::string_view log_group) {
  if (log_group.empty()) return InvalidArgumentError(std::string(action) + ": no log group");
  return Status::Ok();
}

// Responses are read with simdjson On Demand: one pass, no DOM.

// One parser per thread: it keeps its buffers between pages, and the client may be used from
// several threads. `padded` holds copies of bodies that arrive without simdjson's padding.
struct ParseScratch {
  sj::parser parser;
  std::string padded;
};

ParseScratch& Scratch() {
  thread_local ParseScratch scratch;
  return scratch;
}

bool IsNull(sj::value& v, error_code& error) {
  sj::json_type type;
  error = v.type().get(type);
  return error == simdjson::SUCCESS && type == sj::json_type::null;
}

error_code ReadString(sj::value v, std::string& out) {
  error_code error;
  if (IsNull(v, error) || error) {
    out.clear();
    return error;
  }
  std::string_view s;
  if ((error = v.get_string().get(s))) return error;
  out.assign(s);
  return simdjson::SUCCESS;
}

error_code ReadInt(sj::value v, int64_t& out) {
  error_code error;
  if (IsNull(v, error) || error) return error;
  return v.get_int64().get(out);
}

template <typename T>
error_code ReadOptionalInt(sj::value v, std::optional<T>& out) {
  error_code error;
  out.reset();
  if (IsNull(v, error) || error) return error;
  int64_t n = 0;
  if ((error = v.get_int64().get(n))) return error;
  out = static_cast<T>(n);
  return simdjson::SUCCESS;
}

// Calls fn(key, value) for every member of an object.
template <typename Fn>
error_code ForEachMember(sj::object object, Fn&& fn) {
  for (auto member : object) {
    sj::field field;
    if (error_code e = std::move(member).get(field)) return e;
    if (error_code e = fn(field.key(), field.value())) return e;
  }
  return simdjson::SUCCESS;
}

// The same for a value that should be an object; null is an empty object.
template <typename Fn>
error_code ForEachMember(sj::value v, Fn&& fn) {
  error_code error;
  if (IsNull(v, error) || error) return error;
  sj::object object;
  if ((error = v.get_object().get(object))) return error;
  return ForEachMember(object, std::forward<Fn>(fn));
}

// Calls fn(element) for every element of an array; null is an empty array.
template <typename Fn>
error_code ForEachElement(sj::value v, Fn&& fn) {
  error_code error;
  if (IsNull(v, error) || error) return error;
  sj::array array;
  if ((error = v.get_array().get(array))) return error;
  for (auto element : array) {
    sj::value value;
    if ((error = std::move(element).get(value))) return error;
    if ((error = fn(value))) return error;
  }
  return simdjson::SUCCESS;
}

// Iterates the top-level object of `data[0, size)`, which has `capacity` readable bytes
// (capacity >= size + SIMDJSON_PADDING). `where` names the member being read when an error
// happens. simdjson 3.0 On Demand does not look past the closing brace; AWS never sends more.
template <typename Fn>
Status ParseDocument(std::string_view operation, const char* data, size_t size, size_t capacity,
                     Fn&& fn) {
  std::string_view where = "document";
  sj::document doc;
  error_code error = Scratch().parser.iterate(data, size, capacity).get(doc);
  sj::object root;
  if (!error) error = doc.get_object().get(root);
  if (!error) {
    error = ForEachMember(
        root, [&](sj::raw_json_string key, sj::value& value) { return fn(key, value, where); });
  }
  if (!error) return Status::Ok();
  return ParseError(std::string(operation) + " response: " + std::string(where) + ": " +
                    simdjson::error_message(error));
}

// The same for a body without padding: copied into the thread's scratch buffer first.
template <typename Fn>
Status ParseUnpadded(std::string_view operation, std::string_view body, Fn&& fn) {
  std::string& padded = Scratch().padded;
  padded.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(body);
  return ParseDocument(operation, padded.data(), padded.size(), padded.capacity(),
                       std::forward<Fn>(fn));
}

// A body we own: pad it in place instead of copying (a FilterLogEvents page is up to 1 MB).
template <typename Fn>
Status ParseOwned(std::string_view operation, std::string& body, Fn&& fn) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return ParseDocument(operation, body.data(), body.size(), body.capacity(), std::forward<Fn>(fn));
}

// Reads the events of a FilterLogEvents page into `events`, reusing the elements (and their
// strings' capacity) already there. `count` is the number filled.
error_code ReadFilteredEvents(sj::value v, std::vector<FilteredLogEvent>& events, size_t& count,
                              std::string_view& where) {
  return ForEachElement(v, [&](sj::value& element) {
    if (count == events.size()) events.emplace_back();
    FilteredLogEvent& event = events[count++];
    event.log_stream_name.clear();
    event.timestamp_ms = 0;
    event.ingestion_time_ms = 0;
    event.event_id.clear();
    event.message.clear();
    return ForEachMember(element, [&](sj::raw_json_string key, sj::value& field) {
      if (key == "message") {
        where = "events[].message";
        return ReadString(field, event.message);
      }
      if (key == "timestamp") {
        where = "events[].timestamp";
        return ReadInt(field, event.timestamp_ms);
      }
      if (key == "logStreamName") {
        where = "events[].logStreamName";
        return ReadString(field, event.log_stream_name);
      }
      if (key == "eventId") {
        where = "events[].eventId";
        return ReadString(field, event.event_id);
      }
      if (key == "ingestionTime") {
        where = "events[].ingestionTime";
        return ReadInt(field, event.ingestion_time_ms);
      }
      return simdjson::SUCCESS;
    });
  });
}

template <typename Fn>
Status ParseFilterPage(Fn&& parse, FilterLogEventsPage& page) {
  size_t count = 0;
  page.next_token.clear();
  Status status = parse([&](sj::raw_json_string key, sj::value& value, std::string_view& where) {
    if (key == "events") {
      where = "events";
      return ReadFilteredEvents(value, page.events, count, where);
    }
    if (key == "nextToken") {
      where = "nextToken";
      return ReadString(value, page.next_token);
    }
    return simdjson::SUCCESS;
  });
  if (!status.ok()) {
    page.events.clear();
    page.next_token.clear();
    return status;
  }
  page.events.resize(count);
  return Status::Ok();
}

// Parses GetLogEvents; `parse` is ParseUnpadded or ParseOwned bound to the body.
template <typename Fn>
Result<GetLogEventsPage> ParseGetPage(Fn&& parse) {
  GetLogEventsPage page;
  Status status = parse([&](sj::raw_json_string key, sj::value& value, std::string_view& where) {
    if (key == "events") {
      where = "events";
      return ForEachElement(value, [&](sj::value& element) {
        OutputLogEvent& event = page.events.emplace_back();
        return ForEachMember(element, [&](sj::raw_json_string k, sj::value& field) {
          if (k == "message") return ReadString(field, event.message);
          if (k == "timestamp") return ReadInt(field, event.timestamp_ms);
          if (k == "ingestionTime") return ReadInt(field, event.ingestion_time_ms);
          return simdjson::SUCCESS;
        });
      });
    }
    if (key == "nextForwardToken") {
      where = "nextForwardToken";
      return ReadString(value, page.next_forward_token);
    }
    if (key == "nextBackwardToken") {
      where = "nextBackwardToken";
      return ReadString(value, page.next_backward_token);
    }
    return simdjson::SUCCESS;
  });
  if (!status.ok()) return status;
  return page;
}

// One page of a Describe* listing: each element of the array under `list_key` read into a new
// item of `page.*items` by `read_member` (one call per member), and nextToken.
template <typename Page, typename Item, typename Fn, typename ReadMember>
Result<Page> ParseListPage(Fn&& parse, std::string_view list_key, std::vector<Item> Page::*items,
                           ReadMember read_member) {
  Page page;
  Status status = parse([&](sj::raw_json_string key, sj::value& value, std::string_view& where) {
    if (key == list_key) {
      where = list_key;
      return ForEachElement(value, [&](sj::value& element) {
        Item& item = (page.*items).emplace_back();
        return ForEachMember(element, [&](sj::raw_json_string k, sj::value& field) {
          return read_member(k, field, item);
        });
      });
    }
    if (key == "nextToken") {
      where = "nextToken";
      return ReadString(value, page.next_token);
    }
    return simdjson::SUCCESS;
  });
  if (!status.ok()) return status;
  return page;
}

simdjson::error_code ReadLogGroupMember(sj::raw_json_string k, sj::value& field, LogGroup& group) {
  if (k == "logGroupName") return ReadString(field, group.name);
  if (k == "arn") return ReadString(field, group.arn);
  if (k == "creationTime") return ReadInt(field, group.creation_time_ms);
  if (k == "retentionInDays") return ReadOptionalInt(field, group.retention_days);
  if (k == "logGroupClass") return ReadString(field, group.log_group_class);
  if (k == "storedBytes") return ReadInt(field, group.stored_bytes);
  return simdjson::SUCCESS;
}

simdjson::error_code ReadLogStreamMember(sj::raw_json_string k, sj::value& field,
                                         LogStream& stream) {
  if (k == "logStreamName") return ReadString(field, stream.name);
  if (k == "arn") return ReadString(field, stream.arn);
  if (k == "creationTime") return ReadInt(field, stream.creation_time_ms);
  if (k == "firstEventTimestamp") return ReadOptionalInt(field, stream.first_event_timestamp_ms);
  if (k == "lastEventTimestamp") return ReadOptionalInt(field, stream.last_event_timestamp_ms);
  if (k == "lastIngestionTime") return ReadOptionalInt(field, stream.last_ingestion_time_ms);
  return simdjson::SUCCESS;
}

simdjson::error_code ReadFilterMember(sj::raw_json_string k, sj::value& field,
                                      SubscriptionFilter& filter) {
  if (k == "filterName") return ReadString(field, filter.filter_name);
  if (k == "logGroupName") return ReadString(field, filter.log_group_name);
  if (k == "filterPattern") return ReadString(field, filter.filter_pattern);
  if (k == "destinationArn") return ReadString(field, filter.destination_arn);
  if (k == "roleArn") return ReadString(field, filter.role_arn);
  if (k == "distribution") return ReadString(field, filter.distribution);
  if (k == "creationTime") return ReadInt(field, filter.creation_time_ms);
  return simdjson::SUCCESS;
}

template <typename Fn>
Result<LogGroupsPage> ParseGroupsPage(Fn&& parse) {
  return ParseListPage<LogGroupsPage>(parse, "logGroups", &LogGroupsPage::log_groups,
                                      ReadLogGroupMember);
}

template <typename Fn>
Result<LogStreamsPage> ParseStreamsPage(Fn&& parse) {
  return ParseListPage<LogStreamsPage>(parse, "logStreams", &LogStreamsPage::log_streams,
                                       ReadLogStreamMember);
}

template <typename Fn>
Result<SubscriptionFiltersPage> ParseFiltersPage(Fn&& parse) {
  return ParseListPage<SubscriptionFiltersPage>(parse, "subscriptionFilters",
                                                &SubscriptionFiltersPage::filters,
                                                ReadFilterMember);
}

// A stuck cursor: kUnavailable once the service has handed back the token it was sent
// `max_repeats` times in a row. `repeats` carries the count between pages.
Status CheckRepeatedToken(std::string_view action, const std::string& sent,
                          const std::string& got, int& repeats, int max_repeats) {
  if (got.empty() || got != sent) {
    repeats = 0;
    return Status::Ok();
  }
  if (++repeats >= max_repeats) {
    return UnavailableError(std::string(action) + ": the service returned the same nextToken " +
                            std::to_string(repeats) + " times in a row; stopped paginating");
  }
  return Status::Ok();
}

// Every item of a paginated listing: `fetch(token)` returns the page after `token` (the first
// for an empty one); pages are followed until one comes without a nextToken.
template <typename Page, typename Item, typename Fetch>
Result<std::vector<Item>> CollectAllPages(std::string_view action, int max_repeated_tokens,
                                          std::vector<Item> Page::*items, Fetch fetch) {
  std::vector<Item> all;
  std::string token;
  int repeats = 0;
  while (true) {
    GS_ASSIGN_OR_RETURN(Page page, fetch(token));
    std::move((page.*items).begin(), (page.*items).end(), std::back_inserter(all));
    if (page.next_token.empty()) return all;
    GS_RETURN_IF_ERROR(
        CheckRepeatedToken(action, token, page.next_token, repeats, max_repeated_tokens));
    token = std::move(page.next_token);
  }
}

// Binds a body to ParseUnpadded (public parsers: the caller keeps the body) or ParseOwned.
auto Unpadded(std::string_view operation, std::string_view body) {
  return [operation, body](auto&& fn) { return ParseUnpadded(operation, body, fn); };
}
auto Owned(std::string_view operation, std::string& body) {
  return [operation, &body](auto&& fn) { return ParseOwned(operation, body, fn); };
}

// Indices into a PutLogEvents batch of the events the service refused (rejectedLogEventsInfo).
struct RejectedInfo {
  std::optional<int64_t> too_new_start, too_old_end, expired_end;
};

Status ParseRejectedInfo(std::string& body, RejectedInfo& info) {
  // CreateLogGroup and friends answer with an empty body; PutLogEvents may too (moto).
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Status::Ok();
  return ParseOwned("PutLogEvents", body,
                    [&](sj::raw_json_string key, sj::value& value, std::string_view& where) {
                      if (!(key == "rejectedLogEventsInfo")) return simdjson::SUCCESS;
                      where = "rejectedLogEventsInfo";
                      return ForEachMember(value, [&](sj::raw_json_string k, sj::value& field) {
                        if (k == "tooNewLogEventStartIndex") {
                          return ReadOptionalInt(field, info.too_new_start);
                        }
                        if (k == "tooOldLogEventEndIndex") {
                          return ReadOptionalInt(field, info.too_old_end);
                        }
                        if (k == "expiredLogEventEndIndex") {
                          return ReadOptionalInt(field, info.expired_end);
                        }
                        return simdjson::SUCCESS;
                      });
                    });
}

// Clamps an index from the service into a count of events of a batch of `size`.
int64_t ClampCount(int64_t n, size_t size) {
  return std::clamp<int64_t>(n, 0, static_cast<int64_t>(size));
}

}  // namespace

Status ParseFilterLogEventsResponse(std::string_view body, FilterLogEventsPage& page) {
  return ParseFilterPage(Unpadded("FilterLogEvents", body), page);
}

Result<FilterLogEventsPage> ParseFilterLogEventsResponse(std::string_view body) {
  FilterLogEventsPage page;
  GS_RETURN_IF_ERROR(ParseFilterLogEventsResponse(body, page));
  return page;
}

Result<GetLogEventsPage> ParseGetLogEventsResponse(std::string_view body) {
  return ParseGetPage(Unpadded("GetLogEvents", body));
}

Result<LogGroupsPage> ParseDescribeLogGroupsResponse(std::string_view body) {
  return ParseGroupsPage(Unpadded("DescribeLogGroups", body));
}

Result<LogStreamsPage> ParseDescribeLogStreamsResponse(std::string_view body) {
  return ParseStreamsPage(Unpadded("DescribeLogStreams", body));
}

Result<SubscriptionFiltersPage> ParseDescribeSubscriptionFiltersResponse(std::string_view body) {
  return ParseFiltersPage(Unpadded("DescribeSubscriptionFilters", body));
}

Result<std::vector<std::vector<InputLogEvent>>> SplitPutLogEventsBatches(
    std::vector<InputLogEvent> events) {
  for (size_t i = 0; i < events.size(); ++i) {
    const std::string& message = events[i].message;
    std::string where = "PutLogEvents: event " + std::to_string(i);
    if (message.empty()) return InvalidArgumentError(where + " has an empty message");
    if (!simdjson::validate_utf8(message)) {
      return InvalidArgumentError(where + " is not valid UTF-8");
    }
    if (message.size() + kPutLogEventOverheadBytes > kMaxPutLogEventsBytes) {
      return InvalidArgumentError(
          where + " is " + std::to_string(message.size()) + " bytes; at most " +
          std::to_string(kMaxPutLogEventsBytes - kPutLogEventOverheadBytes) + " fit in a request");
    }
  }
  // AWS rejects a batch whose events are out of timestamp order.
  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return events[a].timestamp_ms < events[b].timestamp_ms;
  });

  std::vector<std::vector<InputLogEvent>> batches;
  size_t batch_bytes = 0;
  int64_t batch_first_ms = 0;
  for (size_t index : order) {
    InputLogEvent& event = events[index];
    size_t bytes = event.message.size() + kPutLogEventOverheadBytes;
    if (batches.empty() || batches.back().size() == kMaxPutLogEventsCount ||
        batch_bytes + bytes > kMaxPutLogEventsBytes ||
        event.timestamp_ms - batch_first_ms >= kMaxPutLogEventsSpanMs) {
      batches.emplace_back();
      batch_bytes = 0;
      batch_first_ms = event.timestamp_ms;
    }
    batch_bytes += bytes;
    batches.back().push_back(std::move(event));
  }
  return batches;
}

CloudWatchLogsClient::CloudWatchLogsClient(AwsServiceClient& aws,
                                           CloudWatchLogsClientOptions options)
    : aws_(aws), options_(options) {}

Result<std::string> CloudWatchLogsClient::Call(std::string_view action, std::string body) {
  return aws_.CallJson(kLogsTargetPrefix, action, std::move(body));
}

Result<LogGroupsPage> CloudWatchLogsClient::DescribeLogGroups(
    const DescribeLogGroupsRequest& request) {
  constexpr std::string_view kAction = "DescribeLogGroups";
  if (!request.name_prefix.empty() && !request.name_pattern.empty()) {
    return InvalidArgumentError("DescribeLogGroups: name_prefix and name_pattern are exclusive");
  }
  GS_RETURN_IF_ERROR(CheckLimit(kAction, request.limit, kMaxDescribeLimit));
  JsonObject body;
  body.StrIfSet("logGroupNamePrefix", request.name_prefix)
      .StrIfSet("logGroupNamePattern", request.name_pattern)
      .StrIfSet("nextToken", request.next_token);
  if (request.limit > 0) body.Int("limit", request.limit);
  GS_ASSIGN_OR_RETURN(std::string response, Call(kAction, std::move(body).Done()));
  return ParseGroupsPage(Owned(kAction, response));
}

Result<std::vector<LogGroup>> CloudWatchLogsClient::ListLogGroups(std::string_view prefix) {
  return CollectAllPages(
      "DescribeLogGroups", options_.max_repeated_tokens, &LogGroupsPage::log_groups,
      [&](const std::string& token) {
        return DescribeLogGroups({.name_prefix = std::string(prefix),
                                  .limit = kMaxDescribeLimit,
                                  .next_token = token});
      });
}

Result<LogStreamsPage> CloudWatchLogsClient::DescribeLogStreams(
    const DescribeLogStreamsRequest& request) {
  constexpr std::string_view kAction = "DescribeLogStreams";
  GS_RETURN_IF_ERROR(CheckLogGroup(kAction, request.log_group));
  GS_RETURN_IF_ERROR(CheckLimit(kAction, request.limit, kMaxDescribeLimit));
  if (request.order_by == LogStreamOrder::kLastEventTime && !request.name_prefix.empty()) {
    return InvalidArgumentError(
        "DescribeLogStreams: name_prefix cannot be used with ordering "
        "by LastEventTime");
  }
  JsonObject body;
  AddLogGroup(body, request.log_group);
  body.StrIfSet("logStreamNamePrefix", request.name_prefix)
      .Str("orderBy",
           request.order_by == LogStreamOrder::kLastEventTime ? "LastEventTime" : "LogStreamName")
      .Bool("descending", request.descending)
      .StrIfSet("nextToken", request.next_token);
  if (request.limit > 0) body.Int("limit", request.limit);
  GS_ASSIGN_OR_RETURN(std::string response, Call(kAction, std::move(body).Done()));
  return ParseStreamsPage(Owned(kAction, response));
}

Result<std::vector<LogStream>> CloudWatchLogsClient::ListLogStreams(std::string_view log_group,
                                                                    std::string_view prefix) {
  return CollectAllPages(
      "DescribeLogStreams", options_.max_repeated_tokens, &LogStreamsPage::log_streams,
      [&](const std::string& token) {
        return DescribeLogStreams({.log_group = std::string(log_group),
                                   .name_prefix = std::string(prefix),
                                   .limit = kMaxDescribeLimit,
                                   .next_token = token});
      });
}

Status CloudWatchLogsClient::FilterLogEvents(const FilterLogEventsRequest& request,
                                             FilterLogEventsPage& page) {
  constexpr std::string_view kAction = "FilterLogEvents";
  GS_RETURN_IF_ERROR(CheckLogGroup(kAction, request.log_group));
  GS_RETURN_IF_ERROR(CheckLimit(kAction, request.limit, kMaxFilterLogEventsLimit));
  if (!request.stream_names.empty() && !request.stream_name_prefix.empty()) {
    return InvalidArgumentError(
        "FilterLogEvents: stream_names and stream_name_prefix are "
        "exclusive");
  }
  if (request.stream_names.size() > kMaxFilterStreamNames) {
    return InvalidArgumentError("FilterLogEvents: " + std::to_string(request.stream_names.size()) +
                                " stream names; at most 100");
  }
  JsonObject body;
  AddLogGroup(body, request.log_group);
  if (!request.stream_names.empty()) body.StrArray("logStreamNames", request.stream_names);
  body.StrIfSet("logStreamNamePrefix", request.stream_name_prefix)
      .IntIfSet("startTime", request.start_time_ms)
      .IntIfSet("endTime", request.end_time_ms)
      .StrIfSet("filterPattern", request.filter_pattern)
      .StrIfSet("nextToken", request.next_token);
  if (request.limit > 0) body.Int("limit", request.limit);
  // AWS ignores `interleaved` since 2019 and always interleaves streams by timestamp; emulators
  // built on moto default it to false and return the streams one after another. Asking for it
  // keeps both in timestamp order.
  body.Bool("interleaved", true);
  GS_ASSIGN_OR_RETURN(std::string response, Call(kAction, std::move(body).Done()));
  return ParseFilterPage(Owned(kAction, response), page);
}

Result<FilterLogEventsPage> CloudWatchLogsClient::FilterLogEvents(
    const FilterLogEventsRequest& request) {
  FilterLogEventsPage page;
  GS_RETURN_IF_ERROR(FilterLogEvents(request, page));
  return page;
}

Status CloudWatchLogsClient::FilterAllPages(FilterLogEventsRequest request,
                                            const FilterPageCallback& on_page) {
  // One page object for the whole walk: its events and their strings keep their capacity.
  FilterLogEventsPage page;
  int repeats = 0;
  while (true) {
    GS_RETURN_IF_ERROR(FilterLogEvents(request, page));
    GS_RETURN_IF_ERROR(on_page(page));
    if (page.next_token.empty()) return Status::Ok();
    GS_RETURN_IF_ERROR(CheckRepeatedToken("FilterLogEvents", request.next_token, page.next_token,
                                          repeats, options_.max_repeated_tokens));
    request.next_token.swap(page.next_token);
  }
}

Result<GetLogEventsPage> CloudWatchLogsClient::GetLogEvents(const GetLogEventsRequest& request) {
  constexpr std::string_view kAction = "GetLogEvents";
  GS_RETURN_IF_ERROR(CheckLogGroup(kAction, request.log_group));
  GS_RETURN_IF_ERROR(CheckLimit(kAction, request.limit, kMaxFilterLogEventsLimit));
  if (request.log_stream.empty()) return InvalidArgumentError("GetLogEvents: no log stream");
  JsonObject body;
  AddLogGroup(body, request.log_group);
  body.Str("logStreamName", request.log_stream)
      .IntIfSet("startTime", request.start_time_ms)
      .IntIfSet("endTime", request.end_time_ms)
      .Bool("startFromHead", request.start_from_head)
      .StrIfSet("nextToken", request.next_token);
  if (request.limit > 0) body.Int("limit", request.limit);
  GS_ASSIGN_OR_RETURN(std::string response, Call(kAction, std::move(body).Done()));
  return ParseGetPage(Owned(kAction, response));
}

Status CloudWatchLogsClient::GetAllLogEvents(GetLogEventsRequest request,
                                             const GetPageCallback& on_page) {
  // "If you are using a previous nextForwardToken value as the nextToken in this operation,
  // you must specify true for startFromHead" (GetLogEvents documentation).
  request.start_from_head = true;
  while (true) {
    GS_ASSIGN_OR_RETURN(GetLogEventsPage page, GetLogEvents(request));
    if (!page.events.empty()) GS_RETURN_IF_ERROR(on_page(page));
    // The end of the stream: the service hands back the token it was given.
    if (page.next_forward_token.empty() || page.next_forward_token == request.next_token) {
      return Status::Ok();
    }
    request.next_token = std::move(page.next_forward_token);
  }
}

Status CloudWatchLogsClient::PutSubscriptionFilter(const PutSubscriptionFilterRequest& request) {
  constexpr std::string_view kAction = "PutSubscriptionFilter";
  GS_RETURN_IF_ERROR(CheckLogGroup(kAction, request.log_group_name));
  if (request.filter_name.empty() || request.destination_arn.empty()) {
    return InvalidArgumentError(
        "PutSubscriptionFilter: filter_name and destination_arn are "
        "required");
  }
  JsonObject body;
  body.Str("logGroupName", request.log_group_name)
      .Str("filterName", request.filter_name)
      .Str("filterPattern", request.filter_pattern)  // Required, even when empty.
      .Str("destinationArn", request.destination_arn)
      .StrIfSet("roleArn", request.role_arn)
      .StrIfSet("distribution", request.distribution);
  return Call(kAction, std::move(body).Done()).status();
}

Result<std::vector<SubscriptionFilter>> CloudWatchLogsClient::DescribeSubscriptionFilters(
    std::string_view log_group_name, std::string_view filter_name_prefix) {
  constexpr std::string_view kAction = "DescribeSubscriptionFilters";
  GS_RETURN_IF_ERROR(CheckLogGroup(kAction, log_group_name));
  return CollectAllPages(
      kAction, options_.max_repeated_tokens, &SubscriptionFiltersPage::filters,
      [&](const std::string& token) -> Result<SubscriptionFiltersPage> {
        JsonObject body;
        body.Str("logGroupName", log_group_name)
            .StrIfSet("filterNamePrefix", filter_name_prefix)
            .StrIfSet("nextToken", token);
        GS_ASSIGN_OR_RETURN(std::string response, Call(kAction, std::move(body).Done()));
        return ParseFiltersPage(Owned(kAction, response));
      });
}

Status CloudWatchLogsClient::DeleteSubscriptionFilter(std::string_view log_group_name,
                                                      std::string_view filter_name) {
  JsonObject body;
  body.Str("logGroupName", log_group_name).Str("filterName", filter_name);
  return Call("DeleteSubscriptionFilter", std::move(body).Done()).status();
}

Status CloudWatchLogsClient::CreateLogGroup(std::string_view log_group_name) {
  GS_RETURN_IF_ERROR(CheckLogGroup("CreateLogGroup", log_group_name));
  JsonObject body;
  body.Str("logGroupName", log_group_name);
  return Call("CreateLogGroup", std::move(body).Done()).status();
}

Status CloudWatchLogsClient::PutRetentionPolicy(std::string_view log_group_name,
                                                int retention_days) {
  GS_RETURN_IF_ERROR(CheckLogGroup("PutRetentionPolicy", log_group_name));
  JsonObject body;
  body.Str("logGroupName", log_group_name).Int("retentionInDays", retention_days);
  return Call("PutRetentionPolicy", std::move(body).Done()).status();
}

Status CloudWatchLogsClient::CreateLogStream(std::string_view log_group_name,
                                             std::string_view log_stream_name) {
  JsonObject body;
  body.Str("logGroupName", log_group_name).Str("logStreamName", log_stream_name);
  return Call("CreateLogStream", std::move(body).Done()).status();
}

Result<PutLogEventsResult> CloudWatchLogsClient::PutLogEvents(std::string_view log_group_name,
                                                              std::string_view log_stream_name,
                                                              std::vector<InputLogEvent> events) {
  GS_ASSIGN_OR_RETURN(auto batches, SplitPutLogEventsBatches(std::move(events)));
  PutLogEventsResult result;
  for (const std::vector<InputLogEvent>& batch : batches) {
    JsonObject body;
    body.Str("logGroupName", log_group_name).Str("logStreamName", log_stream_name);
    std::string& out = body.RawMember("logEvents");
    out.push_back('[');
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append("{\"timestamp\":").append(std::to_string(batch[i].timestamp_ms));
      out.append(",\"message\":");
      AppendJsonString(out, batch[i].message);
      out.push_back('}');
    }
    out.push_back(']');
    Result<std::string> response = Call("PutLogEvents", std::move(body).Done());
    if (!response.ok()) {
      return response.status().WithContext("batch " + std::to_string(result.batches + 1) + " of " +
                                           std::to_string(batches.size()));
    }
    RejectedInfo info;
    GS_RETURN_IF_ERROR(ParseRejectedInfo(*response, info));
    // tooNewLogEventStartIndex: that event and all after it; the *EndIndex: up to and including.
    if (info.too_new_start) {
      result.too_new +=
          ClampCount(static_cast<int64_t>(batch.size()) - *info.too_new_start, batch.size());
    }
    if (info.too_old_end) result.too_old += ClampCount(*info.too_old_end + 1, batch.size());
    if (info.expired_end) result.expired += ClampCount(*info.expired_end + 1, batch.size());
    ++result.batches;
  }
  return result;
}

bool IsValidLogGroupName(std::string_view name) {
  if (name.empty() || name.size() > 512) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_' || c == '/' || c == '#';
  });
}

}  // namespace gatescope::aws
