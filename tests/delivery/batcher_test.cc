#include "delivery/batcher.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "model/transaction_json.h"

namespace gatescope::delivery {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 0xF]);
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

std::string RandomHex(std::mt19937_64& rng, size_t n) {
  std::string s;
  s.reserve(n);
  uint64_t bits = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 16 == 0) bits = rng();
    s.push_back("0123456789abcdef"[bits & 0xF]);
    bits >>= 4;
  }
  return s;
}

// The NDJSON inside a batch.
std::string Unpack(const Batch& batch) {
  if (!batch.gzip) return batch.body;
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string out(batch.raw_bytes, '\0');
  size_t actual = 0;
  const auto r = libdeflate_gzip_decompress(d, batch.body.data(), batch.body.size(), out.data(),
                                            out.size(), &actual);
  libdeflate_free_decompressor(d);
  EXPECT_EQ(r, LIBDEFLATE_SUCCESS);
  out.resize(actual);
  return out;
}

std::vector<std::string> SplitLines(const std::string& ndjson) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = ndjson.find('\n'); nl != std::string::npos; nl = ndjson.find('\n', start)) {
    lines.push_back(ndjson.substr(start, nl - start));
    start = nl + 1;
  }
  EXPECT_EQ(start, ndjson.size()) << "the last line must end in a newline";
  return lines;
}

// A transaction like a REST API's execution log gives: realistic headers, ids and a JSON body
// of about `body_bytes`, with enough variety per request that gzip does not flatter it.
model::HttpTransaction RealisticTransaction(std::mt19937_64& rng, size_t body_bytes = 600) {
  static const char* kPaths[] = {
      "/pets",   "/pets/{petId}", "/orders/{orderId}/items", "/users/{userId}/profile",
      "/search", "/inventory"};
  static const char* kAgents[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36",
      "okhttp/4.12.0", "python-requests/2.31.0", "aws-sdk-java/2.21.0 Linux/5.10 OpenJDK/17",
      "PostmanRuntime/7.36.0"};
  model::HttpTransaction tx;
  tx.id = RandomHex(rng, 32);
  tx.request_id = RandomHex(rng, 8) + "-" + RandomHex(rng, 4) + "-" + RandomHex(rng, 4) + "-" +
                  RandomHex(rng, 4) + "-" + RandomHex(rng, 12);
  tx.extended_request_id = RandomHex(rng, 16) + "=";
  tx.api_id = "a1b2c3d4e5";
  tx.stage = "prod";
  tx.account_id = "123456789012";
  tx.api_kind = model::ApiKind::kRest;
  tx.method = (rng() % 3 == 0) ? "POST" : "GET";
  tx.resource_path = kPaths[rng() % 6];
  tx.path = "/pets/" + std::to_string(rng() % 100000);
  tx.status = (rng() % 10 == 0) ? 404 : 200;
  tx.response_latency_ms = static_cast<int64_t>(rng() % 900);
  tx.integration_latency_ms = tx.response_latency_ms - 3;
  tx.request_time_ms = 1700000000000 + static_cast<int64_t>(rng() % 3600000);
  tx.source_ip = std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                 std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
  tx.user_agent = kAgents[rng() % 5];
  tx.log_group = "API-Gateway-Execution-Logs_a1b2c3d4e5/prod";
  tx.log_stream = RandomHex(rng, 32);
  tx.event_id = std::to_string(rng()) + std::to_string(rng());
  tx.source = model::LogSource::kExecutionLog;
  tx.coverage = model::Coverage::kFull;
  tx.event_count = 8 + static_cast<uint32_t>(rng() % 10);
  tx.request_headers.logged = true;
  tx.request_headers.Add("Host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com");
  tx.request_headers.Add("User-Agent", tx.user_agent);
  tx.request_headers.Add("Accept", "application/json");
  tx.request_headers.Add("Authorization", "Bearer eyJhbGciOi." + RandomHex(rng, 40));
  tx.request_headers.Add("X-Amzn-Trace-Id",
                         "Root=1-" + RandomHex(rng, 8) + "-" + RandomHex(rng, 24));
  tx.request_headers.Add("X-Forwarded-For", tx.source_ip);
  tx.request_headers.Add("X-Forwarded-Port", "443");
  tx.request_headers.Add("X-Forwarded-Proto", "https");
  tx.response_headers.logged = true;
  tx.response_headers.Add("Content-Type", "application/json");
  tx.response_headers.Add("x-amzn-RequestId", tx.request_id);
  tx.response_headers.Add("x-amz-apigw-id", RandomHex(rng, 16));
  tx.response_body.present = true;
  tx.response_body.content_type = "application/json";
  std::string& body = tx.response_body.text;
  body = "{\"items\":[";
  while (body.size() < body_bytes) {
    body += "{\"id\":" + std::to_string(rng() % 1000000) + ",\"name\":\"pet-" + RandomHex(rng, 6) +
            "\",\"price\":" + std::to_string(rng() % 10000) + "." + std::to_string(rng() % 100) +
            ",\"tags\":[\"" + (rng() % 2 ? "dog" : "cat") +
            "\"],\"available\":" + (rng() % 2 ? "true" : "false") + "},";
  }
  body.back() = ']';
  body += "}";
  return tx;
}

