#include "tests/support/runtime_api_emulator.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>

#include "core/check.h"

namespace gatescope::testing {
namespace {

constexpr char kContainerError[] =
    R"({"errorMessage":"Container error. Non-recoverable state. Runtime should exit promptly.",)"
    R"("errorType":"Runtime.ContainerError"})";

}  // namespace

RuntimeApiEmulator::RuntimeApiEmulator() : server_(std::make_unique<httplib::Server>()) {}

RuntimeApiEmulator::~RuntimeApiEmulator() { Stop(); }

void RuntimeApiEmulator::Start() {
  httplib::Server& server = *server_;
  // Events and answers reach 6 MB in Lambda; leave room.
  server.set_payload_max_length(size_t{64} << 20);
  // The wait inside GET /next is not idle time; idle keep-alive connections are closed after
  // 2 s so that Stop() (which waits for connection workers) stays prompt. The client reconnects.
  server.set_keep_alive_timeout(2);

  server.Get("/2018-06-01/runtime/invocation/next",
             [this](const httplib::Request&, httplib::Response& res) {
               std::unique_lock<std::mutex> lock(mu_);
               if (!first_next_) first_next_ = std::chrono::steady_clock::now();
               ++next_requests_;
               ++next_waiting_;
               cv_.notify_all();
               // Bounded waits, re-checked, so that a missed notification costs 50 ms at most.
               while (!shutdown_ && queue_.empty()) {
                 cv_.wait_for(lock, std::chrono::milliseconds(50));
               }
               --next_waiting_;
               if (shutdown_) {
                 res.status = 500;
                 res.set_content(kContainerError, "application/json");
                 return;
               }
               QueuedInvocation inv = std::move(queue_.front());
               queue_.pop_front();
               handed_out_.push_back(inv.request_id);
               lock.unlock();
               res.status = 200;
               res.set_header("Lambda-Runtime-Aws-Request-Id", inv.request_id);
               res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(inv.deadline_ms));
               if (!inv.function_arn.empty()) {
                 res.set_header("Lambda-Runtime-Invoked-Function-Arn", inv.function_arn);
               }
               if (!inv.trace_id.empty()) res.set_header("Lambda-Runtime-Trace-Id", inv.trace_id);
               if (!inv.client_context.empty()) {
                 res.set_header("Lambda-Runtime-Client-Context", inv.client_context);
               }
               if (!inv.cognito_identity.empty()) {
                 res.set_header("Lambda-Runtime-Cognito-Identity", inv.cognito_identity);
               }
               res.set_content(std::move(inv.body), "application/json");
             });

  auto record = [this](Outcome::Kind kind) {
    return [this, kind](const httplib::Request& req, httplib::Response& res) {
      Outcome outcome{.kind = kind};
      if (kind != Outcome::kInitError) outcome.request_id = req.matches[1];
      outcome.body = req.body;
      outcome.error_type = req.get_header_value("Lambda-Runtime-Function-Error-Type");
      outcome.content_type = req.get_header_value("Content-Type");
      std::lock_guard<std::mutex> lock(mu_);
      if (kind != Outcome::kInitError && std::find(handed_out_.begin(), handed_out_.end(),
                                                   outcome.request_id) == handed_out_.end()) {
        unknown_ids_.push_back(outcome.request_id);
        res.status = 404;
        res.set_content(R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})",
                        "application/json");
        return;
      }
      if (shutdown_) {
        res.status = 500;
        res.set_content(kContainerError, "application/json");
        return;
      }
      outcomes_.push_back(std::move(outcome));
      cv_.notify_all();
      res.status = 202;
      res.set_content(R"({"status":"OK"})", "application/json");
    };
  };
  server.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/response)", record(Outcome::kResponse));
  server.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/error)", record(Outcome::kError));
  server.Post("/2018-06-01/runtime/init/error", record(Outcome::kInitError));

  port_ = server.bind_to_any_port("127.0.0.1");
  GS_CHECK(port_ > 0);
  thread_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() before the accept loop runs would be lost; wait until it does.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void RuntimeApiEmulator::Stop() {
  Shutdown();
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

std::string RuntimeApiEmulator::endpoint() const { return "127.0.0.1:" + std::to_string(port_); }

std::string RuntimeApiEmulator::Enqueue(std::string body, int64_t deadline_ms,
                                        std::string request_id) {
  QueuedInvocation inv;
  inv.body = std::move(body);
  inv.deadline_ms = deadline_ms;
  inv.request_id = std::move(request_id);
  return Enqueue(std::move(inv));
}

std::string RuntimeApiEmulator::Enqueue(QueuedInvocation invocation) {
  std::lock_guard<std::mutex> lock(mu_);
  ++id_counter_;
  if (invocation.request_id.empty()) {
    char id[40];
    std::snprintf(id, sizeof(id), "8476a536-e9f4-11e8-9739-%012llx",
                  static_cast<unsigned long long>(id_counter_));
    invocation.request_id = id;
  }
  if (invocation.trace_id.empty()) {
    char trace[96];
    std::snprintf(trace, sizeof(trace),
                  "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=%016llx;Sampled=1",
                  static_cast<unsigned long long>(id_counter_));
    invocation.trace_id = trace;
  }
  std::string id = invocation.request_id;
  queue_.push_back(std::move(invocation));
  cv_.notify_all();
  return id;
}

bool RuntimeApiEmulator::WaitForOutcomes(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return outcomes_.size() >= count; });
}

std::vector<RuntimeApiEmulator::Outcome> RuntimeApiEmulator::outcomes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outcomes_;
}

void RuntimeApiEmulator::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

std::optional<std::chrono::steady_clock::time_point> RuntimeApiEmulator::first_next() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_next_;
}

int RuntimeApiEmulator::next_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_requests_;
}

bool RuntimeApiEmulator::next_waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_waiting_ > 0;
}

bool RuntimeApiEmulator::WaitForNextWaiting(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return next_waiting_ > 0; });
}

std::vector<std::string> RuntimeApiEmulator::unknown_request_ids() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unknown_ids_;
}

}  // namespace gatescope::testing
