// Checks the reassembly against fixtures whose ground truth comes from the generator's own
// model of each request (tests/fixtures/execution/generate.py), not from our code; then
// perturbs them at random (shuffle, cut, loss) and checks that no request is merged with
// another, lost, or counted twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "parsers/apigw_execution/execution_assembler.h"
#include "tests/support/decode_records.h"
#include "tests/support/test_util.h"

namespace gatescope::parsers::apigw_execution {
namespace {

using Json = nlohmann::json;
using model::HttpTransaction;
using testing::OwnedRecord;

std::vector<OwnedRecord> Decode(const std::string& data, const std::string& log_group) {
  testing::Decoded d = testing::DecodeBytes(data, decoders::InputFormat::kAuto,
                                            {.default_log_group = log_group});
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  return d.records;
}

struct Assembled {
  std::vector<HttpTransaction> transactions;
  pipeline::EventCounters counters;
};

Assembled Assemble(const std::vector<OwnedRecord>& records, AssemblerOptions options = {}) {
  Assembled out;
  ExecutionAssembler assembler(options, &out.counters,
                               [&](HttpTransaction& tx) { out.transactions.push_back(tx); });
  for (const OwnedRecord& o : records) {
    out.counters.AddReceived();
    assembler.Add(o.View());
  }
  assembler.Flush();
  return out;
}

struct Fixture {
  std::string name;
  std::vector<OwnedRecord> records;
  Json truth;
};

std::vector<Fixture> LoadFixtures() {
  std::vector<Fixture> out;
  std::filesystem::path dir = testing::FixturePath("execution/generated");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string file = entry.path().filename().string();
    if (file.find(".truth.json") != std::string::npos) continue;
    std::string stem = file.substr(0, file.rfind('.'));
    Fixture f;
    f.name = file;
    f.truth = Json::parse(testing::ReadFile((dir / (stem + ".truth.json")).string()));
    f.records = Decode(testing::ReadFile(entry.path().string()), f.truth["log_group"]);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

void ExpectMatchesTruth(const HttpTransaction& tx, const Json& t, const std::string& where) {
  SCOPED_TRACE(where + " request " + tx.request_id);
  auto expect_string = [&](const char* key, const std::string& actual) {
    if (t.contains(key) && !t[key].is_null()) {
      EXPECT_EQ(actual, t[key].get<std::string>()) << key;
    }
  };
  expect_string("method", tx.method);
  expect_string("path", tx.path);
  expect_string("resource_path", tx.resource_path);
  expect_string("api_id", tx.api_id);
  expect_string("stage", tx.stage);
  expect_string("error_kind", std::string(model::ErrorKindName(tx.error_kind)));
  if (!t["status"].is_null()) {
    EXPECT_EQ(tx.status, t["status"].get<int>());
  }
  if (!t["integration_latency_ms"].is_null()) {
    EXPECT_EQ(tx.integration_latency_ms, t["integration_latency_ms"].get<int64_t>());
  }
  EXPECT_EQ(tx.partial, t["partial"].get<bool>());
  EXPECT_EQ(tx.request_body.truncated, t["request_body_truncated"].get<bool>());
  EXPECT_EQ(tx.response_body.truncated, t["response_body_truncated"].get<bool>());
  for (const auto& [name, value] : t["query"].items()) {
    const model::Field* f = tx.query_params.Find(name);
    ASSERT_NE(f, nullptr) << "query " << name;
    EXPECT_EQ(f->value, value.get<std::string>()) << "query " << name;
    EXPECT_FALSE(f->value_truncated) << "query " << name;
  }
  for (const Json& name : t["request_header_names"]) {
    const model::Field* f = tx.request_headers.Find(name.get<std::string>());
    ASSERT_NE(f, nullptr) << "header " << name;
  }
}

TEST(ExecutionOracleTest, EveryGeneratedRequestIsRebuiltAsItsTruthSays) {
  std::vector<Fixture> fixtures = LoadFixtures();
  ASSERT_GE(fixtures.size(), 12u);
  for (const Fixture& f : fixtures) {
    Assembled a = Assemble(f.records);
    std::map<std::string, const Json*> truth;
    uint64_t events = 0;
    for (const Json& r : f.truth["requests"]) {
      truth[r["request_id"]] = &r;
      events += r["events"].get<uint64_t>();
    }
    EXPECT_EQ(a.transactions.size(), truth.size()) << f.name;
    EXPECT_EQ(a.counters.accepted(), events) << f.name;
    EXPECT_EQ(a.counters.dropped(), 0u) << f.name;
    std::set<std::string> seen;
    for (const HttpTransaction& tx : a.transactions) {
      EXPECT_TRUE(seen.insert(tx.request_id).second) << f.name << " twice: " << tx.request_id;
      auto it = truth.find(tx.request_id);
      ASSERT_NE(it, truth.end()) << f.name << " unknown request " << tx.request_id;
      ExpectMatchesTruth(tx, *it->second, f.name);
    }
  }
}

// Random cuts, losses and reorderings: never a crash, never two requests merged, never one
// lost or emitted twice, and every event accounted for.
TEST(ExecutionOracleTest, PropertyRandomTruncationAndInterleaving) {
  std::vector<Fixture> fixtures = LoadFixtures();
  std::mt19937 rng(20261121);
  for (int round = 0; round < 150; ++round) {
    const Fixture& f = fixtures[round % fixtures.size()];
    std::vector<OwnedRecord> records = f.records;
    std::shuffle(records.begin(), records.end(), rng);
    std::vector<OwnedRecord> kept;
    for (OwnedRecord& r : records) {
      uint32_t dice = rng() % 100;
      if (dice < 5) continue;  // Lost.
      if (dice < 30 && r.message.size() > 2) {
        r.message.resize(rng() % r.message.size());
        r.message += " [TRUNCATED]";
      }
      if (dice >= 95) r.timestamp_ms = -1;
      kept.push_back(r);
    }
    AssemblerOptions options;
    if (round % 3 == 1) options.max_open_requests = 2;
    if (round % 3 == 2) options.max_open_bytes = 8192;
    Assembled a = Assemble(kept, options);
    EXPECT_EQ(a.counters.received(), a.counters.accepted() + a.counters.dropped() +
                                         a.counters.filtered());
    std::set<std::string> ids_in_input;
    for (const Json& r : f.truth["requests"]) {
      std::string id = r["request_id"];
      if (std::any_of(kept.begin(), kept.end(), [&](const OwnedRecord& o) {
            return o.message.size() > id.size() + 2 && o.message.compare(1, id.size(), id) == 0 &&
                   o.message[id.size() + 1] == ')';
          })) {
        ids_in_input.insert(id);
      }
    }
    std::map<std::string, int> emitted;
    for (const HttpTransaction& tx : a.transactions) {
      ++emitted[tx.request_id];
      // Not merged: a method or path the request shows belongs to that request.
      for (const Json& r : f.truth["requests"]) {
        if (r["request_id"] != tx.request_id) continue;
        if (!tx.method.empty() && !r["method"].is_null() && !r["path"].is_null() &&
            tx.path == r["path"].get<std::string>()) {
          EXPECT_EQ(tx.method, r["method"].get<std::string>());
        }
        if (!tx.path.empty() && !r["path"].is_null() && tx.path.size() == r["path"].get<std::string>().size()) {
          EXPECT_EQ(tx.path, r["path"].get<std::string>()) << f.name;
        }
      }
    }
    // Evictions may split a request when it reappears after closing: it is then counted
    // late, not emitted twice; so each id comes out at most once and every prefixed id once.
    for (const auto& [id, n] : emitted) EXPECT_EQ(n, 1) << f.name << " round " << round << " " << id;
    for (const std::string& id : ids_in_input) {
      EXPECT_EQ(emitted.count(id), 1u) << f.name << " round " << round << " lost " << id;
    }
  }
}

}  // namespace
}  // namespace gatescope::parsers::apigw_execution
