#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "connector/aws_access.h"
#include "connector/connector.h"
#include "connector/log_group_scope.h"
#include "sources/checkpoint_store.h"

namespace gatescope::connector {

// A scheduled pull run: every log group in scope is read with FilterLogEvents from its durable
// checkpoint (sources/cloudwatch_logs_source.h), the events go through the connector, and each
// group's checkpoint is saved only once every event read from it was delivered or spilled. A
// run cut short (deadline, throttling, the process killed) saves nothing it did not finish, so
// the next run reads those events again; they keep their ids, so a collector drops the repeats.
//
// Thread-safety: one RunOnce at a time. Borrows everything; all must outlive it.
class PullRunner {
 public:
  // The listed API stages, read when the scope is resolved (GATESCOPE_APIS, possibly from S3,
  // filtered to this account); an error fails that run's scope.
  using ApisProvider = std::function<Result<std::vector<ApiStageRef>>()>;

  PullRunner(Connector& connector, AwsAccess& aws, sources::CheckpointStore& checkpoints,
             const Clock& clock, ApisProvider apis = nullptr);

  // Reads until about 60% of the time to `deadline` is spent (the rest is for sending what was
  // read), then delivers, spills and saves. Groups that fail to read are counted and named in
  // the summary's error; the others go on. The scope is resolved again every 15 minutes.
  RunSummary RunOnce(std::chrono::steady_clock::time_point deadline);

 private:
  Connector& connector_;
  AwsAccess& aws_;
  sources::CheckpointStore& checkpoints_;
  const Clock& clock_;
  ApisProvider apis_;
  std::optional<Scope> scope_;
  std::chrono::steady_clock::time_point scope_time_;
};

}  // namespace gatescope::connector
