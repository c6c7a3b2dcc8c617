#include "pipeline/event_counters.h"

namespace gatescope::pipeline {

std::string_view StageName(Stage stage) {
  static constexpr std::array<std::string_view, kStageCount> kNames = {
      "receive", "decode", "parse", "assemble", "filter", "send"};
  return kNames[static_cast<size_t>(stage)];
}

std::string_view DropReasonName(DropReason reason) {
  static constexpr std::array<std::string_view, kDropReasonCount> kNames = {
      "line_too_long",       "invalid_event",  "invalid_payload",  "invalid_json",
      "unrecognized_format", "not_access_log", "missing_endpoint", "control_message",
      "missing_request_id",  "late_event",     "duplicate_event",  "request_too_large"};
  return kNames[static_cast<size_t>(reason)];
}

Stage DropReasonStage(DropReason reason) {
  switch (reason) {
    case DropReason::kLineTooLong:
    case DropReason::kInvalidEvent:
    case DropReason::kInvalidPayload:
      return Stage::kDecode;
    case DropReason::kControlMessage:
    case DropReason::kDuplicateEvent:
      return Stage::kFilter;
    case DropReason::kLateEvent:
    case DropReason::kRequestTooLarge:
      return Stage::kAssemble;
    default:
      return Stage::kParse;
  }
}

bool IsIntentional(DropReason reason) { return DropReasonStage(reason) == Stage::kFilter; }

uint64_t EventCounters::filtered() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    if (IsIntentional(static_cast<DropReason>(i))) n += drops_[i];
  }
  return n;
}

uint64_t EventCounters::dropped() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    if (!IsIntentional(static_cast<DropReason>(i))) n += drops_[i];
  }
  return n;
}

void EventCounters::Merge(const EventCounters& o) {
  received_ += o.received_;
  accepted_ += o.accepted_;
  input_bytes_ += o.input_bytes_;
  for (size_t i = 0; i < kDropReasonCount; ++i) drops_[i] += o.drops_[i];
}

}  // namespace gatescope::pipeline
