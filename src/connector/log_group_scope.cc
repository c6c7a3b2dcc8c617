#include "connector/log_group_scope.h"

#include <algorithm>
#include <map>
#include <set>

#include "aws/api_discovery.h"

namespace gatescope::connector {

Result<Scope> ResolveScope(const ConnectorConfig& config, AwsAccess& aws) {
  return ResolveScope(config, config.apis, aws);
}

Result<Scope> ResolveScope(const ConnectorConfig& config, const std::vector<ApiStageRef>& apis,
                           AwsAccess& aws) {
  Scope scope;
  std::string home;
  if (Result<std::string> r = aws.DefaultRegion(); r.ok()) home = *r;
  std::vector<std::string> regions = config.regions;
  if (regions.empty()) {
    if (home.empty()) {
      return InvalidArgumentError(
          "GATESCOPE_REGIONS: not set and no AWS_REGION: no region to read logs from");
    }
    regions.push_back(home);
  }
  if (home.empty()) home = regions.front();

  std::set<std::pair<std::string, std::string>> groups;
  auto add = [&](const std::string& region, const std::string& group) {
    if (group.empty() || group == config.own_log_group) return;
    groups.emplace(region, group);
  };
  for (const std::string& group : config.log_groups) add(home, group);

  // Listed stages: the execution-log group is known from the ids; the access-log group comes
  // from the list or from the stage's settings (discovery).
  std::map<std::string, std::vector<const ApiStageRef*>> listed_by_region;
  for (const ApiStageRef& ref : apis) {
    const std::string& region = ref.region.empty() ? home : ref.region;
    listed_by_region[region].push_back(&ref);
    if (config.rest_enabled) add(region, aws::ExecutionLogGroupName(ref.api_id, ref.stage));
    add(region, ref.access_log_group);
  }
  std::set<std::string> discover_regions;
  if (config.discover) discover_regions.insert(regions.begin(), regions.end());
  for (const auto& [region, refs] : listed_by_region) {
    for (const ApiStageRef* ref : refs) {
      if (ref->access_log_group.empty()) discover_regions.insert(region);
    }
  }

  for (const std::string& region : discover_regions) {
    Result<aws::RegionApis> found =
        aws::DiscoverApis(aws.RestApis(region), aws.HttpApis(region), region,
                          {.access_logging = true, .execution_logging = config.rest_enabled,
                           .data_trace = false});
    if (!found.ok()) {
      scope.warnings.push_back(region + ": API discovery failed: " +
                               std::string(found.status().message()));
      continue;
    }
    for (const Status& s : {found->rest_error, found->v2_error}) {
      if (!s.ok()) scope.warnings.push_back(region + ": " + std::string(s.message()));
    }
    const auto& listed = listed_by_region[region];
    for (const aws::DiscoveredApi& api : found->apis) {
      bool rest = api.protocol == aws::ApiProtocol::kRest;
      if ((rest && !config.rest_enabled) || (!rest && !config.http_enabled)) continue;
      for (const aws::DiscoveredStage& stage : api.stages) {
        bool is_listed = std::any_of(listed.begin(), listed.end(), [&](const ApiStageRef* r) {
          return r->api_id == api.id && r->stage == stage.name;
        });
        // With discovery off, only the listed stages' access-log groups are looked up here.
        if (!config.discover && !is_listed) continue;
        // A REST stage always has an execution-log group name; it holds events only with
        // execution logging on.
        bool execution_on = !stage.execution_logging_level.empty() &&
                            stage.execution_logging_level != "OFF";
        if (execution_on) add(region, stage.execution_log_group);
        add(region, stage.access_log_group);
        if (!execution_on && stage.access_log_group.empty()) {
          scope.warnings.push_back(region + ": " + api.id + "/" + stage.name +
                                   ": no logging configured; run `gatescope apis` to see what to "
                                   "enable");
        }
      }
    }
  }
  for (const auto& [region, group] : groups) scope.groups.push_back({region, group});
  return scope;
}

}  // namespace gatescope::connector
