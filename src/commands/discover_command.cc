#include "commands/discover_command.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "core/logging.h"
#include "core/time_format.h"
#include "decoders/input_format.h"
#include "env/byte_source.h"
#include "env/durable_file.h"
#include "inventory/inventory.h"
#include "inventory/inventory_json.h"
#include "model/transaction_json.h"
#include "openapi/openapi_exporter.h"
#include "parsers/apigw_access/access_log_parser.h"
#include "parsers/apigw_execution/execution_assembler.h"
#include "pipeline/event_counters.h"
#include "pipeline/request_joiner.h"

namespace gatescope::commands {
namespace {

using pipeline::DropReason;
using pipeline::EventCounters;

constexpr int64_t kProgressMinBytes = int64_t{4} << 20;

std::string WithCommas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Counts the bytes read from an input (before gunzip) and, on a terminal, redraws one
// progress line at most twice a second: Read() is called once per 256 KB, so checking the
// clock there costs nothing per event.
class ProgressSource final : public env::ByteSource {
 public:
  ProgressSource(std::unique_ptr<env::ByteSource> inner, const Clock& clock, bool show,
                 const EventCounters& counters, std::ostream& err)
      : inner_(std::move(inner)), clock_(clock), show_(show), counters_(counters), err_(err),
        start_(clock.MonotonicNow()), last_(start_) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    Result<size_t> n = inner_->Read(buffer, capacity);
    if (n.ok()) bytes_ += *n;
    if (show_) MaybeDraw();
    return n;
  }
  int64_t size_bytes() const override { return inner_->size_bytes(); }
  uint64_t bytes() const { return bytes_; }

  void Finish() {
    if (drawn_) err_ << "\r\033[K" << std::flush;
  }

 private:
  void MaybeDraw() {
    int64_t total = inner_->size_bytes();
    if (static_cast<int64_t>(bytes_) < kProgressMinBytes && total < kProgressMinBytes) return;
    auto now = clock_.MonotonicNow();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::ostringstream line;
    line << std::fixed << std::setprecision(1) << "\rRead " << bytes_ / 1e6 << " MB";
    if (total > 0) line << " of " << total / 1e6 << " MB (" << 100.0 * bytes_ / total << "%)";
    line << ", " << WithCommas(counters_.received()) << " events, "
         << (secs > 0 ? counters_.received() / secs / 1e6 : 0.0) << " M events/s";
    err_ << line.str() << "\033[K" << std::flush;
    drawn_ = true;
  }

  std::unique_ptr<env::ByteSource> inner_;
  const Clock& clock_;
  bool show_;
  const EventCounters& counters_;
  std::ostream& err_;
  std::chrono::steady_clock::time_point start_, last_;
  uint64_t bytes_ = 0;
  bool drawn_ = false;
};

// Writes `content` to `path` through a temporary file and a rename, so that a reader never
// sees half a document. A target that exists and is not a regular file (/dev/null, /dev/stdout,
// a FIFO) cannot be replaced by a rename and is written in place.
Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::is_regular_file(path, ec)) {
    return env::WriteFileDurably(path, content, 0644);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return UnavailableError(path + ": cannot open for writing");
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f.flush()) return UnavailableError(path + ": write failed");
  return Status::Ok();
}

