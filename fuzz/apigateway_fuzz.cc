// Fuzzes the API Gateway (v1 and v2) page readers and the EC2 DescribeRegions reader, which see
// response bodies straight from the network, and the discovery classification over whatever
// they accept. Checks: nothing crashes, throws or reads out of bounds; a reader that fails says
// kParseError; the JSON our request builders write is JSON our readers accept, and keeps an
// ASCII value intact.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/api_discovery.h"
#include "aws/apigateway_client.h"
#include "aws/ec2_client.h"
#include "core/check.h"

namespace {

using namespace gatescope;       // NOLINT: a fuzz entry point, not a header.
using namespace gatescope::aws;  // NOLINT

template <typename T>
void CheckFailure(const Result<T>& result) {
  GS_CHECK(result.ok() || result.status().code() == StatusCode::kParseError);
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const LoggingRequirements requirements;

  Result<RestApisPage> rest_apis = ParseRestApisPage(input);
  CheckFailure(rest_apis);
  Result<std::vector<Stage>> stages = ParseStages(input);
  CheckFailure(stages);
  if (stages.ok()) {
    for (const Stage& stage : *stages) (void)DescribeRestStage("id", stage, requirements);
  }
  Result<Stage> stage = ParseStage(input);
  CheckFailure(stage);
  if (stage.ok()) (void)DescribeRestStage("id", *stage, requirements);
  CheckFailure(ParseResourcesPage(input));
  CheckFailure(ParseAccount(input));

  CheckFailure(ParseApisV2Page(input));
  Result<StagesV2Page> stages_v2 = ParseStagesV2Page(input);
  CheckFailure(stages_v2);
  if (stages_v2.ok()) {
    for (const StageV2& s : stages_v2->items) {
      (void)DescribeStageV2(ApiProtocol::kWebSocket, s, requirements);
    }
  }
  CheckFailure(ParseStageV2(input));
  CheckFailure(ParseRoutesV2Page(input));

  Result<std::vector<Ec2Region>> regions = ParseDescribeRegionsResponse(input);
  CheckFailure(regions);

  (void)LogGroupNameFromArn(input);
  (void)MethodSettingsKey(input, "GET");

  // Builders: arbitrary bytes as values (invalid UTF-8 included) still make readable JSON.
  const std::string_view half = input.substr(0, size / 2);
  const std::string_view rest = input.substr(size / 2);
  Result<StageV2> round_trip = ParseStageV2(
      StageV2UpdateJson({.access_log = AccessLogSettings{std::string(half), std::string(rest)},
                         .logging_level = LoggingLevel::kInfo}));
  GS_CHECK(round_trip.ok());
  if (IsPrintableAscii(input) && (!half.empty() || !rest.empty())) {
    GS_CHECK(round_trip->access_log.has_value());
    GS_CHECK(round_trip->access_log->destination_arn == half);
    GS_CHECK(round_trip->access_log->format == rest);
  }
  (void)PatchOperationsJson(AccessLogPatch(half, rest));
  return 0;
}
