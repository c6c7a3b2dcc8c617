#include "tests/support/fault_proxy.h"

#include <httplib.h>

#include <deque>
#include <thread>

#include "core/ascii.h"
#include "env/url.h"
#include "tests/support/loopback_server.h"

namespace gatescope::testing {

struct FaultProxy::Impl {
  LoopbackServer loopback;
  std::string upstream_host;
  int upstream_port = 0;
  mutable std::mutex mu;
  std::deque<FaultSpec> faults;
  std::vector<SeenRequest> seen;

  void Handle(const httplib::Request& req, httplib::Response& res) {
    SeenRequest record{.method = req.method,
                       .path = req.target,
                       .target = req.get_header_value("X-Amz-Target"),
                       .authorization = req.get_header_value("Authorization"),
                       .security_token = req.get_header_value("X-Amz-Security-Token"),
                       .body = req.body};
    std::optional<FaultSpec> fault;
    {
      std::lock_guard lock(mu);
      if (!faults.empty()) {
        fault = faults.front();
        faults.pop_front();
      }
      record.faulted = fault.has_value() && fault->fault != Fault::kDelay;
      seen.push_back(record);
    }
    if (fault && Answer(*fault, res)) return;
    if (fault && fault->fault == Fault::kDelay) std::this_thread::sleep_for(fault->delay);
    Forward(req, res);
  }

  // Writes the fault's response; false for faults that still forward.
  static bool Answer(const FaultSpec& fault, httplib::Response& res) {
    const auto json = [&res](int status, const std::string& type, const std::string& message) {
      res.status = status;
      res.set_header("x-amzn-RequestId", "fault-proxy");
      res.set_content("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}",
                      "application/x-amz-json-1.1");
    };
    switch (fault.fault) {
      case Fault::kThrottleJson:
        json(400, "ThrottlingException", "Rate exceeded");
        return true;
      case Fault::kThrottleRestJson:
        res.status = 429;
        res.set_header("x-amzn-ErrorType", "TooManyRequestsException");
        res.set_content("{\"message\":\"Too Many Requests\"}", "application/json");
        return true;
      case Fault::kThrottleXml:
        res.status = 503;
        res.set_content(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            "</Error></Errors><RequestID>fault-proxy</RequestID></Response>",
            "text/xml");
        return true;
      case Fault::kServerError:
        json(500, "InternalFailure", "We encountered an internal error.");
        return true;
      case Fault::kServiceUnavailable:
        json(503, "ServiceUnavailableException", "Service unavailable.");
        return true;
      case Fault::kExpiredToken:
        json(400, "ExpiredTokenException", "The security token included in the request is expired");
        return true;
      case Fault::kAccessDenied:
        json(400, "AccessDeniedException",
             "User: arn:aws:iam::123456789012:user/test is not authorized to perform this action");
        return true;
      case Fault::kRespond:
        res.status = fault.status;
        res.set_content(fault.body, "application/x-amz-json-1.1");
        return true;
      case Fault::kDelay:
        return false;
    }
    return false;
  }

  void Forward(const httplib::Request& req, httplib::Response& res) const {
    httplib::Client client(upstream_host, upstream_port);
    client.set_read_timeout(std::chrono::seconds(30));
    httplib::Request out;
    out.method = req.method;
    out.path = req.target;
    for (const auto& [name, value] : req.headers) {
      if (EqualsIgnoreCase(name, "Host") ||
          EqualsIgnoreCase(name, "Content-Length") ||
          name.rfind("REMOTE_", 0) == 0 || name.rfind("LOCAL_", 0) == 0) {
        continue;
      }
      out.headers.emplace(name, value);
    }
    out.body = req.body;
    auto result = client.send(out);
    if (!result) {
      res.status = 502;
      res.set_content("upstream error: " + httplib::to_string(result.error()), "text/plain");
      return;
    }
    res.status = result->status;
    for (const auto& [name, value] : result->headers) {
      if (EqualsIgnoreCase(name, "Content-Length") ||
          EqualsIgnoreCase(name, "Transfer-Encoding") ||
          EqualsIgnoreCase(name, "Connection")) {
        continue;
      }
      res.headers.emplace(name, value);
    }
    res.body = result->body;
  }
};

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(std::string upstream_endpoint) {
  GS_ASSIGN_OR_RETURN(env::Url upstream, env::ParseUrl(upstream_endpoint));
  auto impl = std::make_unique<Impl>();
  impl->upstream_host = upstream.host;
  impl->upstream_port = upstream.port != 0 ? upstream.port : 80;
  Impl* raw = impl.get();
  const auto handler = [raw](const httplib::Request& req, httplib::Response& res) {
    raw->Handle(req, res);
  };
  httplib::Server& server = impl->loopback.server();
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  // Idle keep-alive connections hold stop() for this long: keep it short.
  server.set_keep_alive_timeout(1);
  impl->loopback.Start();
  std::unique_ptr<FaultProxy> proxy(new FaultProxy(std::move(impl)));
  proxy->endpoint_ = proxy->impl_->loopback.url();
  return proxy;
}

FaultProxy::FaultProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FaultProxy::~FaultProxy() = default;

void FaultProxy::Enqueue(std::vector<FaultSpec> faults) {
  std::lock_guard lock(impl_->mu);
  for (FaultSpec& f : faults) impl_->faults.push_back(std::move(f));
}

std::vector<FaultProxy::SeenRequest> FaultProxy::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

}  // namespace gatescope::testing
