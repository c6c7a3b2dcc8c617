#include "connector/connector.h"

#include <algorithm>
#include <optional>

#include "core/logging.h"
#include "decoders/input_format.h"
#include "delivery/batcher.h"
#include "parsers/apigw_access/access_log_parser.h"
#include "parsers/apigw_execution/execution_assembler.h"
#include "pipeline/request_joiner.h"
#include "transform/transaction_transformer.h"

namespace gatescope::connector {
namespace {

using Steady = std::chrono::steady_clock;

// Open requests are held in memory until they complete; a Lambda at 128 MB cannot give them the
// discover command's 128 MB, and a run flushes them at its end anyway.
constexpr size_t kMaxOpenBytes = size_t{16} << 20;

}  // namespace

struct Connector::Impl {
  ConnectorConfig config;
  delivery::CollectorHttpSink& sink;
  delivery::SpillStore* spill;
  const delivery::TokenSource* tokens;
  const Clock& clock;
  std::unique_ptr<transform::TransactionTransformer> transformer;
  parsers::apigw_access::AccessLogFormats formats;

  Impl(const ConnectorConfig& c, delivery::CollectorHttpSink& s, delivery::SpillStore* sp,
       const delivery::TokenSource* t, const Clock& cl)
      : config(c), sink(s), spill(sp), tokens(t), clock(cl) {}
};

struct ConnectorRun::State {
  Connector::Impl& c;
  RunSummary summary;
  Steady::time_point start;
  Steady::time_point send_deadline;
  bool sending_stopped = false;  // The deadline passed or the collector is down: spill.
  std::string stop_reason;
  transform::TransformStats transform_before;
  delivery::SinkStats sink_before;
  uint64_t token_fetches_before = 0;
  model::HttpTransaction tx;
  std::vector<model::HttpTransaction>* capture = nullptr;
  parsers::apigw_access::AccessLogParser parser;
  delivery::Batcher batcher;
  pipeline::RequestJoiner joiner;
  parsers::apigw_execution::ExecutionAssembler assembler;

  State(Connector::Impl& impl, std::string mode, Steady::time_point deadline)
      : c(impl),
        start(impl.clock.MonotonicNow()),
        parser(&impl.formats),
        batcher(impl.config.batcher),
        joiner({}, [this](model::HttpTransaction& t) { OnTransaction(t); }),
        assembler({.completion_grace = impl.config.execution_grace,
                   .max_open_bytes = kMaxOpenBytes},
                  &summary.events, [this](model::HttpTransaction& t) { joiner.Offer(&t); }) {
    summary.mode = std::move(mode);
    transform_before = c.transformer->stats();
    sink_before = c.sink.stats();
    token_fetches_before = c.tokens != nullptr ? c.tokens->fetches() : 0;
    // Twice the p99 of recent POSTs, so that the last batch sent still has time to finish.
    auto margin = std::max<std::chrono::milliseconds>(
        c.config.deadline_margin,
        std::chrono::milliseconds(static_cast<int64_t>(2 * sink_before.latency_p99_ms)));
    send_deadline = deadline - margin;
  }

  void OnRecord(const model::RawRecord& record) {
    if (parsers::apigw_execution::IsExecutionLogRecord(record)) {
      assembler.Add(record);
      return;
    }
    std::optional<pipeline::DropReason> drop = parser.Parse(record, &tx);
    if (drop.has_value()) {
      summary.events.AddDrop(*drop);
      return;
    }
    summary.events.AddAccepted();
    if (!assembler.Attach(&tx)) joiner.Offer(&tx);
  }

  void OnTransaction(model::HttpTransaction& t) {
    ++summary.transactions;
    summary.transactions_partial += t.partial;
    summary.transactions_joined += t.source == model::LogSource::kJoined;
    if (std::optional<transform::FilterReason> reason = c.transformer->Apply(&t)) {
      summary.transform_filtered[static_cast<size_t>(*reason)] += t.event_count;
      return;
    }
    if (capture != nullptr) capture->push_back(t);
    batcher.Add(t);
    DrainReady();
  }

