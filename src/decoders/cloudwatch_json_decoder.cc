#include "decoders/cloudwatch_json_decoder.h"

#include <simdjson.h>

#include <string>
#include <vector>

#include "core/ascii.h"
#include "core/logging.h"
#include "decoders/base64.h"
#include "decoders/gzip_source.h"
#include "decoders/internal/buffered_reader.h"

namespace gatescope::decoders {

namespace sj = simdjson::ondemand;
using internal::BufferedReader;
using pipeline::DropReason;

namespace {

// What a document says about all of its events.
struct DocContext {
  std::string log_group;
  std::string log_stream;
  std::string message_type;
  bool has_group = false;
};

// An event held back until its document's logGroup/messageType are known (only when a
// subscription payload lists logEvents before them, which AWS itself never does).
struct PendingRecord {
  std::string message, log_stream, event_id;
  int64_t timestamp_ms = -1;
};


}  // namespace

struct CloudWatchJsonDecoder::Impl {
  sj::parser event_parser;
  sj::parser scalar_parser;
};

// One pass over one input. Positions are offsets from the reader's window start; the window
// is consumed after every member or event, so only the current one is ever buffered.
class JsonContainerScan {
 public:
  JsonContainerScan(BufferedReader& reader, const DecodeOptions& options, sj::parser& events,
                    sj::parser& scalars, const pipeline::RecordCallback& emit,
                    pipeline::EventCounters& counters, bool allow_lambda_envelope)
      : r_(reader), options_(options), event_parser_(events), scalar_parser_(scalars),
        emit_(emit), counters_(counters), allow_lambda_envelope_(allow_lambda_envelope) {}

  Status Run() {
    while (true) {
      SkipWs();
      Advance();
      if (!Has(0)) return io_;
      char c = At(0);
      if (c == '[') {
        DocContext ctx;
        GS_RETURN_IF_ERROR(ScanEventArray(ctx, /*buffer=*/false));
      } else if (c == '{') {
        GS_RETURN_IF_ERROR(ScanDocument());
      } else {
        return Fail("expected a JSON object or array");
      }
    }
  }

 private:
  bool Has(size_t k) {
    while (k >= r_.size()) {
      Result<bool> more = r_.Fill();
      if (!more.ok()) {
        io_ = more.status();
        return false;
      }
      if (!*more) return false;
    }
    return true;
  }
  char At(size_t k) const { return r_.data()[k]; }
  void Advance() {
    r_.Consume(i_);
    i_ = 0;
  }
  Status Fail(std::string_view what) {
    if (!io_.ok()) return io_;
    return ParseError(std::string(what) + " at byte " + std::to_string(r_.bytes_consumed() + i_));
  }
  void SkipWs() {
    while (Has(i_) && IsAsciiSpace(At(i_))) ++i_;
  }
  Status Expect(char c, std::string_view what) {
    SkipWs();
    if (!Has(i_) || At(i_) != c) return Fail(what);
    ++i_;
    return Status::Ok();
  }

  // REQUIRES: At(i_) == '"'. Moves i_ past the closing quote.
  Status ScanString() {
    ++i_;
    while (true) {
      const char* d = r_.data();
      size_t n = r_.size();
      while (i_ < n) {
        char c = d[i_];
        if (c == '"') {
          ++i_;
          return Status::Ok();
        }
        i_ += c == '\\' ? 2 : 1;
      }
      if (!Has(i_)) return Fail("unterminated string");
    }
  }

  // Moves i_ past one JSON value (not validated: simdjson validates what we keep).
  Status ScanValue() {
    SkipWs();
    if (!Has(i_)) return Fail("expected a value");
    char c = At(i_);
    if (c == '"') return ScanString();
    if (c == '{' || c == '[') {
      size_t depth = 0;
      while (true) {
        if (!Has(i_)) return Fail("unterminated object or array");
        c = At(i_);
        if (c == '"') {
          GS_RETURN_IF_ERROR(ScanString());
          continue;
        }
        ++i_;
        if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return Status::Ok();
        }
      }
    }
    size_t start = i_;
    while (Has(i_) && !IsAsciiSpace(At(i_)) && At(i_) != ',' && At(i_) != '}' && At(i_) != ']') ++i_;
    if (i_ == start) return Fail("expected a value");
    return Status::Ok();
  }

