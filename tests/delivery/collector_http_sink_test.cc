#include "delivery/collector_http_sink.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_server.h"
#include "tests/support/test_util.h"

namespace gatescope::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Advances the fake clock by what it is asked to sleep, and records the sleeps.
class FakeSleeper final : public aws::Sleeper {
 public:
  explicit FakeSleeper(testing::FakeClock& clock) : clock_(clock) {}
  void SleepFor(std::chrono::nanoseconds d) override {
    const auto ms = std::chrono::duration_cast<milliseconds>(d);
    sleeps.push_back(ms);
    total += ms;
    clock_.Advance(ms);
    if (on_sleep) on_sleep();
  }
  std::vector<milliseconds> sleeps;
  milliseconds total{0};
  std::function<void()> on_sleep;

 private:
  testing::FakeClock& clock_;
};

// Forwards to a real client, records each request, and can fail the first few with a Status.
class RecordingHttpClient final : public env::HttpClient {
 public:
  explicit RecordingHttpClient(env::HttpClient& inner) : inner_(inner) {}
  Result<env::HttpResponse> Send(const env::HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      requests.push_back(request);
      if (!failures.empty()) {
        Status status = failures.front();
        failures.pop_front();
        return status;
      }
    }
    return inner_.Send(request);
  }
  std::vector<env::HttpRequest> requests;
  std::deque<Status> failures;

 private:
  env::HttpClient& inner_;
  std::mutex mu_;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string retry_after;
};

// The collector: answers from a script (the last reply repeats) and records headers and bodies.
// With `newest_token_only`, it answers 401 unless the bearer token is the newest issued by its
// token endpoint (/token, which issues "tok-<n>").
class FakeCollector {
 public:
  FakeCollector() {
    server_.server().Post("/ingest", [this](const httplib::Request& req, httplib::Response& res) {
      Reply reply;
      {
        std::lock_guard lock(mu_);
        received.push_back(req);
        reply = script.empty() ? Reply{} : script.front();
        if (script.size() > 1) script.pop_front();
        if (newest_token_only &&
            req.get_header_value("Authorization") != "Bearer tok-" + std::to_string(issued)) {
          reply = {401, R"({"error":"invalid_token"})", ""};
        }
      }
      for (int i = 0; i < slow_ms && !stopping; i += 10) {
        std::this_thread::sleep_for(milliseconds(10));
      }
      res.status = reply.status;
      if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
      res.set_content(reply.body, "text/plain");
    });
    server_.server().Post("/token", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++issued;
      res.set_content(
          R"({"access_token":"tok-)" + std::to_string(issued) + R"(","expires_in":3600})",
          "application/json");
    });
    server_.Start();
  }
  ~FakeCollector() { stopping = true; }

  std::string url(const std::string& path = "/ingest") const { return server_.url(path); }
  size_t count() {
    std::lock_guard lock(mu_);
    return received.size();
  }

  std::mutex mu_;
  std::deque<Reply> script;                // Guarded by mu_.
  std::vector<httplib::Request> received;  // Guarded by mu_.
  bool newest_token_only = false;
  int issued = 0;  // Guarded by mu_.
  int slow_ms = 0;
  std::atomic<bool> stopping{false};

 private:
  testing::LoopbackServer server_;
};

Batch MakeBatch(bool gzip = true) {
  Batch batch;
  batch.gzip = gzip;
  batch.body =
      gzip ? testing::Gzip("{\"id\":\"a\"}\n{\"id\":\"b\"}\n") : "{\"id\":\"a\"}\n{\"id\":\"b\"}\n";
  batch.records = 2;
  batch.events = 7;
  batch.raw_bytes = 22;
  batch.idempotency_key = std::string(64, 'f');
  return batch;
}

class SinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<CollectorHttpSink> MakeSink(CollectorOptions options = {},
                                              TokenSource* tokens = nullptr) {
    if (options.url.empty()) options.url = collector_.url();
    return std::make_unique<CollectorHttpSink>(std::move(options), recorder_, tokens, clock_,
                                               sleeper_, [this] { return random_; });
  }
  std::chrono::steady_clock::time_point In(milliseconds d) { return clock_.MonotonicNow() + d; }

  FakeCollector collector_;
  std::unique_ptr<env::HttpClient> curl_ = env::NewCurlHttpClient();
  RecordingHttpClient recorder_{*curl_};
  testing::FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  double random_ = 0.5;
};

