#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "aws/aws_environment.h"
#include "core/clock.h"

namespace gatescope::commands {

// Options of `gatescope apis`; see RegisterApis in apps/gatescope_main.cc.
struct ApisOptions {
  // Regions to scan; "all" means every region enabled in the account (EC2 DescribeRegions).
  // Empty: the configured region (AWS_REGION, AWS_DEFAULT_REGION, profile).
  std::vector<std::string> regions;
  std::string json_file;       // Write the full report as JSON here; "-" for stdout.
  bool require_data_trace = true;  // Count REST stages without data trace as needing enabling.
  double requests_per_second = 4.0;  // Per region: API Gateway control-plane pace.
};

// Exit codes of `gatescope apis`.
inline constexpr int kApisExitOk = 0;
inline constexpr int kApisExitAwsError = 1;  // Some region or API could not be read.
inline constexpr int kApisExitUsage = 2;     // No credentials, no region, bad option.

// Lists every REST, HTTP and WebSocket API and stage in the regions, with its logging state and
// log group names, using the SDKs' default credentials chain and endpoint overrides from `env`.
// Writes a table on `out` (or JSON), one line per failure on `err`; reads nothing but Get*
// calls, changes nothing.
int RunApis(const ApisOptions& options, const aws::AwsEnvironment& env, Clock& clock,
            std::ostream& out, std::ostream& err);

}  // namespace gatescope::commands
