#include "ingest/log_payload_reader.h"

#include <memory>
#include <optional>

#include "decoders/decode_options.h"
#include "decoders/input_format.h"
#include "env/byte_source.h"
#include "parsers/apigw_access/access_log_parser.h"
#include "parsers/apigw_execution/execution_assembler.h"
#include "pipeline/request_joiner.h"
#include "transform/transaction_transformer.h"

namespace gatescope::ingest {
namespace {

using model::HttpTransaction;
using pipeline::EventCounters;

// A payload's decoded text may not exceed this (a gzip bomb would otherwise cost minutes of
// CPU and the transactions' memory); CloudWatch payloads are about 1 MB decoded.
constexpr size_t kMaxDecodedBytes = size_t{256} << 20;

// Fails once more than `limit` bytes went through.
class LimitedByteSource final : public env::ByteSource {
 public:
  LimitedByteSource(env::ByteSource& inner, size_t limit) : inner_(inner), left_(limit) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    Result<size_t> n = inner_.Read(buffer, capacity);
    if (!n.ok()) return n;
    if (*n > left_) {
      return ResourceExhaustedError("payload: decodes to more than " +
                                    std::to_string(kMaxDecodedBytes >> 20) + " MiB");
    }
    left_ -= *n;
    return n;
  }

 private:
  env::ByteSource& inner_;
  size_t left_;
};

// The connector's transform with its default options, one per thread: compiling its regexes
// costs more than a small payload's whole decoding.
Result<transform::TransactionTransformer*> ThreadTransformer() {
  thread_local std::unique_ptr<transform::TransactionTransformer> transformer;
  if (transformer == nullptr) {
    Result<std::unique_ptr<transform::TransactionTransformer>> created =
        transform::TransactionTransformer::Create({});
    if (!created.ok()) return created.status();
    transformer = std::move(created).value();
  }
  return transformer.get();
}

}  // namespace

Result<LogPayloadResult> ReadLogPayload(std::string_view payload,
                                        const LogPayloadOptions& options) {
  GS_ASSIGN_OR_RETURN(transform::TransactionTransformer * transformer, ThreadTransformer());

  LogPayloadResult result;
  EventCounters counters;
  uint64_t filtered_events = 0;
  parsers::apigw_access::AccessLogParser parser;
  HttpTransaction tx;

  // A payload is small and seen once: the joiner's memory of emitted request ids can be small.
  pipeline::JoinerOptions joiner_options;
  joiner_options.remembered_requests = size_t{1} << 12;
  pipeline::RequestJoiner joiner(joiner_options, [&](HttpTransaction& t) {
    if (transformer->Apply(&t).has_value()) {
      // Not API traffic (content type, static file): these events are filtered, not kept.
      filtered_events += t.event_count;
      return;
    }
    result.transactions.push_back(t);
  });
  parsers::apigw_execution::ExecutionAssembler assembler(
      {}, &counters, [&](HttpTransaction& t) { joiner.Offer(&t); });

  auto on_record = [&](const model::RawRecord& record) {
    if (parsers::apigw_execution::IsExecutionLogRecord(record)) {
      assembler.Add(record);
      return;
    }
    std::optional<pipeline::DropReason> drop = parser.Parse(record, &tx);
    if (drop.has_value()) {
      counters.AddDrop(*drop);
      return;
    }
    counters.AddAccepted();
    if (!assembler.Attach(&tx)) joiner.Offer(&tx);
  };

  Result<decoders::OpenedInput> opened = decoders::OpenInput(
      std::make_unique<env::MemoryByteSource>(payload), decoders::InputFormat::kAuto);
  if (!opened.ok()) return opened.status().WithContext("payload");
  LimitedByteSource limited(*opened->source, kMaxDecodedBytes);
  decoders::DecodeOptions decode_options{.default_log_group = options.default_log_group};
  std::unique_ptr<pipeline::Decoder> decoder =
      decoders::MakeDecoder(opened->format, decode_options);
  assembler.StartInput();
  Status decoded = decoder->Decode(limited, on_record, counters);
  if (!decoded.ok()) {
    // Nothing is kept: the ids are stable, so the sender can post the payload again whole.
    return decoded.code() == StatusCode::kResourceExhausted ? decoded
                                                            : decoded.WithContext("payload");
  }
  assembler.Flush();
  joiner.Flush();

  result.counters = counters;
  result.transform_filtered = filtered_events;
  result.counters.AddInputBytes(payload.size());
  return result;
}

}  // namespace gatescope::ingest