std::string StatusSummary(const inventory::EndpointStats& s) {
  auto codes = s.status_counts;
  std::sort(codes.begin(), codes.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::string out;
  for (size_t i = 0; i < codes.size() && i < 3; ++i) {
    if (!out.empty()) out += ' ';
    out += codes[i].first < 0 ? "-" : std::to_string(codes[i].first);
    out += 'x' + std::to_string(codes[i].second);
  }
  if (codes.size() > 3) out += " ...";
  return out;
}

void PrintTable(const inventory::Inventory::Snapshot& snap, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"API", "STAGE", "METHOD", "PATH", "REQUESTS", "STATUS", "P50_MS", "P95_MS", "LAST_SEEN"}};
  for (const inventory::Inventory::Endpoint& e : snap.endpoints) {
    const auto& s = e.stats;
    auto ms = [](int64_t v) { return v < 0 ? std::string("-") : std::to_string(v); };
    rows.push_back({e.key.api_id, e.key.stage.empty() ? "-" : e.key.stage, e.key.method,
                    e.key.path, std::to_string(s.requests), StatusSummary(s),
                    ms(s.response_latency.Percentile(0.5)), ms(s.response_latency.Percentile(0.95)),
                    s.last_seen_ms < 0 ? "-" : FormatIso8601(s.last_seen_ms).substr(0, 19) + "Z"});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

// Counts of what the execution-log assembly and the join produced, for the summary and the
// inventory's run information.
struct TransactionCounts {
  uint64_t execution = 0;  // Transactions rebuilt from execution logs.
  std::array<uint64_t, model::kPartialReasonCount> by_partial_reason{};
  uint64_t unknown_lines = 0;
  uint64_t joined = 0;
  uint64_t supplements = 0;
  uint64_t unattributed = 0;
};

TransactionCounts CountTransactions(const parsers::apigw_execution::ExecutionAssembler& a,
                                    const pipeline::RequestJoiner& j,
                                    const inventory::Inventory& inv) {
  TransactionCounts t;
  t.execution = a.stats().transactions;
  t.by_partial_reason = a.stats().by_partial_reason;
  t.unknown_lines =
      a.stats().lines_by_kind[static_cast<size_t>(parsers::apigw_execution::LineKind::kUnknown)];
  t.joined = j.stats().joined + a.stats().joined;
  t.supplements = j.stats().supplements;
  t.unattributed = inv.unattributed();
  return t;
}

void PrintSummary(const EventCounters& c, const TransactionCounts& t, size_t inputs,
                  size_t failed, const inventory::Inventory& inv,
                  const inventory::Inventory::Snapshot& snap, std::ostream& err) {
  size_t apis = 0;
  std::string last_api;
  for (const auto& [id, info] : inv.api_stages()) {
    if (apis == 0 || id.first != last_api) ++apis;
    last_api = id.first;
  }
  err << "Summary: " << inputs << " input" << (inputs == 1 ? "" : "s");
  if (failed > 0) err << " (" << failed << " failed)";
  err << ", " << WithCommas(c.input_bytes()) << " bytes; events read " << WithCommas(c.received())
      << ", parsed " << WithCommas(c.accepted()) << ", dropped " << WithCommas(c.dropped())
      << ", filtered " << WithCommas(c.filtered()) << ".\n";
  for (size_t i = 0; i < pipeline::kDropReasonCount; ++i) {
    auto reason = static_cast<DropReason>(i);
    if (c.drops(reason) == 0) continue;
    err << "  " << (pipeline::IsIntentional(reason) ? "filtered " : "dropped ")
        << pipeline::DropReasonName(reason) << " (" << pipeline::StageName(DropReasonStage(reason))
        << "): " << WithCommas(c.drops(reason)) << '\n';
  }
  if (t.execution > 0) {
    err << "Execution logs: " << WithCommas(t.execution) << " requests rebuilt, "
        << WithCommas(t.by_partial_reason[0]) << " complete";
    for (size_t i = 1; i < model::kPartialReasonCount; ++i) {
      if (t.by_partial_reason[i] == 0) continue;
      err << ", " << WithCommas(t.by_partial_reason[i]) << " partial ("
          << model::PartialReasonName(static_cast<model::PartialReason>(i)) << ")";
    }
    err << "; " << WithCommas(t.joined) << " joined with access logs";
    if (t.supplements > 0) err << ", " << WithCommas(t.supplements) << " joined after emission";
    if (t.unknown_lines > 0) err << "; " << WithCommas(t.unknown_lines) << " unknown lines kept";
    err << ".\n";
  }
  if (t.unattributed > 0) {
    err << "Requests without an endpoint (no method or path logged): "
        << WithCommas(t.unattributed) << ".\n";
  }
  size_t endpoints = snap.endpoints.size();
  size_t inferred = 0;
  for (const auto& e : snap.endpoints) inferred += e.stats.template_source == model::TemplateSource::kInferred;
  inventory::GatedCounts gated;
  for (const auto& [id, g] : snap.gated) {
    gated.noise_requests += g.noise_requests;
    gated.noise_paths += g.noise_paths;
    gated.below_threshold_requests += g.below_threshold_requests;
    gated.below_threshold_endpoints += g.below_threshold_endpoints;
  }
  err << "Inventory: " << apis << " API" << (apis == 1 ? "" : "s") << ", "
      << inv.api_stages().size() << " stage" << (inv.api_stages().size() == 1 ? "" : "s") << ", "
      << endpoints << " endpoint" << (endpoints == 1 ? "" : "s");
  if (inferred > 0) err << " (" << inferred << " with inferred path parameters)";
  err << ".\n";
  if (gated.noise_paths > 0 || gated.below_threshold_endpoints > 0) {
    err << "Not inventoried: " << WithCommas(gated.noise_paths) << " paths that only answered 404 ("
        << WithCommas(gated.noise_requests) << " requests, scanner noise), "
        << WithCommas(gated.below_threshold_endpoints) << " endpoints below "
        << inv.options().min_requests << " requests (" << WithCommas(gated.below_threshold_requests)
        << " requests).\n";
  }
}

inventory::RunInfo MakeRunInfo(const EventCounters& c, const TransactionCounts& t,
                               int64_t now_ms) {
  inventory::RunInfo run;
  run.generated_at_ms = now_ms;
  run.counters = {{"input_bytes", c.input_bytes()}, {"events_read", c.received()},
                  {"events_parsed", c.accepted()},  {"events_dropped", c.dropped()},
                  {"events_filtered", c.filtered()}};
  if (t.execution > 0) {
    run.counters.emplace_back("execution_requests", t.execution);
    for (size_t i = 0; i < model::kPartialReasonCount; ++i) {
      std::string name = i == 0 ? std::string("execution_requests_complete")
                                : "execution_requests_partial_" +
                                      std::string(model::PartialReasonName(
                                          static_cast<model::PartialReason>(i)));
      run.counters.emplace_back(name, t.by_partial_reason[i]);
    }
    run.counters.emplace_back("execution_unknown_lines", t.unknown_lines);
    run.counters.emplace_back("requests_joined", t.joined);
    run.counters.emplace_back("requests_joined_after_emission", t.supplements);
  }
  if (t.unattributed > 0) run.counters.emplace_back("requests_without_endpoint", t.unattributed);
  for (size_t i = 0; i < pipeline::kDropReasonCount; ++i) {
    auto reason = static_cast<DropReason>(i);
    if (c.drops(reason) > 0) run.drops.emplace_back(pipeline::DropReasonName(reason), c.drops(reason));
  }
  return run;
}

}  // namespace

