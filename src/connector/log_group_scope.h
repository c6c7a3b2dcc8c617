#pragma once

#include <string>
#include <vector>

#include "connector/aws_access.h"
#include "connector/connector_config.h"
#include "core/result.h"

namespace gatescope::connector {

// One log group a pull run reads.
struct ScopedLogGroup {
  std::string region;
  std::string log_group;
  bool operator==(const ScopedLogGroup&) const = default;
};

// What ResolveScope found, with the problems worth a warning (a stage without logging, a region
// the role cannot read) that do not stop the other groups from being read.
struct Scope {
  std::vector<ScopedLogGroup> groups;  // Sorted by region, then name; no duplicates.
  std::vector<std::string> warnings;
};

// The log groups in scope: for each region, the execution-log group and the access-log group
// of every listed (GATESCOPE_APIS) or discovered API stage of the enabled kinds, plus the
// listed GATESCOPE_LOG_GROUPS (in the default region). Our own Lambda log group is never in
// scope (reading it would feed the connector its own summaries). Returns an error only when no
// region is known; a region whose discovery fails is a warning. `apis` is the list to use in
// place of config.apis (read from S3, filtered to this account).
Result<Scope> ResolveScope(const ConnectorConfig& config, const std::vector<ApiStageRef>& apis,
                           AwsAccess& aws);
Result<Scope> ResolveScope(const ConnectorConfig& config, AwsAccess& aws);

}  // namespace gatescope::connector
