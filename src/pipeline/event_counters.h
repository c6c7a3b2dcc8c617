#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace gatescope::pipeline {

// Where in the pipeline an event left it.
enum class Stage : uint8_t { kReceive, kDecode, kParse, kAssemble, kFilter, kSend };
inline constexpr size_t kStageCount = 6;

// Why an event left the pipeline undelivered. A closed, bounded set: these names are metric
// labels and appear in docs/specs/components.md. Add new reasons at the end.
enum class DropReason : uint8_t {
  // Decode.
  kLineTooLong,      // A text line longer than the line limit.
  kInvalidEvent,     // A container event without a string "message".
  kInvalidPayload,   // A Lambda event whose awslogs.data is not base64 gzip JSON.
  // Parse.
  kInvalidJson,        // Looked like a JSON access log but is not valid JSON.
  kUnrecognizedFormat, // Matches no JSON or text access-log format.
  kNotAccessLog,       // Valid JSON with no access-log field (e.g. an application log).
  kMissingEndpoint,    // An access log without a method or a path/route to attribute it to.
  // Filter (intentional).
  kControlMessage,     // CloudWatch's CONTROL_MESSAGE health check, not a log event.
  // Execution logs.
  kMissingRequestId,   // Parse: an execution-log line with no request id to group it by.
  kLateEvent,          // Assemble: an event for a request already closed and emitted.
  kDuplicateEvent,     // Filter: the same CloudWatch event (same id) delivered twice.
  kRequestTooLarge,    // Assemble: a request's events beyond the per-request line cap.
};
inline constexpr size_t kDropReasonCount = 12;

std::string_view StageName(Stage stage);
std::string_view DropReasonName(DropReason reason);
Stage DropReasonStage(DropReason reason);
bool IsIntentional(DropReason reason);  // True for filter-stage reasons.

// Counts what happened to every event that entered one pipeline run. Invariant, checked by
// tests: received == accepted + filtered + dropped. Counted locally per worker and merged.
//
// Thread-safety: not thread-safe; one per worker, Merge() to combine.
class EventCounters {
 public:
  void AddReceived(uint64_t n = 1) { received_ += n; }
  void AddAccepted(uint64_t n = 1) { accepted_ += n; }
  void AddDrop(DropReason reason, uint64_t n = 1) { drops_[static_cast<size_t>(reason)] += n; }
  void AddInputBytes(uint64_t n) { input_bytes_ += n; }

  uint64_t received() const { return received_; }
  uint64_t accepted() const { return accepted_; }
  uint64_t input_bytes() const { return input_bytes_; }
  uint64_t drops(DropReason reason) const { return drops_[static_cast<size_t>(reason)]; }
  uint64_t filtered() const;  // Sum of intentional drops.
  uint64_t dropped() const;   // Sum of unintentional drops.

  void Merge(const EventCounters& other);

 private:
  uint64_t received_ = 0;
  uint64_t accepted_ = 0;
  uint64_t input_bytes_ = 0;
  std::array<uint64_t, kDropReasonCount> drops_{};
};

}  // namespace gatescope::pipeline
