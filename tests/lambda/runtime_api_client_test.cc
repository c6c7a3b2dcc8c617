#include "lambda/runtime_api_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/ascii.h"
#include "tests/support/runtime_api_emulator.h"

namespace gatescope::lambda {
namespace {

using ::gatescope::testing::RuntimeApiEmulator;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kWait = std::chrono::seconds(10);
constexpr int64_t kDeadlineMs = 1700000060000;

// A raw-socket HTTP server on a free loopback port that answers each request with scripted bytes,
// for what httplib will not do: chunked or malformed answers, closing an idle connection
// silently, 500 on /next. Serves one connection at a time, which is how the client works.
class ScriptedServer {
 public:
  struct Reply {
    std::string bytes;
    bool close_after = false;  // Close the connection after sending, whatever the bytes say.
  };
  using Responder = std::function<Reply(int index, const std::string& request)>;

  explicit ScriptedServer(Responder responder) : responder_(std::move(responder)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::abort();
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    int conn = conn_fd_.load();
    if (conn >= 0) ::shutdown(conn, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) return;
      conn_fd_ = conn;
      ++connections_;
      ServeConnection(conn);
      conn_fd_ = -1;
      ::close(conn);
    }
  }

  void ServeConnection(int conn) {
    std::string buffer;
    char chunk[65536];
    while (true) {
      size_t head_end = buffer.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::string head = buffer.substr(0, head_end + 4);
        std::string lower = head;
        LowerAsciiInPlace(lower);
        size_t body_len = 0;
        size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) body_len = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
        if (buffer.size() >= head.size() + body_len) {
          std::string request = buffer.substr(0, head.size() + body_len);
          buffer.erase(0, request.size());
          int index;
          {
            std::lock_guard<std::mutex> lock(mu_);
            index = static_cast<int>(requests_.size());
            requests_.push_back(request);
          }
          Reply reply = responder_(index, request);
          size_t sent = 0;
          while (sent < reply.bytes.size()) {
            ssize_t n =
                ::send(conn, reply.bytes.data() + sent, reply.bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<size_t>(n);
          }
          if (reply.close_after) return;
          continue;
        }
      }
      ssize_t n = ::recv(conn, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }

  Responder responder_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> conn_fd_{-1};
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

std::string HttpReply(int status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string NextReply(const std::string& request_id, const std::string& body) {
  return HttpReply(200,
                   "Lambda-Runtime-Aws-Request-Id: " + request_id +
                       "\r\nLambda-Runtime-Deadline-Ms: 1700000060000\r\n",
                   body);
}

const std::string kAccepted = HttpReply(202, "", R"({"status":"OK"})");
const std::string kContainerError = HttpReply(500, "", R"({"errorType":"ContainerError"})");

std::unique_ptr<RuntimeApiClient> MakeClient(const std::string& endpoint) {
  Result<std::unique_ptr<RuntimeApiClient>> client = RuntimeApiClient::Create(endpoint);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

// Runs RunLambdaLoop on a thread; Join() returns its exit code.
class LoopThread {
 public:
  LoopThread(RuntimeApiClient& client, Handler handler, LoopOptions options = {})
      : thread_([this, &client, handler = std::move(handler), options] {
          exit_code_ = RunLambdaLoop(client, handler, options);
        }) {}
  ~LoopThread() {
    if (thread_.joinable()) thread_.join();
  }
  int Join() {
    thread_.join();
    return exit_code_;
  }

 private:
  std::atomic<int> exit_code_{-1};
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// The loop against the emulator.

TEST(RunLambdaLoopTest, DeliversInvocationWithAllHeadersAndResponds) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  RuntimeApiEmulator::QueuedInvocation queued;
  queued.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  queued.body = R"({"awslogs":{"data":"H4sI"}})";
  queued.deadline_ms = kDeadlineMs;
  queued.function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:gs";
  queued.trace_id = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
  queued.client_context = R"({"client":{}})";
  queued.cognito_identity = R"({"cognitoIdentityId":"x"})";
  emulator.Enqueue(queued);

  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  std::mutex mu;
  std::vector<Invocation> seen;
  std::string env_trace;
  LoopThread loop(*client, [&](const Invocation& inv) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(inv);
    const char* env = std::getenv("_X_AMZN_TRACE_ID");
    env_trace = env == nullptr ? "" : env;
    return HandlerResult{.body = "answer:" + inv.body};
  });
  ASSERT_TRUE(emulator.WaitForOutcomes(1, kWait));
  ASSERT_TRUE(emulator.WaitForNextWaiting(kWait));
  emulator.Shutdown();
  EXPECT_EQ(loop.Join(), kExitContainerError);

  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request_id, queued.request_id);
  EXPECT_EQ(seen[0].deadline_ms, kDeadlineMs);
  EXPECT_EQ(seen[0].function_arn, queued.function_arn);
  EXPECT_EQ(seen[0].trace_id, queued.trace_id);
  EXPECT_EQ(seen[0].client_context, queued.client_context);
  EXPECT_EQ(seen[0].cognito_identity, queued.cognito_identity);
  EXPECT_EQ(seen[0].body, queued.body);
  EXPECT_EQ(env_trace, queued.trace_id);

  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, RuntimeApiEmulator::Outcome::kResponse);
  EXPECT_EQ(outcomes[0].request_id, queued.request_id);
  EXPECT_EQ(outcomes[0].body, "answer:" + queued.body);
  EXPECT_TRUE(emulator.unknown_request_ids().empty());
  // Next, response and the final Next travel on one kept-alive connection.
  EXPECT_EQ(client->connections_opened(), 1);
  ASSERT_TRUE(emulator.first_next().has_value());
}

TEST(RunLambdaLoopTest, HandlesSeveralInvocationsInOrder) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(emulator.Enqueue("event" + std::to_string(i), 0));
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  LoopThread loop(*client, [](const Invocation& inv) { return HandlerResult{.body = inv.body}; });
  ASSERT_TRUE(emulator.WaitForOutcomes(5, kWait));
  emulator.Shutdown();
  EXPECT_EQ(loop.Join(), kExitContainerError);
  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(outcomes[i].request_id, ids[i]);
    EXPECT_EQ(outcomes[i].body, "event" + std::to_string(i));
  }
}

