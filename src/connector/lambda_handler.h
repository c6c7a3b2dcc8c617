#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "connector/connector.h"
#include "connector/connector_config.h"
#include "connector/refresh.h"
#include "core/clock.h"
#include "lambda/runtime_api_client.h"

namespace gatescope::connector {

// Everything one connector process keeps for its lifetime, built from GATESCOPE_* and AWS_*
// variables: the HTTP client, the token source (its token cached across runs), the collector
// sink, the spill and checkpoint stores, the AWS clients, the connector and its pull runner.
// Building it touches no network, so a Lambda's INIT stays in milliseconds; credentials and the
// first token are fetched on first use.
//
// Thread-safety: one run at a time; Stop() may be called from any thread (a signal handler's
// thread in `ship`).
class ConnectorHost {
 public:
  // kInvalidArgument naming the variable when the configuration is invalid.
  static Result<std::unique_ptr<ConnectorHost>> Create(
      const std::map<std::string, std::string>& env, Clock& clock);
  ~ConnectorHost();

  const ConnectorConfig& config() const;

  // A subscription delivery: a Lambda event {"awslogs": {"data": ...}} (or a decoded payload).
  RunSummary RunPush(std::string_view event, std::chrono::steady_clock::time_point deadline);
  // Inputs read as files ("-": stdin) for replays of exported logs. `capture`, when not null,
  // receives every transaction shipped (ConnectorRun::CaptureTo).
  RunSummary RunFiles(const std::vector<std::string>& paths,
                      std::chrono::steady_clock::time_point deadline,
                      std::vector<model::HttpTransaction>* capture = nullptr);
  // A scheduled pull of every log group in scope. kInvalidArgument in summary.error when no
  // checkpoint store is configured (GATESCOPE_CHECKPOINT).
  RunSummary RunPull(std::chrono::steady_clock::time_point deadline);
  // Sends the spilled batches again.
  RunSummary Replay(std::chrono::steady_clock::time_point deadline);
  // One refresh (connector/refresh.h): re-reads an s3:// API list first. The subscriptions'
  // destination is the ARN given to SetFunctionArn.
  RefreshSummary RunRefresh();

  // The function this connector runs as (the invocation's Lambda-Runtime-Invoked-Function-Arn,
  // or `gatescope refresh --function-arn`), qualifier dropped. Also gives the account, so that
  // list items of other accounts are skipped without asking STS.
  void SetFunctionArn(std::string_view arn);
  const std::string& function_arn() const;

  // The listed API stages of this account: GATESCOPE_APIS, or its s3:// object, read on first
  // use and again when `reload`. A malformed or unreadable object is an error naming it.
  Result<std::vector<ApiStageRef>> Apis(bool reload);

  // Makes a send in progress give up soon (its batch is spilled). Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit ConnectorHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a Lambda event asks for: a subscription delivery (push run), {"gatescope":"refresh"}, or
// anything else (an EventBridge schedule, {}, {"gatescope":"pull"}): a pull run.
enum class EventKind { kPush, kPull, kRefresh };
// Reads at most the first few KB of the event; never fails (an unreadable event is a pull).
EventKind ClassifyEvent(std::string_view event);

// Handles one Lambda invocation: a subscription event is a push run, {"gatescope":"refresh"} a
// refresh; any other event (an EventBridge schedule, {}) is a pull run. Writes the run's summary line (EMF) to `log`. A push
// whose events could be neither delivered nor spilled returns an error, so Lambda retries the
// whole event (safe: transaction ids are stable); a pull never does, since its checkpoint
// already makes the next run read again what this one could not finish.
lambda::HandlerResult HandleInvocation(ConnectorHost& host, const lambda::Invocation& invocation,
                                       const Clock& clock, std::ostream& log);

// The Lambda custom runtime: validates the configuration (a bad one is reported to
// /runtime/init/error with the one-line message and exit code 2), then serves invocations.
// `env` is the process environment; AWS_LAMBDA_RUNTIME_API must be set.
int RunLambdaRuntime(const std::map<std::string, std::string>& env, Clock& clock);

}  // namespace gatescope::connector
