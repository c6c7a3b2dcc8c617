// Throughput and memory of the REST execution-log path: ParseExecutionLine, TransactionBuilder
// and the whole ExecutionAssembler, on a generated corpus of Lambda-proxy requests.
//
// Target (docs): at least 2,000,000 execution-log events/s per core through parse and assembly,
// with bounded memory on a corpus of at least 5 million events.
//
// The corpus: a pool of distinct requests (kPoolSize) of 20-23 events each, in the shapes of
// ../shared/samples/exec-rest-lambda-proxy-success-200.log and apigw-logs.md §1 (Java-map
// headers with ", " inside values, Lambda-proxy JSON, events cut at 1024 characters plus
// " [TRUNCATED]"). The pool is replayed with a fresh UUID request id per request (patched into
// every place the id appears), fresh 56-digit event ids and timestamps advancing at
// kRequestsPerSecond of log time; requests last ~5-60 ms of log time, so ~64 are in flight and
// their events interleave across kStreams log streams. Events are produced in chunks of
// kChunkEvents outside the timed region (manual timing), so memory stays bounded whatever the
// number of events, and only Add()/Flush() are timed.
//
// Every run checks its result and aborts on a mismatch: each request comes out exactly once,
// complete, with the generated method and status; counters.accepted == events fed; no drops.
//
// Extra mode: `execution_assembler_bench --write-corpus FILE N` writes N+ events as text
// export lines ("<ISO-8601> (<id>) <text>") for bench/e2e_execution.sh.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "proc_memory.h"
#include "model/http_transaction.h"
#include "model/raw_record.h"
#include "parsers/apigw_execution/execution_assembler.h"
#include "parsers/apigw_execution/execution_line.h"
#include "parsers/apigw_execution/transaction_builder.h"
#include "pipeline/event_counters.h"

namespace gatescope {
namespace {

using model::HttpTransaction;
using model::RawRecord;
using parsers::apigw_execution::AssemblerOptions;
using parsers::apigw_execution::ExecutionAssembler;
using parsers::apigw_execution::ExecutionLine;
using parsers::apigw_execution::LineKind;
using parsers::apigw_execution::ParseExecutionLine;
using parsers::apigw_execution::RequestContext;
using parsers::apigw_execution::TimedLine;
using parsers::apigw_execution::TransactionBuilder;

constexpr size_t kPoolSize = 4096;           // Distinct requests (12 bits in the request id).
constexpr int64_t kRequestsPerSecond = 2000;  // Of log time.
constexpr size_t kStreams = 16;
constexpr size_t kChunkEvents = 65536;
constexpr size_t kIdLength = 36;  // UUID.
constexpr size_t kTruncateAt = 1024;  // Characters after "(<id>) ", label included.
constexpr int64_t kEpochMs = 1551194973000;  // 2019-02-26T15:29:33Z.

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "\nexecution_assembler_bench: CHECK FAILED: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// Memory.

using gatescope::bench::ProcStatusKiB;
using gatescope::bench::ResetPeakRss;

double MiB(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

// ---------------------------------------------------------------------------------------------
// The pool of distinct requests.

struct TemplateLine {
  uint32_t offset;      // Into Template::text.
  uint32_t size;
  uint32_t ids_begin;   // Into Template::id_positions: where the request id sits in the line.
  uint32_t ids_end;
  int32_t ts_offset_ms;  // From the request's start.
};

struct Template {
  std::string text;  // Every line's message, back to back, with `placeholder` as request id.
  std::string placeholder;
  std::vector<TemplateLine> lines;
  std::vector<uint32_t> id_positions;  // Relative to the line's start.
  std::string method;
  int status = 0;
};

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void WriteHex(char* out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHex[v & 15];
    v >>= 4;
  }
}

// The request id of replayed request `n` from template `t`: a v4-looking UUID whose third
// group carries t and whose last group carries n, so the emit callback can check it.
void MakeRequestId(uint64_t n, uint32_t t, char* out) {
  uint64_t r = SplitMix(n);
  WriteHex(out, r >> 32, 8);
  out[8] = '-';
  WriteHex(out + 9, (r >> 16) & 0xffff, 4);
  out[13] = '-';
  out[14] = '4';
  WriteHex(out + 15, t & 0xfff, 3);
  out[18] = '-';
  out[19] = "89ab"[r & 3];
  WriteHex(out + 20, (r >> 2) & 0xfff, 3);
  out[23] = '-';
  WriteHex(out + 24, n, 12);
}

bool DecodeRequestId(std::string_view id, uint64_t* n, uint32_t* t) {
  if (id.size() != kIdLength) return false;
  auto hex = [](std::string_view s, uint64_t* v) {
    *v = 0;
    for (char c : s) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<uint64_t>(d);
    }
    return true;
  };
  uint64_t tv = 0;
  if (!hex(id.substr(24), n) || !hex(id.substr(15, 3), &tv)) return false;
  *t = static_cast<uint32_t>(tv);
  return true;
}

class TemplateMaker {
 public:
  explicit TemplateMaker(uint32_t seed) : rng_(seed) {}

