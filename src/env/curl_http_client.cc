#include <curl/curl.h>

#include <mutex>
#include <vector>

#include "core/ascii.h"
#include "env/http_client.h"

namespace gatescope::env {

std::string_view HttpResponse::Header(std::string_view lower_name) const {
  for (const HttpHeader& h : headers) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

namespace {

// Per-transfer state the libcurl callbacks write into.
struct Transfer {
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // Makes libcurl abort with CURLE_WRITE_ERROR.
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue, say): headers so far belonged to another response.
    t->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  HttpHeader h{std::string(TrimAsciiSpace(line.substr(0, colon))),
               std::string(TrimAsciiSpace(line.substr(colon + 1)))};
  LowerAsciiInPlace(h.name);
  t->response.headers.push_back(std::move(h));
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpClientOptions& options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  ~CurlHttpClient() override {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    CURL* handle = Borrow();
    if (handle == nullptr) return InternalError("curl_easy_init failed.");
    Result<HttpResponse> result = Perform(handle, request);
    Return(handle);
    return result;
  }

 private:
  // Each idle handle keeps its own connection cache, so reusing handles reuses connections.
  CURL* Borrow() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Return(CURL* handle) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(handle);
    } else {
      curl_easy_cleanup(handle);
    }
  }

  Result<HttpResponse> Perform(CURL* h, const HttpRequest& request) {
    curl_easy_reset(h);  // Keeps live connections and the DNS cache.
    Transfer transfer;
    transfer.max_bytes = options_.max_response_bytes;
    char error[CURL_ERROR_SIZE] = {0};

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    bool has_content_type = false;
    for (const HttpHeader& header : request.headers) {
      has_content_type |= EqualsIgnoreCase(header.name, "content-type");
      const std::string line = header.value.empty() ? header.name + ";"  // curl's "empty value"
                                                    : header.name + ": " + header.value;
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }
    // No "Expect: 100-continue" round trip, and no form Content-Type slipped in by curl.
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    if (!has_content_type) headers.reset(curl_slist_append(headers.release(), "Content-Type:"));

    const auto timeout =
        request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // Timeouts without SIGALRM: thread-safe.
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it.
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);

    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (request.method != "POST") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      }
    }

    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      const std::string what = std::string(request.method) + " " + RedactedUrl(request.url) +
                               ": " + (error[0] != 0 ? error : curl_easy_strerror(rc));
      if (transfer.too_large) {
        return ResourceExhaustedError("Response larger than " +
                                      std::to_string(options_.max_response_bytes) + " bytes: " + what);
      }
      switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
          return Status(StatusCode::kDeadlineExceeded, "Timed out: " + what);
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
          return InvalidArgumentError("Bad URL: " + what);
        default:
          return UnavailableError(what);
      }
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

  // The URL without its query string: presigned or paginated queries can carry tokens.
  static std::string RedactedUrl(const std::string& url) { return url.substr(0, url.find('?')); }

  static constexpr size_t kMaxIdleHandles = 16;
  const HttpClientOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient(const HttpClientOptions& options) {
  return std::make_unique<CurlHttpClient>(options);
}

}  // namespace gatescope::env
