#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "connector/connector_config.h"
#include "connector/run_summary.h"
#include "core/clock.h"
#include "core/status.h"
#include "delivery/collector_http_sink.h"
#include "delivery/spill_store.h"
#include "delivery/token_source.h"
#include "env/byte_source.h"
#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "pipeline/event_counters.h"

namespace gatescope::connector {

class ConnectorRun;

// The connector's pipeline, from log events to delivered batches:
//   RawRecord -> access-log parser | execution-log assembler -> request joiner
//   -> transform (filters, indicator bodies, redaction, id) -> batcher -> collector sink
//   -> spill store when the collector cannot take a batch before the deadline.
// It owns what lives across runs (the transformer's compiled regexes) and borrows the sink,
// the spill store and the token source, which keep their connections and cached token across
// warm Lambda invocations.
//
// Thread-safety: one run at a time. The borrowed objects must outlive the connector.
class Connector {
 public:
  // kInvalidArgument when the configuration cannot build a transformer (bad regex).
  // `spill` may be null: a batch that cannot be delivered then fails the run. `tokens` may be
  // null (no authentication); it is only read for statistics.
  static Result<std::unique_ptr<Connector>> Create(const ConnectorConfig& config,
                                                   delivery::CollectorHttpSink& sink,
                                                   delivery::SpillStore* spill,
                                                   const delivery::TokenSource* tokens,
                                                   const Clock& clock);
  ~Connector();

  // Starts a run that must end by `deadline` (the Lambda deadline, or the process's own). No
  // batch is sent after deadline - margin, where margin is the larger of the configured margin
  // and twice the sink's p99 send latency: the rest is spilled. REQUIRES: no other run open.
  std::unique_ptr<ConnectorRun> StartRun(std::string mode,
                                         std::chrono::steady_clock::time_point deadline);

  // Sends spilled batches again, oldest first, until `deadline`; deletes each one the collector
  // accepts, and keeps the others (a batch the collector rejects again stays, with its reason).
  RunSummary ReplaySpilled(std::chrono::steady_clock::time_point deadline);

  const ConnectorConfig& config() const;

 private:
  friend class ConnectorRun;
  struct Impl;
  explicit Connector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One run of the pipeline. Every event added is, after Finish(), delivered, spilled, filtered,
// dropped with a reason, or counted failed (its batch could be neither delivered nor spilled:
// the caller must then retry the run's input).
class ConnectorRun {
 public:
  ~ConnectorRun();

  // Decodes one input (a Lambda event, a subscription payload, CLI output, text lines; gzip
  // detected) and runs its events through the pipeline. Returns the decoder's error when the
  // input is broken; the events before the fault were processed.
  Status AddInput(std::unique_ptr<env::ByteSource> input);
  // One event that its source already counted as received in counters() (the pull source).
  void AddRecord(const model::RawRecord& record);
  pipeline::EventCounters& counters();
  RunSummary& summary();  // For the source's own figures (groups, streams, lag).
  // Also copies every transaction that passes the transform (as shipped: redacted, with its
  // id) into `*out`, for a HAR file. Null stops it. `out` must outlive the run.
  void CaptureTo(std::vector<model::HttpTransaction>* out);

  // Closes the open requests and batches, sends or spills what is left, and returns the
  // summary. summary.AddsUp() holds; summary.error is set when some events failed.
  RunSummary Finish();

 private:
  friend class Connector;
  struct State;
  explicit ConnectorRun(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace gatescope::connector