TEST_F(SinkTest, DeliversOnTheFirstTry) {
  auto tokens = NewStaticTokenSource("static-key");
  auto sink = MakeSink({}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kDelivered);
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.reason, "");
  EXPECT_TRUE(sleeper_.sleeps.empty());
  EXPECT_EQ(sink->stats().responses_2xx, 1u);
  EXPECT_EQ(sink->stats().delivered, 1u);
}

TEST_F(SinkTest, SendsTheWireHeadersAndTheSameIdempotencyKeyOnRetries) {
  collector_.script = {{503, "busy", ""}, {200, "", ""}};
  auto tokens = NewStaticTokenSource("static-key");
  CollectorOptions options;
  options.user_agent = "gatescope/test";
  auto sink = MakeSink(options, tokens.get());
  const Batch batch = MakeBatch();
  ASSERT_EQ(sink->Send(batch, In(seconds(30))).result, DeliveryResult::kDelivered);
  std::lock_guard lock(collector_.mu_);
  ASSERT_EQ(collector_.received.size(), 2u);
  for (const httplib::Request& req : collector_.received) {
    EXPECT_EQ(req.get_header_value("Content-Type"), "application/x-ndjson");
    EXPECT_EQ(req.get_header_value("Content-Encoding"), "gzip");
    EXPECT_EQ(req.get_header_value("Idempotency-Key"), batch.idempotency_key);
    EXPECT_EQ(req.get_header_value("X-Gatescope-Format"), "gatescope.batch/v1");
    EXPECT_EQ(req.get_header_value("X-Gatescope-Records"), "2");
    EXPECT_EQ(req.get_header_value("X-Gatescope-Events"), "7");
    EXPECT_EQ(req.get_header_value("User-Agent"), "gatescope/test");
    EXPECT_EQ(req.get_header_value("Authorization"), "Bearer static-key");
  }
}

TEST_F(SinkTest, PostsTheBodyAsIsWithoutGzip) {
  auto sink = MakeSink();
  const Batch batch = MakeBatch(/*gzip=*/false);
  ASSERT_EQ(sink->Send(batch, In(seconds(30))).result, DeliveryResult::kDelivered);
  std::lock_guard lock(collector_.mu_);
  ASSERT_EQ(collector_.received.size(), 1u);
  EXPECT_EQ(collector_.received[0].body, batch.body);
  EXPECT_FALSE(collector_.received[0].has_header("Content-Encoding"));
  EXPECT_FALSE(collector_.received[0].has_header("Authorization"));  // No TokenSource.
}

TEST_F(SinkTest, RetriesA503ThenDelivers) {
  collector_.script = {{503, "busy", ""}, {200, "", ""}};
  random_ = 1.0;  // The full backoff: 200 ms before the first retry.
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kDelivered);
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(sleeper_.total, milliseconds(200));
  EXPECT_EQ(sink->stats().retries, 1u);
  EXPECT_EQ(sink->stats().responses_5xx, 1u);
}

TEST_F(SinkTest, BackoffGrowsExponentiallyUpToMaxDelay) {
  collector_.script = {{500, "", ""}};
  random_ = 1.0;
  auto sink = MakeSink({.max_attempts = 9});
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(600)));
  EXPECT_EQ(out.result, DeliveryResult::kGaveUp);
  EXPECT_EQ(out.reason, "retries_exhausted");
  EXPECT_EQ(out.attempts, 9);
  EXPECT_EQ(out.http_status, 500);
  // 200, 400, ..., 6400, then capped at 10 s; no sleep after the last attempt.
  EXPECT_EQ(sleeper_.total, milliseconds(200 + 400 + 800 + 1600 + 3200 + 6400 + 10000 + 10000));
}

