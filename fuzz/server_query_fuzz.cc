// Feeds arbitrary bytes to the inventory API's query code and to the YAML writer, and checks
// their contracts: a parsed filter lists at most `limit` endpoints and never more than "total";
// following next_cursor visits each endpoint at most once; the input as a cursor or an
// endpoint id is rejected or answered, never crashes; the YAML of any JSON document ends with
// a newline and carries no raw control character but line feeds.
//
// The input is also tried as the overview's as_of.
//
// Input: a query string ("a=b&c=d", percent-encoded) for ParseEndpointFilter; the whole input
// is also tried as a cursor, as an endpoint id, and as a JSON document for JsonToYaml.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "inventory/inventory.h"
#include "openapi/yaml_writer.h"
#include "server/endpoint_query.h"
#include "server/overview.h"

using namespace gatescope;

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const inventory::Inventory::Snapshot& FixedSnapshot() {
  static const inventory::Inventory::Snapshot snapshot = [] {
    inventory::Inventory inv;
    const char* paths[] = {"/pets/1",  "/pets/2", "/pets/3", "/pets/4",  "/orders",
                           "/Users/x", "/a",      "/b/c",    "/{weird}", "/caf\xC3\xA9"};
    int i = 0;
    for (const char* api : {"a1b2c3d4e5", "/aws/apigateway/log group"}) {
      for (const char* stage : {"prod", "", "dev"}) {
        for (const char* path : paths) {
          model::HttpTransaction tx;
          tx.api_id = api;
          tx.stage = stage;
          tx.method = i % 3 == 0 ? "POST" : "GET";
          tx.path = path;
          tx.resource_path = i % 4 == 0 ? "" : path;
          tx.status = 200 + (i % 4) * 100;
          tx.request_time_ms = 1700000000000 + (i % 7) * 1000;
          tx.response_latency_ms = i % 50;
          tx.source = i % 2 == 0 ? model::LogSource::kAccessLog : model::LogSource::kExecutionLog;
          tx.query_params.logged = true;
          if (i % 5 == 0) tx.query_params.Add("email", "ana@example.com");
          if (i % 6 == 0) tx.request_headers.Add("Authorization", "Bearer abc.def.ghi");
          for (int n = 0; n <= i % 3; ++n) inv.Add(tx);
          ++i;
        }
      }
    }
    return inv.Render();
  }();
  return snapshot;
}

std::multimap<std::string, std::string> ParseQuery(std::string_view query) {
  std::multimap<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    params.emplace(FormDecode(pair.substr(0, eq)),
                   eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

// Lists every page of `params`, checking the page contracts.
void ListAllPages(const inventory::Inventory::Snapshot& snap,
                  std::multimap<std::string, std::string> params) {
  Result<server::EndpointFilter> filter = server::ParseEndpointFilter(params);
  if (!filter.ok()) {
    Check(!filter.status().message().empty());
    return;
  }
  std::set<std::string> seen;
  for (int page_number = 0; page_number < 64; ++page_number) {
    nlohmann::ordered_json page = server::ListEndpoints(snap, *filter);
    const auto& endpoints = page["endpoints"];
    Check(endpoints.size() <= filter->limit);
    Check(endpoints.size() <= page["total"].get<size_t>());
    for (const auto& e : endpoints) Check(seen.insert(e["id"].get<std::string>()).second);
    if (page["next_cursor"].is_null()) return;
    Check(!endpoints.empty());
    params.erase("cursor");
    params.emplace("cursor", page["next_cursor"].get<std::string>());
    Result<server::EndpointFilter> next = server::ParseEndpointFilter(params);
    Check(next.ok());  // A cursor we made is always accepted with the query it came from.
    filter = std::move(next);
  }
}

void CheckYaml(const std::string& yaml) {
  Check(!yaml.empty() && yaml.back() == '\n');
  for (char c : yaml) {
    auto byte = static_cast<unsigned char>(c);
    Check(byte >= 0x20 || c == '\n');
    Check(byte != 0x7F);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const inventory::Inventory::Snapshot& snap = FixedSnapshot();

  ListAllPages(snap, ParseQuery(input));
  ListAllPages(snap, {{"cursor", std::string(input)}});
  ListAllPages(snap, {{"cursor", std::string(input)}, {"sort", "requests"}});
  std::optional<nlohmann::ordered_json> detail = server::EndpointDetail(snap, input);
  if (detail) Check((*detail)["id"] == std::string(input));

  // The input as the overview's as_of: any time it accepts renders windows of fixed size.
  if (std::optional<int64_t> as_of = server::ParseTimeParam(input)) {
    static const server::OverviewIndex overview(
        std::make_shared<const inventory::Inventory::Snapshot>(snap));
    nlohmann::ordered_json out = overview.Render(*as_of);
    Check(out["traffic"]["hourly"]["requests"].size() == 168);
    Check(out["totals"]["endpoints"].get<size_t>() == snap.endpoints.size());
  }

  auto doc = nlohmann::ordered_json::parse(input, nullptr, false);
  if (!doc.is_discarded()) CheckYaml(openapi::JsonToYaml(doc));
  // The input as a string value and as a key: the quoting and escaping paths.
  CheckYaml(openapi::JsonToYaml(nlohmann::ordered_json{{std::string(input), std::string(input)}}));
  return 0;
}