  Template Make(uint32_t index) {
    Template t;
    std::string id = Uuid();
    t.placeholder = id;
    const Api& api = apis_[index % std::size(apis_)];
    const Resource& res = Pick(resources_);
    std::string method(res.methods[rng_() % res.method_count]);
    t.method = method;
    static constexpr int kStatuses[] = {200, 200, 200, 200, 200, 200, 201, 204, 400, 404, 500};
    t.status = method == "POST" && rng_() % 2 ? 201 : Pick(kStatuses);
    if (method == "GET" && t.status == 201) t.status = 200;

    // Path, parameters.
    std::string path, path_map = "{", path_json = "{";
    {
      std::string_view tmpl = res.path;
      for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] != '{') {
          path += tmpl[i];
          continue;
        }
        size_t close = tmpl.find('}', i);
        std::string name(tmpl.substr(i + 1, close - i - 1));
        std::string value;
        if (!name.empty() && name.back() == '+') {
          name.pop_back();
          value = "assets/" + std::to_string(rng_() % 900) + "/img-" + Alnum(6) + ".png";
        } else {
          value = rng_() % 3 ? std::to_string(1 + rng_() % 99999) : Alnum(10);
        }
        path += value;
        if (path_map.size() > 1) path_map += ", ", path_json += ",";
        path_map += name + "=" + value;
        path_json += "\"" + name + "\":\"" + value + "\"";
        i = close;
      }
      path_map += "}";
      path_json += "}";
    }
    std::string query_map = "{}", query_json = "null";
    if (rng_() % 3 == 0) {
      query_map = "{limit=" + std::to_string(10 * (1 + rng_() % 10)) + ", cursor=" + Alnum(24) +
                  (rng_() % 2 ? ", sort=price,desc" : "") + "}";
      query_json = "{\"limit\":\"20\",\"cursor\":\"" + Alnum(24) + "\"}";
    }

    // Headers.
    std::string host = api.id + ".execute-api." + api.region + ".amazonaws.com";
    std::string trace_root = "1-" + Hex(8) + "-" + Hex(24);
    std::string client_ip = "203.0." + std::to_string(rng_() % 256) + "." +
                            std::to_string(1 + rng_() % 254);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Accept", rng_() % 2 ? "application/json, text/plain, */*" : "*/*"},
        {"Accept-Encoding", "gzip, deflate, br"},
        {"CloudFront-Forwarded-Proto", "https"},
        {"CloudFront-Is-Desktop-Viewer", rng_() % 2 ? "true" : "false"},
        {"CloudFront-Viewer-Country", Pick(countries_)},
        {"Host", host},
        {"User-Agent", std::string(Pick(agents_))},
        {"Via", "1.1 " + Hex(32) + ".cloudfront.net (CloudFront)"},
        {"X-Amz-Cf-Id", Alnum(20) + "_" + Alnum(11) + "=="},
        {"X-Amzn-Trace-Id", "Root=" + trace_root},
        {"X-Forwarded-For", client_ip + ", 130.176." + std::to_string(rng_() % 256) + ".12"},
        {"X-Forwarded-Port", "443"},
        {"X-Forwarded-Proto", "https"},
        {"x-correlation-id", Uuid()},
    };
    if (rng_() % 2) headers.push_back({"cookie", "session=" + Alnum(32) + "; theme=dark"});
    if (method != "GET" && method != "DELETE") {
      headers.push_back({"Content-Type", "application/json;charset=utf-8"});
    }
    if (rng_() % 3 == 0) headers.push_back({"Authorization", "Bearer " + Alnum(40)});
    // Clients vary in which headers they send: drop a few.
    for (int drop = static_cast<int>(rng_() % 4); drop > 0; --drop) {
      headers.erase(headers.begin() + static_cast<long>(rng_() % headers.size()));
    }
    std::string header_map = "{", headers_json = "{", mv_headers_json = "{";
    for (const auto& [k, v] : headers) {
      if (header_map.size() > 1) header_map += ", ", headers_json += ",", mv_headers_json += ",";
      header_map += k + "=" + v;
      headers_json += "\"" + k + "\":\"" + v + "\"";
      mv_headers_json += "\"" + k + "\":[\"" + v + "\"]";
    }
    header_map += "}";
    headers_json += "}";
    mv_headers_json += "}";

    std::string request_body;
    if (method == "POST" || method == "PUT" || method == "PATCH") request_body = JsonBody();
    std::string response_body = t.status == 204 ? "" : t.status >= 400
        ? "{\"message\":\"" + std::string(t.status == 404 ? "Not Found" : "Bad Request") + "\"}"
        : JsonBody();

    std::string function = api.function_prefix + std::string(Pick(function_names_)) + "-" +
                           Upper(12);
    std::string uri = "https://lambda." + api.region +
                      ".amazonaws.com/2015-03-31/functions/arn:aws:lambda:" + api.region + ":" +
                      api.account + ":function:" + function + "/invocations";
    std::string lambda_request_id = Uuid();
    int latency = 5 + static_cast<int>(rng_() % 50);

    // Lines: (label + value, time step before it in ms).
    std::vector<std::pair<std::string, int>> lines;
    auto add = [&](std::string text, int step) { lines.emplace_back(std::move(text), step); };
    add("Extended Request Id: " + Alnum(15) + "=", 0);
    bool usage_plan = rng_() % 4 != 0;
    if (usage_plan) {
      add("Verifying Usage Plan for request: " + id + ". API Key: API Stage: " + api.id + "/" +
              api.stage, 0);
      add("API Key authorized because method '" + method + " " + std::string(res.path) +
              "' does not require API Key. Request will not contribute to throttle or quota "
              "limits", 0);
      add("Usage Plan check succeeded for API Key and API Stage " + api.id + "/" + api.stage, 0);
    }
    add("Starting execution for request: " + id, Step01());
    add("HTTP Method: " + method + ", Resource Path: " + path, 0);
    add("Method request path: " + path_map, 0);
    add("Method request query string: " + query_map, 0);
    add("Method request headers: " + header_map, 0);
    add("Method request body before transformations: " + request_body, 0);
    add("Endpoint request URI: " + uri, Step01());
    add("Endpoint request headers: {x-amzn-lambda-integration-tag=" + id + ", Authorization=" +
            std::string(380, '*') + Hex(6) + ", X-Amz-Date=20190226T152933Z, "
            "x-amzn-apigateway-api-id=" + api.id + ", X-Amz-Source-Arn=arn:aws:execute-api:" +
            api.region + ":" + api.account + ":" + api.id + "/" + api.stage + "/" + method +
            std::string(res.path) + ", Accept=application/json, User-Agent=AmazonAPIGateway_" +
            api.id + ", X-Amz-Security-Token=" + Base64(600) + "}", 0);
    std::string proxy_body =
        request_body.empty() ? "null" : "\"" + JsonEscape(request_body) + "\"";
    add("Endpoint request body after transformations: {\"resource\":\"" + std::string(res.path) +
            "\",\"path\":\"" + path + "\",\"httpMethod\":\"" + method + "\",\"headers\":" +
            headers_json + ",\"multiValueHeaders\":" + mv_headers_json +
            ",\"queryStringParameters\":" + query_json + ",\"pathParameters\":" +
            (path_json.size() > 2 ? path_json : "null") +
            ",\"stageVariables\":null,\"requestContext\":{\"resourcePath\":\"" +
            std::string(res.path) + "\",\"httpMethod\":\"" + method + "\",\"requestId\":\"" + id +
            "\",\"stage\":\"" + api.stage + "\",\"apiId\":\"" + api.id + "\"},\"body\":" +
            proxy_body + ",\"isBase64Encoded\":false}", 0);
    add("Sending request to " + uri, 0);
    add(rng_() % 2 ? "Received response. Status: 200, Integration latency: " +
                         std::to_string(latency) + " ms"
                   : "Received response. Integration latency: " + std::to_string(latency) + " ms",
        latency);
    std::string response_headers_line =
        "Endpoint response headers: {Date=Tue, 26 Feb 2019 15:29:33 GMT, "
        "Content-Type=application/json, Content-Length=" + std::to_string(response_body.size() + 60) +
        ", Connection=keep-alive, x-amzn-RequestId=" + lambda_request_id +
        ", x-amzn-Remapped-Content-Length=0, X-Amz-Executed-Version=$LATEST, "
        "X-Amzn-Trace-Id=root=" + trace_root + ";sampled=1}";
    std::string response_body_line =
        "Endpoint response body before transformations: {\"statusCode\":" +
        std::to_string(t.status) + ",\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"" +
        JsonEscape(response_body) + "\"}";
    if (rng_() % 2) {  // Both orders are seen (apigw-logs.md §1.3, DOC and E).
      add(response_body_line, 0);
      add(response_headers_line, 0);
    } else {
      add(response_headers_line, 0);
      add(response_body_line, 0);
    }
    add("Method response body after transformations: " + response_body, 0);
    add("Method response headers: {X-Amzn-Trace-Id=Root=" + trace_root +
            ";Sampled=1, Content-Type=application/json}", Step01());
    add("Successfully completed execution", 0);
    add("Method completed with status: " + std::to_string(t.status), 0);
    add("AWS Integration Endpoint RequestId : " + lambda_request_id, 0);
    add("X-ray Tracing ID : " + trace_root, 0);

    int ts = 0;
    for (auto& [text, step] : lines) {
      if (text.size() > kTruncateAt) text = text.substr(0, kTruncateAt) + " [TRUNCATED]";
      std::string message = "(" + id + ") " + text;
      ts += step;
      TemplateLine line;
      line.offset = static_cast<uint32_t>(t.text.size());
      line.size = static_cast<uint32_t>(message.size());
      line.ids_begin = static_cast<uint32_t>(t.id_positions.size());
      for (size_t at = message.find(id); at != std::string::npos; at = message.find(id, at + 1)) {
        t.id_positions.push_back(static_cast<uint32_t>(at));
      }
      line.ids_end = static_cast<uint32_t>(t.id_positions.size());
      line.ts_offset_ms = ts;
      t.lines.push_back(line);
      t.text += message;
    }
    return t;
  }

 private:
  struct Api {
    std::string id, region, account, stage, function_prefix;
  };
  struct Resource {
    std::string_view path;
    std::string_view methods[3];
    uint32_t method_count;
  };

  template <typename T, size_t N>
  const T& Pick(const T (&arr)[N]) {
    return arr[rng_() % N];
  }
  int Step01() { return static_cast<int>(rng_() % 2); }
  std::string FromAlphabet(std::string_view alphabet, size_t n) {
    std::string s(n, ' ');
    for (char& c : s) c = alphabet[rng_() % alphabet.size()];
    return s;
  }
  std::string Hex(size_t n) { return FromAlphabet("0123456789abcdef", n); }
  std::string Upper(size_t n) { return FromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n); }
  std::string Alnum(size_t n) {
    return FromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n);
  }
  std::string Base64(size_t n) {
    return FromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
  }
  std::string Uuid() {
    return Hex(8) + "-" + Hex(4) + "-4" + Hex(3) + "-a" + Hex(3) + "-" + Hex(12);
  }
  static std::string JsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }
  // A JSON object of 40 to ~2,500 characters, so that some bodies are cut and some are not.
  std::string JsonBody() {
    std::string body = "{\"id\":" + std::to_string(rng_() % 1000000) + ",\"name\":\"" +
                       Alnum(8 + rng_() % 16) + "\"";
    size_t items = rng_() % 4 == 0 ? 10 + rng_() % 30 : rng_() % 4;
    if (items > 0) {
      body += ",\"items\":[";
      for (size_t i = 0; i < items; ++i) {
        if (i > 0) body += ",";
        body += "{\"sku\":\"" + Upper(10) + "\",\"qty\":" + std::to_string(1 + rng_() % 9) +
                ",\"price\":" + std::to_string(rng_() % 10000) + ".99,\"note\":\"" +
                Alnum(rng_() % 20) + ", gift\"}";
      }
      body += "]";
    }
    return body + "}";
  }

  std::mt19937 rng_;
  const Api apis_[3] = {
      {"h733q2j6gb", "eu-west-2", "958845080241", "Prod", "mock-receipt-api-2-25-"},
      {"k7x2mq9p4z", "us-east-1", "123456789012", "prod", "petstore-prod-"},
      {"3fh8wq1lzd", "ap-southeast-2", "210987654321", "v1", "orders-service-"}};
  const Resource resources_[10] = {
      {"/pets", {"GET", "POST"}, 2},
      {"/pets/{petId}", {"GET", "PUT", "DELETE"}, 3},
      {"/pets/{petId}/photos", {"GET", "POST"}, 2},
      {"/owners/{ownerId}/pets", {"GET"}, 1},
      {"/users/{userId}/orders/{orderId}", {"GET", "PATCH"}, 2},
      {"/orders", {"GET", "POST"}, 2},
      {"/search", {"GET"}, 1},
      {"/verifyReceipt", {"POST"}, 1},
      {"/static/{proxy+}", {"GET"}, 1},
      {"/products/{productId}/reviews", {"GET", "POST"}, 2}};
  const char* const countries_[5] = {"US", "GB", "DE", "JP", "BR"};
  const std::string_view agents_[5] = {
      "python-requests/2.20.0", "okhttp/4.12.0", "curl/8.4.0",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36",
      "Amazon CloudFront"};
  const std::string_view function_names_[4] = {"Handler", "ApiFunction", "VerifyReceiptFunction",
                                               "RouterFn"};
};