  void DrainReady() {
    while (std::optional<delivery::Batch> batch = batcher.TakeReady()) Deliver(*batch);
  }

  void Deliver(const delivery::Batch& batch) {
    summary.bytes_raw += batch.raw_bytes;
    summary.bytes_wire += batch.body.size();
    summary.batch_wire_max = std::max<uint64_t>(summary.batch_wire_max, batch.body.size());
    summary.batches_shrunk_records += batch.shrunk;
    if (!sending_stopped && c.clock.MonotonicNow() >= send_deadline) {
      sending_stopped = true;
      stop_reason = "deadline";
    }
    if (sending_stopped) {
      Spill(batch, stop_reason, "not sent: an earlier batch of this run found the collector "
                                "unavailable or the deadline near");
      return;
    }
    auto before = c.clock.MonotonicNow();
    delivery::DeliveryOutcome outcome = c.sink.Send(batch, send_deadline);
    double ms = std::chrono::duration<double, std::milli>(c.clock.MonotonicNow() - before).count();
    ++summary.sends;
    summary.send_latency_ms_sum += ms;
    summary.send_latency_ms_max = std::max(summary.send_latency_ms_max, ms);
    if (outcome.result == delivery::DeliveryResult::kDelivered) {
      ++summary.batches_delivered;
      summary.events_delivered += batch.events;
      return;
    }
    if (outcome.result == delivery::DeliveryResult::kGaveUp) {
      // The collector is down or the deadline is near: the next batches would spend the same
      // time for the same end, so they go straight to the spill store.
      sending_stopped = true;
      stop_reason = outcome.reason == "deadline" ? "deadline" : "collector_unavailable";
    }
    GS_LOG(kWarning, "Batch not delivered.",
           {{"reason", outcome.reason}, {"http_status", outcome.http_status},
            {"attempts", outcome.attempts}, {"records", batch.records}});
    Spill(batch, outcome.reason, outcome.detail);
  }

  void Spill(const delivery::Batch& batch, std::string_view reason, std::string_view detail) {
    Status stored = c.spill != nullptr
                        ? c.spill->Put(batch, reason, detail)
                        : UnavailableError("no spill store is configured (GATESCOPE_SPILL)");
    if (stored.ok()) {
      ++summary.batches_spilled;
      summary.events_spilled += batch.events;
      ++summary.spill_reasons[std::string(reason)];
      return;
    }
    ++summary.batches_failed;
    summary.events_failed += batch.events;
    if (summary.error.empty()) {
      summary.error = "batch not delivered (" + std::string(reason) +
                      ") and not spilled: " + std::string(stored.message());
    }
    GS_LOG(kError, "Batch neither delivered nor spilled; the run will fail so it is retried.",
           {{"reason", reason}, {"records", batch.records}, {"events", batch.events}});
  }

  RunSummary Finish() {
    assembler.Flush();
    joiner.Flush();
    batcher.Flush();
    DrainReady();
    const transform::TransformStats& t = c.transformer->stats();
    summary.bodies_replaced = t.bodies_replaced - transform_before.bodies_replaced;
    summary.headers_redacted = t.headers_redacted - transform_before.headers_redacted;
    const delivery::SinkStats& s = c.sink.stats();
    summary.send_attempts = s.attempts - sink_before.attempts;
    summary.send_retries = s.retries - sink_before.retries;
    if (c.tokens != nullptr) summary.token_fetches = c.tokens->fetches() - token_fetches_before;
    summary.processing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                c.clock.MonotonicNow() - start)
                                .count();
    if (!summary.AddsUp() && summary.error.empty()) {
      // A bug, never the input's fault: say so loudly rather than report a clean run.
      summary.error = "internal: event counters do not add up";
      GS_LOG(kError, "Event counters do not add up.",
             {{"received", summary.events.received()}, {"delivered", summary.events_delivered},
              {"spilled", summary.events_spilled}, {"filtered", summary.filtered()},
              {"dropped", summary.events.dropped()}, {"failed", summary.events_failed}});
    }
    return summary;
  }
};

Connector::Connector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connector::~Connector() = default;

