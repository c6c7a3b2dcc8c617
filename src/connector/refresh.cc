#include "connector/refresh.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "aws/api_discovery.h"
#include "connector/internal/emf.h"
#include "core/logging.h"

namespace gatescope::connector {
namespace {

constexpr size_t kMaxSamples = 10;
constexpr size_t kMaxMessageBytes = 300;
constexpr std::string_view kExecutionGroupPrefix = "API-Gateway-Execution-Logs_";

// Every $context variable of HTTP APIs that parsers/apigw_access maps to a transaction field
// (context_var.cc), under its canonical key. HTTP APIs have no $context.resourcePath: the
// route key ("GET /pets/{id}") carries the template. Values are quoted, as in the console's
// formats, so that a missing one ("-") never breaks the JSON.
constexpr std::string_view kHttpAccessLogFormat =
    R"({"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId",)"
    R"("apiId":"$context.apiId","stage":"$context.stage","accountId":"$context.accountId",)"
    R"("domainName":"$context.domainName","ip":"$context.identity.sourceIp",)"
    R"("userAgent":"$context.identity.userAgent","requestTime":"$context.requestTime",)"
    R"("requestTimeEpoch":"$context.requestTimeEpoch","httpMethod":"$context.httpMethod",)"
    R"("path":"$context.path","routeKey":"$context.routeKey","protocol":"$context.protocol",)"
    R"("status":"$context.status","responseLength":"$context.responseLength",)"
    R"("responseLatency":"$context.responseLatency",)"
    R"("integrationStatus":"$context.integrationStatus",)"
    R"("integrationLatency":"$context.integrationLatency",)"
    R"("errorMessage":"$context.error.message"})";

std::string Bounded(std::string s) {
  if (s.size() > kMaxMessageBytes) {
    s.resize(kMaxMessageBytes);
    s += "...";
  }
  return s;
}

std::string Partition(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

bool AlreadyExists(const Status& s) {
  return s.message().find("ResourceAlreadyExists") != std::string_view::npos;
}

// What one region's refresh works on.
class RegionRefresh {
 public:
  RegionRefresh(const ConnectorConfig& config, AwsAccess& aws, const RefreshOptions& options,
                std::string region, RefreshSummary& summary)
      : config_(config),
        aws_(aws),
        options_(options),
        region_(std::move(region)),
        summary_(summary) {}

  void Run(const std::vector<const ApiStageRef*>& listed, const std::vector<std::string>& extra) {
    ++summary_.regions;
    for (const std::string& g : extra) Want(g, /*create=*/false);
    Result<aws::RegionApis> found = aws::DiscoverApis(
        aws_.RestApis(region_), aws_.HttpApis(region_), region_,
        {.access_logging = true, .execution_logging = true, .data_trace = true});
    if (!found.ok()) {
      Fail("discovery_failed", std::string(found.status().message()));
      return;
    }
    // A family that could not be listed is left alone, its subscriptions included: what it
    // holds is unknown this time.
    for (const Status& s : {found->rest_error, found->v2_error}) {
      if (!s.ok()) Fail("discovery_failed", std::string(s.message()));
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (const aws::DiscoveredApi& api : found->apis) {
      if (!api.error.ok()) Fail("discovery_failed", api.id + ": " + std::string(api.error.message()));
      for (const aws::DiscoveredStage& stage : api.stages) {
        ++summary_.stages_seen;
        const ApiStageRef* ref = nullptr;
        for (const ApiStageRef* r : listed) {
          if (r->api_id == api.id && r->stage == stage.name) ref = r;
        }
        if (!config_.discover && ref == nullptr) continue;  // Out of scope: never touched.
        seen.emplace(api.id, stage.name);
        Stage(api, stage, ref);
      }
    }
    for (const ApiStageRef* r : listed) {
      if (!seen.contains({r->api_id, r->stage})) {
        summary_.Warn(region_ + ": listed stage " + r->api_id + "/" + r->stage + " not found");
      }
    }
    CreateExecutionGroups();
    Subscriptions();
  }

 private:
  void Fail(std::string_view reason, std::string message) {
    summary_.Fail(reason, region_ + ": " + std::move(message));
  }

  void Want(const std::string& group, bool create_execution_group) {
    if (group.empty() || group == config_.own_log_group) return;
    bool& create = wanted_[group];
    create = create || create_execution_group;
  }

  void Stage(const aws::DiscoveredApi& api, const aws::DiscoveredStage& stage,
             const ApiStageRef* ref) {
    bool rest = api.protocol == aws::ApiProtocol::kRest;
    bool enabled = rest ? config_.rest_enabled : config_.http_enabled;
    std::string listed_access = ref == nullptr ? std::string() : ref->access_log_group;
    if (!enabled) {
      // A disabled type: our subscriptions come off its groups (below), nothing else changes.
      if (rest) unwanted_.insert(stage.execution_log_group);
      if (!stage.access_log_group.empty()) unwanted_.insert(stage.access_log_group);
      if (!listed_access.empty()) unwanted_.insert(listed_access);
      return;
    }
    ++summary_.stages_in_scope;
    if (!listed_access.empty()) Want(listed_access, false);
    if (rest) {
      RestStage(api, stage);
    } else {
      HttpStage(api, stage);
    }
  }

  void RestStage(const aws::DiscoveredApi& api, const aws::DiscoveredStage& stage) {
    bool execution_on =
        !stage.execution_logging_level.empty() && stage.execution_logging_level != "OFF";
    bool complete = stage.execution_logging_level == "INFO" && stage.data_trace_enabled;
    if (!complete && !config_.rest_execution_logs_exist && EnsureAccountRole()) {
      Result<aws::Stage> updated = aws_.RestApis(region_).UpdateStage(
          api.id, stage.name, aws::ExecutionLoggingPatch(aws::LoggingLevel::kInfo, true));
      if (updated.ok()) {
        ++summary_.execution_logging_enabled;
        execution_on = true;
      } else {
        Fail("update_stage_failed", std::string(updated.status().message()));
      }
    }
    // The execution-log group exists only after the first logged request; created here so that
    // it can be subscribed before then.
    if (execution_on) Want(stage.execution_log_group, /*create=*/true);
    Want(stage.access_log_group, false);
  }

  void HttpStage(const aws::DiscoveredApi& api, const aws::DiscoveredStage& stage) {
    std::string group = stage.access_log_group;
    bool may_set = api.protocol == aws::ApiProtocol::kHttp && !config_.http_access_logs_exist &&
                   (stage.name != "$default" || config_.enable_default_stage_logging);
    if (stage.access_log_destination_arn.empty() && may_set) {
      if (std::optional<std::string> arn = EnsureAccessGroup()) {
        aws::StageV2Update update;
        update.access_log =
            aws::AccessLogSettings{.destination_arn = *arn,
                                   .format = std::string(HttpAccessLogFormat())};
        Result<aws::StageV2> updated =
            aws_.HttpApis(region_).UpdateStage(api.id, stage.name, update);
        if (updated.ok()) {
          ++summary_.access_logging_enabled;
          group = config_.http_access_log_group;
        } else {
          Fail("update_stage_failed", std::string(updated.status().message()));
        }
      }
    }
    Want(group, false);
  }

  // API Gateway writes REST execution logs with the account's CloudWatch role (per region);
  // without one UpdateStage fails, so it is checked, and set when the stack gave one.
  bool EnsureAccountRole() {
    if (role_ok_.has_value()) return *role_ok_;
    Result<aws::ApiGatewayAccount> account = aws_.RestApis(region_).GetAccount();
    if (!account.ok()) {
      Fail("get_account_failed", std::string(account.status().message()));
      role_ok_ = false;
    } else if (!account->cloudwatch_role_arn.empty()) {
      role_ok_ = true;
    } else if (config_.apigateway_cloudwatch_role_arn.empty()) {
      Fail("cloudwatch_role_missing",
           "API Gateway has no CloudWatch Logs role in this region, needed for REST execution "
           "logs: set GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN (or the account setting)");
      role_ok_ = false;
    } else {
      Result<aws::ApiGatewayAccount> set = aws_.RestApis(region_).UpdateAccountCloudWatchRole(
          config_.apigateway_cloudwatch_role_arn);
      if (set.ok()) {
        ++summary_.account_roles_set;
        role_ok_ = true;
      } else {
        Fail("update_account_failed", std::string(set.status().message()));
        role_ok_ = false;
      }
    }
    return *role_ok_;
  }

  // Creates the group with the retention when missing. nullopt after a failure (counted).
  std::optional<bool> CreateGroup(const std::string& name) {
    aws::CloudWatchLogsClient& logs = aws_.Logs(region_);
    Status created = logs.CreateLogGroup(name);
    if (!created.ok() && !AlreadyExists(created)) {
      Fail("create_log_group_failed", std::string(created.message()));
      return std::nullopt;
    }
    if (!created.ok()) return false;
    ++summary_.log_groups_created;
    if (Status s = logs.PutRetentionPolicy(name, config_.log_retention_days); !s.ok()) {
      Fail("put_retention_failed", std::string(s.message()));
    }
    return true;
  }

  // The ARN of GATESCOPE_HTTP_ACCESS_LOG_GROUP, created when missing.
  std::optional<std::string> EnsureAccessGroup() {
    if (access_group_arn_.has_value()) {
      if (access_group_arn_->empty()) return std::nullopt;
      return access_group_arn_;
    }
    access_group_arn_ = "";
    const std::string& name = config_.http_access_log_group;
    aws::CloudWatchLogsClient& logs = aws_.Logs(region_);
    Result<std::vector<aws::LogGroup>> groups = logs.ListLogGroups(name);
    if (!groups.ok()) {
      Fail("describe_log_groups_failed", std::string(groups.status().message()));
      return std::nullopt;
    }
    std::string arn;
    bool exists = false;
    for (const aws::LogGroup& g : *groups) {
      if (g.name == name) {
        exists = true;
        arn = g.arn;
      }
    }
    if (!exists) {
      if (!CreateGroup(name).has_value()) return std::nullopt;
      Result<std::vector<aws::LogGroup>> again = logs.ListLogGroups(name);
      if (again.ok()) {
        for (const aws::LogGroup& g : *again) {
          if (g.name == name) arn = g.arn;
        }
      }
    }
    if (arn.ends_with(":*")) arn.resize(arn.size() - 2);
    if (arn.empty()) {
      std::string account = options_.account_id;
      if (account.empty()) {
        Fail("account_unknown", "cannot name the ARN of " + name + ": the account is unknown");
        return std::nullopt;
      }
      arn = "arn:" + Partition(region_) + ":logs:" + region_ + ":" + account + ":log-group:" + name;
    }
    access_group_arn_ = arn;
    return access_group_arn_;
  }

  void CreateExecutionGroups() {
    bool any = std::any_of(wanted_.begin(), wanted_.end(), [](const auto& w) { return w.second; });
    if (!any) return;
    Result<std::vector<aws::LogGroup>> existing =
        aws_.Logs(region_).ListLogGroups(kExecutionGroupPrefix);
    if (!existing.ok()) {
      Fail("describe_log_groups_failed", std::string(existing.status().message()));
      return;
    }
    std::set<std::string> names;
    for (const aws::LogGroup& g : *existing) names.insert(g.name);
    for (const auto& [group, create] : wanted_) {
      if (create && !names.contains(group)) (void)CreateGroup(group);
    }
  }

  void Subscriptions() {
    summary_.log_groups_in_scope += wanted_.size();
    bool push = config_.collection == Collection::kPush;
    const std::string& arn = options_.function_arn;
    if (arn.empty()) {
      if (push && !wanted_.empty()) {
        Fail("no_function_arn", "push mode needs the function ARN to subscribe log groups");
      }
      return;
    }
    std::set<std::string> remove(unwanted_.begin(), unwanted_.end());
    if (push) {
      for (const auto& [group, create] : wanted_) {
        remove.erase(group);
        Subscribe(group, arn);
      }
    } else {
      // Pull mode reads the groups itself: a subscription left from push mode would deliver
      // every event twice.
      for (const auto& [group, create] : wanted_) remove.insert(group);
    }
    for (const std::string& group : remove) Unsubscribe(group, arn);
  }

  void Subscribe(const std::string& group, const std::string& arn) {
    aws::CloudWatchLogsClient& logs = aws_.Logs(region_);
    Result<std::vector<aws::SubscriptionFilter>> filters = logs.DescribeSubscriptionFilters(group);
    if (!filters.ok()) {
      bool missing = filters.status().code() == StatusCode::kNotFound;
      Fail(missing ? "log_group_not_found" : "describe_filters_failed",
           std::string(filters.status().message()));
      return;
    }
    size_t others = 0;
    for (const aws::SubscriptionFilter& f : *filters) {
      if (f.filter_name != kSubscriptionFilterName) {
        ++others;
      } else if (f.destination_arn == arn) {
        ++summary_.subscriptions_already;
        return;
      }
    }
    // Our name with another destination (a function recreated) is replaced in place; otherwise
    // a third filter would fail, and the others are not ours to remove.
    bool ours_present = filters->size() > others;
    if (!ours_present && others >= 2) {
      Fail("subscription_limit", group + " already has 2 other subscription filters; not changed");
      return;
    }
    Status put = logs.PutSubscriptionFilter({.log_group_name = group,
                                             .filter_name = std::string(kSubscriptionFilterName),
                                             .filter_pattern = "",
                                             .destination_arn = arn});
    if (!put.ok()) {
      Fail("put_subscription_failed", std::string(put.message()));
      return;
    }
    ++summary_.subscriptions_added;
  }

  void Unsubscribe(const std::string& group, const std::string& arn) {
    aws::CloudWatchLogsClient& logs = aws_.Logs(region_);
    Result<std::vector<aws::SubscriptionFilter>> filters =
        logs.DescribeSubscriptionFilters(group, kSubscriptionFilterName);
    if (!filters.ok()) {
      if (filters.status().code() != StatusCode::kNotFound) {
        Fail("describe_filters_failed", std::string(filters.status().message()));
      }
      return;
    }
    for (const aws::SubscriptionFilter& f : *filters) {
      // Only ours: our name and this function as the destination.
      if (f.filter_name != kSubscriptionFilterName || f.destination_arn != arn) continue;
      Status s = logs.DeleteSubscriptionFilter(group, f.filter_name);
      if (s.ok()) {
        ++summary_.subscriptions_removed;
      } else if (s.code() != StatusCode::kNotFound) {
        Fail("delete_subscription_failed", std::string(s.message()));
      }
    }
  }

  const ConnectorConfig& config_;
  AwsAccess& aws_;
  const RefreshOptions& options_;
  const std::string region_;
  RefreshSummary& summary_;
  std::map<std::string, bool> wanted_;  // Group -> create it (REST execution logs) if missing.
  std::set<std::string> unwanted_;      // Groups of disabled types.
  std::optional<bool> role_ok_;
  std::optional<std::string> access_group_arn_;  // "" after a failure.
};

}  // namespace

std::string_view HttpAccessLogFormat() { return kHttpAccessLogFormat; }

void RefreshSummary::Fail(std::string_view reason, std::string message) {
  ++errors;
  ++errors_by_reason[std::string(reason)];
  GS_LOG(kWarning, "Refresh problem.", {{"reason", reason}, {"detail", message}});
  if (error_samples.size() < kMaxSamples) error_samples.push_back(Bounded(std::move(message)));
}

void RefreshSummary::Warn(std::string message) {
  GS_LOG(kWarning, "Refresh.", {{"detail", message}});
  if (warnings.size() < kMaxSamples) warnings.push_back(Bounded(std::move(message)));
}

std::string RefreshSummaryToEmf(const RefreshSummary& s, std::string_view function_name,
                                int64_t now_ms) {
  using nlohmann::json;
  static const internal::EmfMetric kMetrics[] = {
      {"stages_in_scope", "Count"},     {"execution_logging_enabled", "Count"},
      {"access_logging_enabled", "Count"}, {"log_groups_created", "Count"},
      {"subscriptions_added", "Count"}, {"subscriptions_removed", "Count"},
      {"errors", "Count"},              {"processing_ms", "Milliseconds"}};
  json j = internal::EmfSummary(now_ms, kMetrics, "Refresh summary.", function_name, "refresh");
  j["regions"] = s.regions;
  j["stages_seen"] = s.stages_seen;
  j["stages_in_scope"] = s.stages_in_scope;
  j["execution_logging_enabled"] = s.execution_logging_enabled;
  j["access_logging_enabled"] = s.access_logging_enabled;
  j["account_roles_set"] = s.account_roles_set;
  j["log_groups_in_scope"] = s.log_groups_in_scope;
  j["log_groups_created"] = s.log_groups_created;
  j["subscriptions_added"] = s.subscriptions_added;
  j["subscriptions_already"] = s.subscriptions_already;
  j["subscriptions_removed"] = s.subscriptions_removed;
  j["errors"] = s.errors;
  j["errors_by_reason"] = s.errors_by_reason;
  if (!s.error_samples.empty()) j["error_samples"] = s.error_samples;
  if (!s.warnings.empty()) j["warnings"] = s.warnings;
  j["processing_ms"] = s.processing_ms;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

RefreshSummary RunRefresh(const ConnectorConfig& config, const std::vector<ApiStageRef>& apis,
                          AwsAccess& aws, const RefreshOptions& options) {
  auto start = std::chrono::steady_clock::now();
  RefreshSummary summary;
  std::string home;
  if (Result<std::string> r = aws.DefaultRegion(); r.ok()) home = *r;
  std::vector<std::string> regions = config.regions;
  if (regions.empty() && !home.empty()) regions.push_back(home);
  if (regions.empty()) {
    summary.Fail("no_region", "GATESCOPE_REGIONS: not set and no AWS_REGION");
    return summary;
  }
  if (home.empty()) home = regions.front();

  std::vector<ApiStageRef> mine = FilterApisForAccount(apis, options.account_id, &summary.warnings);
  std::map<std::string, std::vector<const ApiStageRef*>> listed;
  for (const ApiStageRef& ref : mine) listed[ref.region.empty() ? home : ref.region].push_back(&ref);
  std::set<std::string> all(regions.begin(), regions.end());
  for (const auto& [region, refs] : listed) all.insert(region);
  for (const std::string& region : all) {
    if (!config.discover && !listed.contains(region)) continue;  // Nothing listed there.
    RegionRefresh refresh(config, aws, options, region, summary);
    refresh.Run(listed[region], region == home ? config.log_groups : std::vector<std::string>());
  }
  summary.processing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  return summary;
}

}  // namespace gatescope::connector