const std::vector<Template>& Pool() {
  static const std::vector<Template> pool = [] {
    TemplateMaker maker(42);
    std::vector<Template> p;
    p.reserve(kPoolSize);
    for (uint32_t i = 0; i < kPoolSize; ++i) p.push_back(maker.Make(i));
    return p;
  }();
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Replaying the pool as an interleaved stream of events.

// A batch of events; records point into `arena` and `CorpusStream`'s names.
struct Chunk {
  std::string arena;
  std::vector<RawRecord> records;
  std::vector<size_t> offsets;  // message offset, event id offset: 2 per record.
  std::vector<uint32_t> sizes;
};

class CorpusStream {
 public:
  // Produces the events of whole requests until at least `target_events` have been admitted.
  CorpusStream(const std::vector<Template>& pool, uint64_t target_events)
      : pool_(pool), target_events_(target_events) {
    for (size_t i = 0; i < kStreams; ++i) {
      char hex[32];
      WriteHex(hex, SplitMix(1000 + i), 16);
      WriteHex(hex + 16, SplitMix(2000 + i), 16);
      streams_.emplace_back(hex, 32);
    }
  }

  // Fills `chunk` with up to `max_events`; returns how many (0 at the end).
  size_t Fill(Chunk* chunk, size_t max_events) {
    chunk->arena.clear();
    chunk->records.clear();
    chunk->offsets.clear();
    chunk->sizes.clear();
    size_t n = 0;
    while (n < max_events) {
      Admit();
      if (heap_.empty()) break;
      Pending top = heap_.top();
      heap_.pop();
      Active& a = active_[top.slot];
      const Template& t = pool_[a.tmpl];
      const TemplateLine& line = t.lines[a.next_line];
      size_t at = chunk->arena.size();
      chunk->arena.append(t.text, line.offset, line.size);
      for (uint32_t i = line.ids_begin; i < line.ids_end; ++i) {
        std::memcpy(chunk->arena.data() + at + t.id_positions[i], a.id, kIdLength);
      }
      size_t id_at = chunk->arena.size();
      AppendEventId(&chunk->arena, top.ts);
      chunk->offsets.push_back(at);
      chunk->offsets.push_back(id_at);
      chunk->sizes.push_back(line.size);
      RawRecord r;
      r.timestamp_ms = top.ts;
      r.log_group = LogGroup(a.tmpl);
      r.log_stream = streams_[a.stream];
      chunk->records.push_back(r);
      ++events_;
      ++n;
      if (++a.next_line < t.lines.size()) {
        heap_.push({a.start_ms + t.lines[a.next_line].ts_offset_ms, seq_++, top.slot});
      } else {
        free_.push_back(top.slot);
        --in_flight_;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      chunk->records[i].message =
          std::string_view(chunk->arena).substr(chunk->offsets[2 * i], chunk->sizes[i]);
      chunk->records[i].event_id = std::string_view(chunk->arena).substr(chunk->offsets[2 * i + 1], 56);
    }
    return n;
  }

  uint64_t requests() const { return requests_; }
  uint64_t events() const { return events_; }
  size_t max_in_flight() const { return max_in_flight_; }
  double mean_in_flight() const {
    return requests_ == 0 ? 0 : static_cast<double>(in_flight_sum_) / static_cast<double>(requests_);
  }
  int64_t log_span_ms() const { return last_start_ms_ - kEpochMs; }
  uint32_t TemplateOf(uint64_t n) const { return static_cast<uint32_t>((n * 2654435761u) % pool_.size()); }

 private:
  struct Active {
    uint32_t tmpl;
    uint32_t next_line;
    int64_t start_ms;
    uint32_t stream;
    char id[kIdLength];
  };
  struct Pending {
    int64_t ts;
    uint64_t seq;  // FIFO among equal timestamps: a request's lines stay in order.
    uint32_t slot;
    bool operator>(const Pending& o) const { return ts != o.ts ? ts > o.ts : seq > o.seq; }
  };

  std::string_view LogGroup(uint32_t tmpl) const {
    static const std::string kGroups[3] = {"API-Gateway-Execution-Logs_h733q2j6gb/Prod",
                                           "API-Gateway-Execution-Logs_k7x2mq9p4z/prod",
                                           "API-Gateway-Execution-Logs_3fh8wq1lzd/v1"};
    return kGroups[tmpl % 3];  // TemplateMaker picks the API by index % 3 too.
  }

  // Starts every request whose arrival time has come (all of them while the heap is empty).
  void Admit() {
    while (admitted_events_ < target_events_) {
      int64_t start_ms = kEpochMs + static_cast<int64_t>(next_arrival_us_ / 1000);
      if (!heap_.empty() && start_ms > heap_.top().ts) return;
      uint64_t n = requests_++;
      uint32_t tmpl = TemplateOf(n);
      uint32_t slot;
      if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
      } else {
        slot = static_cast<uint32_t>(active_.size());
        active_.emplace_back();
      }
      Active& a = active_[slot];
      a.tmpl = tmpl;
      a.next_line = 0;
      a.start_ms = start_ms;
      a.stream = static_cast<uint32_t>(SplitMix(n) % kStreams);
      MakeRequestId(n, tmpl, a.id);
      heap_.push({start_ms + pool_[tmpl].lines[0].ts_offset_ms, seq_++, slot});
      admitted_events_ += pool_[tmpl].lines.size();
      ++in_flight_;
      in_flight_sum_ += in_flight_;
      max_in_flight_ = std::max(max_in_flight_, in_flight_);
      last_start_ms_ = start_ms;
      // Mean gap 1e6 / kRequestsPerSecond us, jittered.
      next_arrival_us_ += SplitMix(n ^ 0xabcdef) % (2 * 1000000 / kRequestsPerSecond);
    }
  }

  // 56 digits: '3', the 13-digit timestamp, a 42-digit counter: increasing with time.
  void AppendEventId(std::string* out, int64_t ts) {
    char buf[56];
    std::memset(buf, '0', sizeof buf);
    buf[0] = '3';
    uint64_t v = static_cast<uint64_t>(ts);
    for (int i = 13; i >= 1; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
    v = events_;
    for (int i = 55; i >= 14 && v > 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
    out->append(buf, sizeof buf);
  }

  const std::vector<Template>& pool_;
  uint64_t target_events_;
  std::vector<std::string> streams_;
  std::vector<Active> active_;
  std::vector<uint32_t> free_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> heap_;
  uint64_t seq_ = 0;
  uint64_t requests_ = 0;
  uint64_t events_ = 0;
  uint64_t admitted_events_ = 0;
  uint64_t next_arrival_us_ = 0;
  size_t in_flight_ = 0;
  uint64_t in_flight_sum_ = 0;
  size_t max_in_flight_ = 0;
  int64_t last_start_ms_ = kEpochMs;
};

// ---------------------------------------------------------------------------------------------
// Checking what the assembler emits.

class Verifier {
 public:
  Verifier(const CorpusStream& stream, const std::vector<Template>& pool)
      : stream_(stream), pool_(pool) {}

  void Check(const HttpTransaction& tx) {
    ++transactions_;
    uint64_t n = 0;
    uint32_t t = 0;
    if (!DecodeRequestId(tx.request_id, &n, &t)) Fail("unexpected request id " + tx.request_id);
    if (n >= seen_.size() * 64) seen_.resize(std::max<size_t>(n / 64 + 1, seen_.size() * 2), 0);
    uint64_t bit = uint64_t{1} << (n % 64);
    if (seen_[n / 64] & bit) Fail("request emitted twice: " + tx.request_id);
    seen_[n / 64] |= bit;
    if (t != (stream_.TemplateOf(n) & 0xfff)) Fail("request id/template mismatch: " + tx.request_id);
    const Template& tmpl = pool_[stream_.TemplateOf(n)];
    if (tx.partial) {
      Fail("request emitted partial (" +
           std::string(model::PartialReasonName(tx.partial_reason)) + "): " + tx.request_id);
    }
    if (tx.method != tmpl.method || tx.status != tmpl.status) {
      Fail("request " + tx.request_id + ": got " + tx.method + " " + std::to_string(tx.status) +
           ", generated " + tmpl.method + " " + std::to_string(tmpl.status));
    }
  }

  // After Flush(): every request fed came out.
  void CheckAll(uint64_t requests) const {
    if (transactions_ != requests) {
      Fail("transactions " + std::to_string(transactions_) + " != requests fed " +
           std::to_string(requests));
    }
    for (uint64_t n = 0; n < requests; ++n) {
      if (n / 64 >= seen_.size() || !(seen_[n / 64] & (uint64_t{1} << (n % 64)))) {
        Fail("request " + std::to_string(n) + " never emitted");
      }
    }
  }

  uint64_t transactions() const { return transactions_; }

 private:
  const CorpusStream& stream_;
  const std::vector<Template>& pool_;
  std::vector<uint64_t> seen_;
  uint64_t transactions_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Benchmarks.

// One chunk of the interleaved stream, for the per-stage cases.
const Chunk& SampleChunk() {
  static const Chunk chunk = [] {
    Chunk c;
    CorpusStream stream(Pool(), kChunkEvents);
    stream.Fill(&c, kChunkEvents);
    return c;
  }();
  return chunk;
}

// Stage 1: ParseExecutionLine alone, over interleaved real-shaped events.
void BM_ParseExecutionLine(benchmark::State& state) {
  const Chunk& chunk = SampleChunk();
  for (const RawRecord& r : chunk.records) {
    if (ParseExecutionLine(r.message).kind == LineKind::kUnknown) {
      Fail("unknown line kind: " + std::string(r.message.substr(0, 120)));
    }
  }
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const RawRecord& r = chunk.records[next];
    ExecutionLine line = ParseExecutionLine(r.message);
    benchmark::DoNotOptimize(line);
    bytes += static_cast<int64_t>(r.message.size());
    if (++next == chunk.records.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.counters["avg_event_bytes"] =
      static_cast<double>(chunk.arena.size()) / static_cast<double>(chunk.records.size()) - 56;
}
BENCHMARK(BM_ParseExecutionLine);

// Stage 2: TransactionBuilder::Build on already parsed, ordered requests; items are events.
void BM_TransactionBuilder(benchmark::State& state) {
  const std::vector<Template>& pool = Pool();
  std::vector<std::vector<TimedLine>> requests;
  for (const Template& t : pool) {
    std::vector<TimedLine> lines;
    for (const TemplateLine& l : t.lines) {
      TimedLine tl;
      tl.line = ParseExecutionLine(std::string_view(t.text).substr(l.offset, l.size));
      tl.timestamp_ms = kEpochMs + l.ts_offset_ms;
      lines.push_back(tl);
    }
    requests.push_back(std::move(lines));
  }
  TransactionBuilder builder;
  HttpTransaction tx;
  size_t next = 0;
  int64_t events = 0;
  for (auto _ : state) {
    RequestContext context;
    context.request_id = pool[next].placeholder;
    context.log_group = "API-Gateway-Execution-Logs_h733q2j6gb/Prod";
    builder.Build(requests[next], context, &tx);
    benchmark::DoNotOptimize(tx.status);
    events += static_cast<int64_t>(requests[next].size());
    if (tx.method != pool[next].method || tx.status != pool[next].status) {
      Fail("builder: wrong method/status for template " + std::to_string(next));
    }
    if (++next == requests.size()) next = 0;
  }
  state.SetItemsProcessed(events);
  state.counters["requests_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TransactionBuilder);

struct AssembleResult {
  uint64_t events = 0;
  double events_per_s = 0;
  int64_t peak_rss_kib = -1;
  int64_t start_rss_kib = -1;
};
std::map<int64_t, AssembleResult>& AssembleResults() {
  static std::map<int64_t, AssembleResult> results;
  return results;
}

// Stage 1+2+grouping: the full ExecutionAssembler on the interleaved stream; items are events.
// Arg 0: events; arg 1: completion_grace in ms (5000, the default; at 2,000
// requests/s of log time the default holds ~10,000 completed requests, the max_open_requests
// cap; a short grace shows what that working set costs).
void BM_Assemble(benchmark::State& state) {
  const uint64_t target = static_cast<uint64_t>(state.range(0));
  const std::vector<Template>& pool = Pool();
  for (auto _ : state) {
    malloc_trim(0);
    bool hwm_reset = ResetPeakRss();
    int64_t start_rss = ProcStatusKiB("VmRSS:");

    CorpusStream stream(pool, target);
    Chunk chunk;
    Verifier verifier(stream, pool);
    pipeline::EventCounters counters;
    AssemblerOptions options;  // discover's defaults.
    options.completion_grace = std::chrono::milliseconds(state.range(1));
    ExecutionAssembler assembler(options, &counters,
                                 [&](HttpTransaction& tx) { verifier.Check(tx); });
    size_t max_open = 0, max_open_bytes = 0;
    double seconds = 0;
    uint64_t fed = 0;
    for (;;) {
      size_t n = stream.Fill(&chunk, kChunkEvents);
      if (n == 0) break;
      auto t0 = std::chrono::steady_clock::now();
      for (const RawRecord& r : chunk.records) {
        assembler.Add(r);
        max_open = std::max(max_open, assembler.open_requests());
        max_open_bytes = std::max(max_open_bytes, assembler.open_bytes());
      }
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fed += n;
    }
    auto t0 = std::chrono::steady_clock::now();
    assembler.Flush();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(seconds);

    // Correctness.
    verifier.CheckAll(stream.requests());
    counters.AddReceived(fed);
    if (assembler.stats().transactions != stream.requests()) Fail("stats().transactions != requests");
    if (counters.accepted() != fed) {
      Fail("counters.accepted " + std::to_string(counters.accepted()) + " != events " +
           std::to_string(fed));
    }
    if (counters.dropped() != 0 || counters.filtered() != 0) Fail("events dropped or filtered");
    if (assembler.open_requests() != 0 || assembler.open_bytes() != 0) Fail("open after Flush");
    if (fed < target) Fail("fed fewer events than asked");

    int64_t peak_rss = ProcStatusKiB("VmHWM:");
    state.counters["events"] = static_cast<double>(fed);
    state.counters["transactions"] = static_cast<double>(verifier.transactions());
    state.counters["max_open_requests"] = static_cast<double>(max_open);
    state.counters["max_open_MB"] = static_cast<double>(max_open_bytes) / (1 << 20);
    state.counters["max_in_flight"] = static_cast<double>(stream.max_in_flight());
    state.counters["mean_in_flight"] = stream.mean_in_flight();
    state.counters["log_req_per_s"] =
        static_cast<double>(stream.requests()) * 1000.0 / static_cast<double>(stream.log_span_ms());
    state.counters["chunk_MB"] = static_cast<double>(chunk.arena.capacity()) / (1 << 20);
    state.counters["rss_start_MB"] = MiB(start_rss);
    state.counters["peak_rss_MB"] = MiB(peak_rss);
    if (!hwm_reset) state.SetLabel("VmHWM not reset: peak is the process's");
    state.SetItemsProcessed(static_cast<int64_t>(fed));
    if (state.range(1) == 5000) {
      AssembleResults()[state.range(0)] = {fed, static_cast<double>(fed) / seconds, peak_rss,
                                           start_rss};
    }
  }
}
BENCHMARK(BM_Assemble)
    ->ArgNames({"events", "grace_ms"})
    ->Args({1'000'000, 5000})
    ->Args({5'000'000, 5000})
    ->Args({1'000'000, 500})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The assembler's steady state; items are events. Runs the endless stream for as long as
// Google Benchmark wants (no Flush, no open_requests() sampling), for a stable events/s.
void BM_AssembleSteady(benchmark::State& state) {
  const std::vector<Template>& pool = Pool();
  CorpusStream stream(pool, UINT64_MAX / 2);
  Chunk chunk;
  pipeline::EventCounters counters;
  uint64_t transactions = 0;
  ExecutionAssembler assembler(AssemblerOptions{}, &counters,
                               [&](HttpTransaction&) { ++transactions; });
  // Warm up past the first completion_grace of log time, so closes run at their steady rate.
  for (int i = 0; i < 8; ++i) {
    stream.Fill(&chunk, kChunkEvents);
    for (const RawRecord& r : chunk.records) assembler.Add(r);
  }
  size_t next = chunk.records.size();
  for (auto _ : state) {
    if (next == chunk.records.size()) {
      state.PauseTiming();
      stream.Fill(&chunk, kChunkEvents);
      next = 0;
      state.ResumeTiming();
    }
    assembler.Add(chunk.records[next++]);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["open_requests"] = static_cast<double>(assembler.open_requests());
}
// PauseTiming every 65536 events costs nothing measurable.
BENCHMARK(BM_AssembleSteady)->MinTime(2.0);

// ---------------------------------------------------------------------------------------------
// --write-corpus FILE N

int WriteCorpus(const char* path, uint64_t events) {
  std::FILE* out = std::fopen(path, "wb");
  if (out == nullptr) {
    std::perror(path);
    return 1;
  }
  CorpusStream stream(Pool(), events);
  Chunk chunk;
  std::string buf;
  int64_t cached_second = -1;
  char stamp[32] = {};
  while (size_t n = stream.Fill(&chunk, kChunkEvents)) {
    buf.clear();
    for (const RawRecord& r : chunk.records) {
      int64_t second = r.timestamp_ms / 1000;
      if (second != cached_second) {
        std::time_t t = static_cast<std::time_t>(second);
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = second;
      }
      char ms[8];
      std::snprintf(ms, sizeof ms, ".%03dZ ", static_cast<int>(r.timestamp_ms % 1000));
      buf.append(stamp).append(ms).append(r.message).append(1, '\n');
    }
    if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
      std::perror(path);
      return 1;
    }
    (void)n;
  }
  if (std::fclose(out) != 0) {
    std::perror(path);
    return 1;
  }
  std::fprintf(stderr, "wrote %" PRIu64 " events of %" PRIu64 " requests to %s\n",
               stream.events(), stream.requests(), path);
  std::printf("%" PRIu64 " %" PRIu64 "\n", stream.events(), stream.requests());
  return 0;
}

}  // namespace
}  // namespace gatescope

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--write-corpus") == 0) {
    if (argc != 4) {
      std::fprintf(stderr, "usage: %s --write-corpus FILE EVENTS\n", argv[0]);
      return 2;
    }
    return gatescope::WriteCorpus(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& results = gatescope::AssembleResults();
  auto small = results.find(1'000'000), big = results.find(5'000'000);
  if (small != results.end() && big != results.end() && small->second.peak_rss_kib > 0) {
    const auto& s = small->second;
    const auto& b = big->second;
    std::printf(
        "execution-log assembly: %.2fM events/s (5M corpus), %.2fM events/s (1M); peak RSS "
        "%.1f MB / %.1f MB (ratio 5M/1M %.2f; above start %.1f MB / %.1f MB)\n",
        b.events_per_s / 1e6, s.events_per_s / 1e6, gatescope::MiB(b.peak_rss_kib),
        gatescope::MiB(s.peak_rss_kib),
        static_cast<double>(b.peak_rss_kib) / static_cast<double>(s.peak_rss_kib),
        gatescope::MiB(b.peak_rss_kib - b.start_rss_kib),
        gatescope::MiB(s.peak_rss_kib - s.start_rss_kib));
  }
  return 0;
}
