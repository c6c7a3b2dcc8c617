#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "parsers/apigw_access/access_log_formats.h"
#include "pipeline/event_counters.h"

namespace gatescope::parsers::apigw_access {

// Parses API Gateway access-log lines (REST, HTTP and WebSocket APIs) into HttpTransactions.
//
// Formats, tried per line: JSON objects with any field names, mapped by meaning (user formats
// first, then ContextVarFromJsonKey); then text formats: the user's, then the AWS console's
// CLF, CSV and XML formats for REST, HTTP and WebSocket APIs
// (../shared/reference/apigw-logs.md §2.2). "-" is API Gateway's "no value" and leaves the
// field empty. The API id and stage come from the fields, else from an execute-api domain
// name, else from the log group name; $context.path loses its "/{stage}" prefix.
//
// Thread-safety: not thread-safe (it reuses buffers); one parser per worker. Borrows
// `formats`, which must outlive the parser.
class AccessLogParser {
 public:
  explicit AccessLogParser(const AccessLogFormats* formats = nullptr);
  ~AccessLogParser();
  AccessLogParser(const AccessLogParser&) = delete;
  AccessLogParser& operator=(const AccessLogParser&) = delete;

  // Parses `record` into `*tx` (cleared first; its strings' capacity is reused). Returns
  // nullopt on success, else why the line is not a usable access log: kInvalidJson,
  // kUnrecognizedFormat, kNotAccessLog (no access-log field at all) or kMissingEndpoint (no
  // method or no path/route to attribute it to). Never fails on any input.
  std::optional<pipeline::DropReason> Parse(const model::RawRecord& record,
                                            model::HttpTransaction* tx);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescope::parsers::apigw_access