TEST_F(SinkTest, HonoursRetryAfterSecondsAsALowerBound) {
  collector_.script = {{429, "slow down", "2"}, {200, "", ""}};
  random_ = 0.0;  // Backoff alone would not wait at all.
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kDelivered);
  EXPECT_EQ(sleeper_.total, milliseconds(2000));
  EXPECT_EQ(sink->stats().throttled, 1u);
}

TEST_F(SinkTest, HonoursRetryAfterHttpDate) {
  // FakeClock's wall time is 1700000000 s = Tue, 14 Nov 2023 22:13:20 GMT.
  collector_.script = {{503, "", "Tue, 14 Nov 2023 22:13:25 GMT"}, {200, "", ""}};
  random_ = 0.0;
  auto sink = MakeSink();
  EXPECT_EQ(sink->Send(MakeBatch(), In(seconds(30))).result, DeliveryResult::kDelivered);
  EXPECT_EQ(sleeper_.total, milliseconds(5000));
}

TEST_F(SinkTest, ThrottlingStormGivesUpAtTheDeadlineWithoutSleepingPastIt) {
  collector_.script = {{429, "", "1"}};
  auto sink = MakeSink({.max_attempts = 100});
  const auto deadline = In(milliseconds(5500));
  DeliveryOutcome out = sink->Send(MakeBatch(), deadline);
  EXPECT_EQ(out.result, DeliveryResult::kGaveUp);
  EXPECT_EQ(out.reason, "deadline");
  EXPECT_EQ(out.http_status, 429);
  EXPECT_LE(clock_.MonotonicNow(), deadline);
  EXPECT_GE(out.attempts, 3);
  EXPECT_LE(out.attempts, 6);
  for (milliseconds s : sleeper_.sleeps) EXPECT_GT(s, milliseconds(0));
}

TEST_F(SinkTest, RetryAfterBeyondTheDeadlineGivesUpAtOnce) {
  collector_.script = {{503, "", "3600"}};
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(60)));
  EXPECT_EQ(out.reason, "deadline");
  EXPECT_EQ(out.attempts, 1);
  EXPECT_TRUE(sleeper_.sleeps.empty());
}

TEST_F(SinkTest, ClientErrorIsRejectedAfterOneAttemptWithDetail) {
  collector_.script = {{400, "bad\nrequest\x01: field \"x\" missing", ""}};
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kRejected);
  EXPECT_EQ(out.reason, "http_400");
  EXPECT_EQ(out.http_status, 400);
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.detail, "bad request : field \"x\" missing");
  EXPECT_EQ(collector_.count(), 1u);
  EXPECT_EQ(sink->stats().responses_4xx, 1u);
}

TEST_F(SinkTest, DetailIsBoundedAndNeverHoldsTheToken) {
  collector_.script = {{422, "you sent Bearer static-key " + std::string(1000, 'x'), ""}};
  auto tokens = NewStaticTokenSource("static-key");
  auto sink = MakeSink({}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.reason, "http_422");
  EXPECT_LE(out.detail.size(), 256u);
  EXPECT_EQ(out.detail.find("static-key"), std::string::npos) << out.detail;
  EXPECT_NE(out.detail.find("[REDACTED]"), std::string::npos) << out.detail;
}

TEST_F(SinkTest, A401RefreshesTheRotatedTokenAndRetriesOnce) {
  collector_.newest_token_only = true;
  auto tokens = NewOAuth2ClientCredentials(
      {.token_url = collector_.url("/token"), .client_id = "c", .client_secret = "s"}, *curl_,
      clock_);
  ASSERT_EQ(*tokens->Token(In(seconds(5))), "tok-1");
  // The provider rotates: someone else's fetch makes tok-1 stale at the collector.
  ASSERT_EQ(curl_->Send({.method = "POST", .url = collector_.url("/token")})->status, 200);

  auto sink = MakeSink({}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kDelivered);
  EXPECT_EQ(out.attempts, 2);
  EXPECT_TRUE(sleeper_.sleeps.empty());  // The refresh retry does not back off.
  EXPECT_EQ(tokens->fetches(), 2u);
  EXPECT_EQ(sink->stats().token_refreshes, 1u);
  std::lock_guard lock(collector_.mu_);
  ASSERT_EQ(collector_.received.size(), 2u);
  EXPECT_EQ(collector_.received[0].get_header_value("Authorization"), "Bearer tok-1");
  EXPECT_EQ(collector_.received[1].get_header_value("Authorization"), "Bearer tok-3");
}

