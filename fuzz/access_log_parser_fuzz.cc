// Parses arbitrary bytes as one access-log line (with and without a user JSON format) and
// adds accepted transactions to an inventory.
#include <cstdint>
#include <string_view>

#include "inventory/inventory.h"
#include "parsers/apigw_access/access_log_parser.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static parsers::apigw_access::AccessLogFormats* formats = [] {
    auto* f = new parsers::apigw_access::AccessLogFormats();
    (void)f->Add(R"({"rid":"$context.requestId","verb":"$context.httpMethod","p":"$context.path",)"
                 R"("code":$context.status,"ua":"$context.identity.userAgent"})",
                 "fuzz");
    return f;
  }();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  model::RawRecord record{.message = line, .timestamp_ms = 1, .log_group = "/aws/apigateway/a1b2c3d4e5/p"};
  model::HttpTransaction tx;
  inventory::Inventory inv;
  parsers::apigw_access::AccessLogParser plain;
  parsers::apigw_access::AccessLogParser custom(formats);
  if (!plain.Parse(record, &tx).has_value()) inv.Add(tx);
  if (!custom.Parse(record, &tx).has_value()) inv.Add(tx);
  (void)inv.Render();
  return 0;
}