int RunDiscover(const DiscoverOptions& options, const Clock& clock, std::ostream& out,
                std::ostream& err) {
  Result<decoders::InputFormat> format = decoders::ParseInputFormat(options.input_format);
  if (!format.ok()) {
    err << "gatescope discover: " << format.status().message() << '\n';
    return kExitUsage;
  }
  if (!options.openapi_file.empty() && !options.openapi_dir.empty()) {
    err << "gatescope discover: --openapi and --openapi-dir are exclusive; choose one\n";
    return kExitUsage;
  }
  parsers::apigw_access::AccessLogFormats formats;
  for (const std::string& path : options.access_log_formats) {
    Result<std::string> text = env::ReadWholeFile(path);
    if (!text.ok()) {
      err << "gatescope discover: --access-log-format: cannot read " << path << '\n';
      return kExitUsage;
    }
    if (Status s = formats.Add(*text, path); !s.ok()) {
      err << "gatescope discover: --access-log-format: " << s.message() << '\n';
      return kExitUsage;
    }
  }

  inventory::DiscoveryOptions discovery;
  if (!options.discovery_config.empty()) {
    Result<std::string> text = env::ReadWholeFile(options.discovery_config);
    if (!text.ok()) {
      err << "gatescope discover: --discovery-config: cannot read " << options.discovery_config << '\n';
      return kExitUsage;
    }
    Result<inventory::DiscoveryOptions> parsed = inventory::ParseDiscoveryOptions(*text);
    if (!parsed.ok()) {
      err << "gatescope discover: --discovery-config " << options.discovery_config << ": "
          << parsed.status().message() << '\n';
      return kExitUsage;
    }
    discovery = std::move(parsed).value();
  }
  if (options.min_requests > 0) discovery.min_requests = options.min_requests;

  decoders::DecodeOptions decode_options{.default_log_group = options.log_group};
  parsers::apigw_access::AccessLogParser parser(&formats);
  inventory::Inventory inventory(discovery);
  model::HttpTransaction tx;
  EventCounters counters;
  LogRateLimiter drop_log(clock, std::chrono::seconds(5));
  bool show_progress = options.progress && ::isatty(STDERR_FILENO) != 0;
  size_t failed = 0;

  std::ofstream transactions_out;
  std::string transactions_tmp = options.transactions_file + ".tmp";
  if (!options.transactions_file.empty()) {
    transactions_out.open(transactions_tmp, std::ios::binary | std::ios::trunc);
    if (!transactions_out) {
      err << "gatescope discover: --transactions: cannot open " << transactions_tmp << '\n';
      return kExitUsage;
    }
  }
  pipeline::RequestJoiner joiner({}, [&](model::HttpTransaction& t) {
    inventory.Add(t);
    if (transactions_out.is_open()) transactions_out << model::TransactionToJson(t) << '\n';
  });
  parsers::apigw_execution::AssemblerOptions assembler_options{
      .completion_grace = std::chrono::milliseconds(options.execution_grace_ms),
      .max_idle = std::chrono::milliseconds(options.execution_max_idle_ms),
      .max_open_requests = options.max_open_requests};
  parsers::apigw_execution::ExecutionAssembler assembler(
      assembler_options, &counters, [&](model::HttpTransaction& t) { joiner.Offer(&t); });

  auto on_record = [&](const model::RawRecord& record) {
    if (parsers::apigw_execution::IsExecutionLogRecord(record)) {
      assembler.Add(record);
      return;
    }
    std::optional<DropReason> drop = parser.Parse(record, &tx);
    if (!drop.has_value()) {
      counters.AddAccepted();
      if (!assembler.Attach(&tx)) joiner.Offer(&tx);
      return;
    }
    counters.AddDrop(*drop);
    uint64_t suppressed = 0;
    if (Logger::Get().Enabled(LogLevel::kDebug) && drop_log.Allow(&suppressed)) {
      GS_LOG(kDebug, "Dropped line.", {{"reason", pipeline::DropReasonName(*drop)},
                                       {"log_group", record.log_group},
                                       {"similar_suppressed", suppressed}});
    }
  };

  for (const std::string& input : options.inputs) {
    Result<std::unique_ptr<env::ByteSource>> file = env::OpenFile(input);
    if (!file.ok()) {
      err << "gatescope discover: cannot read " << file.status().message() << '\n';
      ++failed;
      continue;
    }
    auto progress =
        std::make_unique<ProgressSource>(std::move(*file), clock, show_progress, counters, err);
    ProgressSource* progress_view = progress.get();
    Status status;
    Result<decoders::OpenedInput> opened = decoders::OpenInput(std::move(progress), *format);
    if (opened.ok()) {
      GS_LOG(kDebug, "Reading input.", {{"path", input},
                                        {"format", decoders::InputFormatName(opened->format)},
                                        {"gzip", opened->gzipped ? "true" : "false"}});
      std::unique_ptr<pipeline::Decoder> decoder = decoders::MakeDecoder(opened->format, decode_options);
      assembler.StartInput();
      status = decoder->Decode(*opened->source, on_record, counters);
      progress_view->Finish();
      counters.AddInputBytes(progress_view->bytes());
    } else {
      status = opened.status();
    }
    if (!status.ok()) {
      err << "gatescope discover: cannot read " << input << ": " << status.message()
          << " (events before the fault were kept)\n";
      ++failed;
    }
  }

  assembler.Flush();
  joiner.Flush();
  TransactionCounts transactions = CountTransactions(assembler, joiner, inventory);

  int64_t now_ms = UnixMillis(clock);
  int exit_code = failed > 0 ? kExitInputError : kExitOk;
  auto write = [&](const std::string& path, const std::string& content) {
    if (Status s = WriteFileAtomically(path, content); !s.ok()) {
      err << "gatescope discover: cannot write " << s.message() << '\n';
      exit_code = kExitInputError;
    }
  };
  if (transactions_out.is_open()) {
    transactions_out.close();
    std::error_code ec;
    if (!transactions_out) {
      err << "gatescope discover: cannot write " << transactions_tmp << '\n';
      exit_code = kExitInputError;
    } else if (std::filesystem::rename(transactions_tmp, options.transactions_file, ec); ec) {
      err << "gatescope discover: cannot write " << options.transactions_file << ": "
          << ec.message() << '\n';
      exit_code = kExitInputError;
    }
  }
  inventory::Inventory::Snapshot snapshot = inventory.Render();  // Once: it is the costly part.
  if (!options.inventory_file.empty()) {
    write(options.inventory_file, inventory::InventoryToJson(inventory, snapshot,
                                                             MakeRunInfo(counters, transactions, now_ms)));
  }
  openapi::OpenApiOptions openapi_options{.generated_at_ms = now_ms};
  if (!options.openapi_file.empty()) {
    write(options.openapi_file, openapi::ExportOpenApi(inventory, snapshot, openapi_options));
  }
  if (!options.openapi_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.openapi_dir, ec);
    for (const auto& [name, doc] : openapi::ExportOpenApiPerApi(inventory, snapshot, openapi_options)) {
      write((std::filesystem::path(options.openapi_dir) / name).string(), doc);
    }
  }
  if (options.inventory_file.empty() && options.openapi_file.empty() &&
      options.openapi_dir.empty() && options.transactions_file.empty()) {
    PrintTable(snapshot, out);
  }
  PrintSummary(counters, transactions, options.inputs.size(), failed, inventory, snapshot, err);
  return exit_code;
}

}  // namespace gatescope::commands
