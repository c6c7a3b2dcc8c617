#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "parsers/apigw_execution/execution_line.h"
#include "pipeline/event_counters.h"

namespace gatescope::parsers::apigw_execution {

struct AssemblerOptions {
  // Log time to wait after a request's "Method completed" line for the lines that follow it
  // ("AWS Integration Endpoint RequestId", "X-ray Tracing ID") or arrive out of order.
  std::chrono::milliseconds completion_grace{std::chrono::seconds(5)};
  // Log time after a request's last event at which it is closed without its last line. Above
  // the longest integration timeout, so a slow backend does not split a request.
  std::chrono::milliseconds max_idle{std::chrono::minutes(5)};
  // For events without timestamps: how many later events close a completed request.
  uint64_t untimed_grace_events = 20000;
  size_t max_open_requests = 10000;          // Beyond it the oldest request is closed.
  size_t max_open_bytes = size_t{128} << 20;  // Bytes of held lines, across open requests.
  size_t max_lines_per_request = 1000;
  size_t remembered_closed_requests = 65536;  // To tell a late event from a new request.
};

// What the assembler did, beyond the event counters.
struct AssemblerStats {
  uint64_t transactions = 0;
  uint64_t joined = 0;  // Access-log transactions attached to their open request.
  std::array<uint64_t, model::kPartialReasonCount> by_partial_reason{};  // [kNone]: complete.
  std::array<uint64_t, kLineKindCount> lines_by_kind{};                  // [kUnknown]: unknown.
};

// Rebuilds each request's HttpTransaction from its REST execution-log events.
//
// Events are grouped by their "(<requestId>) " prefix across streams and inputs; lines of the
// 2016 format, which have no prefix, join the request their stream last named. A request is
// held until its quiet period passes in log time (completion_grace after "Method completed",
// max_idle otherwise), its lines are ordered by timestamp, event id and arrival, and a
// TransactionBuilder interprets them. Requests closed before "Method completed" (idle,
// evicted by the caps, or at Flush) are emitted flagged partial, never dropped.
//
// Accounting: an event is counted accepted in `counters` when the transaction holding it is
// emitted, or dropped (missing_request_id, late_event, duplicate_event, request_too_large).
// After Flush(), received = accepted + dropped + filtered holds for every event added.
//
// Thread-safety: not thread-safe; one per worker. Borrows `counters`, which must outlive it.
class ExecutionAssembler {
 public:
  // Receives each transaction; it may modify it, and it must not keep references to it.
  using TransactionCallback = std::function<void(model::HttpTransaction&)>;

  ExecutionAssembler(const AssemblerOptions& options, pipeline::EventCounters* counters,
                     TransactionCallback emit);
  ~ExecutionAssembler();
  ExecutionAssembler(const ExecutionAssembler&) = delete;
  ExecutionAssembler& operator=(const ExecutionAssembler&) = delete;

  // Takes one execution-log event (already counted received by its decoder). May emit
  // transactions whose quiet period this event's time ends.
  void Add(const model::RawRecord& record);

  // Attaches an access-log transaction to its request when that request is open here: the
  // transaction emitted at close is then the two joined (pipeline::MergeAccessIntoExecution).
  // Returns false, leaving `*access` alone, when the request is not open.
  bool Attach(model::HttpTransaction* access);

  // Restarts log time for a new input, which may begin earlier than the last one ended (files
  // exported per log stream): requests are then closed by the new input's clock.
  void StartInput();

  // Closes the requests whose quiet period has passed at log time `now_ms`: for a caller whose
  // input has paused, so that log time no longer advances by itself.
  void CloseIdle(int64_t now_ms);

  // Closes every open request (end of input). Incomplete ones are emitted partial.
  void Flush();

  size_t open_requests() const;
  size_t open_bytes() const;
  const AssemblerStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `record` is an execution-log event: it has the "(<requestId>) " prefix, comes
// from an "API-Gateway-Execution-Logs_" group, or starts with an execution-log label (2016).
bool IsExecutionLogRecord(const model::RawRecord& record);

}  // namespace gatescope::parsers::apigw_execution
