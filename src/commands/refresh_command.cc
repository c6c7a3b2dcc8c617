#include "commands/refresh_command.h"

#include "commands/ship_command.h"
#include "connector/lambda_handler.h"
#include "connector/refresh.h"

namespace gatescope::commands {

int RunRefreshCommand(const RefreshCommandOptions& options, std::map<std::string, std::string> env,
                      Clock& clock, std::ostream& out, std::ostream& err) {
  std::unique_ptr<connector::ConnectorHost> host =
      CreateConnectorHost("refresh", options.env_file, std::move(env), clock, err);
  if (host == nullptr) return kShipExitConfig;
  if (!options.function_arn.empty()) {
    if (connector::AccountOfArn(options.function_arn).empty() ||
        options.function_arn.find(":lambda:") == std::string::npos) {
      err << "gatescope refresh: --function-arn: not a Lambda function ARN "
             "(arn:aws:lambda:<region>:<account>:function:<name>)\n";
      return kShipExitConfig;
    }
    host->SetFunctionArn(options.function_arn);
  } else if (host->config().collection == connector::Collection::kPush) {
    err << "gatescope refresh: --function-arn: required with GATESCOPE_COLLECTION=push (the "
           "function the log groups are subscribed to)\n";
    return kShipExitConfig;
  }
  connector::RefreshSummary summary = host->RunRefresh();
  out << connector::RefreshSummaryToEmf(summary, "refresh", UnixMillis(clock)) << '\n'
      << std::flush;
  for (const std::string& e : summary.error_samples) err << "gatescope refresh: " << e << '\n';
  return summary.errors == 0 ? kShipExitOk : kShipExitRunFailed;
}

}  // namespace gatescope::commands