model::HttpTransaction Small(const std::string& id, uint32_t events = 1) {
  model::HttpTransaction tx;
  tx.id = id;
  tx.request_id = "req-" + id;
  tx.method = "GET";
  tx.path = "/x";
  tx.event_count = events;
  return tx;
}

std::vector<Batch> Drain(Batcher& batcher) {
  std::vector<Batch> out;
  while (auto b = batcher.TakeReady()) out.push_back(std::move(*b));
  return out;
}

TEST(BatcherTest, NeverExceedsTheCapAndKeepsEveryLineInOrder) {
  std::mt19937_64 rng(42);
  for (bool gzip : {true, false}) {
    for (size_t cap : {size_t{4096}, size_t{20000}, size_t{150000}}) {
      SCOPED_TRACE("gzip=" + std::to_string(gzip) + " cap=" + std::to_string(cap));
      Batcher batcher({.max_bytes = cap, .max_records = 500, .gzip = gzip});
      std::vector<std::string> expected;  // Ids in order.
      std::vector<Batch> batches;
      uint64_t events = 0;
      for (int i = 0; i < 300; ++i) {
        // Mostly small, some large, a few that do not fit the cap at all, some incompressible.
        const size_t pick = rng() % 100;
        const size_t body = pick < 70 ? rng() % 800 : pick < 95 ? rng() % 20000 : rng() % 200000;
        model::HttpTransaction tx = RealisticTransaction(rng, body);
        if (rng() % 4 == 0) tx.request_body = {.present = true, .text = RandomHex(rng, body)};
        expected.push_back(tx.id);
        events += tx.event_count;
        batcher.Add(tx);
        for (Batch& b : Drain(batcher)) batches.push_back(std::move(b));
      }
      batcher.Flush();
      for (Batch& b : Drain(batcher)) batches.push_back(std::move(b));
      EXPECT_TRUE(batcher.empty());

      std::vector<std::string> ids;
      uint64_t batch_events = 0;
      for (const Batch& b : batches) {
        ASSERT_LE(b.body.size(), cap);
        ASSERT_GT(b.records, 0u);
        ASSERT_LE(b.records, 500u);
        EXPECT_EQ(b.gzip, gzip);
        const std::vector<std::string> lines = SplitLines(Unpack(b));
        ASSERT_EQ(lines.size(), b.records);
        EXPECT_EQ(b.raw_bytes, Unpack(b).size());
        std::string key_input;
        uint32_t shrunk = 0;
        for (const std::string& line : lines) {
          const nlohmann::json j = nlohmann::json::parse(line);
          ids.push_back(j.at("id").get<std::string>());
          key_input += ids.back() + "\n";
          shrunk += j.contains("shrunk") ? 1 : 0;
        }
        EXPECT_EQ(b.shrunk, shrunk);
        EXPECT_EQ(b.idempotency_key, Sha256Hex(key_input));
        batch_events += b.events;
      }
      EXPECT_EQ(ids, expected);
      EXPECT_EQ(batch_events, events);
      EXPECT_EQ(batcher.stats().records, expected.size());
      EXPECT_EQ(batcher.stats().events, events);
    }
  }
}

TEST(BatcherTest, ClosesABatchAtMaxRecords) {
  Batcher batcher({.max_records = 3});
  for (int i = 0; i < 10; ++i) {
    model::HttpTransaction tx = Small("id" + std::to_string(i));
    batcher.Add(tx);
  }
  std::vector<Batch> batches = Drain(batcher);
  ASSERT_EQ(batches.size(), 3u);
  for (const Batch& b : batches) EXPECT_EQ(b.records, 3u);
  EXPECT_FALSE(batcher.empty());
  EXPECT_EQ(batcher.open_records(), 1u);
  batcher.Flush();
  batches = Drain(batcher);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].records, 1u);
  EXPECT_TRUE(batcher.empty());
}

