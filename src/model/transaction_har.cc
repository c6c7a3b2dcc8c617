#include "model/transaction_har.h"

#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "core/time_format.h"
#include "model/transaction_json.h"

namespace gatescope::model {
namespace {

using Json = nlohmann::ordered_json;

std::string Host(const HttpTransaction& tx, bool* execute_api) {
  *execute_api = false;
  if (!tx.domain_name.empty()) {
    *execute_api = tx.domain_name.find(".execute-api.") != std::string::npos;
    return tx.domain_name;
  }
  if (tx.api_id.empty()) return "unknown.invalid";
  if (tx.region.empty()) return tx.api_id;
  *execute_api = true;
  return tx.api_id + ".execute-api." + tx.region + ".amazonaws.com";
}

std::string Url(const HttpTransaction& tx) {
  bool execute_api = false;
  std::string url = "https://" + Host(tx, &execute_api);
  if (execute_api && !tx.stage.empty() && tx.stage != "$default") url += "/" + tx.stage;
  url += tx.path.empty() || tx.path[0] != '/' ? "/" + tx.path : tx.path;
  if (!tx.query.empty()) url += "?" + tx.query;
  return url;
}

Json Headers(const FieldList& fields) {
  Json list = Json::array();
  for (const Field& f : fields) {
    bool redact = IsCredentialHeader(f.name) || ContainsJwt(f.value);
    list.push_back({{"name", f.name}, {"value", redact ? std::string("[REDACTED]") : f.value}});
  }
  return list;
}

Json QueryString(const HttpTransaction& tx) {
  Json list = Json::array();
  if (!tx.query_params.empty()) {
    for (const Field& f : tx.query_params) list.push_back({{"name", f.name}, {"value", f.value}});
    return list;
  }
  std::string_view q = tx.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    list.push_back({{"name", FormDecode(name)}, {"value", FormDecode(value)}});
  }
  return list;
}

int64_t BodySize(const Body& body) {
  if (!body.present || body.truncated || body.indicator) return -1;
  return static_cast<int64_t>(body.text.size());
}

std::string HttpVersion(const HttpTransaction& tx) {
  return tx.protocol.empty() ? std::string("HTTP/1.1") : tx.protocol;
}

Json Entry(const HttpTransaction& tx) {
  int64_t wait = tx.response_latency_ms >= 0      ? tx.response_latency_ms
                 : tx.integration_latency_ms >= 0 ? tx.integration_latency_ms
                                                  : 0;
  Json request{{"method", tx.method.empty() ? std::string("GET") : tx.method},
               {"url", Url(tx)},
               {"httpVersion", HttpVersion(tx)},
               {"cookies", Json::array()},
               {"headers", Headers(tx.request_headers)},
               {"queryString", QueryString(tx)}};
  if (tx.request_body.present) {
    request["postData"] = {{"mimeType", tx.request_body.content_type},
                           {"text", tx.request_body.text}};
  }
  request["headersSize"] = -1;
  request["bodySize"] = BodySize(tx.request_body);

  Json content{
      {"size", tx.response_length >= 0 ? tx.response_length
                                       : static_cast<int64_t>(tx.response_body.text.size())},
      {"mimeType", tx.response_body.content_type}};
  if (tx.response_body.present) content["text"] = tx.response_body.text;
  Json response{
      {"status", tx.status >= 0 ? tx.status : 0},
      {"statusText", ""},
      {"httpVersion", HttpVersion(tx)},
      {"cookies", Json::array()},
      {"headers", Headers(tx.response_headers)},
      {"content", std::move(content)},
      {"redirectURL", ""},
      {"headersSize", -1},
      {"bodySize", tx.response_length >= 0 ? tx.response_length : BodySize(tx.response_body)}};

  Json custom{{"id", tx.id},
              {"api_id", tx.api_id},
              {"stage", tx.stage},
              {"resource_path", tx.resource_path},
              {"route_key", tx.route_key},
              {"coverage", CoverageName(tx.coverage)},
              {"partial", tx.partial}};
  if (tx.partial) custom["partial_reason"] = PartialReasonName(tx.partial_reason);
  if (tx.request_body.indicator) custom["request_body_indicator"] = true;
  if (tx.response_body.indicator) custom["response_body_indicator"] = true;

  return Json{{"startedDateTime", FormatIso8601(tx.request_time_ms >= 0 ? tx.request_time_ms : 0)},
              {"time", wait},
              {"request", std::move(request)},
              {"response", std::move(response)},
              {"cache", Json::object()},
              {"timings", {{"send", 0}, {"wait", wait}, {"receive", 0}}},
              {"_gatescope", std::move(custom)}};
}

}  // namespace

std::string TransactionsToHar(const std::vector<HttpTransaction>& txs,
                              std::string_view creator_version) {
  Json entries = Json::array();
  for (const HttpTransaction& tx : txs) entries.push_back(Entry(tx));
  Json har{{"log",
            {{"version", "1.2"},
             {"creator", {{"name", "gatescope"}, {"version", std::string(creator_version)}}},
             {"entries", std::move(entries)}}}};
  // Log text is not always valid UTF-8: replace invalid bytes rather than fail (no throw).
  return har.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace gatescope::model
