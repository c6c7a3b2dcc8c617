// Inventory::Merge and the inventory codec (inventory_codec.h): merging per-batch inventories
// in any order and grouping renders one inventory; blobs round-trip; corrupt blobs are errors
// that leave the target unchanged; stored history is re-templated with the reader's options.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "inventory/inventory.h"
#include "inventory/inventory_codec.h"
#include "inventory/inventory_json.h"
#include "tests/transform/fixture_transactions.h"

namespace gatescope::inventory {
namespace {

using model::HttpTransaction;

const RunInfo kRun{.generated_at_ms = 0, .counters = {{"events_read", 1}}, .drops = {}};

std::string Json(const Inventory& inv) { return InventoryToJson(inv, inv.Render(), kRun); }

// The fixtures' transactions (execution logs with headers, query strings, bodies and
// authorizers; access logs with resource paths), and variants of them under greedy routes and
// without templates, whose concrete paths need inference: ids, words, values, suffixes.
std::vector<HttpTransaction> Stream() {
  std::vector<HttpTransaction> fixtures = testing::FixtureTransactions();
  std::vector<HttpTransaction> out = fixtures;
  std::mt19937_64 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* words[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};
  const char* tags[] = {"red", "green", "blue", "summer", "winter"};
  const char* authorizers[] = {"auth9", "auth1", "auth5", "auth3"};
  const char* domains[] = {"api.example.com", "b.example.com", "a.example.com"};
  for (int i = 0; i < 1500; ++i) {
    HttpTransaction tx = fixtures[pick(fixtures.size())];
    tx.supplement = false;
    int shape = static_cast<int>(pick(8));
    std::string id = std::to_string(1000 + pick(400));
    switch (shape) {
      case 0:
        tx.path = "/users/" + id + "/orders";
        break;
      case 1:
        tx.path = "/users/" + id;
        break;
      case 2:
        tx.path = "/users/me";
        break;
      case 3:
        tx.path = "/people/" + std::string(words[pick(7)]) + "/profile";
        break;
      case 4:
        tx.path = "/reports/" + id + ".json";
        break;
      case 5:
        tx.path = "/tags/" + std::string(tags[pick(5)]);
        break;
      case 6:
        tx.path = "/items/550e8400-e29b-41d4-a716-44665544" + std::to_string(1000 + pick(9000));
        break;
      default:
        tx.path = "/health";
        break;
    }
    if (pick(2) == 0) {
      tx.resource_path = "/{proxy+}";
      tx.route_key.clear();
      tx.api_kind = model::ApiKind::kRest;
    } else {
      tx.resource_path.clear();
      tx.route_key = "$default";
      tx.api_kind = model::ApiKind::kHttp;
    }
    tx.method = pick(4) == 0 ? "POST" : "GET";
    tx.api_id = pick(3) == 0 ? "zz99api" : "aa11api";
    tx.stage = "prod";
    tx.status = pick(10) == 0 ? 404 : (pick(10) == 0 ? 500 : 200);
    tx.request_time_ms = 1700000000000 + static_cast<int64_t>(pick(1000000));
    tx.response_latency_ms = static_cast<int64_t>(pick(3000));
    tx.integration_latency_ms = pick(5) == 0 ? -1 : static_cast<int64_t>(pick(2000));
    tx.domain_name = domains[pick(3)];
    tx.authorizer_id = pick(3) == 0 ? authorizers[pick(4)] : "";
    if (pick(3) == 0) tx.query = "page=" + std::to_string(pick(50)) + "&sort=" + words[pick(7)];
    out.push_back(std::move(tx));
  }
  // Unattributed lines count too.
  HttpTransaction nothing;
  out.push_back(nothing);
  return out;
}

std::vector<std::vector<size_t>> RandomBatches(size_t n, std::mt19937_64& rng) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::vector<std::vector<size_t>> batches;
  // Batches in stream order (as the connector cuts them), of random sizes.
  for (size_t at = 0; at < n;) {
    size_t size = 1 + static_cast<size_t>(rng() % 150);
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(at),
                         order.begin() + static_cast<std::ptrdiff_t>(std::min(n, at + size)));
    at += size;
  }
  return batches;
}

std::vector<std::unique_ptr<Inventory>> BuildBatches(
    const std::vector<HttpTransaction>& txs, const std::vector<std::vector<size_t>>& batches) {
  std::vector<std::unique_ptr<Inventory>> out;
  for (const auto& batch : batches) {
    auto inv = std::make_unique<Inventory>();
    for (size_t i : batch) inv->Add(txs[i]);
    out.push_back(std::move(inv));
  }
  return out;
}

