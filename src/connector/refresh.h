#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "connector/aws_access.h"
#include "connector/connector_config.h"

namespace gatescope::connector {

// The refresh (the Lambda event {"gatescope":"refresh"}, or `gatescope refresh`): for every
// region in scope it discovers the API stages, turns on the logging the configuration asks for,
// creates the log groups the connector needs, and in push mode subscribes every in-scope log
// group to the function (docs/specs/connector.md, "Refresh"). Idempotent: a second refresh with
// nothing changed in AWS changes nothing. Never touches a stage or group out of scope.

// The subscription filter name the connector owns; filters of any other name are never changed.
inline constexpr std::string_view kSubscriptionFilterName = "gatescope-connector";

// The access-log format the refresh sets on HTTP stages: JSON with every $context variable of
// HTTP APIs the access-log parser reads (parsers/apigw_access), the route key included.
std::string_view HttpAccessLogFormat();

struct RefreshOptions {
  // The function subscriptions deliver to (unqualified). Required in push mode; in pull mode it
  // identifies the filters to remove. Empty: subscriptions are neither added nor removed.
  std::string function_arn;
  // The connector's account, to skip list items of other accounts; empty: unknown (every item
  // is kept, with a warning when some name an account).
  std::string account_id;
};

// What one refresh did. Reasons are bounded snake_case values.
struct RefreshSummary {
  uint64_t regions = 0;
  uint64_t stages_seen = 0;
  uint64_t stages_in_scope = 0;
  uint64_t execution_logging_enabled = 0;  // REST stages set to INFO + data trace.
  uint64_t access_logging_enabled = 0;     // HTTP stages given access logs.
  uint64_t account_roles_set = 0;          // Regions whose API Gateway account got a role.
  uint64_t log_groups_in_scope = 0;
  uint64_t log_groups_created = 0;
  uint64_t subscriptions_added = 0;
  uint64_t subscriptions_already = 0;
  uint64_t subscriptions_removed = 0;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> errors_by_reason;
  std::vector<std::string> error_samples;  // The first few messages, each bounded.
  std::vector<std::string> warnings;       // Bounded likewise.
  int64_t processing_ms = 0;

  void Fail(std::string_view reason, std::string message);
  void Warn(std::string message);
};

// One line of JSON (CloudWatch embedded metric format, namespace gatescope/connector, mode
// "refresh"), like the run summary.
std::string RefreshSummaryToEmf(const RefreshSummary& s, std::string_view function_name,
                                int64_t now_ms);

// Runs one refresh over `apis` (already read: GATESCOPE_APIS or its S3 object). Every failure is
// counted in the summary and the rest goes on.
RefreshSummary RunRefresh(const ConnectorConfig& config, const std::vector<ApiStageRef>& apis,
                          AwsAccess& aws, const RefreshOptions& options);

}  // namespace gatescope::connector