TEST_F(SinkTest, ASecond401IsARejection) {
  collector_.script = {{401, "no", ""}};
  auto tokens = NewOAuth2ClientCredentials(
      {.token_url = collector_.url("/token"), .client_id = "c", .client_secret = "s"}, *curl_,
      clock_);
  auto sink = MakeSink({}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kRejected);
  EXPECT_EQ(out.reason, "http_401");
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(tokens->fetches(), 2u);
}

TEST_F(SinkTest, RefusedTokenEndpointRejectsAsTokenRejected) {
  // The collector's /ingest path answers 403 to the token request: bad client credentials.
  collector_.script = {{403, R"({"error":"unauthorized_client"})", ""}};
  auto tokens = NewOAuth2ClientCredentials(
      {.token_url = collector_.url("/ingest"), .client_id = "c", .client_secret = "top-secret"},
      *curl_, clock_);
  auto sink = MakeSink({.url = collector_.url("/never")}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kRejected);
  EXPECT_EQ(out.reason, "token_rejected");
  EXPECT_NE(out.detail.find("unauthorized_client"), std::string::npos) << out.detail;
  EXPECT_EQ(out.detail.find("top-secret"), std::string::npos);
}

TEST_F(SinkTest, RetriesAnUnavailableTokenEndpointLikeA5xx) {
  collector_.script = {{503, "", ""}, {200, "", ""}};  // The first token request fails.
  auto tokens = NewOAuth2ClientCredentials(
      {.token_url = collector_.url("/ingest"), .client_id = "c", .client_secret = "s"}, *curl_,
      clock_);
  // The token endpoint's second answer is 200 without an access_token: a parse error, which
  // is not retryable, so the Send ends as token_rejected after two token attempts.
  auto sink = MakeSink({.url = collector_.url("/never")}, tokens.get());
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.reason, "token_rejected");
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(sleeper_.sleeps.size(), 1u);
  EXPECT_EQ(sink->stats().token_errors, 2u);
}

TEST_F(SinkTest, RetriesTransportErrorsThenDelivers) {
  recorder_.failures = {UnavailableError("connection reset"),
                        Status(StatusCode::kDeadlineExceeded, "timed out")};
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kDelivered);
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(sink->stats().transport_errors, 2u);
}

TEST_F(SinkTest, RetriesRefusedConnections) {
  std::string url;
  {
    testing::LoopbackServer gone;
    gone.Start();
    url = gone.url("/ingest");
  }
  auto sink = MakeSink({.url = url, .max_attempts = 3});
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kGaveUp);
  EXPECT_EQ(out.reason, "retries_exhausted");
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(out.http_status, 0);
  EXPECT_EQ(sink->stats().transport_errors, 3u);
  EXPECT_FALSE(out.detail.empty());
}

TEST_F(SinkTest, NonRetryableTransportErrorIsRejected) {
  recorder_.failures = {InvalidArgumentError("malformed URL")};
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(30)));
  EXPECT_EQ(out.result, DeliveryResult::kRejected);
  EXPECT_EQ(out.reason, "transport_error");
}

TEST_F(SinkTest, SlowResponseIsBoundedByTheDeadline) {
  collector_.slow_ms = 3000;
  random_ = 1.0;
  auto sink = MakeSink({.request_timeout = seconds(30)});
  const auto real_start = std::chrono::steady_clock::now();
  DeliveryOutcome out = sink->Send(MakeBatch(), In(milliseconds(300)));
  const auto real = std::chrono::steady_clock::now() - real_start;
  EXPECT_EQ(out.result, DeliveryResult::kGaveUp);
  EXPECT_EQ(out.reason, "deadline");
  // Attempt 1 gets the whole 300 ms; after a 200 ms backoff attempt 2 gets the last 100 ms;
  // the next backoff (400 ms) would end past the deadline.
  ASSERT_EQ(recorder_.requests.size(), 2u);
  EXPECT_EQ(recorder_.requests[0].timeout, milliseconds(300));
  EXPECT_EQ(recorder_.requests[1].timeout, milliseconds(100));
  EXPECT_LT(real, milliseconds(2000));
  collector_.stopping = true;
}