TEST(BatcherTest, FlushClosesTheOpenBatch) {
  Batcher batcher({});
  batcher.Flush();
  EXPECT_FALSE(batcher.TakeReady().has_value());
  EXPECT_TRUE(batcher.empty());
  model::HttpTransaction a = Small("a", 3), b = Small("b", 4);
  batcher.Add(a);
  batcher.Add(b);
  EXPECT_FALSE(batcher.TakeReady().has_value());
  EXPECT_FALSE(batcher.empty());
  batcher.Flush();
  std::optional<Batch> batch = batcher.TakeReady();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->records, 2u);
  EXPECT_EQ(batch->events, 7u);
  EXPECT_TRUE(batcher.empty());
  EXPECT_FALSE(batcher.TakeReady().has_value());
}

TEST(BatcherTest, GunzipGivesBackTheLinesInOrder) {
  std::mt19937_64 rng(7);
  Batcher batcher({});
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    model::HttpTransaction tx = RealisticTransaction(rng);
    expected += model::TransactionToJson(tx) + "\n";
    batcher.Add(tx);
  }
  batcher.Flush();
  std::optional<Batch> batch = batcher.TakeReady();
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(batch->gzip);
  EXPECT_EQ(batch->body.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(batch->raw_bytes, expected.size());
  EXPECT_EQ(Unpack(*batch), expected);
  EXPECT_LT(batch->body.size(), expected.size() / 2);
}

TEST(BatcherTest, WithoutGzipTheBodyIsTheNdjson) {
  Batcher batcher({.gzip = false});
  model::HttpTransaction a = Small("a");
  batcher.Add(a);
  batcher.Flush();
  std::optional<Batch> batch = batcher.TakeReady();
  ASSERT_TRUE(batch.has_value());
  EXPECT_FALSE(batch->gzip);
  EXPECT_EQ(batch->body, model::TransactionToJson(Small("a")) + "\n");
}

TEST(BatcherTest, ShrinksAndFlagsATransactionThatCannotFit) {
  std::mt19937_64 rng(3);
  for (bool gzip : {true, false}) {
    Batcher batcher({.max_bytes = 8192, .gzip = gzip});
    model::HttpTransaction tx = RealisticTransaction(rng, 100);
    tx.request_body = {
        .present = true, .text = RandomHex(rng, 50000), .content_type = "text/plain"};
    const std::string id = tx.id;
    batcher.Add(tx);
    batcher.Flush();
    std::optional<Batch> batch = batcher.TakeReady();
    ASSERT_TRUE(batch.has_value());
    EXPECT_LE(batch->body.size(), 8192u);
    EXPECT_EQ(batch->shrunk, 1u);
    EXPECT_EQ(batcher.stats().shrunk, 1u);
    const nlohmann::json j = nlohmann::json::parse(SplitLines(Unpack(*batch)).at(0));
    EXPECT_EQ(j.at("shrunk"), true);
    EXPECT_EQ(j.at("id"), id);
    EXPECT_EQ(j.at("request_body").at("indicator"), true);
    // The transform's indicator vocabulary, so the collector knows one form of "cut".
    EXPECT_NE(j.at("request_body").at("text").get<std::string>().find("gatescope_body_truncated"),
              std::string::npos);
    EXPECT_EQ(j.at("request_body").at("truncated"), true);
    // Bodies alone were enough: the headers are still there.
    EXPECT_EQ(j.at("request_headers").at("entries").size(), 8u);
    EXPECT_TRUE(tx.request_body.indicator);  // The caller's transaction shows what was shipped.
  }
}

TEST(BatcherTest, ShrinkDropsHeadersWhenCuttingValuesIsNotEnough) {
  std::mt19937_64 rng(5);
  Batcher batcher({.max_bytes = 8192, .gzip = false});
  model::HttpTransaction tx = RealisticTransaction(rng, 100);
  for (int i = 0; i < 200; ++i)
    tx.request_headers.Add("X-H" + std::to_string(i), RandomHex(rng, 300));
  batcher.Add(tx);
  batcher.Flush();
  std::optional<Batch> batch = batcher.TakeReady();
  ASSERT_TRUE(batch.has_value());
  EXPECT_LE(batch->body.size(), 8192u);
  const nlohmann::json j = nlohmann::json::parse(SplitLines(batch->body).at(0));
  EXPECT_EQ(j.at("shrunk"), true);
  EXPECT_TRUE(j.at("request_headers").at("entries").empty());
  EXPECT_EQ(j.at("request_headers").at("truncated"), true);
  EXPECT_EQ(j.at("request_id"), tx.request_id);
}

