#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gatescope::env {

struct HttpHeader {
  std::string name;
  std::string value;
};

// One HTTP request. The URL is absolute and already percent-encoded (env/url.h).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  // Whole-exchange timeout; zero means the client's request_timeout.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;  // Names lower-cased, in arrival order.
  std::string body;

  // The first header named `lower_name` (lower case), or empty.
  std::string_view Header(std::string_view lower_name) const;
};

// Sends HTTP requests.
//
// Thread-safety: implementations are safe to call from several threads at once.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `request` and returns whatever response came back, 4xx and 5xx included.
  // Transport failures are Statuses: kUnavailable (refused, reset, DNS, TLS), kDeadlineExceeded
  // (connect or request timeout), kInvalidArgument (malformed URL), kResourceExhausted (response
  // over max_response_bytes).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{60000};
  // TLS peer and host verification. Only tests against loopback fakes turn this off.
  bool verify_tls = true;
  // PEM bundle to trust instead of the system store (AWS_CA_BUNDLE); empty for the system's.
  std::string ca_file;
  size_t max_response_bytes = size_t{64} << 20;
};

// libcurl with connection reuse (a pool of easy handles, each keeping its connections alive),
// TLS verification on, and the proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) honoured as
// curl does. Lives as long as its owner; requests in flight must finish before destruction.
std::unique_ptr<HttpClient> NewCurlHttpClient(const HttpClientOptions& options = {});

}  // namespace gatescope::env
