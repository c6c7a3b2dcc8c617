#include "connector/pull_runner.h"

#include <set>

#include "core/logging.h"
#include "sources/cloudwatch_logs_source.h"

namespace gatescope::connector {
namespace {

// API Gateway discovery costs several calls per API: not every minute.
constexpr std::chrono::minutes kScopeTtl{15};

}  // namespace

PullRunner::PullRunner(Connector& connector, AwsAccess& aws,
                       sources::CheckpointStore& checkpoints, const Clock& clock,
                       ApisProvider apis)
    : connector_(connector),
      aws_(aws),
      checkpoints_(checkpoints),
      clock_(clock),
      apis_(std::move(apis)) {}

RunSummary PullRunner::RunOnce(std::chrono::steady_clock::time_point deadline) {
  auto start = clock_.MonotonicNow();
  std::unique_ptr<ConnectorRun> run = connector_.StartRun("pull", deadline);
  RunSummary& summary = run->summary();
  auto note_error = [&](const std::string& what) {
    GS_LOG(kWarning, "Pull problem.", {{"detail", what}});
    if (summary.error.empty()) summary.error = what;
  };

  if (!scope_.has_value() || start - scope_time_ >= kScopeTtl) {
    Result<std::vector<ApiStageRef>> apis =
        apis_ ? apis_() : Result<std::vector<ApiStageRef>>(connector_.config().apis);
    if (!apis.ok()) {
      note_error(std::string(apis.status().message()));
      return run->Finish();
    }
    Result<Scope> scope = ResolveScope(connector_.config(), *apis, aws_);
    if (!scope.ok()) {
      note_error(std::string(scope.status().message()));
      return run->Finish();
    }
    for (const std::string& w : scope->warnings) GS_LOG(kWarning, "Scope.", {{"detail", w}});
    scope_ = std::move(*scope);
    scope_time_ = start;
  }

  // Reading stops early enough to leave time to send what was read.
  auto read_deadline = start + (deadline - start) * 6 / 10;
  std::vector<sources::Checkpoint> to_save;
  std::set<std::string> streams;
  int64_t newest_end_ms = -1;
  for (const ScopedLogGroup& g : scope_->groups) {
    Result<std::optional<sources::Checkpoint>> loaded = checkpoints_.Load(g.log_group);
    if (!loaded.ok()) {
      note_error(g.log_group + ": checkpoint: " + std::string(loaded.status().message()));
      continue;
    }
    sources::Checkpoint cp;
    if (loaded->has_value()) {
      cp = std::move(**loaded);
    } else {
      cp.log_group = g.log_group;
    }
    sources::CloudWatchLogsSource source(connector_.config().pull, aws_.Logs(g.region), clock_);
    Result<sources::PullStats> stats = source.Read(
        &cp, read_deadline, [&](const model::RawRecord& r) { run->AddRecord(r); },
        run->counters());
    if (!stats.ok()) {
      if (stats.status().code() == StatusCode::kNotFound) {
        GS_LOG(kInfo, "Log group not found; skipped.", {{"log_group", g.log_group}});
      } else {
        note_error(g.log_group + ": " + std::string(stats.status().message()));
      }
      continue;
    }
    ++summary.log_groups;
    summary.pull_api_calls += stats->api_calls;
    streams.insert(stats->streams.begin(), stats->streams.end());
    newest_end_ms = std::max(newest_end_ms, cp.end_ms);
    to_save.push_back(std::move(cp));
  }
  summary.log_streams = streams.size();

  RunSummary done = run->Finish();
  if (newest_end_ms >= 0) {
    done.lag_ms = UnixMillis(clock_) - newest_end_ms;
  }
  if (done.events_failed > 0) {
    // Some events are neither delivered nor spilled: keep every checkpoint where it was.
    return done;
  }
  for (const sources::Checkpoint& cp : to_save) {
    if (Status s = checkpoints_.Save(cp); !s.ok()) {
      std::string what = cp.log_group + ": checkpoint not saved (its events will be read and "
                                        "sent again, with the same ids): " +
                         std::string(s.message());
      GS_LOG(kWarning, "Pull problem.", {{"detail", what}});
      if (done.error.empty()) done.error = what;
    }
  }
  return done;
}

}  // namespace gatescope::connector
