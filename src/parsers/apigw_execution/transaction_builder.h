#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "model/http_transaction.h"
#include "parsers/apigw_execution/execution_line.h"

namespace gatescope::parsers::apigw_execution {

// One execution-log event of a request, parsed, with its CloudWatch time.
struct TimedLine {
  ExecutionLine line;
  int64_t timestamp_ms = -1;
};

// What the assembler knows of a request beyond its lines.
struct RequestContext {
  std::string_view request_id;
  std::string_view log_group;
  std::string_view log_stream;
  std::string_view event_id;  // The first event's CloudWatch id.
  // Why the assembler closed the request before its "Method completed" line, if it did.
  model::PartialReason closed_early = model::PartialReason::kNone;
};

// Builds one request's HttpTransaction from its execution-log events, in log order.
//
// Interprets every line kind of the catalogue: the method and concrete path, the resource
// template (from the Lambda-proxy event's "resource", X-Amz-Source-Arn, the usage-plan line's
// method 'VERB /resource', or rebuilt from the path-parameter map), parameters, headers and
// bodies (recovered from a complete Lambda-proxy event where the Java maps were cut or
// ambiguous), the integration, the authorizer and API-key facts, errors, status and timing.
// Lines between "Starting authorizer" and the authorizer's outcome describe the authorizer's
// own Lambda call and are not mistaken for the integration's.
//
// Thread-safety: not thread-safe (it reuses buffers); one per worker.
class TransactionBuilder {
 public:
  TransactionBuilder();
  ~TransactionBuilder();
  TransactionBuilder(const TransactionBuilder&) = delete;
  TransactionBuilder& operator=(const TransactionBuilder&) = delete;

  // Fills `*tx` (cleared first) from `lines`, which must be in log order. The views in
  // `lines` and `context` need only live for the call.
  void Build(std::span<const TimedLine> lines, const RequestContext& context,
             model::HttpTransaction* tx);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Rebuilds a resource template from a concrete path and its path parameters: each
// parameter's value replaces the first unclaimed segment equal to it ("/repos/hello" with
// {id=hello} gives "/repos/{id}"); a value holding '/' must be the path's tail and becomes a
// greedy "{name+}". Returns false (and leaves `*out` alone) when a value matches nowhere.
// An empty map gives the path itself: the resource has no variables. Exposed for tests.
bool RebuildResourcePath(std::string_view path, const model::FieldList& params,
                         std::string* out);

}  // namespace gatescope::parsers::apigw_execution
