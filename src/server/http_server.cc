#include "server/http_server.h"

#include <httplib.h>
#include <libdeflate.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/client_registry.h"
#include "auth/token_endpoint.h"
#include "auth/token_signer.h"
#include "core/logging.h"
#include "core/sha256.h"
#include "ingest/har_reader.h"
#include "ingest/log_payload_reader.h"
#include "ingest/transaction_reader.h"
#include "inventory/inventory_json.h"
#include "openapi/openapi_exporter.h"
#include "openapi/yaml_writer.h"
#include "server/dashboard_assets.h"
#include "server/endpoint_query.h"
#include "server/inventory_service.h"
#include "server/metrics.h"
#include "server/overview.h"
#include "storage/store.h"

namespace gatescope::server {
namespace {

using Json = nlohmann::ordered_json;
using Steady = std::chrono::steady_clock;

constexpr char kJson[] = "application/json";
constexpr size_t kMaxListedErrors = 20;
constexpr size_t kMaxKeyLength = 256;
constexpr int kMaxTokenRequests = 2;

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  SendJson(res, status, Json{{"error", code}, {"message", message}});
}

// The wire spec's key for a batch sent without one: SHA-256 of its ids, each followed by '\n'.
std::string KeyFromIds(std::span<const model::HttpTransaction> txs) {
  std::string ids;
  for (const model::HttpTransaction& tx : txs) ids.append(tx.id).push_back('\n');
  return Sha256Hex(ids);
}

// Where the request's Content-Encoding is moved before the HTTP layer reads the body (see
// RegisterRoutes).
constexpr char kOriginalEncoding[] = "X-Gatescope-Original-Content-Encoding";
// Where a dashboard request's Accept-Encoding is moved (see RegisterRoutes).
constexpr char kAcceptedEncoding[] = "X-Gatescope-Accept-Encoding";

// Decompresses every gzip member of `in` into `*out`, at most `limit` bytes in all:
// kResourceExhausted beyond it, kParseError for a stream that is not gzip. Each member's
// trailer gives its size (mod 2^32) as a first guess; a wrong guess only costs a retry.
Status Gunzip(std::string_view in, uint64_t limit, std::string* out) {
  thread_local libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  out->clear();
  size_t pos = 0;
  while (pos < in.size()) {
    std::string_view member = in.substr(pos);
    uint64_t guess = 1 << 16;
    if (pos == 0 && member.size() >= 18) {
      const auto* t = reinterpret_cast<const unsigned char*>(member.data() + member.size() - 4);
      guess = std::max<uint64_t>(guess, t[0] | t[1] << 8 | t[2] << 16 | uint64_t{t[3]} << 24);
    }
    for (;;) {
      uint64_t room = std::min<uint64_t>(guess, limit - out->size());
      size_t start = out->size();
      out->resize(start + room);
      size_t used_in = 0, produced = 0;
      libdeflate_result r = libdeflate_gzip_decompress_ex(d, member.data(), member.size(),
                                                         out->data() + start, room, &used_in, &produced);
      if (r == LIBDEFLATE_SUCCESS) {
        out->resize(start + produced);
        pos += used_in;
        break;
      }
      out->resize(start);
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE) return ParseError("the body is not valid gzip");
      if (start + room >= limit) {
        return ResourceExhaustedError("the decoded body exceeds " + std::to_string(limit) + " bytes");
      }
      guess *= 4;
    }
  }
  return Status();
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// Bounded route names for metric labels: never the raw path.
std::string_view RouteLabel(const httplib::Request& req) {
  std::string_view p = req.path;
  if (p == "/v1/batches") return "batches";
  if (p == "/v1/har") return "har";
  if (p == "/v1/logs") return "logs";
  if (p == "/oauth2/token") return "token";
  if (p == "/v1/apis") return "apis";
  if (p == "/v1/endpoints") return "endpoints";
  if (p.rfind("/v1/endpoints/", 0) == 0) return "endpoint";
  if (p.rfind("/v1/apis/", 0) == 0) return "openapi";
  if (p == "/v1/inventory") return "inventory";
  if (p == "/healthz" || p == "/readyz" || p == "/metrics") return p.substr(1);
  if (p == "/v1/overview") return "overview";
  if (p.rfind("/v1/", 0) != 0 && p.rfind("/oauth2/", 0) != 0) return "dashboard";
  return "other";
}

std::string RandomKey() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return std::string();
  }
  return key;
}

}  // namespace