TEST_F(SinkTest, StopEndsASendAtItsNextSleep) {
  collector_.script = {{503, "", ""}};
  random_ = 1.0;
  auto sink = MakeSink({.base_delay = seconds(2), .max_delay = seconds(10)});
  sleeper_.on_sleep = [&] { sink->Stop(); };
  DeliveryOutcome out = sink->Send(MakeBatch(), In(seconds(60)));
  EXPECT_EQ(out.result, DeliveryResult::kGaveUp);
  EXPECT_EQ(out.reason, "stopped");
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(sleeper_.sleeps.size(), 1u);  // One 200 ms slice of the 2 s backoff.
  sink->Stop();                           // Idempotent.
  EXPECT_EQ(sink->Send(MakeBatch(), In(seconds(60))).reason, "stopped");
  EXPECT_EQ(collector_.count(), 1u);
}

TEST_F(SinkTest, PassedDeadlineSendsNothing) {
  auto sink = MakeSink();
  DeliveryOutcome out = sink->Send(MakeBatch(), clock_.MonotonicNow());
  EXPECT_EQ(out.reason, "deadline");
  EXPECT_EQ(out.attempts, 0);
  EXPECT_EQ(collector_.count(), 0u);
}

// Answers 200 after advancing the clock by a scripted latency.
class LatencyHttpClient final : public env::HttpClient {
 public:
  explicit LatencyHttpClient(testing::FakeClock& clock) : clock_(clock) {}
  Result<env::HttpResponse> Send(const env::HttpRequest&) override {
    clock_.Advance(milliseconds(latencies.at(next++)));
    return env::HttpResponse{.status = 200};
  }
  std::vector<int> latencies;
  size_t next = 0;

 private:
  testing::FakeClock& clock_;
};

TEST(SinkStatsTest, TracksLatencyAndItsP99) {
  testing::FakeClock clock;
  FakeSleeper sleeper(clock);
  LatencyHttpClient http(clock);
  for (int i = 1; i <= 300; ++i) http.latencies.push_back(i == 150 ? 5000 : 10 + i % 7);
  CollectorHttpSink sink({.url = "http://127.0.0.1:1/"}, http, nullptr, clock, sleeper);
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(sink.Send(MakeBatch(), clock.MonotonicNow() + seconds(30)).result,
              DeliveryResult::kDelivered);
  }
  const SinkStats stats = sink.stats_snapshot();
  EXPECT_EQ(stats.latency_count, 300u);
  EXPECT_EQ(stats.latency_max_ms, 5000u);
  EXPECT_EQ(stats.latency_p99_ms, 16u);  // The one outlier is under 1% of the last 256.
  EXPECT_GT(stats.latency_sum_ms, 300u * 10);
}

TEST(ParseRetryAfterTest, ReadsSecondsAndHttpDates) {
  const auto now =
      std::chrono::system_clock::time_point(seconds(784111777));  // 06 Nov 1994 08:49:37
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now), milliseconds(10000));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:57 GMT", now), milliseconds(20000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:50:37 1994", now), milliseconds(60000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), milliseconds(0));  // Past.
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now), kMaxRetryAfter);
  for (const char* bad :
       {"", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:47", "Sun, 32 Nov 1994 08:49:47 GMT",
        "Sun, 06 Foo 1994 08:49:47 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Sun,"}) {
    EXPECT_FALSE(ParseRetryAfter(bad, now).has_value()) << bad;
  }
}

TEST(SanitizeDetailTest, ReplacesControlsAndCutsOnACharacterBoundary) {
  EXPECT_EQ(SanitizeDetail("a\tb\r\nc\x7f"), "a b  c ");
  EXPECT_EQ(SanitizeDetail("ab\xC3\xA9", 3), "ab");
}

}  // namespace
}  // namespace gatescope::delivery