// Merges `parts` pairwise in a random grouping until one is left, sometimes through the codec.
std::unique_ptr<Inventory> MergeRandomly(std::vector<std::unique_ptr<Inventory>> parts,
                                         std::mt19937_64& rng) {
  while (parts.size() > 1) {
    size_t a = static_cast<size_t>(rng() % parts.size());
    size_t b = static_cast<size_t>(rng() % (parts.size() - 1));
    if (b >= a) ++b;
    if (rng() % 3 == 0) {
      EXPECT_TRUE(MergeEncodedInventory(EncodeInventory(*parts[b]), parts[a].get()).ok());
    } else {
      parts[a]->Merge(*parts[b]);
    }
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(b));
  }
  auto into = std::make_unique<Inventory>();
  into->Merge(*parts[0]);
  return into;
}

// What must equal the single inventory's: the endpoints and how many requests each had, and
// per API stage the requests and what was gated.
std::string Totals(const Inventory& inv) {
  Inventory::Snapshot snap = inv.Render();
  std::string out = "unattributed " + std::to_string(snap.unattributed) + "\n";
  for (const Inventory::Endpoint& e : snap.endpoints) {
    out += e.key.api_id + " " + e.key.stage + " " + e.key.method + " " + e.key.path + " " +
           std::to_string(e.stats.requests) + "\n";
  }
  for (const auto& [id, info] : snap.api_stages) {
    out += id.first + "/" + id.second + " " + std::to_string(info.requests) + "\n";
  }
  for (const auto& [id, g] : snap.gated) {
    out += id.first + "/" + id.second + " gated " + std::to_string(g.noise_requests) + " " +
           std::to_string(g.below_threshold_requests) + "\n";
  }
  return out;
}

TEST(InventoryMergeTest, AnyOrderAndGroupingRendersTheSameInventory) {
  std::vector<HttpTransaction> txs = Stream();
  Inventory single;
  for (const HttpTransaction& tx : txs) single.Add(tx);
  ASSERT_GT(single.Render().endpoints.size(), 10u);

  for (uint64_t seed : {1, 2, 3, 4}) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<size_t>> batches = RandomBatches(txs.size(), rng);
    ASSERT_GT(batches.size(), 5u);

    // In stream order, one after the other.
    Inventory sequential;
    for (const auto& part : BuildBatches(txs, batches)) sequential.Merge(*part);
    std::string expected = Json(sequential);
    EXPECT_EQ(Totals(sequential), Totals(single)) << "seed " << seed;

    // Shuffled, one after the other.
    {
      auto parts = BuildBatches(txs, batches);
      std::shuffle(parts.begin(), parts.end(), rng);
      Inventory shuffled;
      for (const auto& part : parts) shuffled.Merge(*part);
      EXPECT_EQ(Json(shuffled), expected) << "seed " << seed;
    }
    // In random groupings, partly through blobs.
    for (int round = 0; round < 3; ++round) {
      auto merged = MergeRandomly(BuildBatches(txs, batches), rng);
      EXPECT_EQ(Json(*merged), expected) << "seed " << seed << " round " << round;
    }
    // From the blobs alone, in reverse order.
    {
      auto parts = BuildBatches(txs, batches);
      Inventory from_blobs;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(**it), &from_blobs).ok());
      }
      EXPECT_EQ(Json(from_blobs), expected) << "seed " << seed;
    }
  }
}

TEST(InventoryMergeTest, MergingIntoAnEmptyInventoryRendersTheSame) {
  std::vector<HttpTransaction> txs = Stream();
  Inventory single;
  for (const HttpTransaction& tx : txs) single.Add(tx);
  Inventory copy;
  EXPECT_TRUE(copy.empty());
  copy.Merge(single);
  EXPECT_FALSE(copy.empty());
  EXPECT_EQ(Json(copy), Json(single));
}