TEST(RunLambdaLoopTest, ReportsHandlerErrorWithJsonEscapedMessage) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::string id = emulator.Enqueue("{}", kDeadlineMs);
  const std::string message =
      "bad \"quoted\" value\nsecond line\\ tab\t ctl\x01 utf8 \xc3\xa9 raw\xff";
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  LoopThread loop(*client, [&](const Invocation&) {
    return HandlerResult{
        .ok = false, .error_type = "Handler.ConfigError", .error_message = message};
  });
  ASSERT_TRUE(emulator.WaitForOutcomes(1, kWait));
  emulator.Shutdown();
  EXPECT_EQ(loop.Join(), kExitContainerError);

  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, RuntimeApiEmulator::Outcome::kError);
  EXPECT_EQ(outcomes[0].request_id, id);
  EXPECT_EQ(outcomes[0].error_type, "Handler.ConfigError");
  EXPECT_EQ(outcomes[0].content_type, "application/json");
  nlohmann::json doc = nlohmann::json::parse(outcomes[0].body, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(doc.is_discarded()) << outcomes[0].body;
  // The invalid byte \xff became U+FFFD; everything else round-trips.
  std::string expected = message.substr(0, message.size() - 1) + "\xef\xbf\xbd";
  EXPECT_EQ(doc["errorMessage"], expected);
  EXPECT_EQ(doc["errorType"], "Handler.ConfigError");
  EXPECT_TRUE(doc["stackTrace"].is_array());
  EXPECT_TRUE(doc["stackTrace"].empty());
}

TEST(RunLambdaLoopTest, ReportsThrowingHandlerAsUnknownReason) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  emulator.Enqueue("{}", kDeadlineMs);
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  LoopThread loop(*client, [](const Invocation&) -> HandlerResult {
    throw std::runtime_error("secret event content");
  });
  ASSERT_TRUE(emulator.WaitForOutcomes(1, kWait));
  emulator.Shutdown();
  EXPECT_EQ(loop.Join(), kExitContainerError);
  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].error_type, "Runtime.UnknownReason");
  EXPECT_THAT(outcomes[0].body, ::testing::Not(HasSubstr("secret")));
}

TEST(RunLambdaLoopTest, CarriesFiveMegabyteBodiesBothWays) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::string event(5 << 20, '\0');
  for (size_t i = 0; i < event.size(); ++i) event[i] = static_cast<char>('a' + (i * 7919) % 26);
  emulator.Enqueue(event, kDeadlineMs);
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  std::atomic<size_t> seen_size{0};
  LoopThread loop(*client, [&](const Invocation& inv) {
    seen_size = inv.body.size();
    std::string answer(inv.body.rbegin(), inv.body.rend());
    return HandlerResult{.body = std::move(answer)};
  });
  ASSERT_TRUE(emulator.WaitForOutcomes(1, kWait));
  emulator.Shutdown();
  EXPECT_EQ(loop.Join(), kExitContainerError);
  EXPECT_EQ(seen_size.load(), event.size());
  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].body == std::string(event.rbegin(), event.rend()));
}

