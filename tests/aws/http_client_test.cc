#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <optional>
#include <thread>

#include "env/http_client.h"
#include "env/url.h"
#include "tests/support/loopback_server.h"
#include "tests/support/moto_server.h"

namespace gatescope::env {
namespace {

TEST(UrlTest, ParsesTheParts) {
  auto url = ParseUrl("HTTPS://logs.us-east-1.amazonaws.com:8443/a/b%20c?x=1&y=2");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "logs.us-east-1.amazonaws.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a/b%20c");
  EXPECT_EQ(url->query, "x=1&y=2");
  EXPECT_EQ(url->HostHeader(), "logs.us-east-1.amazonaws.com:8443");

  auto bare = ParseUrl("http://127.0.0.1:80");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->path, "/");
  EXPECT_EQ(bare->HostHeader(), "127.0.0.1");  // Default port left out, as clients send it.

  auto v6 = ParseUrl("http://[::1]:9000/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostHeader(), "[::1]:9000");
}

TEST(UrlTest, RejectsWhatItCannotSign) {
  for (const char* bad : {"logs.amazonaws.com", "ftp://x/", "http://:80/", "http://h:0/",
                          "http://h:70000/", "http://u:p@h/", "http://h/#frag", "http://h:x/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
}

TEST(UrlTest, EncodesAsAwsDoes) {
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d=é"), "a%20b%2Bc%2Fd%3D%C3%A9");
  EXPECT_EQ(UriEncode("a b/c", /*keep_slash=*/true), "a%20b/c");
  EXPECT_EQ(EncodeQuery({{"Action", "DescribeRegions"}, {"k", "a&b"}}),
            "Action=DescribeRegions&k=a%26b");
}

// A loopback server with the routes the client tests talk to.
class TestServer {
 public:
  TestServer() {
    httplib::Server& server = loopback_.server();
    server.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Remote-Port", req.get_header_value("REMOTE_PORT"));
      res.set_header("X-Echo", req.get_header_value("X-Test"));
      res.set_content("hi", "text/plain");
    });
    server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Content-Type", req.get_header_value("Content-Type"));
      res.set_content(req.method + ":" + req.body, "text/plain");
    });
    server.Patch("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + ":" + req.body, "text/plain");
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'x'), "text/plain");
    });
    server.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("{\"message\":\"nope\"}", "application/json");
    });
    loopback_.Start();
  }
  std::string Url(const std::string& path) const { return loopback_.url(path); }

 private:
  testing::LoopbackServer loopback_;
};

TEST(CurlHttpClientTest, SendsAndReceives) {
  TestServer server;
  auto client = NewCurlHttpClient();
  auto get = client->Send({.url = server.Url("/hello"), .headers = {{"X-Test", "v1"}}});
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "hi");
  EXPECT_EQ(get->Header("x-echo"), "v1");  // Names are lower-cased.

  auto post = client->Send({.method = "POST", .url = server.Url("/echo"),
                            .headers = {{"Content-Type", "application/json"}}, .body = "{\"a\":1}"});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 201);
  EXPECT_EQ(post->body, "POST:{\"a\":1}");
  EXPECT_EQ(post->Header("x-content-type"), "application/json");

  // No form Content-Type is invented for a body without one (it would change what was signed).
  auto bare = client->Send({.method = "POST", .url = server.Url("/echo"), .body = "x"});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->Header("x-content-type"), "");

  auto patch = client->Send({.method = "PATCH", .url = server.Url("/echo"), .body = "p"});
  ASSERT_TRUE(patch.ok());
  EXPECT_EQ(patch->body, "PATCH:p");

  auto missing = client->Send({.url = server.Url("/missing")});
  ASSERT_TRUE(missing.ok()) << "a 404 is a response, not a transport failure";
  EXPECT_EQ(missing->status, 404);
}

TEST(CurlHttpClientTest, ReusesConnections) {
  TestServer server;
  auto client = NewCurlHttpClient();
  auto first = client->Send({.url = server.Url("/hello")});
  auto second = client->Send({.url = server.Url("/hello")});
  ASSERT_TRUE(first.ok() && second.ok());
  // The same client port means the same TCP connection.
  EXPECT_EQ(first->Header("x-remote-port"), second->Header("x-remote-port"));
}

TEST(CurlHttpClientTest, TransportFailuresAreStatuses) {
  TestServer server;
  auto client = NewCurlHttpClient({.max_response_bytes = 1000});
  auto slow = client->Send({.url = server.Url("/slow"), .timeout = std::chrono::milliseconds(200)});
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded) << slow.status().ToString();
  EXPECT_TRUE(IsRetryable(slow.status()));

  auto big = client->Send({.url = server.Url("/big")});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted) << big.status().ToString();

  const uint16_t closed_port = testing::FreeLoopbackPort();
  auto refused = client->Send({.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();

  auto bad = client->Send({.url = "gopher://127.0.0.1/"});
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(IsRetryable(bad.status()));
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CurlHttpClientTest, HonoursProxyVariables) {
  // A loopback "proxy" that answers every request itself, echoing the absolute-form target.
  testing::LoopbackServer proxy;
  proxy.server().Get(".*", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("via proxy: " + req.target, "text/plain");
  });
  proxy.Start();
  {
    ScopedEnv http_proxy("http_proxy", proxy.url());
    ScopedEnv no_proxy("no_proxy", "127.0.0.2");
    auto client = NewCurlHttpClient();
    auto proxied = client->Send({.url = "http://logs.us-east-1.amazonaws.invalid/x?y=1"});
    ASSERT_TRUE(proxied.ok()) << proxied.status().ToString();
    EXPECT_EQ(proxied->body, "via proxy: http://logs.us-east-1.amazonaws.invalid/x?y=1");
    // NO_PROXY hosts go direct: nothing listens there, so the connection is refused. (Through
    // the proxy it would have succeeded.) No name is resolved: nothing leaves loopback.
    auto direct = client->Send(
        {.url = "http://127.0.0.2:" + std::to_string(testing::FreeLoopbackPort()) + "/x"});
    ASSERT_FALSE(direct.ok());
    EXPECT_EQ(direct.status().code(), StatusCode::kUnavailable);
  }
}

TEST(CurlHttpClientTest, ErrorsDoNotCarryTheQueryString) {
  auto client = NewCurlHttpClient();
  const uint16_t closed_port = testing::FreeLoopbackPort();
  auto refused = client->Send(
      {.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/x?X-Amz-Signature=secret"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace gatescope::env
