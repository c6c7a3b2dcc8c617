#pragma once

#include <map>
#include <ostream>
#include <string>

#include "core/clock.h"

namespace gatescope::commands {

// Options of `gatescope refresh`; the connector is configured by the same GATESCOPE_* variables
// as `gatescope ship` and the Lambda (docs/specs/connector.md).
struct RefreshCommandOptions {
  std::string env_file;      // KEY=VALUE lines laid over the process environment.
  std::string function_arn;  // The Lambda function to subscribe log groups to (push mode).
};

// Runs one refresh (discover the stages in scope, enable logging, create log groups, subscribe
// or unsubscribe; connector/refresh.h) and prints its summary line on `out`. Exit 0 when it
// found nothing wrong, 1 when something failed (named on `err`; the rest was done), 2 for a
// configuration error (one line on `err`), including push mode without --function-arn.
int RunRefreshCommand(const RefreshCommandOptions& options, std::map<std::string, std::string> env,
                      Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace gatescope::commands
