#include "commands/config_command.h"

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "deploy/deploy_settings.h"
#include "env/http_client.h"

namespace gatescope::commands {
namespace {

void PrintProblems(const deploy::DeploySettings& settings, std::ostream& err) {
  for (const deploy::Problem& p : settings.problems) {
    err << deploy::FormatProblem(settings.env_file, p) << '\n';
  }
}

// DescribeRegions with AllRegions=true, so that regions not opted in are named as such rather
// than as unknown.
Result<std::vector<deploy::AccountRegion>> ReadAccountRegions(const aws::AwsEnvironment& env,
                                                              const std::string& region,
                                                              Clock& clock) {
  std::unique_ptr<env::HttpClient> http = env::NewCurlHttpClient();
  std::unique_ptr<aws::CredentialsProvider> credentials =
      aws::NewDefaultCredentialsChain(env, *http, clock);
  if (Result<aws::AwsCredentials> c = credentials->Get(); !c.ok()) return c.status();
  aws::AwsServiceClient client(
      aws::kEc2,
      aws::AwsClientOptions{.region = region,
                            .endpoint = aws::ResolveEndpoint(env, aws::kEc2, region)},
      *http, *credentials, clock);
  Result<std::vector<aws::Ec2Region>> listed =
      aws::Ec2Client(client).DescribeRegions(/*all_regions=*/true);
  if (!listed.ok()) return listed.status();
  std::vector<deploy::AccountRegion> out;
  for (const aws::Ec2Region& r : *listed) {
    out.push_back({.name = r.name, .enabled = r.enabled(), .opt_in_status = r.opt_in_status});
  }
  return out;
}

}  // namespace

int RunConfigCheck(const ConfigCheckOptions& options, const aws::AwsEnvironment& env, Clock& clock,
                   std::ostream& out, std::ostream& err) {
  if (options.format != "text" && options.format != "shell" && options.format != "json") {
    err << "gatescope config check: --format must be text, shell or json\n";
    return kConfigExitProblems;
  }
  deploy::DeploySettings settings = deploy::LoadDeploySettings(options.env_file);
  PrintProblems(settings, err);
  // A bad .env stops here, before any AWS call.
  if (!settings.ok()) return kConfigExitProblems;

  if (options.aws) {
    const std::string& home = settings.Get("GATESCOPE_PREFERRED_REGION");
    Result<std::vector<deploy::AccountRegion>> regions = ReadAccountRegions(env, home, clock);
    if (!regions.ok()) {
      err << "gatescope config check: --aws: " << regions.status().message() << '\n';
      return kConfigExitAwsFailed;
    }
    const size_t before = settings.problems.size();
    deploy::ApplyAccountRegions(settings, *regions);
    for (size_t i = before; i < settings.problems.size(); ++i) {
      err << deploy::FormatProblem(settings.env_file, settings.problems[i]) << '\n';
    }
    if (!settings.ok()) return kConfigExitProblems;
  }

  if (options.format == "shell") {
    out << deploy::FormatShell(settings);
  } else if (options.format == "json") {
    out << deploy::FormatJson(settings);
  } else {
    out << deploy::FormatText(settings);
  }
  return kConfigExitOk;
}

}  // namespace gatescope::commands