TEST(RuntimeApiClientTest, ReportsInitError) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  ASSERT_TRUE(client->ReportInitError("Runtime.ConfigError", "missing \"collector_url\"").ok());
  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, RuntimeApiEmulator::Outcome::kInitError);
  EXPECT_EQ(outcomes[0].error_type, "Runtime.ConfigError");
  EXPECT_EQ(outcomes[0].body,
            R"({"errorMessage":"missing \"collector_url\"","errorType":"Runtime.ConfigError",)"
            R"("stackTrace":[]})");
}

TEST(RuntimeApiClientTest, UnknownRequestIdIsNotFound) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::unique_ptr<RuntimeApiClient> client = MakeClient(emulator.endpoint());
  Status status = client->Respond("never-handed-out", "x");
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  EXPECT_FALSE(IsContainerError(status));
}

// ---------------------------------------------------------------------------------------------
// The client against scripted servers.

TEST(RuntimeApiClientTest, ParsesChunkedNextResponse) {
  ScriptedServer server([](int, const std::string&) {
    return ScriptedServer::Reply{
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\n"
        "lambda-runtime-deadline-ms: 42\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"};
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  Result<Invocation> inv = client->Next();
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->request_id, "req-1");
  EXPECT_EQ(inv->deadline_ms, 42);
  EXPECT_EQ(inv->body, "hello, world");
  EXPECT_EQ(inv->trace_id, "");
  // An earlier invocation's trace id does not linger.
  const char* env = std::getenv("_X_AMZN_TRACE_ID");
  EXPECT_TRUE(env == nullptr || std::string(env).empty());
}

TEST(RuntimeApiClientTest, SendsWellFormedRequests) {
  ScriptedServer server([](int, const std::string&) { return ScriptedServer::Reply{kAccepted}; });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  ASSERT_TRUE(client->Respond("abc-1", "{\"ok\":true}", "application/json").ok());
  // A hostile id cannot change the path, nor an error type add a header.
  ASSERT_TRUE(client->ReportError("a/b c\r\nX: y", "Type\r\nInjected: 1", "m").ok());
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[0], StartsWith("POST /2018-06-01/runtime/invocation/abc-1/response "
                                      "HTTP/1.1\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("\r\nHost: " + server.endpoint() + "\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("\r\nContent-Length: 11\r\n"));
  EXPECT_THAT(requests[0], HasSubstr("\r\nContent-Type: application/json\r\n"));
  EXPECT_THAT(requests[0], ::testing::EndsWith("\r\n\r\n{\"ok\":true}"));
  EXPECT_THAT(requests[1], StartsWith("POST /2018-06-01/runtime/invocation/"
                                      "a%2Fb%20c%0D%0AX%3A%20y/error HTTP/1.1\r\n"));
  EXPECT_THAT(requests[1],
              HasSubstr("\r\nLambda-Runtime-Function-Error-Type: TypeInjected: 1\r\n"));
  EXPECT_THAT(requests[1], ::testing::Not(HasSubstr("\r\nInjected:")));
  EXPECT_EQ(server.connections(), 1);
}

TEST(RuntimeApiClientTest, ReconnectsAfterServerClosesIdleConnection) {
  // The server answers as if it kept the connection, then closes it while the client is idle:
  // the next request fails before any byte of answer and is sent again on a new connection.
  ScriptedServer server([](int, const std::string&) {
    return ScriptedServer::Reply{kAccepted, /*close_after=*/true};
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  ASSERT_TRUE(client->Respond("r1", "one").ok());
  // Whether the server's close reached the client before it writes again (EOF) or after (the
  // unread request makes the server reset the connection), no byte of answer arrives.
  Status second = client->Respond("r2", "two");
  ASSERT_TRUE(second.ok()) << second.ToString();
  Status third = client->Respond("r3", "three");
  ASSERT_TRUE(third.ok()) << third.ToString();
  EXPECT_EQ(client->connections_opened(), 3);
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_THAT(requests[1], HasSubstr("/r2/response"));
  EXPECT_THAT(requests[2], HasSubstr("/r3/response"));
}

TEST(RuntimeApiClientTest, HonoursConnectionClose) {
  ScriptedServer server([](int, const std::string&) {
    return ScriptedServer::Reply{HttpReply(202, "Connection: close\r\n", "")};
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  ASSERT_TRUE(client->Respond("r1", "one").ok());
  ASSERT_TRUE(client->Respond("r2", "two").ok());
  EXPECT_EQ(client->connections_opened(), 2);
  EXPECT_EQ(server.connections(), 2);
}

TEST(RuntimeApiClientTest, ReadsBodyDelimitedByEof) {
  ScriptedServer server([](int, const std::string&) {
    return ScriptedServer::Reply{
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r\r\n\r\nuntil the end",
        /*close_after=*/true};
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  Result<Invocation> inv = client->Next();
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->body, "until the end");
}

TEST(RuntimeApiClientTest, NextWithoutRequestIdIsParseError) {
  ScriptedServer server(
      [](int, const std::string&) { return ScriptedServer::Reply{HttpReply(200, "", "{}")}; });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  EXPECT_EQ(client->Next().status().code(), StatusCode::kParseError);
}

TEST(RuntimeApiClientTest, MapsHttpStatuses) {
  ScriptedServer server([](int index, const std::string&) {
    const int statuses[] = {500, 403, 413, 400, 503};
    return ScriptedServer::Reply{HttpReply(statuses[index], "", "{}")};
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  Status container = client->Respond("r", "x");
  EXPECT_EQ(container.code(), StatusCode::kInternal);
  EXPECT_TRUE(IsContainerError(container));
  EXPECT_EQ(client->Respond("r", "x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(client->Respond("r", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->ReportError("r", "T", "m").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->ReportInitError("T", "m").code(), StatusCode::kUnavailable);
}

TEST(RunLambdaLoopTest, ExitsPromptlyOn500FromNext) {
  ScriptedServer server(
      [](int, const std::string&) { return ScriptedServer::Reply{kContainerError}; });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  int calls = 0;
  int code = RunLambdaLoop(*client, [&](const Invocation&) {
    ++calls;
    return HandlerResult{};
  });
  EXPECT_EQ(code, kExitContainerError);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(server.requests().size(), 1u);  // No retry after 500.
}

TEST(RunLambdaLoopTest, RetriesFailedNextThenGoesOn) {
  ScriptedServer server([](int index, const std::string&) {
    switch (index) {
      case 0:
        return ScriptedServer::Reply{HttpReply(503, "", "busy")};
      case 1:
        return ScriptedServer::Reply{NextReply("req-a", "event")};
      case 2:
        return ScriptedServer::Reply{kAccepted};
      default:
        return ScriptedServer::Reply{kContainerError};
    }
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  std::vector<std::string> bodies;
  int code = RunLambdaLoop(
      *client,
      [&](const Invocation& inv) {
        bodies.push_back(inv.body);
        return HandlerResult{.body = "done"};
      },
      LoopOptions{.retry_backoff = std::chrono::milliseconds(0)});
  EXPECT_EQ(code, kExitContainerError);
  EXPECT_THAT(bodies, ::testing::ElementsAre("event"));
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_THAT(requests[1], StartsWith("GET /2018-06-01/runtime/invocation/next "));
  EXPECT_THAT(requests[2], StartsWith("POST /2018-06-01/runtime/invocation/req-a/response "));
  EXPECT_THAT(requests[2], ::testing::EndsWith("\r\n\r\ndone"));
}

TEST(RunLambdaLoopTest, ReportsRejectedResponseAsError) {
  ScriptedServer server([](int index, const std::string&) {
    switch (index) {
      case 0:
        return ScriptedServer::Reply{NextReply("req-b", "event")};
      case 1:
        return ScriptedServer::Reply{HttpReply(413, "", "{}")};
      case 2:
        return ScriptedServer::Reply{kAccepted};
      default:
        return ScriptedServer::Reply{kContainerError};
    }
  });
  std::unique_ptr<RuntimeApiClient> client = MakeClient(server.endpoint());
  int code = RunLambdaLoop(*client, [](const Invocation&) { return HandlerResult{.body = "big"}; });
  EXPECT_EQ(code, kExitContainerError);
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_THAT(requests[2], StartsWith("POST /2018-06-01/runtime/invocation/req-b/error "));
  EXPECT_THAT(requests[2],
              HasSubstr("Lambda-Runtime-Function-Error-Type: Runtime.InvalidResponse"));
}

TEST(RunLambdaLoopTest, ExitsWhenRuntimeApiIsGone) {
  // A port that was free a moment ago: connections are refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  std::unique_ptr<RuntimeApiClient> client =
      MakeClient("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  int calls = 0;
  int code = RunLambdaLoop(
      *client,
      [&](const Invocation&) {
        ++calls;
        return HandlerResult{};
      },
      LoopOptions{.max_next_attempts = 3, .retry_backoff = std::chrono::milliseconds(0)});
  EXPECT_EQ(code, kExitRuntimeApiGone);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(client->Next().status().code(), StatusCode::kUnavailable);
}

TEST(RuntimeApiClientTest, CreateRejectsMalformedEndpoints) {
  for (const char* bad :
       {"", "127.0.0.1", "127.0.0.1:", ":9001", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:99999999", "http://127.0.0.1:9001", "127.0.0.1:9001/", "host name:80", "[::1]",
        "[zz]:80", "::1:80", "127.0.0.1:-1", "127.0.0.1:80x", "[::1]9001"}) {
    Result<std::unique_ptr<RuntimeApiClient>> client = RuntimeApiClient::Create(bad);
    EXPECT_FALSE(client.ok()) << bad;
    if (!client.ok()) {
      EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
  for (const char* good : {"127.0.0.1:9001", "localhost:9001", "[::1]:9001", "169.254.100.1:9001",
                           "runtime-api.internal:65535"}) {
    Result<std::unique_ptr<RuntimeApiClient>> client = RuntimeApiClient::Create(good);
    EXPECT_TRUE(client.ok()) << good;
    if (client.ok()) {
      EXPECT_EQ((*client)->endpoint(), good);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The response parser.

TEST(ParseHttpResponseTest, ParsesContentLengthBody) {
  Result<HttpMessage> m =
      ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A:  v  \r\n\r\nabc");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->body, "abc");
  EXPECT_EQ(m->Header("x-a"), "v");
  EXPECT_TRUE(m->keep_alive);
}

TEST(ParseHttpResponseTest, ParsesChunkedBodyFedByteByByte) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "3\r\nabc\r\nA ; name=value\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
  Result<HttpMessage> whole = ParseHttpResponse(wire);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->body, "abc0123456789");
  HttpResponseParser parser;
  for (char c : wire) ASSERT_TRUE(parser.Feed(std::string_view(&c, 1)).ok());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.message().body, "abc0123456789");
}

TEST(ParseHttpResponseTest, AcceptsBareLineFeeds) {
  Result<HttpMessage> m = ParseHttpResponse("HTTP/1.1 202 Accepted\nContent-Length: 2\n\nok");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->status, 202);
  EXPECT_EQ(m->body, "ok");
}

TEST(ParseHttpResponseTest, ReadsToEofWithoutFraming) {
  Result<HttpMessage> m = ParseHttpResponse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nrest of it");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body, "rest of it");
  EXPECT_FALSE(m->keep_alive);
}

TEST(ParseHttpResponseTest, SkipsInterimResponsesAndKnowsBodylessStatuses) {
  Result<HttpMessage> m = ParseHttpResponse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->status, 204);
  EXPECT_EQ(m->body, "");
  EXPECT_FALSE(m->keep_alive);
}

TEST(ParseHttpResponseTest, RejectsMalformedResponses) {
  for (const char* bad :
       {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"}) {
    Result<HttpMessage> m = ParseHttpResponse(bad);
    EXPECT_FALSE(m.ok()) << bad;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kParseError) << bad;
    }
  }
}

TEST(ParseHttpResponseTest, TruncatedResponseIsUnavailable) {
  for (const char* truncated :
       {"", "HTTP/1.1 200 OK\r\nContent-Le", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}) {
    Result<HttpMessage> m = ParseHttpResponse(truncated);
    EXPECT_FALSE(m.ok()) << truncated;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << truncated;
    }
  }
}

TEST(ParseHttpResponseTest, EnforcesSizeLimits) {
  EXPECT_EQ(
      ParseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n").status().code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "FFFFFFFFFFFF\r\n")
                .status()
                .code(),
            StatusCode::kResourceExhausted);
  std::string huge_head = "HTTP/1.1 200 OK\r\nX: " + std::string(kMaxHeaderBytes, 'a');
  EXPECT_EQ(ParseHttpResponse(huge_head).status().code(), StatusCode::kResourceExhausted);
}

TEST(ErrorDocumentTest, EscapesControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(ErrorDocument("T\"", "a\x1f\x7f\xed\xa0\x80\xf0\x9f\x98\x80"),
            "{\"errorMessage\":\"a\\u001f\\u007f\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "\xf0\x9f\x98\x80\",\"errorType\":\"T\\\"\",\"stackTrace\":[]}");
}

}  // namespace
}  // namespace gatescope::lambda