struct HttpServer::Impl {
  LoadedServerConfig config;
  const Clock& clock;
  Metrics metrics;
  std::unique_ptr<InventoryService> service;
  std::optional<auth::ClientRegistry> clients;
  std::unique_ptr<auth::TokenSigner> signer;
  std::unique_ptr<httplib::Server> http;
  // The embedded dashboard, or --dashboard-dir's, re-read when its index.html changes (each
  // `vite build` rewrites it), so that working on the dashboard needs no restart.
  std::mutex dashboard_mu;
  std::shared_ptr<const DashboardAssets> dashboard;
  std::filesystem::file_time_type dashboard_built;
  std::mutex overview_mu;
  std::shared_ptr<const OverviewIndex> overview;  // For the snapshot it was built from.
  int port = 0;
  std::atomic<int> token_requests{0};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;

  Impl(LoadedServerConfig c, const Clock& k) : config(std::move(c)), clock(k) {}

  // ---- Authorization ----

  // True when the request may go on; otherwise the 401/403 answer is already in `res`.
  bool Authorize(const httplib::Request& req, httplib::Response& res, uint32_t scope) {
    if (signer == nullptr) return true;  // --no-auth.
    auth::HttpAnswer answer =
        auth::AuthorizeBearer(*signer, req.get_header_value("Authorization"), scope);
    if (answer.status == 200) return true;
    res.status = answer.status;
    res.set_content(answer.body, kJson);
    if (!answer.www_authenticate.empty()) res.set_header("WWW-Authenticate", answer.www_authenticate);
    metrics.GetCounter("gatescope_auth_failures_total", "Requests refused for their token.",
                       {{"status", std::to_string(answer.status)}}).Add();
    return false;
  }

  // ---- Request bodies ----