  // The unescaped string at [start, i_), or nullopt if it is not a JSON string.
  std::optional<std::string> StringValue(size_t start) {
    if (At(start) != '"') return std::nullopt;
    auto doc = scalar_parser_.iterate(r_.data() + start, i_ - start,
                                      i_ - start + BufferedReader::kPadding);
    std::string_view v;
    if (doc.get_string().get(v) != simdjson::SUCCESS) return std::nullopt;
    return std::string(v);
  }

  Status ScanDocument() {
    DocContext ctx;
    std::vector<PendingRecord> pending;
    Status status = ScanMembers(ctx, pending);
    if (!status.ok()) {
      // Events held back for a document that never ended cannot be attributed: count them.
      counters_.AddDrop(DropReason::kInvalidEvent, pending.size());
      return status;
    }
    for (const PendingRecord& p : pending) {
      model::RawRecord record{.message = p.message,
                              .timestamp_ms = p.timestamp_ms,
                              .log_group = ctx.log_group,
                              .log_stream = p.log_stream,
                              .event_id = p.event_id};
      Deliver(record, ctx);
    }
    return Status::Ok();
  }

  Status ScanMembers(DocContext& ctx, std::vector<PendingRecord>& pending) {
    ++i_;  // '{'
    bool buffering = false;
    SkipWs();
    if (Has(i_) && At(i_) == '}') {
      ++i_;
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      Advance();
      if (!Has(0) || At(0) != '"') return Fail("expected a member name");
      GS_RETURN_IF_ERROR(ScanString());
      std::string key(r_.data() + 1, i_ - 2);
      GS_RETURN_IF_ERROR(Expect(':', "expected ':'"));
      SkipWs();
      Advance();
      if (!Has(0)) return Fail("expected a value");
      if ((key == "events" || key == "logEvents") && At(0) == '[') {
        // A subscription payload names its log group and type before its events; should
        // one not, hold the events back until the document ends.
        buffering = key == "logEvents" && (!ctx.has_group || ctx.message_type.empty());
        GS_RETURN_IF_ERROR(ScanEventArray(ctx, buffering, &pending));
      } else if (key == "logGroup" || key == "logStream" || key == "messageType") {
        GS_RETURN_IF_ERROR(ScanValue());
        std::optional<std::string> v = StringValue(0);
        if (v.has_value()) {
          if (key == "logGroup") {
            ctx.log_group = std::move(*v);
            ctx.has_group = true;
          } else if (key == "logStream") {
            ctx.log_stream = std::move(*v);
          } else {
            ctx.message_type = std::move(*v);
          }
        }
      } else if (key == "awslogs" && allow_lambda_envelope_) {
        GS_RETURN_IF_ERROR(ScanValue());
        HandleLambdaEnvelope(std::string_view(r_.data(), i_));
      } else {
        GS_RETURN_IF_ERROR(ScanValue());
      }
      SkipWs();
      if (!Has(i_)) return Fail("expected ',' or '}'");
      char c = At(i_++);
      if (c == '}') break;
      if (c != ',') return Fail("expected ',' or '}'");
    }
    Advance();
    return Status::Ok();
  }

  Status ScanEventArray(const DocContext& ctx, bool buffer,
                        std::vector<PendingRecord>* pending = nullptr) {
    ++i_;  // '['
    SkipWs();
    if (Has(i_) && At(i_) == ']') {
      ++i_;
      return Status::Ok();
    }
    while (true) {
      SkipWs();
      Advance();
      GS_RETURN_IF_ERROR(ScanValue());
      HandleEvent(std::string_view(r_.data(), i_), ctx, buffer ? pending : nullptr);
      SkipWs();
      if (!Has(i_)) return Fail("expected ',' or ']'");
      char c = At(i_++);
      if (c == ']') return Status::Ok();
      if (c != ',') return Fail("expected ',' or ']'");
    }
  }