TEST(InventoryMergeTest, OrderDependentFieldsKeepTheSmallest) {
  auto tx = [](std::string authorizer, std::string domain, std::string query, int64_t t) {
    HttpTransaction x;
    x.api_id = "a1";
    x.stage = "prod";
    x.method = "GET";
    x.path = "/pets/1";
    x.resource_path = "/pets/{id}";
    x.api_kind = model::ApiKind::kRest;
    x.status = 200;
    x.authorizer_id = std::move(authorizer);
    x.domain_name = std::move(domain);
    x.query = std::move(query);
    x.request_time_ms = t;
    return x;
  };
  Inventory a, b;
  a.Add(tx("z-auth", "z.example.com", "q=zebra", 2000));
  a.Add(tx("m-auth", "m.example.com", "q=mouse", 3000));
  b.Add(tx("b-auth", "b.example.com", "q=bee", 1000));
  Inventory ab, ba;
  ab.Merge(a);
  ab.Merge(b);
  ba.Merge(b);
  ba.Merge(a);
  EXPECT_EQ(Json(ab), Json(ba));
  const ApiStageInfo& stage = ab.api_stages().at({"a1", "prod"});
  EXPECT_EQ(stage.domain_names,
            (std::vector<std::string>{"b.example.com", "m.example.com", "z.example.com"}));
  EXPECT_EQ(stage.first_seen_ms, 1000);
  EXPECT_EQ(stage.last_seen_ms, 3000);
  Inventory::Snapshot snap = ab.Render();
  ASSERT_EQ(snap.endpoints.size(), 1u);
  const EndpointStats& s = snap.endpoints[0].stats;
  EXPECT_EQ(s.auth.authorizer_ids, (std::vector<std::string>{"b-auth", "m-auth", "z-auth"}));
  ASSERT_EQ(s.query_params.size(), 1u);
  EXPECT_EQ(s.query_params[0].count, 3u);
  // The smallest of the redacted examples, whichever came first.
  Inventory only_b;
  only_b.Merge(b);
  EXPECT_EQ(s.query_params[0].example,
            std::min(only_b.Render().endpoints.at(0).stats.query_params[0].example,
                     a.Render().endpoints.at(0).stats.query_params[0].example));
}

TEST(InventoryMergeTest, PathTreeBoundsApplyWhenMerging) {
  DiscoveryOptions tight{.min_requests = 1, .max_literal_children = 2, .max_nodes = 6};
  Inventory big;  // Default bounds.
  for (const char* p : {"/alpha/x", "/beta/x", "/gamma/x", "/delta/y/z/w", "/alpha/x/1"}) {
    HttpTransaction tx;
    tx.api_id = "a1";
    tx.method = "GET";
    tx.path = p;
    tx.status = 200;
    big.Add(tx);
  }
  Inventory small(tight);
  small.Merge(big);
  uint64_t requests = 0;
  Inventory::Snapshot snap = small.Render();
  for (const auto& e : snap.endpoints) requests += e.stats.requests;
  for (const auto& [id, g] : snap.gated) requests += g.noise_requests + g.below_threshold_requests;
  EXPECT_EQ(requests, 5u);  // Nothing lost: words beyond the bound went to the overflow child.
  // And the tight inventory's blob decodes again.
  Inventory again(tight);
  ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(small), &again).ok());
  EXPECT_EQ(Json(again), Json(small));
}

TEST(InventoryCodecTest, RoundTripRendersIdentically) {
  std::vector<HttpTransaction> txs = Stream();
  Inventory x;
  for (const HttpTransaction& tx : txs) x.Add(tx);
  std::string blob = EncodeInventory(x);
  Inventory decoded;
  ASSERT_TRUE(MergeEncodedInventory(blob, &decoded).ok());
  EXPECT_EQ(Json(decoded), Json(x));
  // The decoded inventory encodes to the same bytes, and an empty one to a valid blob.
  EXPECT_EQ(EncodeInventory(decoded), blob);
  Inventory empty;
  Inventory still_empty;
  ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(empty), &still_empty).ok());
  EXPECT_TRUE(still_empty.empty());
}

TEST(InventoryCodecTest, MergingABlobEqualsMergingTheObject) {
  std::vector<HttpTransaction> txs = Stream();
  Inventory first, second;
  for (size_t i = 0; i < txs.size(); ++i) (i % 3 == 0 ? first : second).Add(txs[i]);
  Inventory by_object, by_blob;
  by_object.Merge(first);
  by_blob.Merge(first);
  by_object.Merge(second);
  ASSERT_TRUE(MergeEncodedInventory(EncodeInventory(second), &by_blob).ok());
  EXPECT_EQ(Json(by_blob), Json(by_object));
}

// A small inventory that still has every part: a stage, a logged template with content, a
// path tree with a folded node.
std::string SmallBlob() {
  Inventory inv;
  HttpTransaction tx;
  tx.api_id = "a1";
  tx.stage = "s";
  tx.method = "GET";
  tx.path = "/u/42";
  tx.resource_path = "/u/{id}";
  tx.status = 200;
  tx.response_latency_ms = 70;
  tx.request_time_ms = 5;
  tx.source = model::LogSource::kExecutionLog;
  tx.query = "a=1";
  tx.response_body.present = true;
  tx.response_body.content_type = "application/json";
  tx.response_body.text = R"({"id":1,"tags":["x"]})";
  inv.Add(tx);
  tx.resource_path.clear();
  tx.path = "/v/43";
  inv.Add(tx);
  return EncodeInventory(inv);
}