  // Reads the whole body and gunzips it (libdeflate) when Content-Encoding says gzip, bounded
  // on the wire and after decompression (a small gzip can expand without limit). False with
  // the answer in `res` when the body cannot be used.
  bool ReadBody(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader& reader, std::string* body) {
    std::string encoding = req.get_header_value(kOriginalEncoding);
    if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
      SendError(res, 415, "unsupported_encoding", "Content-Encoding must be gzip or absent");
      return false;
    }
    bool too_large = false;
    uint64_t wire_limit = config.config.max_request_bytes;
    std::string raw;
    uint64_t length = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
    if (length > wire_limit) {
      SendError(res, 413, "too_large", "the body exceeds " + std::to_string(wire_limit) + " bytes");
      return false;
    }
    raw.reserve(length);
    bool ok = reader([&](const char* data, size_t n) {
      if (raw.size() + n > wire_limit) {
        too_large = true;
        return false;
      }
      raw.append(data, n);
      return true;
    });
    if (too_large) {
      SendError(res, 413, "too_large", "the body exceeds " + std::to_string(wire_limit) + " bytes");
      return false;
    }
    if (!ok) {
      SendError(res, 400, "malformed_body", "the body could not be read");
      return false;
    }
    if (encoding != "gzip") {
      *body = std::move(raw);
      return true;
    }
    Status s = Gunzip(raw, config.config.max_decoded_bytes, body);
    if (s.code() == StatusCode::kResourceExhausted) {
      SendError(res, 413, "too_large", s.message());
      return false;
    }
    if (!s.ok()) {
      SendError(res, 400, "malformed_body", s.message());
      return false;
    }
    return true;
  }

  // ---- Ingest ----

  void CountTransactions(std::string_view result, uint64_t n) {
    if (n == 0) return;
    metrics.GetCounter("gatescope_ingest_transactions_total", "Transactions received, by outcome.",
                       {{"result", std::string(result)}}).Add(n);
  }

  void CountDropped(std::string_view reason, uint64_t n) {
    if (n == 0) return;
    metrics.GetCounter("gatescope_ingest_dropped_total", "Transactions dropped, by reason.",
                       {{"reason", std::string(reason)}}).Add(n);
  }

  // An upload's key: the client's, else its body's hash, so the same file posted twice is
  // one upload.
  static std::string UploadKey(const httplib::Request& req, std::string_view prefix,
                               std::string_view body) {
    std::string key = req.get_header_value("Idempotency-Key");
    return ValidKey(key) ? key : std::string(prefix) + Sha256Hex(body);
  }

  void CountBatch(std::string_view route, std::string_view result) {
    metrics.GetCounter("gatescope_ingest_batches_total", "Ingest requests, by route and outcome.",
                       {{"route", std::string(route)}, {"result", std::string(result)}}).Add();
  }

  // Stores `txs` under `key` and answers with the outcome; `extra` fields are added.
  void IngestAndAnswer(std::string_view route, const std::string& key,
                       std::span<const model::HttpTransaction> txs, httplib::Response& res,
                       Json extra) {
    Result<IngestOutcome> outcome = service->Ingest(key, txs);
    if (!outcome.ok()) {
      GS_LOG(kError, "Could not store a batch.", {{"route", route},
                                                   {"error", outcome.status().message()}});
      CountBatch(route, "store_error");
      res.set_header("Retry-After", "1");
      SendError(res, 503, "store_unavailable", "the inventory store could not take the batch; retry");
      return;
    }
    CountBatch(route, outcome->duplicate_batch ? "duplicate" : "accepted");
    CountTransactions("accepted", outcome->accepted);
    CountTransactions("duplicate", outcome->duplicates);
    Json body{{"duplicate_batch", outcome->duplicate_batch},
              {"received", outcome->received},
              {"accepted", outcome->accepted},
              {"duplicates", outcome->duplicates},
              {"unattributed", outcome->unattributed}};
    for (auto& [name, value] : extra.items()) body[name] = std::move(value);
    SendJson(res, 200, body);
  }

  void HandleBatches(const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) {
    if (!Authorize(req, res, auth::kScopeIngest)) return;
    if (req.has_header("X-Gatescope-Format") &&
        req.get_header_value("X-Gatescope-Format") != "gatescope.batch/v1") {
      CountBatch("batches", "malformed");
      SendError(res, 400, "unsupported_format", "X-Gatescope-Format must be gatescope.batch/v1");
      return;
    }
    std::string key = req.get_header_value("Idempotency-Key");
    if (req.has_header("Idempotency-Key") && !ValidKey(key)) {
      CountBatch("batches", "malformed");
      SendError(res, 400, "bad_idempotency_key", "Idempotency-Key must be 1..256 visible ASCII characters");
      return;
    }
    std::string body;
    if (!ReadBody(req, res, reader, &body)) {
      CountBatch("batches", res.status == 413 ? "too_large" : "malformed");
      return;
    }
    // One reader and one transaction vector per worker thread: parsing reuses their buffers.
    thread_local ingest::TransactionReader line_reader;
    thread_local std::vector<model::HttpTransaction> txs;
    size_t used = 0;
    size_t lines = 0;
    uint64_t rejected = 0;
    Json errors = Json::array();
    std::string_view rest(body);
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      ++lines;
      if (used == txs.size()) txs.emplace_back();
      Status s = line_reader.Read(line, &txs[used]);
      if (s.ok()) {
        ++used;
        continue;
      }
      ++rejected;
      if (errors.size() < kMaxListedErrors) errors.push_back({{"line", lines}, {"error", s.message()}});
    }
    if (req.has_header("X-Gatescope-Records") &&
        req.get_header_value("X-Gatescope-Records") != std::to_string(lines)) {
      CountBatch("batches", "malformed");
      SendError(res, 400, "record_count_mismatch",
                "X-Gatescope-Records is " + req.get_header_value("X-Gatescope-Records") +
                    " but the body has " + std::to_string(lines) + " lines");
      return;
    }
    if (lines == 0 || used == 0) {
      CountBatch("batches", "malformed");
      CountTransactions("rejected", rejected);
      SendJson(res, 400, Json{{"error", "malformed_batch"},
                              {"message", lines == 0 ? "the batch has no lines"
                                                     : "no line is a gatescope.transaction/v1 object"},
                              {"rejected", rejected},
                              {"errors", std::move(errors)}});
      return;
    }
    CountTransactions("rejected", rejected);
    CountDropped("invalid_transaction", rejected);
    std::span<const model::HttpTransaction> batch(txs.data(), used);
    if (key.empty()) key = KeyFromIds(batch);
    IngestAndAnswer("batches", key, batch, res, Json{{"rejected", rejected}, {"errors", std::move(errors)}});
  }

  void HandleHar(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader) {
    if (!Authorize(req, res, auth::kScopeIngest)) return;
    std::string body;
    if (!ReadBody(req, res, reader, &body)) return;
    Result<ingest::HarReadResult> har = ingest::ReadHar(body);
    if (!har.ok()) {
      CountBatch("har", "malformed");
      SendError(res, 400, "malformed_har", har.status().message());
      return;
    }
    Json rejected = Json::array();
    for (const ingest::HarRejection& r : har->rejected) {
      rejected.push_back({{"entry", r.entry}, {"error", r.reason}});
    }
    CountDropped("invalid_har_entry", har->rejected_count);
    IngestAndAnswer("har", UploadKey(req, "har:", body), har->transactions, res,
                    Json{{"rejected", har->rejected_count}, {"errors", std::move(rejected)}});
  }

  void HandleLogs(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
    if (!Authorize(req, res, auth::kScopeIngest)) return;
    std::string body;
    if (!ReadBody(req, res, reader, &body)) return;
    ingest::LogPayloadOptions options{.default_log_group = req.get_param_value("log_group")};
    Result<ingest::LogPayloadResult> logs = ingest::ReadLogPayload(body, options);
    if (!logs.ok()) {
      CountBatch("logs", "malformed");
      SendError(res, 400, "malformed_logs", logs.status().message());
      return;
    }
    const pipeline::EventCounters& c = logs->counters;
    Json drops = Json::object();
    for (size_t i = 0; i < pipeline::kDropReasonCount; ++i) {
      auto reason = static_cast<pipeline::DropReason>(i);
      if (c.drops(reason) == 0) continue;
      drops[std::string(pipeline::DropReasonName(reason))] = c.drops(reason);
      CountDropped(pipeline::DropReasonName(reason), c.drops(reason));
    }
    IngestAndAnswer("logs", UploadKey(req, "logs:", body), logs->transactions, res,
                    // Events the transform filtered are inside the pipeline's "accepted".
                    Json{{"events", {{"received", c.received()},
                                     {"accepted", c.accepted() - logs->transform_filtered},
                                     {"filtered", c.filtered() + logs->transform_filtered},
                                     {"dropped", c.dropped()},
                                     {"dropped_by_reason", std::move(drops)}}}});
  }

  // ---- Reading ----

  // The API id whose URL form is `url_id`, from the snapshot's stages.
  static std::optional<std::string> FindApi(const inventory::Inventory::Snapshot& snap,
                                            std::string_view url_id) {
    for (const auto& [id, info] : snap.api_stages) {
      if (ApiUrlId(id.first) == url_id) return id.first;
    }
    return std::nullopt;
  }

  void HandleOpenApi(const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, auth::kScopeRead)) return;
    auto view = service->View();
    std::optional<std::string> api = FindApi(*view, req.matches[1].str());
    if (!api.has_value()) {
      SendError(res, 404, "not_found", "no API with this id");
      return;
    }
    openapi::OpenApiOptions options{.generated_at_ms = UnixMillis(clock)};
    std::optional<Json> doc = openapi::ExportOpenApiJson(*view, *api, options);
    if (!doc.has_value()) {
      SendError(res, 404, "not_found", "no API with this id");
      return;
    }
    if (req.matches[2].str() == "yaml") {
      res.set_content(openapi::JsonToYaml(*doc), "application/yaml");
    } else {
      res.set_content(doc->dump(2, ' ', false, Json::error_handler_t::replace) + "\n", kJson);
    }
  }

  void HandleOverview(const httplib::Request& req, httplib::Response& res) {
    if (!Authorize(req, res, auth::kScopeRead)) return;
    int64_t as_of = UnixMillis(clock);
    for (const auto& [name, value] : req.params) {
      std::optional<int64_t> t = name == "as_of" ? ParseTimeParam(value) : std::nullopt;
      if (!t.has_value()) {
        SendError(res, 400, "bad_query",
                  name == "as_of" ? "as_of: must be an ISO 8601 time or milliseconds since 1970"
                                  : "unknown query parameter; expected as_of");
        return;
      }
      as_of = *t;
    }
    std::shared_ptr<const inventory::Inventory::Snapshot> view = service->View();
    std::shared_ptr<const OverviewIndex> index;
    {
      std::lock_guard lock(overview_mu);
      if (overview == nullptr || &overview->snapshot() != view.get()) {
        overview = std::make_shared<const OverviewIndex>(view);
      }
      index = overview;
    }
    SendJson(res, 200, index->Render(as_of));
  }

  // ---- Dashboard ----

  std::shared_ptr<const DashboardAssets> Dashboard() {
    std::lock_guard lock(dashboard_mu);
    const std::string& dir = config.config.dashboard_dir;
    if (dir.empty()) return dashboard;
    std::error_code ec;
    auto built = std::filesystem::last_write_time(std::filesystem::path(dir) / "index.html", ec);
    if (ec || built == dashboard_built) return dashboard;
    Result<DashboardAssets> fresh = DashboardAssets::FromDirectory(dir);
    if (!fresh.ok()) return dashboard;  // Mid-build: keep serving the last one.
    dashboard = std::make_shared<const DashboardAssets>(std::move(fresh).value());
    dashboard_built = built;
    return dashboard;
  }

  // The dashboard's files. Any other path that is not the API's gets index.html, so that deep
  // links load the app, which routes on the client (docs/specs/dashboard.md).
  void HandleDashboard(const httplib::Request& req, httplib::Response& res) {
    std::string_view path = req.path;
    bool api_path = path.rfind("/v1/", 0) == 0 || path.rfind("/oauth2/", 0) == 0 ||
                    path == "/v1" || path == "/oauth2";
    if (api_path) {
      SendError(res, 404, "not_found", "no such route");
      return;
    }
    std::shared_ptr<const DashboardAssets> assets = Dashboard();
    if (assets->empty()) {
      SendError(res, 404, "dashboard_not_built",
                "this server was built without the dashboard (GS_DASHBOARD=OFF)");
      return;
    }
    const DashboardFile* file = assets->Find(path);
    bool asset = path.rfind("/assets/", 0) == 0;
    // A missing file with an extension is a missing file, not a page of the app.
    bool page = !asset && path.substr(path.rfind('/') + 1).find('.') == std::string_view::npos;
    if (file == nullptr && page) file = assets->Find("/index.html");
    if (file == nullptr) {
      SendError(res, 404, "not_found", "no such file");
      return;
    }
    // The app's scripts are all its own: nothing inline, nothing from elsewhere. Swagger UI
    // sets styles inline, hence 'unsafe-inline' for styles only.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                   "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
                   "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    // Assets have content-hashed names: cached for good. Pages revalidate, to pick up a new build.
    res.set_header("Cache-Control", asset ? "public, max-age=31536000, immutable" : "no-cache");
    res.set_header("ETag", file->etag);
    res.set_header("Vary", "Accept-Encoding");
    if (req.get_header_value("If-None-Match") == file->etag) {
      res.status = 304;
      return;
    }
    bool gzip = !file->gzip.empty() &&
                req.get_header_value(kAcceptedEncoding).find("gzip") != std::string::npos;
    if (gzip) res.set_header("Content-Encoding", "gzip");
    res.set_content(gzip ? file->gzip : file->body, file->content_type);
  }

  void RegisterRoutes() {
    httplib::Server& s = *http;
    // The HTTP library would inflate gzip bodies itself, with zlib and without a bound on the
    // output: a gzip bomb. Hide the encoding from it before it reads the body, and inflate in
    // ReadBody with a limit (and libdeflate, several times faster). The request object is not
    // const: the library only hands it over as const.
    //
    // The dashboard's files are sent precompressed: the library must not compress them again,
    // which it would do for any text type the client accepts gzip for. Hide what the client
    // accepts from it, too, on those paths.
    s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      auto& headers = const_cast<httplib::Request&>(req).headers;
      //
      // For API answers, only gzip is offered to the library: it compresses brotli at the
      // slowest quality, which took 50-90 ms per page of /v1/endpoints against 6-8 ms with
      // gzip (bench/dashboard_bench.mjs), and browsers always offer br.
      headers.erase(kAcceptedEncoding);
      if (auto it = headers.find("Accept-Encoding"); it != headers.end()) {
        std::string value = it->second;
        headers.erase("Accept-Encoding");
        if (RouteLabel(req) == "dashboard") {
          headers.emplace(kAcceptedEncoding, value);
        } else if (value.find("gzip") != std::string::npos) {
          headers.emplace("Accept-Encoding", "gzip");
        }
      }
      headers.erase(kOriginalEncoding);
      if (auto it = headers.find("Content-Encoding"); it != headers.end()) {
        std::string value = it->second;
        headers.erase("Content-Encoding");
        headers.emplace(kOriginalEncoding, value);
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    s.Post("/oauth2/token", [this](const httplib::Request& req, httplib::Response& res) {
      if (signer == nullptr) {
        SendError(res, 404, "auth_disabled", "this server runs without authentication");
        return;
      }
      // A wrong secret costs a slow hash (~0.3 s of CPU): cap how many run at once so that a
      // flood of bad requests cannot take the ingest API's CPU.
      struct InFlight {
        std::atomic<int>& n;
        ~InFlight() { --n; }
      } in_flight{token_requests};
      if (++token_requests > kMaxTokenRequests) {
        res.set_header("Retry-After", "1");
        SendError(res, 429, "slow_down", "too many token requests at once; retry");
        return;
      }
      auth::HttpAnswer answer = auth::HandleTokenRequest(
          *clients, *signer, req.get_header_value("Authorization"),
          req.get_header_value("Content-Type"), req.body);
      res.status = answer.status;
      res.set_header("Cache-Control", "no-store");
      res.set_header("Pragma", "no-cache");
      if (!answer.www_authenticate.empty()) res.set_header("WWW-Authenticate", answer.www_authenticate);
      res.set_content(answer.body, kJson);
      metrics.GetCounter("gatescope_tokens_total", "Token requests, by status.",
                         {{"status", std::to_string(answer.status)}}).Add();
    });
    s.Post("/v1/batches", [this](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) { HandleBatches(req, res, reader); });
    s.Post("/v1/har", [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) { HandleHar(req, res, reader); });
    s.Post("/v1/logs", [this](const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader& reader) { HandleLogs(req, res, reader); });
    s.Get("/v1/apis", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, auth::kScopeRead)) return;
      SendJson(res, 200, ListApis(*service->View()));
    });
    s.Get("/v1/overview", [this](const httplib::Request& req, httplib::Response& res) {
      HandleOverview(req, res);
    });
    s.Get("/v1/endpoints", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, auth::kScopeRead)) return;
      Result<EndpointFilter> filter = ParseEndpointFilter(req.params);
      if (!filter.ok()) {
        SendError(res, 400, "bad_query", filter.status().message());
        return;
      }
      SendJson(res, 200, ListEndpoints(*service->View(), *filter));
    });
    s.Get(R"(/v1/endpoints/([0-9a-f]{1,64}))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, auth::kScopeRead)) return;
      std::optional<Json> detail = EndpointDetail(*service->View(), req.matches[1].str());
      if (!detail.has_value()) {
        SendError(res, 404, "not_found", "no endpoint with this id");
        return;
      }
      SendJson(res, 200, *detail);
    });
    s.Get(R"(/v1/apis/([A-Za-z0-9_-]{1,128})/openapi\.(json|yaml))",
          [this](const httplib::Request& req, httplib::Response& res) { HandleOpenApi(req, res); });
    s.Get("/v1/inventory", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, auth::kScopeRead)) return;
      inventory::RunInfo run{.generated_at_ms = UnixMillis(clock), .counters = {}, .drops = {}};
      res.set_content(inventory::InventoryToJson(*service->View(), run), kJson);
    });
    s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      SendJson(res, 200, Json{{"status", "ok"}});
    });
    s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      Status ping = service->store().Ping();
      if (!ping.ok()) {
        SendJson(res, 503, Json{{"status", "unavailable"}, {"store", service->store().kind()}});
        return;
      }
      SendJson(res, 200, Json{{"status", "ready"},
                              {"store", service->store().kind()},
                              {"auth", signer != nullptr},
                              {"applied_seq", service->applied_seq()}});
    });
    s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorize(req, res, auth::kScopeRead)) return;
      auto view = service->View();
      metrics.SetGauge("gatescope_inventory_endpoints", "Endpoints in the rendered inventory.",
                       static_cast<double>(view->endpoints.size()));
      metrics.SetGauge("gatescope_inventory_api_stages", "API stages in the inventory.",
                       static_cast<double>(view->api_stages.size()));
      metrics.SetGauge("gatescope_store_applied_seq", "Newest stored delta merged into memory.",
                       static_cast<double>(service->applied_seq()));
      res.set_content(metrics.Render(), "text/plain; version=0.0.4");
    });

    // Last: every GET no route above took.
    s.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      HandleDashboard(req, res);
    });

    s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty() || res.status == 304) return;
      switch (res.status) {
        case 400: SendError(res, 400, "bad_request", "the request could not be read"); break;
        case 404: SendError(res, 404, "not_found", "no such route"); break;
        case 405: SendError(res, 405, "method_not_allowed", "method not allowed on this route"); break;
        case 413: SendError(res, 413, "too_large", "the request body is too large"); break;
        case 414: SendError(res, 414, "uri_too_long", "the request URI is too long"); break;
        case 415: SendError(res, 415, "unsupported_media_type", "unsupported content encoding"); break;
        default: SendError(res, res.status, "error", "the request failed"); break;
      }
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      SendError(res, 500, "internal", "internal error");
    });
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      metrics.GetCounter("gatescope_http_requests_total", "HTTP requests, by route and status.",
                         {{"route", std::string(RouteLabel(req))},
                          {"status", std::to_string(res.status)}}).Add();
    });
  }

  // Background upkeep: other servers' deltas, compaction, pruning.
  void PollLoop() {
    std::unique_lock lock(mu);
    while (!stopping) {
      cv.wait_for(lock, std::chrono::milliseconds(config.config.poll_interval_ms));
      if (stopping) break;
      lock.unlock();
      if (Status s = service->Poll(); !s.ok()) {
        GS_LOG(kWarning, "Store upkeep failed; will retry.", {{"error", s.message()}});
      }
      lock.lock();
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const LoadedServerConfig& config,
                                                       const Clock& clock) {
  auto impl = std::make_unique<Impl>(config, clock);
  const ServerConfig& c = impl->config.config;

  Result<std::unique_ptr<storage::Store>> store = storage::OpenStore(c.store);
  if (!store.ok()) return InvalidArgumentError("--store: " + store.status().message());
  InventoryService::Options options{
      .compact_every_deltas = c.compact_every_deltas,
      .compact_interval_ms = c.compact_interval_s * 1000,
      .render_interval_ms = c.render_interval_ms,
      .dedupe_window_ms = c.dedupe_window_hours * 3600 * 1000};
  Result<std::unique_ptr<InventoryService>> service = InventoryService::Open(
      std::move(store).value(), impl->config.discovery, options, clock, &impl->metrics);
  if (!service.ok()) return InvalidArgumentError("--store: " + service.status().message());
  impl->service = std::move(service).value();

  if (!c.no_auth) {
    Result<auth::ClientRegistry> clients = auth::ClientRegistry::Parse(impl->config.clients_json);
    if (!clients.ok()) return InvalidArgumentError("--clients " + c.clients_file + ": " + clients.status().message());
    impl->clients.emplace(std::move(clients).value());
    // One signing key per store, so that every server sharing the store accepts the tokens
    // any of them issued.
    Result<std::string> key = impl->service->store().GetOrCreateSecret("token_signing_key", RandomKey);
    if (!key.ok()) return InvalidArgumentError("--store: cannot read the token key: " + key.status().message());
    if (key->size() < 32) return InternalError("the stored token key is too short");
    impl->signer = std::make_unique<auth::TokenSigner>(std::move(key).value(), clock,
                                                        std::chrono::seconds(c.token_lifetime_s));
  }

  if (!c.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(c.tls_cert_file.c_str(), c.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return InvalidArgumentError("--tls-cert/--tls-key: cannot load the certificate or key");
    }
    impl->http = std::move(tls);
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *impl->http;
  int threads = c.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(c.max_request_bytes);
  // Answers are written as headers then body: without TCP_NODELAY, Nagle and delayed ACKs
  // hold every answer ~40 ms (measured: 0.8 of 2 cores busy, 56 ms p50 per batch).
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(10000);
  http.set_keep_alive_timeout(30);
  http.set_read_timeout(30);
  http.set_write_timeout(30);
  if (c.dashboard_dir.empty()) {
    impl->dashboard = std::make_shared<const DashboardAssets>(DashboardAssets::Embedded());
  } else {
    Result<DashboardAssets> assets = DashboardAssets::FromDirectory(c.dashboard_dir);
    if (!assets.ok()) return InvalidArgumentError("--dashboard-dir: " + assets.status().message());
    impl->dashboard = std::make_shared<const DashboardAssets>(std::move(assets).value());
    std::error_code ec;
    impl->dashboard_built =
        std::filesystem::last_write_time(std::filesystem::path(c.dashboard_dir) / "index.html", ec);
  }
  impl->RegisterRoutes();

  const std::string& host = impl->config.host;
  int port = impl->config.port;
  if (port == 0) {
    impl->port = http.bind_to_any_port(host);
    if (impl->port <= 0) return UnavailableError("--listen " + c.listen + ": cannot bind");
  } else {
    if (!http.bind_to_port(host, port)) return UnavailableError("--listen " + c.listen + ": cannot bind (in use?)");
    impl->port = port;
  }
  if (c.no_auth) {
    GS_LOG(kWarning,
           "AUTHENTICATION IS OFF (--no-auth): anyone who can reach this address can read and "
           "write the inventory.", {{"listen", c.listen}});
  }
  bool loopback = host == "127.0.0.1" || host == "::1" || host == "localhost";
  if (c.tls_cert_file.empty() && !loopback) {
    GS_LOG(kWarning, "Serving plain HTTP on a non-loopback address: terminate TLS in front of it.",
           {{"listen", c.listen}});
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return static_cast<uint16_t>(impl_->port); }

Status HttpServer::Run() {
  std::thread poller([this] { impl_->PollLoop(); });
  GS_LOG(kInfo, "Serving.", {{"port", impl_->port},
                             {"store", impl_->service->store().kind()},
                             {"auth", impl_->signer != nullptr ? "on" : "off"}});
  bool ok = impl_->http->listen_after_bind();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  poller.join();
  // Requests in flight have finished (listen returns after the workers drain): every
  // acknowledged batch is already durable; the snapshot only shortens the next start.
  Status flushed = impl_->service->Flush();
  if (!flushed.ok()) GS_LOG(kWarning, "Final snapshot failed.", {{"error", flushed.message()}});
  if (!ok) return UnavailableError("the HTTP server stopped with an error");
  return Status();
}

void HttpServer::Stop() { impl_->http->stop(); }

}  // namespace gatescope::server
