// Parses arbitrary bytes as one execution-log line, as a Java map of both kinds, and as a
// possibly cut JSON document; checks the views stay inside the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/apigw_execution/execution_line.h"
#include "parsers/apigw_execution/java_map.h"
#include "core/json_prefix.h"

using namespace gatescope::parsers::apigw_execution;

namespace {

class CountingVisitor final : public gatescope::JsonPrefixVisitor {
 public:
  void OnString(std::span<const std::string_view>, std::string_view v, bool) override {
    bytes += v.size();
  }
  void OnScalar(std::span<const std::string_view>, std::string_view) override {}
  void OnContainerEnd(std::span<const std::string_view>, bool) override {}
  bool WantKey(std::span<const std::string_view>, std::string_view) override { return true; }
  size_t bytes = 0;
};

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ExecutionLine line = ParseExecutionLine(text);
  if (!Inside(line.value, text) || !Inside(line.request_id, text)) std::abort();
  (void)RequestIdNamedIn(line);
  std::string_view a, b, c;
  int n = 0;
  int64_t latency = 0;
  (void)ParseHttpMethodValue(line.value, &a, &b);
  (void)ParseApiKeyMethod(line.value, &a, &b, &n);
  (void)ParseUsagePlanValue(line.value, &a, &b, &c);
  (void)ParseReceivedResponse(line.value, &n, &latency);
  (void)ParseThrottleValue(line.value, &a, &b, &c);
  (void)ParseGatewayResponseType(line.value, &a, &n);
  gatescope::model::FieldList fields;
  for (MapKind kind : {MapKind::kHeaders, MapKind::kParameters}) {
    ParseJavaMap(line.value, line.truncated, kind, &fields);
    for (const auto& f : fields) {
      if (f.name.empty() && kind == MapKind::kHeaders) std::abort();
    }
  }
  (void)FindJavaMapValue(text, "X-Amz-Source-Arn");
  CountingVisitor visitor;
  (void)gatescope::ScanJsonPrefix(text, visitor);
  return 0;
}
