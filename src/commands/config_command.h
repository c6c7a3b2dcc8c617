#pragma once

#include <ostream>
#include <string>

#include "aws/aws_environment.h"
#include "core/clock.h"

namespace gatescope::commands {

// Options of `gatescope config check`; see RegisterConfig in apps/gatescope_main.cc.
struct ConfigCheckOptions {
  std::string env_file = ".env";  // The deployment settings (docs/specs/deployment.md).
  std::string format = "text";    // text, shell or json: what is printed on success.
  bool aws = false;               // After a clean offline check, check regions against EC2.
};

// Exit codes of `gatescope config check`.
inline constexpr int kConfigExitOk = 0;
inline constexpr int kConfigExitAwsFailed = 1;  // The AWS check could not run.
inline constexpr int kConfigExitProblems = 2;   // The .env has problems (or a bad option).

// Reads and checks the `.env` offline, then (with `aws`, only when the offline check is clean)
// reads the account's regions with EC2 DescribeRegions in the preferred region, using the
// default credentials chain and endpoint overrides of `env`. Each problem is one line on `err`
// ("FILE:LINE: KEY: what is wrong"); on success the settings are printed on `out` in the
// chosen format. Returns one of the exit codes above.
int RunConfigCheck(const ConfigCheckOptions& options, const aws::AwsEnvironment& env, Clock& clock,
                   std::ostream& out, std::ostream& err);

}  // namespace gatescope::commands
