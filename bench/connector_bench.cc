// CPU per MB of subscription payload through the whole connector pipeline: base64 and gunzip of
// the Lambda event, JSON decode, parse (access logs) or assemble (execution logs), join,
// transform, serialize, gzip into <= 1 MB batches, and the sink's request building (the HTTP
// client answers 202 at once, so the network is not measured). Target: <= 50 ms per MB
// (docs/specs/connector.md). Counters: mb_per_s (of CPU time), and peak_rss_mib of the process.
// Run from the repository root, or with GS_FIXTURES=<repo>/tests/fixtures.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/proc_memory.h"
#include "connector/connector.h"
#include "connector/connector_config.h"
#include "core/clock.h"
#include "delivery/collector_http_sink.h"
#include "env/http_client.h"

namespace {

using namespace gatescope;

class AcceptingHttpClient final : public env::HttpClient {
 public:
  Result<env::HttpResponse> Send(const env::HttpRequest& request) override {
    bytes += request.body.size();
    env::HttpResponse r;
    r.status = 202;
    return r;
  }
  uint64_t bytes = 0;
};

class NoSleep final : public aws::Sleeper {
 public:
  void SleepFor(std::chrono::nanoseconds) override {}
};

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A Lambda event whose decoded payload is about `target_bytes`, from `make_message(i)`.
template <typename MakeMessage>
std::pair<std::string, size_t> LambdaEvent(const std::string& group, size_t target_bytes,
                                           MakeMessage make_message) {
  nlohmann::json events = nlohmann::json::array();
  size_t bytes = 0;
  for (int i = 0; bytes < target_bytes; ++i) {
    std::string message = make_message(i);
    bytes += message.size() + 80;
    events.push_back({{"id", std::to_string(36000000000000000000.0 + i).substr(0, 20) +
                                 std::to_string(1000000 + i)},
                      {"timestamp", int64_t{1763700000000} + i},
                      {"message", std::move(message)}});
  }
  std::string payload = nlohmann::json({{"messageType", "DATA_MESSAGE"},
                                        {"owner", "123456789012"},
                                        {"logGroup", group},
                                        {"logStream", "0123456789abcdef"},
                                        {"subscriptionFilters", {"gatescope"}},
                                        {"logEvents", events}})
                            .dump();
  std::string gz = Gzip(payload);
  std::string b64(4 * ((gz.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(gz.data()),
                          static_cast<int>(gz.size()));
  b64.resize(static_cast<size_t>(n));
  return {nlohmann::json({{"awslogs", {{"data", b64}}}}).dump(), payload.size()};
}

std::string AccessLine(int i) {
  static const char* kPaths[] = {"/pets/%d", "/orders/%d/items", "/users/%d/profile",
                                 "/search", "/carts/%d"};
  char path[64];
  std::snprintf(path, sizeof(path), kPaths[i % 5], 1000 + i * 7);
  char line[1024];
  std::snprintf(line, sizeof(line),
                R"({"requestId":"%08x-aaaa-4bbb-8ccc-%012d","extendedRequestId":"Vts2pH6ArPEFcuQ=","ip":"198.51.%d.%d","caller":"-","user":"-","requestTime":"21/Nov/2026:10:00:%02d +0000","httpMethod":"%s","resourcePath":"/{proxy+}","path":"/prod%s","status":%d,"protocol":"HTTP/1.1","responseLength":%d,"responseLatency":%d,"integrationLatency":%d,"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0","apiId":"a1b2c3d4e5","stage":"prod","domainName":"a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"})",
                i, i, i % 250, i % 200, i % 60, (i % 4 == 0) ? "POST" : "GET", path,
                (i % 17 == 0) ? 404 : 200, 200 + i % 900, 10 + i % 90, 8 + i % 80);
  return line;
}

void RunPipeline(benchmark::State& state, const std::string& group,
                 const std::pair<std::string, size_t>& event) {
  connector::ConnectorConfig config;
  AcceptingHttpClient http;
  NoSleep sleeper;
  config.collector.url = "https://collector.example.com/ingest";
  delivery::CollectorHttpSink sink(config.collector, http, nullptr, SystemClock::Get(), sleeper);
  auto created = connector::Connector::Create(config, sink, nullptr, nullptr, SystemClock::Get());
  if (!created.ok()) {
    state.SkipWithError(std::string(created.status().message()).c_str());
    return;
  }
  bench::ResetPeakRss();
  uint64_t delivered = 0;
  for (auto _ : state) {
    auto run = (*created)->StartRun("push", std::chrono::steady_clock::now() + std::chrono::hours(1));
    (void)run->AddInput(std::make_unique<env::MemoryByteSource>(event.first));
    connector::RunSummary s = run->Finish();
    delivered = s.events_delivered;
    benchmark::DoNotOptimize(s);
  }
  double mb = event.second / 1e6;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * event.second));
  state.counters["payload_mb"] = mb;
  state.counters["events_delivered"] = static_cast<double>(delivered);
  // MB of payload per CPU second (the benchmark measures process CPU time): 1000 / mb_per_s is
  // the ms of CPU per MB that the target is set in.
  state.counters["mb_per_s"] =
      benchmark::Counter(mb, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_mib"] = bench::ProcStatusKiB("VmHWM:") / 1024.0;
  (void)group;
}

void BM_PushAccessLogs(benchmark::State& state) {
  static const auto event =
      LambdaEvent("API-Gateway-Access-Logs_a1b2c3d4e5/prod", 1 << 20, AccessLine);
  RunPipeline(state, "access", event);
}
BENCHMARK(BM_PushAccessLogs)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// REST execution logs (data trace on): the fixture request's lines repeated with fresh request
// ids, so each copy is assembled, built and joined like a real request.
void BM_PushExecutionLogs(benchmark::State& state) {
  static const auto event = [] {
    const char* fixtures = std::getenv("GS_FIXTURES");
    std::string path = std::string(fixtures ? fixtures : "tests/fixtures") +
                       "/execution/samples/exec-rest-lambda-proxy-success-200.log";
    std::ifstream f(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(f, line);) {
      if (!line.empty() && line[0] == '(') lines.push_back(line);
    }
    if (lines.empty()) lines.push_back("(00000000-0000-0000-0000-000000000000) missing fixture");
    const std::string kId = "515f1e99-39db-11e9-9e96-01e5c04505b9";
    return LambdaEvent("API-Gateway-Execution-Logs_h733q2j6gb/Prod", 1 << 20, [&](int i) {
      std::string line = lines[i % lines.size()];
      char id[40];
      std::snprintf(id, sizeof(id), "%08x-39db-11e9-9e96-01e5c04505b9",
                    static_cast<unsigned>(i / lines.size()));
      for (size_t at = line.find(kId); at != std::string::npos; at = line.find(kId, at + 1)) {
        line.replace(at, kId.size(), id);
      }
      return line;
    });
  }();
  RunPipeline(state, "execution", event);
}
BENCHMARK(BM_PushExecutionLogs)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
