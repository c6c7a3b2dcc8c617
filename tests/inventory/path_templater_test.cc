// Template inference on the path tree, through the Inventory (the way discover uses it).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "inventory/inventory.h"

namespace gatescope::inventory {
namespace {

using model::HttpTransaction;

class Traffic {
 public:
  explicit Traffic(DiscoveryOptions options = {}) : inv_(std::move(options)) {}

  // `n` requests of `method path` through a greedy proxy resource, answered `status`.
  void Send(const std::string& method, const std::string& path, int n = 1, int status = 200) {
    for (int i = 0; i < n; ++i) {
      HttpTransaction tx;
      tx.api_id = "a1b2c3d4e5";
      tx.stage = "prod";
      tx.api_kind = model::ApiKind::kRest;
      tx.method = method;
      tx.path = path;
      tx.resource_path = "/{proxy+}";
      tx.status = status;
      inv_.Add(tx);
    }
  }

  // "METHOD path" of every endpoint rendered.
  std::set<std::string> Endpoints(const DiscoveryOptions* options = nullptr) const {
    std::set<std::string> out;
    auto snap = options == nullptr ? inv_.Render() : inv_.Render(*options);
    for (const auto& e : snap.endpoints) out.insert(e.key.method + " " + e.key.path);
    return out;
  }
  Inventory::Snapshot Render() const { return inv_.Render(); }