TEST(BatcherTest, ShrinksEvenPathologicalFieldsToFitTheSmallestCap) {
  Batcher batcher({.max_bytes = 1, .gzip = false});  // Raised to kMinBatchBytes.
  model::HttpTransaction tx = Small("id-1", 2);
  // Every text field full of bytes escaped as \u0001 (six bytes each).
  model::ForEachTextField(tx, [](std::string& s) { s = std::string(5000, '\x01'); });
  tx.error_message = std::string(100000, '"');
  batcher.Add(tx);
  batcher.Flush();
  std::optional<Batch> batch = batcher.TakeReady();
  ASSERT_TRUE(batch.has_value());
  EXPECT_LE(batch->body.size(), kMinBatchBytes);
  EXPECT_EQ(batch->shrunk, 1u);
  EXPECT_EQ(batch->events, 2u);
  const nlohmann::json j = nlohmann::json::parse(SplitLines(batch->body).at(0));
  EXPECT_EQ(j.at("id"), "id-1");
  EXPECT_EQ(j.at("request_id").get<std::string>(), std::string(32, '\x01'));
}

TEST(BatcherTest, IdempotencyKeyIsStableAndOrderSensitive) {
  auto key = [](const std::vector<std::string>& ids) {
    Batcher batcher({});
    for (const std::string& id : ids) {
      model::HttpTransaction tx = Small(id);
      batcher.Add(tx);
    }
    batcher.Flush();
    return batcher.TakeReady()->idempotency_key;
  };
  const std::string ab = key({"a", "b"});
  EXPECT_EQ(ab.size(), 64u);
  EXPECT_EQ(ab, key({"a", "b"}));
  EXPECT_EQ(ab, Sha256Hex("a\nb\n"));
  EXPECT_NE(ab, key({"b", "a"}));
  EXPECT_NE(ab, key({"a", "b", "c"}));
  EXPECT_NE(key({"ab"}), key({"a", "b"}));  // Boundaries count.
}

TEST(BatcherTest, TransactionsWithoutIdsKeyOnTheirContent) {
  Batcher batcher({});
  model::HttpTransaction tx = Small("");
  batcher.Add(tx);
  batcher.Flush();
  const std::string line = model::TransactionToJson(Small(""));
  EXPECT_EQ(batcher.TakeReady()->idempotency_key, Sha256Hex(Sha256Hex(line) + "\n"));
}

TEST(BatcherTest, SumsEvents) {
  Batcher batcher({.max_records = 4});
  uint64_t total = 0;
  for (uint32_t i = 1; i <= 8; ++i) {
    model::HttpTransaction tx = Small(std::to_string(i), i);
    total += i;
    batcher.Add(tx);
  }
  std::vector<Batch> batches = Drain(batcher);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].events, 1u + 2 + 3 + 4);
  EXPECT_EQ(batches[1].events, 5u + 6 + 7 + 8);
  EXPECT_EQ(batcher.stats().events, total);
}

// Fill ratio on realistic transactions at the real cap (reported; the target is >= 90%).
TEST(BatcherTest, FillsBatchesToAtLeastNinetyPercentOfTheCap) {
  std::mt19937_64 rng(11);
  Batcher batcher({});
  std::vector<Batch> batches;
  uint64_t raw = 0;
  const auto start = std::chrono::steady_clock::now();
  while (batches.size() < 4) {
    model::HttpTransaction tx =
        RealisticTransaction(rng, rng() % 10 == 0 ? 20000 + rng() % 60000 : 200 + rng() % 1500);
    batcher.Add(tx);
    for (Batch& b : Drain(batcher)) {
      raw += b.raw_bytes;
      batches.push_back(std::move(b));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double min_fill = 1.0, sum_fill = 0;
  for (const Batch& b : batches) {
    const double fill = static_cast<double>(b.body.size()) / 1e6;
    EXPECT_LE(b.body.size(), 1000000u);
    min_fill = std::min(min_fill, fill);
    sum_fill += fill;
  }
  const BatcherStats& stats = batcher.stats();
  std::printf(
      "fill: min %.3f mean %.3f over %zu batches; %.1f records/batch; ratio %.3f; "
      "%.2f compressions/batch; gzip %.1f MB/s of NDJSON; total %.1f MB/s\n",
      min_fill, sum_fill / static_cast<double>(batches.size()), batches.size(),
      static_cast<double>(stats.records) / static_cast<double>(stats.batches),
      static_cast<double>(stats.wire_bytes) / static_cast<double>(stats.raw_bytes),
      static_cast<double>(stats.compressions) / static_cast<double>(stats.batches),
      static_cast<double>(raw) / 1e6 / (static_cast<double>(stats.compress_ns) / 1e9),
      static_cast<double>(raw) / 1e6 / seconds);
  EXPECT_GE(min_fill, 0.90);
}

}  // namespace
}  // namespace gatescope::delivery