Inventory Holding() {
  Inventory inv;
  HttpTransaction tx;
  tx.api_id = "held";
  tx.method = "GET";
  tx.path = "/a/1";
  tx.status = 200;
  inv.Add(tx);
  return inv;
}

TEST(InventoryCodecTest, EveryTruncationIsAnErrorAndLeavesTheTargetUnchanged) {
  std::string blob = SmallBlob();
  Inventory target = Holding();
  std::string before = Json(target);
  for (size_t n = 0; n < blob.size(); ++n) {
    Status s = MergeEncodedInventory(std::string_view(blob).substr(0, n), &target);
    EXPECT_EQ(s.code(), StatusCode::kParseError) << "truncated at " << n;
    EXPECT_FALSE(s.message().empty());
  }
  EXPECT_EQ(Json(target), before);
  // Trailing bytes are an error too.
  EXPECT_FALSE(MergeEncodedInventory(blob + '\0', &target).ok());
  EXPECT_EQ(Json(target), before);
}

TEST(InventoryCodecTest, FlippedBytesNeverCrashAndErrorsLeaveTheTargetUnchanged) {
  std::string blob = SmallBlob();
  Inventory target = Holding();
  std::string before = Json(target);
  size_t errors = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::string bad = blob;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      Inventory fresh = Holding();
      Status s = MergeEncodedInventory(bad, &fresh);
      if (!s.ok()) {
        ++errors;
        EXPECT_EQ(s.code(), StatusCode::kParseError);
        EXPECT_EQ(Json(fresh), before) << "byte " << i;
      }
    }
  }
  EXPECT_GT(errors, blob.size());  // Most flips are caught (some only change a count).
}

TEST(InventoryCodecTest, WrongMagicOrVersionIsAnError) {
  std::string blob = SmallBlob();
  Inventory target = Holding();
  std::string before = Json(target);
  std::string version = blob;
  version[4] = 3;  // The version varint follows "GSI1".
  Status s = MergeEncodedInventory(version, &target);
  EXPECT_EQ(s.code(), StatusCode::kParseError);
  EXPECT_NE(s.message().find("version 3"), std::string::npos) << s.message();
  std::string magic = blob;
  magic[0] = 'X';
  EXPECT_EQ(MergeEncodedInventory(magic, &target).code(), StatusCode::kParseError);
  EXPECT_EQ(MergeEncodedInventory("", &target).code(), StatusCode::kParseError);
  EXPECT_EQ(Json(target), before);
}

// Version 2 only added a section that version 1 never set: a version-1 blob (here: one with
// no request times, so no traffic section) still decodes, as stores written before it hold.
TEST(InventoryCodecTest, VersionOneBlobsStillDecode) {
  Inventory source;
  for (HttpTransaction tx : testing::FixtureTransactions()) {
    tx.request_time_ms = -1;
    source.Add(tx);
  }
  std::string blob = EncodeInventory(source);
  ASSERT_EQ(blob[4], 2);
  blob[4] = 1;
  Inventory decoded;
  ASSERT_TRUE(MergeEncodedInventory(blob, &decoded).ok());
  EXPECT_EQ(Json(decoded), Json(source));
}

TEST(InventoryCodecTest, StoredHistoryIsRenderedWithTheReadersOptions) {
  Inventory x;
  for (int i = 0; i < 10; ++i) {
    HttpTransaction tx;
    tx.api_id = "a1";
    tx.stage = "prod";
    tx.method = "GET";
    tx.path = "/files/" + std::string(1, static_cast<char>('a' + i)) + "report";
    tx.status = 200;
    x.Add(tx);
  }
  std::string blob = EncodeInventory(x);

  Inventory strict(DiscoveryOptions{.min_requests = 1000});
  ASSERT_TRUE(MergeEncodedInventory(blob, &strict).ok());
  Inventory::Snapshot snap = strict.Render();
  EXPECT_TRUE(snap.endpoints.empty());
  EXPECT_EQ(snap.gated.at({"a1", "prod"}).below_threshold_requests, 10u);

  DiscoveryOptions hinted;
  hinted.force_templates.push_back({"*", "/files/{name}"});
  Inventory with_hint(hinted);
  ASSERT_TRUE(MergeEncodedInventory(blob, &with_hint).ok());
  snap = with_hint.Render();
  ASSERT_EQ(snap.endpoints.size(), 1u);
  EXPECT_EQ(snap.endpoints[0].key.path, "/files/{name}");
  EXPECT_EQ(snap.endpoints[0].stats.requests, 10u);
  EXPECT_EQ(with_hint.options().force_templates.size(), 1u);
}

}  // namespace
}  // namespace gatescope::inventory