 private:
  Inventory inv_;
};

TEST(PathTemplaterTest, IdentifiersBecomeParametersAndConstantSiblingsStay) {
  Traffic t;
  for (int i = 0; i < 30; ++i) {
    t.Send("GET", "/users/" + std::to_string(1000 + i * 7), 2);
    t.Send("GET", "/users/" + std::to_string(1000 + i * 7) + "/orders", 1 + i % 2);
  }
  t.Send("GET", "/users/me", 40);
  t.Send("GET", "/users/3fa85f64-5717-4562-b3fc-2c963f66afa6", 2);
  EXPECT_EQ(t.Endpoints(), (std::set<std::string>{"GET /users/me", "GET /users/{userId}",
                                                   "GET /users/{userId}/orders"}));
}

TEST(PathTemplaterTest, EveryInferredParameterCarriesItsEvidence) {
  Traffic t;
  for (int i = 0; i < 12; ++i) t.Send("GET", "/orders/" + std::to_string(500 + i), 3);
  t.Send("GET", "/orders/all", 10);
  auto snap = t.Render();
  const Inventory::Endpoint* param = nullptr;
  for (const auto& e : snap.endpoints) {
    if (e.key.path == "/orders/{orderId}") param = &e;
  }
  ASSERT_NE(param, nullptr);
  ASSERT_EQ(param->evidence.size(), 1u);
  const ParamEvidence& ev = param->evidence[0];
  EXPECT_EQ(ev.name, "orderId");
  EXPECT_EQ(ev.rule, "identifier_class");
  EXPECT_EQ(ev.requests, 36u);
  EXPECT_NEAR(static_cast<double>(ev.distinct_values), 12, 3);
  ASSERT_EQ(ev.classes.size(), 1u);
  EXPECT_EQ(ev.classes[0].first, classify::SegmentClass::kInteger);
  EXPECT_EQ(ev.constant_siblings, std::vector<std::string>{"all"});
  for (const std::string& x : ev.examples) EXPECT_EQ(x.find("50"), std::string::npos) << x;
  EXPECT_EQ(param->stats.template_source, model::TemplateSource::kInferred);
  EXPECT_EQ(param->stats.route, "/{proxy+}");
}

TEST(PathTemplaterTest, NamesMergeByCardinalityButVocabularyStaysLiteral) {
  Traffic t;
  for (const char* name : {"jsmith", "alice_w", "marguerite", "bob1987", "kowalczyk", "ngozi",
                           "tanaka_h", "svetlana", "oduya", "quentin"}) {
    t.Send("GET", std::string("/profiles/") + name, 3);
    t.Send("POST", std::string("/profiles/") + name + "/follow", 2);
  }
  // Seven vocabulary words with the same shape: an API's own names, however many.
  for (const char* word : {"create-multipart", "abort-multipart", "complete-multipart",
                           "generate-presigned-put", "complete-external-upload",
                           "batch-presign-multipart-parts", "lookup"}) {
    t.Send("POST", std::string("/uploads/") + word + ".json", 3);
  }
  auto endpoints = t.Endpoints();
  EXPECT_TRUE(endpoints.count("GET /profiles/{profile}")) << ::testing::PrintToString(endpoints);
  EXPECT_TRUE(endpoints.count("POST /profiles/{profile}/follow"));
  EXPECT_TRUE(endpoints.count("POST /uploads/create-multipart.json"));
  EXPECT_TRUE(endpoints.count("POST /uploads/lookup.json"));
  EXPECT_EQ(endpoints.size(), 9u) << ::testing::PrintToString(endpoints);
}

TEST(PathTemplaterTest, FileSuffixesStayOnTheParameter) {
  Traffic t;
  for (int i = 0; i < 8; ++i) {
    t.Send("GET", "/t/" + std::to_string(80 + i) + ".json", 2);
    t.Send("PUT", "/t/" + std::to_string(80 + i) + "/status.json", 2);
  }
  t.Send("GET", "/t/latest.json", 5);
  EXPECT_EQ(t.Endpoints(), (std::set<std::string>{"GET /t/{id}.json", "PUT /t/{id}/status.json",
                                                   "GET /t/latest.json"}));
}

TEST(PathTemplaterTest, ScannerNoiseAndRareEndpointsAreCountedApart) {
  Traffic t;
  t.Send("GET", "/health", 5);
  for (const char* p : {"/wp-admin/setup.php", "/.env", "/phpmyadmin/", "/admin/config.bak"}) {
    t.Send("GET", p, 3, 404);
  }
  t.Send("GET", "/rarely-used", 1);
  auto snap = t.Render();
  ASSERT_EQ(snap.endpoints.size(), 1u);
  EXPECT_EQ(snap.endpoints[0].key.path, "/health");
  const GatedCounts& g = snap.gated.at({"a1b2c3d4e5", "prod"});
  EXPECT_EQ(g.noise_paths, 4u);
  EXPECT_EQ(g.noise_requests, 12u);
  EXPECT_EQ(g.below_threshold_endpoints, 1u);
  EXPECT_EQ(g.below_threshold_requests, 1u);
}

TEST(PathTemplaterTest, HintsAndThresholdsApplyToTheWholeHistory) {
  Traffic t;
  for (const char* f : {"report", "summary", "ledger", "invoice", "receipt"}) {
    t.Send("GET", std::string("/files/") + f, 2);
  }
  EXPECT_EQ(t.Endpoints().size(), 5u);  // Vocabulary: literal by default.

  DiscoveryOptions forced;
  forced.force_templates.push_back({"*", "/files/{fileName}"});
  auto snap = t.Render();
  EXPECT_EQ(t.Endpoints(&forced), std::set<std::string>{"GET /files/{fileName}"});

  DiscoveryOptions many;
  many.high_cardinality = 5;
  EXPECT_EQ(t.Endpoints(&many), std::set<std::string>{"GET /files/{file}"});

  DiscoveryOptions strict;
  strict.min_requests = 3;
  EXPECT_TRUE(t.Endpoints(&strict).empty());
}

TEST(PathTemplaterTest, LiteralPrefixKeepsEverySegmentBelowIt) {
  DiscoveryOptions options;
  options.literal_prefixes.push_back({"*", "/errors"});
  Traffic t(options);
  for (int code : {400, 401, 403, 404, 500}) t.Send("GET", "/errors/" + std::to_string(code), 2);
  for (int i = 0; i < 5; ++i) t.Send("GET", "/items/" + std::to_string(i + 10), 2);
  auto endpoints = t.Endpoints();
  EXPECT_TRUE(endpoints.count("GET /errors/404"));
  EXPECT_TRUE(endpoints.count("GET /items/{itemId}"));
  EXPECT_EQ(endpoints.size(), 6u);
}

TEST(PathTemplaterTest, TreeStaysBoundedUnderUniqueWords) {
  DiscoveryOptions options;
  options.max_literal_children = 50;
  Traffic t(options);
  for (int i = 0; i < 5000; ++i) {
    std::string word;
    for (int v = i; word.size() < 6; v = v / 26 + 7) word += static_cast<char>('a' + v % 26);
    t.Send("GET", "/search/" + word, 1);
  }
  auto snap = t.Render();
  ASSERT_EQ(snap.endpoints.size(), 1u) << snap.endpoints[1].key.path;
  EXPECT_EQ(snap.endpoints[0].key.path, "/search/{search}");
  EXPECT_EQ(snap.endpoints[0].stats.requests, 5000u);
}

TEST(TemplateMatchesTest, LiteralsParametersAndSuffixes) {
  EXPECT_TRUE(TemplateMatches("/files/{name}", "/files/a.txt"));
  EXPECT_TRUE(TemplateMatches("/files/{name}", "/files/{fileId}"));
  EXPECT_FALSE(TemplateMatches("/files/{name}", "/files"));
  EXPECT_FALSE(TemplateMatches("/files/{name}", "/files/a/b"));
  EXPECT_TRUE(TemplateMatches("/t/{id}.json", "/t/42.json"));
  EXPECT_FALSE(TemplateMatches("/t/{id}.json", "/t/42"));
  EXPECT_TRUE(TemplateMatches("/", "/"));
}

}  // namespace
}  // namespace gatescope::inventory
