#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatescope {

// Parses an ISO-8601 / RFC 3339 timestamp at the start of `text`, such as
// "2017-06-05T13:57:47.369Z" or "2023-10-27T14:40:57.744+01:00" (fraction and zone optional;
// no zone means UTC). Returns milliseconds since the epoch and sets `*consumed` to the
// number of characters used, or nullopt if `text` does not start with one.
std::optional<int64_t> ParseIso8601Prefix(std::string_view text, size_t* consumed);

// Parses API Gateway's $context.requestTime, "dd/MMM/yyyy:HH:mm:ss +hhmm"
// (e.g. "27/Oct/2023:13:40:57 +0000"). Returns ms since the epoch, or nullopt.
std::optional<int64_t> ParseClfTime(std::string_view text);

// Formats ms since the epoch as "2023-10-27T13:40:57.744Z".
std::string FormatIso8601(int64_t epoch_ms);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace gatescope
