#include "commands/apis_command.h"

#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "aws/api_discovery.h"
#include "aws/apigateway_client.h"
#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "aws/retry.h"
#include "env/http_client.h"

namespace gatescope::commands {
namespace {

using Json = nlohmann::ordered_json;

Json StageToJson(const aws::DiscoveredStage& stage) {
  Json j = {{"stage", stage.name},
            {"execution_logging_level", stage.execution_logging_level},
            {"data_trace", stage.data_trace_enabled},
            {"access_log_group", stage.access_log_group},
            {"access_log_destination_arn", stage.access_log_destination_arn},
            {"access_log_format", stage.access_log_format},
            {"execution_log_group", stage.execution_log_group},
            {"missing", stage.missing}};
  return j;
}

Json RegionToJson(const aws::RegionApis& region) {
  Json apis = Json::array();
  for (const aws::DiscoveredApi& api : region.apis) {
    Json stages = Json::array();
    for (const aws::DiscoveredStage& stage : api.stages) stages.push_back(StageToJson(stage));
    Json j = {{"protocol", std::string(aws::ApiProtocolName(api.protocol))},
              {"id", api.id},
              {"name", api.name},
              {"stages", std::move(stages)}};
    if (!api.error.ok()) j["error"] = api.error.message();
    apis.push_back(std::move(j));
  }
  Json j = {{"region", region.region}, {"apis", std::move(apis)}};
  if (!region.rest_error.ok()) j["rest_error"] = region.rest_error.message();
  if (!region.v2_error.ok()) j["v2_error"] = region.v2_error.message();
  return j;
}

void PrintTable(const std::vector<aws::RegionApis>& regions, std::ostream& out) {
  out << std::left << std::setw(12) << "REGION" << std::setw(10) << "PROTOCOL" << std::setw(12)
      << "API" << std::setw(14) << "STAGE" << std::setw(7) << "EXEC" << std::setw(6) << "DATA"
      << std::setw(40) << "ACCESS LOG GROUP" << "MISSING\n";
  for (const aws::RegionApis& region : regions) {
    for (const aws::DiscoveredApi& api : region.apis) {
      for (const aws::DiscoveredStage& stage : api.stages) {
        std::string missing;
        for (const std::string& m : stage.missing) missing += (missing.empty() ? "" : ",") + m;
        out << std::setw(12) << region.region << std::setw(10)
            << aws::ApiProtocolName(api.protocol) << std::setw(12) << api.id << std::setw(14)
            << stage.name << std::setw(7)
            << (stage.execution_logging_level.empty() ? "-" : stage.execution_logging_level)
            << std::setw(6) << (stage.data_trace_enabled ? "yes" : "no") << std::setw(40)
            << (stage.access_log_group.empty() ? "-" : stage.access_log_group)
            << (missing.empty() ? "-" : missing) << '\n';
      }
    }
  }
}

}  // namespace

int RunApis(const ApisOptions& options, const aws::AwsEnvironment& env, Clock& clock,
            std::ostream& out, std::ostream& err) {
  if (options.requests_per_second <= 0) {
    err << "gatescope apis: --requests-per-second must be > 0\n";
    return kApisExitUsage;
  }
  std::unique_ptr<env::HttpClient> http = env::NewCurlHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials =
      aws::NewDefaultCredentialsChain(env, *http, clock);
  if (Result<aws::AwsCredentials> c = credentials->Get(); !c.ok()) {
    err << "gatescope apis: " << c.status().message() << '\n';
    return kApisExitUsage;
  }
  aws::TokenBucketRegistry limiters(options.requests_per_second, 1.0, clock, aws::RealSleeper());
  const auto client_options = [&](const aws::ServiceInfo& service, const std::string& region) {
    return aws::AwsClientOptions{.region = region,
                                 .endpoint = aws::ResolveEndpoint(env, service, region),
                                 .limiter = &limiters.For(region + "/" +
                                                          std::string(service.signing_name))};
  };

  std::vector<std::string> regions;
  for (const std::string& r : options.regions) {
    if (r != "all") {
      regions.push_back(r);
      continue;
    }
    Result<std::string> home = aws::ResolveRegion(env);
    aws::AwsServiceClient ec2_client(aws::kEc2, client_options(aws::kEc2, home.ok() ? *home : "us-east-1"),
                                     *http, *credentials, clock);
    Result<std::vector<aws::Ec2Region>> listed = aws::Ec2Client(ec2_client).DescribeRegions();
    if (!listed.ok()) {
      err << "gatescope apis: --region all: " << listed.status().message() << '\n';
      return kApisExitAwsError;
    }
    for (const aws::Ec2Region& region : *listed) regions.push_back(region.name);
  }
  if (regions.empty()) {
    Result<std::string> region = aws::ResolveRegion(env);
    if (!region.ok()) {
      err << "gatescope apis: " << region.status().message() << " Or pass --region.\n";
      return kApisExitUsage;
    }
    regions.push_back(*region);
  }

  int exit_code = kApisExitOk;
  std::vector<aws::RegionApis> found;
  for (const std::string& region : regions) {
    aws::AwsServiceClient v1_client(aws::kApiGateway, client_options(aws::kApiGateway, region),
                                    *http, *credentials, clock);
    aws::AwsServiceClient v2_client(aws::kApiGatewayV2, client_options(aws::kApiGatewayV2, region),
                                    *http, *credentials, clock);
    aws::ApiGatewayClient v1(v1_client);
    aws::ApiGatewayV2Client v2(v2_client);
    Result<aws::RegionApis> apis = aws::DiscoverApis(
        v1, v2, region, {.data_trace = options.require_data_trace});
    if (!apis.ok()) {
      err << "gatescope apis: " << region << ": " << apis.status().message() << '\n';
      exit_code = kApisExitAwsError;
      continue;
    }
    for (const Status& s : {apis->rest_error, apis->v2_error}) {
      if (!s.ok()) {
        err << "gatescope apis: " << region << ": " << s.message() << '\n';
        exit_code = kApisExitAwsError;
      }
    }
    for (const aws::DiscoveredApi& api : apis->apis) {
      if (!api.error.ok()) {
        err << "gatescope apis: " << region << ": " << api.id << ": " << api.error.message() << '\n';
        exit_code = kApisExitAwsError;
      }
    }
    found.push_back(std::move(apis).value());
  }

  if (options.json_file.empty()) {
    PrintTable(found, out);
    return exit_code;
  }
  Json report = Json::array();
  for (const aws::RegionApis& region : found) report.push_back(RegionToJson(region));
  if (options.json_file == "-") {
    out << report.dump(2) << '\n';
    return exit_code;
  }
  std::ofstream file(options.json_file);
  file << report.dump(2) << '\n';
  if (!file) {
    err << "gatescope apis: cannot write " << options.json_file << '\n';
    return kApisExitAwsError;
  }
  return exit_code;
}

}  // namespace gatescope::commands