  // `element` is followed by at least kPadding readable bytes (the reader guarantees it).
  void HandleEvent(std::string_view element, const DocContext& ctx,
                   std::vector<PendingRecord>* pending) {
    counters_.AddReceived();
    model::RawRecord record;
    bool has_message = false;
    auto doc = event_parser_.iterate(element.data(), element.size(),
                                     element.size() + BufferedReader::kPadding);
    sj::object obj;
    if (doc.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
        sj::value value = field.value();
        if (key == "message") {
          has_message = value.get_string().get(record.message) == simdjson::SUCCESS;
        } else if (key == "timestamp") {
          int64_t ts;
          if (value.get_int64().get(ts) == simdjson::SUCCESS) record.timestamp_ms = ts;
        } else if (key == "logStreamName") {
          if (value.get_string().get(record.log_stream) != simdjson::SUCCESS) record.log_stream = {};
        } else if (key == "eventId" || key == "id") {
          if (value.get_string().get(record.event_id) != simdjson::SUCCESS) record.event_id = {};
        }
      }
    }
    if (!has_message) {
      counters_.AddDrop(DropReason::kInvalidEvent);
      return;
    }
    if (pending != nullptr) {
      pending->push_back({std::string(record.message), std::string(record.log_stream),
                          std::string(record.event_id), record.timestamp_ms});
      return;
    }
    record.log_group = ctx.log_group;
    Deliver(record, ctx);
  }

  void Deliver(model::RawRecord& record, const DocContext& ctx) {
    if (ctx.message_type == "CONTROL_MESSAGE") {
      counters_.AddDrop(DropReason::kControlMessage);
      return;
    }
    if (record.log_group.empty()) record.log_group = options_.default_log_group;
    if (record.log_stream.empty()) record.log_stream = ctx.log_stream;
    emit_(record);
  }

  // {"data": "<base64 of a gzipped subscription payload>"}: decoded and scanned in memory,
  // which Lambda's 6 MB event limit bounds.
  void HandleLambdaEnvelope(std::string_view envelope) {
    std::optional<std::string> payload = DecodeLambdaData(envelope);
    if (!payload.has_value()) {
      counters_.AddReceived();
      counters_.AddDrop(DropReason::kInvalidPayload);
      GS_LOG(kDebug, "Dropped Lambda event with undecodable awslogs.data.",
             {{"reason", "invalid_payload"}});
      return;
    }
    env::MemoryByteSource source(*payload);
    BufferedReader reader(source);
    pipeline::EventCounters inner;
    // The outer scan is between events here, so its parsers are free to reuse.
    JsonContainerScan scan(reader, options_, event_parser_, scalar_parser_, emit_, inner,
                           /*allow_lambda_envelope=*/false);
    Status status = scan.Run();
    counters_.Merge(inner);
    if (!status.ok()) {
      counters_.AddReceived();
      counters_.AddDrop(DropReason::kInvalidPayload);
      GS_LOG(kDebug, "Dropped the rest of a Lambda event payload.",
             {{"reason", "invalid_payload"}, {"error", status.message()}});
    }
  }

  std::optional<std::string> DecodeLambdaData(std::string_view envelope) {
    auto doc = scalar_parser_.iterate(envelope.data(), envelope.size(),
                                      envelope.size() + BufferedReader::kPadding);
    std::string_view data;
    if (doc["data"].get_string().get(data) != simdjson::SUCCESS) return std::nullopt;
    std::optional<std::string> gz = DecodeBase64(data);
    if (!gz.has_value() || !LooksGzipped(*gz)) return std::nullopt;
    GzipByteSource gunzip(std::make_unique<env::MemoryByteSource>(*gz));
    std::string out;
    char buf[1 << 16];
    while (true) {
      Result<size_t> n = gunzip.Read(buf, sizeof buf);
      if (!n.ok()) return std::nullopt;
      if (*n == 0) break;
      if (out.size() + *n > options_.max_payload_bytes) return std::nullopt;
      out.append(buf, *n);
    }
    return out;
  }

  BufferedReader& r_;
  const DecodeOptions& options_;
  sj::parser& event_parser_;
  sj::parser& scalar_parser_;
  const pipeline::RecordCallback& emit_;
  pipeline::EventCounters& counters_;
  bool allow_lambda_envelope_;
  size_t i_ = 0;
  Status io_;
};

CloudWatchJsonDecoder::CloudWatchJsonDecoder(DecodeOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

CloudWatchJsonDecoder::~CloudWatchJsonDecoder() = default;

Status CloudWatchJsonDecoder::Decode(env::ByteSource& input, const pipeline::RecordCallback& emit,
                                     pipeline::EventCounters& counters) {
  BufferedReader reader(input);
  JsonContainerScan scan(reader, options_, impl_->event_parser, impl_->scalar_parser, emit,
                         counters, /*allow_lambda_envelope=*/true);
  return scan.Run();
}

}  // namespace gatescope::decoders
