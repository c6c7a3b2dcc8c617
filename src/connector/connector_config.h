#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/logging.h"
#include "core/result.h"
#include "delivery/batcher.h"
#include "delivery/collector_http_sink.h"
#include "delivery/token_source.h"
#include "sources/cloudwatch_logs_source.h"
#include "transform/transform_options.h"

namespace gatescope::connector {

// How the connector authenticates to the collector.
enum class AuthMode { kOAuth2, kStaticToken, kNone };

// How log events reach the connector (GATESCOPE_COLLECTION): subscription filters invoking the
// function (push), or scheduled FilterLogEvents runs (pull). The refresh subscribes the groups
// in scope in push mode, and removes its own subscriptions in pull mode.
enum class Collection { kPush, kPull };

// Where durable state goes: an S3 prefix ("s3://bucket/prefix/") or a local directory.
struct Location {
  std::string bucket;  // Set for S3.
  std::string prefix;  // S3 key prefix, "" or ending in '/'.
  std::string dir;     // Set for a directory.
  bool empty() const { return bucket.empty() && dir.empty(); }
  bool s3() const { return !bucket.empty(); }
  std::string Describe() const;
};

// One API stage whose logs the pull reads, from GATESCOPE_APIS.
struct ApiStageRef {
  std::string region;           // Empty: the connector's region.
  std::string api_id;
  std::string stage;
  std::string access_log_group;  // Optional: else found by discovery (HTTP APIs need it).
  // Optional 12-digit account: one list serves every account of a StackSet, and an item of
  // another account than the connector's is skipped (FilterApisForAccount).
  std::string account_id;
};

// The CloudWatch Logs retention values (days) PutRetentionPolicy accepts.
inline constexpr int kLogRetentionDays[] = {1,   3,   5,   7,   14,   30,   60,   90,
                                            120, 150, 180, 365, 400,  545,  731,  1096,
                                            1827, 2192, 2557, 2922, 3288, 3653};

// The default GATESCOPE_HTTP_ACCESS_LOG_GROUP (also the stack's default).
inline constexpr std::string_view kDefaultHttpAccessLogGroup = "/aws/apigateway/gatescope-access";

// The whole connector configuration, read from GATESCOPE_* environment variables, the same for
// the Lambda runtime and `gatescope ship` (docs/specs/connector.md lists every variable).
struct ConnectorConfig {
  // Delivery.
  delivery::CollectorOptions collector;
  AuthMode auth = AuthMode::kOAuth2;  // Secure by default: a token is required.
  delivery::OAuth2Options oauth2;
  std::string static_token;
  // GATESCOPE_OAUTH_CLIENT_SECRET_ARN: the client secret lives in Secrets Manager and is read on
  // first use (never at init, never logged); oauth2.client_secret is then empty.
  std::string oauth_client_secret_arn;
  delivery::BatcherOptions batcher;
  transform::TransformOptions transform;
  bool verify_tls = true;
  std::string ca_file;
  Location spill;  // Empty: an undeliverable batch fails the run, so its caller retries it.

  // Pull (scheduled runs). Scope: the groups of the listed or discovered API stages plus the
  // listed log groups; our own Lambda log group is always excluded (recursion guard).
  Location checkpoint;
  sources::PullOptions pull;
  std::vector<std::string> regions;  // Empty: AWS_REGION.
  bool discover = true;              // Find API stages with the API Gateway APIs.
  bool rest_enabled = true;
  bool http_enabled = true;
  std::vector<ApiStageRef> apis;     // Explicit stages (GATESCOPE_APIS as JSON or @file).
  // GATESCOPE_APIS=s3://bucket/key: the list is read from S3 on first use and again by every
  // refresh; `apis` is then empty. apis_s3.prefix holds the whole key.
  Location apis_s3;
  std::vector<std::string> log_groups;
  std::string own_log_group;         // "/aws/lambda/<function>" when running in Lambda.

  // The refresh (docs/specs/deployment.md, "The connector stack").
  Collection collection = Collection::kPush;
  bool rest_execution_logs_exist = false;  // false: turn INFO + data trace on where missing.
  bool http_access_logs_exist = false;     // false: set JSON access logs where missing.
  std::string http_access_log_group{kDefaultHttpAccessLogGroup};
  bool enable_default_stage_logging = true;  // Also HTTP APIs' $default stages.
  std::string apigateway_cloudwatch_role_arn;  // Empty: report when the account has none.
  int log_retention_days = 30;                 // For the log groups the refresh creates.

  // Runtime.
  std::chrono::milliseconds deadline_margin{3000};  // At least this much before the deadline.
  std::chrono::seconds interval{60};                // `ship`: time between pull runs.
  std::chrono::milliseconds execution_grace{5000};  // Execution-log assembly (see discover).
  LogLevel log_level = LogLevel::kInfo;
};

// Every variable LoadConnectorConfig reads, with its one-line meaning (for `--help` and docs).
const std::vector<std::pair<std::string_view, std::string_view>>& ConnectorVariables();

// Reads and validates the configuration from `env` (the process environment, or a test's map).
// Returns kInvalidArgument with one line naming the variable: an unknown GATESCOPE_* variable
// (a typo must not silently fall back to a default), a malformed or out-of-range value, a
// missing required one (the collector URL; OAuth2 client id, secret and token URL), a regex
// RE2 rejects, plain http:// to a non-loopback collector or token endpoint.
Result<ConnectorConfig> LoadConnectorConfig(const std::map<std::string, std::string>& env);

// Parses "s3://bucket/prefix" or a directory path. `name` prefixes the error message.
Result<Location> ParseLocation(std::string_view name, std::string_view value);

// Parses GATESCOPE_APIS: a JSON array of {"region"?, "api_id", "stage", "access_log_group"?,
// "account_id"?}, or "@/path/file.json" naming a file that holds it. (The s3:// form is read by
// the host and its text given to ParseApiListJson.)
Result<std::vector<ApiStageRef>> ParseApiList(std::string_view value);

// Parses the JSON text of an API list; `source` names where it came from in errors
// ("GATESCOPE_APIS", "GATESCOPE_APIS s3://bucket/key").
Result<std::vector<ApiStageRef>> ParseApiListJson(std::string_view source, std::string_view text);

// The items of `apis` that belong to `account_id`: those without an account_id and those with
// this one. An empty `account_id` (unknown) keeps every item, and adds a warning to `warnings`
// when some item names an account.
std::vector<ApiStageRef> FilterApisForAccount(const std::vector<ApiStageRef>& apis,
                                              std::string_view account_id,
                                              std::vector<std::string>* warnings);

// The log group name rule is CloudWatch's (aws/cloudwatch_logs_client.h); named here too for
// the connector's callers and tests.
using aws::IsValidLogGroupName;

// The account of an ARN ("arn:aws:lambda:us-east-1:123456789012:function:f" -> the 12 digits),
// empty when `arn` is not an ARN with a 12-digit account.
std::string AccountOfArn(std::string_view arn);

// A Lambda function ARN without its version or alias qualifier (the invoked ARN may carry one;
// subscriptions and permissions name the function).
std::string UnqualifiedFunctionArn(std::string_view arn);

}  // namespace gatescope::connector
