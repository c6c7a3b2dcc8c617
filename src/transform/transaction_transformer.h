#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/http_transaction.h"
#include "transform/transform_options.h"

namespace gatescope::transform {

// Why a transaction was filtered out. A bounded set: these are metric labels.
enum class FilterReason : uint8_t {
  kContentType,  // Its content type does not match content_type_regex.
  kStaticFile,   // Its request path matches static_file_regex.
};
inline constexpr size_t kFilterReasonCount = 2;

// "content_type", "static_file".
std::string_view FilterReasonName(FilterReason reason);

// The request header that tells the collector what the logs could show of a transaction.
inline constexpr std::string_view kCoverageHeader = "x-gatescope-coverage";
// The value put in place of a redacted header or query parameter value.
inline constexpr std::string_view kRedactedValue = "[REDACTED]";

// What a transformer did, summed over every Apply() call.
struct TransformStats {
  uint64_t bodies_replaced = 0;        // Request and response bodies, each counted.
  uint64_t headers_redacted = 0;       // Request and response header values.
  uint64_t query_params_redacted = 0;  // A parameter in both the map and the raw query counts once.
  uint64_t endpoints_only = 0;         // Transactions given Coverage::kEndpointsOnly.
  std::array<uint64_t, kFilterReasonCount> filtered{};  // By FilterReason.
};

// The connector's Filter stage for one transaction at a time: drops transactions that are not
// API traffic (content type, static files), and rewrites the others so they are safe and cheap
// to ship:
//  - a body cut by the log or longer than max_body_bytes becomes a small indicator body in its
//    own content type (JSON, XML, SOAP, form-encoded, HTML or plain text) that says so, with
//    Body::indicator set;
//  - HTTP and WebSocket APIs, and access-log-only transactions with no body logged, get
//    Coverage::kEndpointsOnly and a {"gatescope_endpoints_only":true} body on both sides; a
//    transaction whose body was replaced gets Coverage::kDiscoveryOnly;
//  - the request header "x-gatescope-coverage" says "full", "discovery-only" or
//    "endpoints-only";
//  - credential header values (model::IsCredentialHeader, redact_headers, any JWT) and
//    credential query parameter values (kCredentialQueryParams, redact_query_params), in the
//    parameter map and in the raw query string, become "[REDACTED]";
//  - an empty id is set to TransactionId(tx).
//
// Thread-safety: not thread-safe (Apply reuses scratch buffers and counts stats); use one per
// worker. Holds no reference to its options after Create.
class TransactionTransformer {
 public:
  // Compiles the options' regexes. Returns kInvalidArgument when a regex does not compile with
  // RE2 or an option is out of range; the message starts with the option's name, e.g.
  // "content_type_regex: missing ): (abc".
  static Result<std::unique_ptr<TransactionTransformer>> Create(const TransformOptions& options);

  ~TransactionTransformer();
  TransactionTransformer(const TransactionTransformer&) = delete;
  TransactionTransformer& operator=(const TransactionTransformer&) = delete;

  // Returns the reason when `*tx` must be filtered out (then `*tx` is left as it is);
  // otherwise rewrites `*tx` in place as described above and returns nullopt.
  // REQUIRES: tx != nullptr. Allocates nothing once warm, beyond what grown strings need.
  std::optional<FilterReason> Apply(model::HttpTransaction* tx);

  const TransformStats& stats() const { return stats_; }

 private:
  struct Impl;
  explicit TransactionTransformer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  TransformStats stats_;
};

// Replaces a present body by the truncation indicator in its own form (JSON, XML, SOAP 1.1/1.2,
// form-encoded, HTML, else text), from `content_type` (empty: the body's own), and sets its
// truncated and indicator flags. Returns false, leaving it alone, when the body is absent or
// already an indicator. The transformer uses it for cut or long bodies, the batcher for
// transactions it must shrink to fit a batch: one indicator vocabulary for the collector.
bool ReplaceWithIndicator(model::Body* body, std::string_view content_type = {});

}  // namespace gatescope::transform