Result<std::unique_ptr<Connector>> Connector::Create(const ConnectorConfig& config,
                                                     delivery::CollectorHttpSink& sink,
                                                     delivery::SpillStore* spill,
                                                     const delivery::TokenSource* tokens,
                                                     const Clock& clock) {
  auto impl = std::make_unique<Impl>(config, sink, spill, tokens, clock);
  GS_ASSIGN_OR_RETURN(impl->transformer,
                      transform::TransactionTransformer::Create(config.transform));
  return std::unique_ptr<Connector>(new Connector(std::move(impl)));
}

const ConnectorConfig& Connector::config() const { return impl_->config; }

std::unique_ptr<ConnectorRun> Connector::StartRun(std::string mode, Steady::time_point deadline) {
  return std::unique_ptr<ConnectorRun>(
      new ConnectorRun(std::make_unique<ConnectorRun::State>(*impl_, std::move(mode), deadline)));
}

RunSummary Connector::ReplaySpilled(Steady::time_point deadline) {
  RunSummary summary;
  summary.mode = "replay";
  Impl& c = *impl_;
  if (c.spill == nullptr) {
    summary.error = "no spill store is configured (GATESCOPE_SPILL)";
    return summary;
  }
  auto start = c.clock.MonotonicNow();
  Result<std::vector<std::string>> keys = c.spill->List();
  if (!keys.ok()) {
    summary.error = "cannot list " + c.spill->Describe() + ": " + std::string(keys.status().message());
    return summary;
  }
  Steady::time_point send_deadline = deadline - c.config.deadline_margin;
  for (const std::string& key : *keys) {
    if (c.clock.MonotonicNow() >= send_deadline) break;
    Result<delivery::SpilledBatch> spilled = c.spill->Get(key);
    if (!spilled.ok()) {
      GS_LOG(kWarning, "Spilled batch unreadable; kept.", {{"key", key}});
      ++summary.batches_failed;
      continue;
    }
    const delivery::Batch& batch = spilled->batch;
    summary.events.AddReceived(batch.events);
    delivery::DeliveryOutcome outcome = c.sink.Send(batch, send_deadline);
    if (outcome.result != delivery::DeliveryResult::kDelivered) {
      // Still where it was: counted as spilled, not lost.
      ++summary.batches_spilled;
      summary.events_spilled += batch.events;
      ++summary.spill_reasons[outcome.reason];
      if (outcome.result == delivery::DeliveryResult::kGaveUp) break;
      continue;
    }
    ++summary.batches_delivered;
    summary.events_delivered += batch.events;
    summary.bytes_wire += batch.body.size();
    if (Status s = c.spill->Delete(key); !s.ok()) {
      GS_LOG(kWarning, "Delivered spilled batch not deleted; it will be sent again (same "
                       "Idempotency-Key).", {{"key", key}});
    }
  }
  summary.processing_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.clock.MonotonicNow() - start).count();
  return summary;
}

ConnectorRun::ConnectorRun(std::unique_ptr<State> state) : state_(std::move(state)) {}
ConnectorRun::~ConnectorRun() = default;

Status ConnectorRun::AddInput(std::unique_ptr<env::ByteSource> input) {
  GS_ASSIGN_OR_RETURN(decoders::OpenedInput opened,
                      decoders::OpenInput(std::move(input), decoders::InputFormat::kAuto));
  std::unique_ptr<pipeline::Decoder> decoder = decoders::MakeDecoder(opened.format, {});
  state_->assembler.StartInput();
  return decoder->Decode(*opened.source,
                         [this](const model::RawRecord& r) { state_->OnRecord(r); },
                         state_->summary.events);
}

void ConnectorRun::CaptureTo(std::vector<model::HttpTransaction>* out) { state_->capture = out; }

void ConnectorRun::AddRecord(const model::RawRecord& record) { state_->OnRecord(record); }
pipeline::EventCounters& ConnectorRun::counters() { return state_->summary.events; }
RunSummary& ConnectorRun::summary() { return state_->summary; }
RunSummary ConnectorRun::Finish() { return state_->Finish(); }

}  // namespace gatescope::connector
