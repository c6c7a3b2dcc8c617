#include "decoders/input_format.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "decoders/cloudwatch_json_decoder.h"
#include "decoders/gzip_source.h"
#include "decoders/line_decoder.h"

namespace gatescope::decoders {
namespace {

// Replays bytes already read from `inner` (to sniff the format), then reads on from it.
class PrefixedByteSource final : public env::ByteSource {
 public:
  PrefixedByteSource(std::string prefix, std::unique_ptr<env::ByteSource> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (offset_ < prefix_.size()) {
      size_t n = std::min(capacity, prefix_.size() - offset_);
      std::memcpy(buffer, prefix_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return inner_->Read(buffer, capacity);
  }
  int64_t size_bytes() const override { return inner_->size_bytes(); }

 private:
  std::string prefix_;
  size_t offset_ = 0;
  std::unique_ptr<env::ByteSource> inner_;
};

// Reads until `want` bytes or the end (pipes deliver in pieces).
Result<std::string> ReadPrefix(env::ByteSource& source, size_t want) {
  std::string out(want, '\0');
  size_t have = 0;
  while (have < want) {
    GS_ASSIGN_OR_RETURN(size_t n, source.Read(out.data() + have, want - have));
    if (n == 0) break;
    have += n;
  }
  out.resize(have);
  return out;
}

constexpr std::array<std::string_view, 12> kContainerKeys = {
    "events",    "nextToken",  "nextForwardToken",    "nextBackwardToken",
    "searchedLogStreams", "messageType", "owner", "logGroup",
    "logStream", "subscriptionFilters", "logEvents", "awslogs"};

}  // namespace

Result<InputFormat> ParseInputFormat(std::string_view name) {
  if (name == "auto") return InputFormat::kAuto;
  if (name == "text") return InputFormat::kText;
  if (name == "json" || name == "filter-log-events" || name == "get-log-events" ||
      name == "subscription" || name == "lambda-event") {
    return InputFormat::kCloudWatchJson;
  }
  return InvalidArgumentError(
      "--input-format: unknown format '" + std::string(name) +
      "' (expected auto, text, json, filter-log-events, get-log-events, subscription or "
      "lambda-event)");
}

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto: return "auto";
    case InputFormat::kText: return "text";
    case InputFormat::kCloudWatchJson: return "json";
  }
  return "auto";
}

InputFormat DetectFormat(std::string_view p) {
  size_t i = 0;
  while (i < p.size() && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) ++i;
  if (i >= p.size()) return InputFormat::kText;
  if (p[i] == '[') return InputFormat::kCloudWatchJson;
  if (p[i] != '{') return InputFormat::kText;
  ++i;
  while (i < p.size() && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) ++i;
  if (i >= p.size() || p[i] != '"') return InputFormat::kText;
  size_t end = p.find('"', i + 1);
  if (end == std::string_view::npos) return InputFormat::kText;
  std::string_view key = p.substr(i + 1, end - i - 1);
  bool container = std::find(kContainerKeys.begin(), kContainerKeys.end(), key) !=
                   kContainerKeys.end();
  return container ? InputFormat::kCloudWatchJson : InputFormat::kText;
}

Result<OpenedInput> OpenInput(std::unique_ptr<env::ByteSource> raw, InputFormat forced) {
  OpenedInput opened;
  GS_ASSIGN_OR_RETURN(std::string magic, ReadPrefix(*raw, 2));
  opened.gzipped = LooksGzipped(magic);
  std::unique_ptr<env::ByteSource> source =
      std::make_unique<PrefixedByteSource>(std::move(magic), std::move(raw));
  if (opened.gzipped) source = std::make_unique<GzipByteSource>(std::move(source));

  GS_ASSIGN_OR_RETURN(std::string head, ReadPrefix(*source, 4096));
  if (head.compare(0, 3, "\xEF\xBB\xBF") == 0) head.erase(0, 3);
  opened.format = forced == InputFormat::kAuto ? DetectFormat(head) : forced;
  opened.source = std::make_unique<PrefixedByteSource>(std::move(head), std::move(source));
  return opened;
}

std::unique_ptr<pipeline::Decoder> MakeDecoder(InputFormat format, const DecodeOptions& options) {
  if (format == InputFormat::kCloudWatchJson) {
    return std::make_unique<CloudWatchJsonDecoder>(options);
  }
  return std::make_unique<LineDecoder>(options);
}

}  // namespace gatescope::decoders
