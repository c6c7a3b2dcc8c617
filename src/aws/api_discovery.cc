#include "aws/api_discovery.h"

#include <utility>

namespace gatescope::aws {
namespace {

constexpr std::string_view kMissingAccessLogging = "access_logging";
constexpr std::string_view kMissingExecutionLogging = "execution_logging";
constexpr std::string_view kMissingDataTrace = "data_trace";

void SetAccessLog(const std::optional<AccessLogSettings>& settings, DiscoveredStage& out) {
  if (!settings.has_value()) return;
  out.access_log_destination_arn = settings->destination_arn;
  out.access_log_format = settings->format;
  out.access_log_group = LogGroupNameFromArn(settings->destination_arn).value_or("");
}

}  // namespace

std::string_view ApiProtocolName(ApiProtocol protocol) {
  switch (protocol) {
    case ApiProtocol::kRest:
      return "rest";
    case ApiProtocol::kHttp:
      return "http";
    case ApiProtocol::kWebSocket:
      return "websocket";
  }
  return "rest";
}

std::string ExecutionLogGroupName(std::string_view rest_api_id, std::string_view stage_name) {
  std::string name = "API-Gateway-Execution-Logs_";
  name += rest_api_id;
  name += '/';
  name += stage_name;
  return name;
}

std::optional<std::string> LogGroupNameFromArn(std::string_view arn) {
  // arn:partition:service:region:account:resource. The partition varies (aws, aws-cn,
  // aws-us-gov), so split on ':' rather than match a fixed prefix.
  std::string_view rest = arn;
  std::string_view fields[5];
  for (std::string_view& field : fields) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn" || fields[2] != "logs") return std::nullopt;
  constexpr std::string_view kResource = "log-group:";
  if (!rest.starts_with(kResource)) return std::nullopt;
  rest.remove_prefix(kResource.size());
  // Log-group names cannot contain ':', so anything after one is a suffix such as the ":*" that
  // DescribeLogGroups puts on its ARNs (and that consoles copy into stage settings).
  rest = rest.substr(0, rest.find(':'));
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

DiscoveredStage DescribeRestStage(std::string_view rest_api_id, const Stage& stage,
                                  const LoggingRequirements& requirements) {
  DiscoveredStage out;
  out.name = stage.name;
  auto all = stage.method_settings.find(std::string(kAllMethods));
  if (all != stage.method_settings.end()) {
    out.execution_logging_level = all->second.logging_level;
    out.data_trace_enabled = all->second.data_trace_enabled;
  }
  SetAccessLog(stage.access_log, out);
  out.execution_log_group = ExecutionLogGroupName(rest_api_id, stage.name);
  if (requirements.access_logging && out.access_log_destination_arn.empty()) {
    out.missing.emplace_back(kMissingAccessLogging);
  }
  if (requirements.execution_logging && out.execution_logging_level != "INFO") {
    out.missing.emplace_back(kMissingExecutionLogging);
  }
  if (requirements.data_trace && !out.data_trace_enabled) {
    out.missing.emplace_back(kMissingDataTrace);
  }
  return out;
}

DiscoveredStage DescribeStageV2(ApiProtocol protocol, const StageV2& stage,
                                const LoggingRequirements& requirements) {
  DiscoveredStage out;
  out.name = stage.name;
  // LoggingLevel and DataTraceEnabled are "Supported only for WebSocket APIs" (botocore
  // apigatewayv2 RouteSettings); an HTTP stage reporting them would be misleading.
  if (protocol == ApiProtocol::kWebSocket) {
    out.execution_logging_level = stage.default_route_settings.logging_level;
    out.data_trace_enabled = stage.default_route_settings.data_trace_enabled;
  }
  SetAccessLog(stage.access_log, out);
  if (requirements.access_logging && out.access_log_destination_arn.empty()) {
    out.missing.emplace_back(kMissingAccessLogging);
  }
  return out;
}

Result<RegionApis> DiscoverApis(ApiGatewayClient& rest, ApiGatewayV2Client& v2,
                                std::string_view region, const LoggingRequirements& requirements) {
  RegionApis out;
  out.region = std::string(region);

  Result<std::vector<RestApi>> rest_apis = rest.GetRestApis();
  if (rest_apis.ok()) {
    for (const RestApi& api : *rest_apis) {
      DiscoveredApi found{.protocol = ApiProtocol::kRest, .id = api.id, .name = api.name};
      Result<std::vector<Stage>> stages = rest.GetStages(api.id);
      if (stages.ok()) {
        for (const Stage& stage : *stages) {
          found.stages.push_back(DescribeRestStage(api.id, stage, requirements));
        }
      } else {
        found.error = stages.status();
      }
      out.apis.push_back(std::move(found));
    }
  } else {
    out.rest_error = rest_apis.status();
  }

  Result<std::vector<ApiV2>> v2_apis = v2.GetApis();
  if (v2_apis.ok()) {
    for (const ApiV2& api : *v2_apis) {
      ApiProtocol protocol =
          api.protocol_type == "WEBSOCKET" ? ApiProtocol::kWebSocket : ApiProtocol::kHttp;
      DiscoveredApi found{.protocol = protocol, .id = api.id, .name = api.name};
      Result<std::vector<StageV2>> stages = v2.GetStages(api.id);
      if (stages.ok()) {
        for (const StageV2& stage : *stages) {
          found.stages.push_back(DescribeStageV2(protocol, stage, requirements));
        }
      } else {
        found.error = stages.status();
      }
      out.apis.push_back(std::move(found));
    }
  } else {
    out.v2_error = v2_apis.status();
  }

  if (!out.rest_error.ok() && !out.v2_error.ok()) {
    return out.rest_error.WithContext("Discovering APIs in " + out.region +
                                      " (GetApis failed too: " + out.v2_error.message() + ")");
  }
  return out;
}

}  // namespace gatescope::aws
