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
};

// The whole connector configuration, read from GATESCOPE_* environment variables, the same for
// the Lambda runtime and `gatescope ship` (docs/specs/connector.md lists every variable).
struct ConnectorConfig {
  // Delivery.
  delivery::CollectorOptions collector;
  AuthMode auth = AuthMode::kOAuth2;  // Secure by default: a token is required.
  delivery::OAuth2Options oauth2;
  std::string static_token;
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
  std::vector<ApiStageRef> apis;     // Explicit stages (GATESCOPE_APIS).
  std::vector<std::string> log_groups;
  std::string own_log_group;         // "/aws/lambda/<function>" when running in Lambda.

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

// Parses GATESCOPE_APIS: a JSON array of {"region"?, "api_id", "stage", "access_log_group"?},
// or "@/path/file.json" naming a file that holds it.
Result<std::vector<ApiStageRef>> ParseApiList(std::string_view value);

}  // namespace gatescope::connector
